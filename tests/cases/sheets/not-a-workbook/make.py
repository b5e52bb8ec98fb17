"""A text file named .xlsx."""

from __future__ import annotations

from pathlib import Path


def make(folder: Path) -> None:
    (folder / "registry" / "registry.xlsx").write_text("village_code,village_name\n", "utf-8")
