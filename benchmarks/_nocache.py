"""``gunicorn benchmarks._nocache:app``: the app of ``server.py`` with its page cache keeping
nothing, so every page is drawn (the "without page cache" figures of benchmarks/targets.py)."""

from server import app

app.extensions["kkb"].pages.size = 0  # kkb_lod.web._pages.remembered keeps at most this many
