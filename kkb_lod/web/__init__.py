"""The Flask app: ``create_app(settings=None, store=None)``.

The factory receives its world: tests pass ``Settings`` and a store; ``server.py`` passes nothing
and gets the current release of ``settings.build_dir``. Each URL family is one blueprint, always
registered; the views reach the store only through SPARQL (``kkb_lod.store.Store``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from kkb_lod.config import Settings, load_settings
from kkb_lod.store import OxigraphStore, Store


def create_app(settings: Settings | None = None, store: Store | None = None,
               release: dict[str, Any] | None = None) -> Flask:
    """Build the app. Without a store, open the current release of ``settings.build_dir``.

    ``release`` is the release manifest (``manifest.json``: id, created, counts, dumps); it is
    read from the build folder when the store is opened here.
    """
    settings = settings or load_settings()
    if store is None:
        from kkb_lod.pipeline import current_release

        path = current_release(settings.build_dir)
        store = OxigraphStore.from_release(path, settings.store)
        release = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        release["path"] = str(path)
    app = Flask(__name__)
    app.config["KKB_SETTINGS"] = settings
    app.extensions["kkb_store"] = store
    app.extensions["kkb_release"] = release or {}

    from kkb_lod.web import catalog, resources, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(catalog.bp)
    app.register_blueprint(resources.bp)
    return app
