"""WSGI entry point: ``gunicorn server:app`` serves the current release of the build folder.

Settings come from ``KKB_*`` variables as everywhere. Run from this folder, gunicorn reads
``gunicorn.conf.py``: its master pins the release when it starts and every worker serves that
one (a new release only after SIGHUP); without those hooks each worker opens ``current`` when it
starts. Run directly (``python server.py [--port P]``) it is the same as ``kkb-lod serve``: it
builds the bundled registry first if there is no release.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    from kkb_lod.cli import cli

    cli(["serve", *sys.argv[1:]], prog_name="server.py")
elif __name__ != "__mp_main__":  # not when ``serve`` re-imports this script in a spawned process
    from kkb_lod.web import create_app

    app = create_app()
