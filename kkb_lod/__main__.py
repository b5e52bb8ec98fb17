"""``python -m kkb_lod`` is the same as the ``kkb-lod`` command."""

from kkb_lod.cli import main

main()
