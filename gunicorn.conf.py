"""gunicorn's configuration for ``gunicorn server:app`` run from this folder (gunicorn reads
./gunicorn.conf.py by default): the kkb-lod hooks, so every worker serves the release the master
pinned (SIGHUP moves them all to the current one), a worker stuck on a query is replaced and the
rate limit is shared by the workers. Command-line options (--workers, --bind) still apply.
"""

from kkb_lod.config import load_settings
from kkb_lod.web._workers import options

_defaults = options(load_settings())
worker_class = _defaults["worker_class"]
workers = _defaults["workers"]
threads = _defaults["threads"]
graceful_timeout = _defaults["graceful_timeout"]
timeout = _defaults["timeout"]
on_starting = _defaults["on_starting"]
on_reload = _defaults["on_reload"]
on_exit = _defaults["on_exit"]
post_worker_init = _defaults["post_worker_init"]
child_exit = _defaults["child_exit"]
control_socket_disable = True  # gunicorn >= 25.1 opens a control socket by default
