"""gunicorn's configuration for ``gunicorn server:app`` run from this folder (gunicorn reads
./gunicorn.conf.py by default): the kkb-lod worker settings and hooks (:mod:`kkb_lod.web._workers`),
so every worker serves the release the master pinned, a worker stuck on a query is replaced and
the rate limit is shared. Command-line options (--workers, --bind) still apply.
"""

from kkb_lod.config import load_settings
from kkb_lod.web._workers import HOOKS, options

_defaults = options(load_settings())
globals().update(
    {
        name: _defaults[name]
        for name in ("worker_class", "workers", "threads", "graceful_timeout", "timeout", *HOOKS)
    }
)
control_socket_disable = True  # gunicorn >= 25.1 opens a control socket by default
