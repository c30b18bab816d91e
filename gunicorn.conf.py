"""gunicorn settings for `make serve` and production; each can be set from the environment.

Threaded workers (`gthread`): a streamed answer waits on the model server in one
thread of a worker, holding no database connection meanwhile (see
workspaces/chats/services.py), while the worker's other threads serve everyone
else. Concurrent requests, streams included, are bounded by workers × threads
(default: one worker per core, at least 2, × 32 threads = 64 on 2 cores); every thread may keep one database
connection open between requests (CONN_MAX_AGE), so keep workers × threads below
PostgreSQL's max_connections (100 by default).

The application is imported once, in the master, before the workers are forked
(`preload_app`): the workers share its code and its libraries' memory pages instead of
each loading a copy, and a recycled worker starts at once. A new release therefore needs a
restart: SIGHUP reloads this configuration, not the code. GUNICORN_PRELOAD=0 turns it off.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", 32))
# With gthread this is the worker's heartbeat, not a limit on a request: streams may last longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
# A recycled or stopped worker lets its streams finish for this long (answers take up to a minute or two).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 120))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def pre_fork(server, worker):
    """What the master imported is left out of the workers' garbage collections: a collection
    walking it would write to every object, and each worker would end up with its own copy of
    pages it could have shared."""
    gc.freeze()
