"""gunicorn's configuration for the portal: `make run` and the systemd unit (deploy/yingshang.service) use it.

Every value can be changed through the environment (deploy/production.env.example).
"""

import os

import gunicorn.http.wsgi

from portal.gc_tuning import WarmUpFreeze

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes × threads is how many requests are served at once; each process
# holds at most DATABASE_POOL_MAX PostgreSQL connections.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes longer than this is killed; the slowest real page (a
# large download) takes a few seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker after this many requests (plus jitter, so they do not all restart together).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Request line and headers are bounded; bodies are bounded by the portal (MAX_REQUEST_BYTES) and the proxy.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Behind the proxy on the same machine: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The portal itself logs one JSON line per request, with its request id and
# the signed-in user (portal.observability.RequestLog), so gunicorn's own
# access log is off; set GUNICORN_ACCESS_LOG to a path (or "-") to have it too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "yingshang"
# No Server header naming the runtime and its version.
gunicorn.http.wsgi.SERVER = "yingshang"

_freeze = WarmUpFreeze()


def post_worker_init(worker):
    """Do what a crash left undone after a commit (cases.journal), then build the catalog index, before serving."""
    from cases.journal import drain
    from cases.search.engine import warm

    try:
        drain()
    except Exception:  # /healthz reports work left undone
        worker.log.exception("Could not do the work left after a commit")
    try:
        warm()
    except Exception:  # a worker that cannot warm still serves; /healthz says what is wrong
        worker.log.exception("Could not build the catalog index at start")
    finally:
        from django.db import connections

        connections.close_all()


def post_request(worker, req, environ, resp):
    """Freeze long-lived objects out of full garbage collections once the worker is warm (portal.gc_tuning)."""
    _freeze.request_done()
