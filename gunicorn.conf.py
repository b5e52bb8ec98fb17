"""gunicorn's configuration for ``gunicorn server:app`` run from this folder (gunicorn reads
./gunicorn.conf.py by default): the kkb-lod hooks, so a worker stuck on a query is replaced and
the rate limit is shared by the workers. Command-line options (--workers, --bind) still apply.
"""

from kkb_lod.config import load_settings
from kkb_lod.web._workers import child_exit, on_starting, options, post_worker_init  # noqa: F401

_defaults = options(load_settings())
worker_class = _defaults["worker_class"]
workers = _defaults["workers"]
threads = _defaults["threads"]
graceful_timeout = _defaults["graceful_timeout"]
timeout = _defaults["timeout"]
control_socket_disable = True  # gunicorn >= 25.1 opens a control socket by default
