"""Production gunicorn settings: `gunicorn config.wsgi` picks this file up from the cwd.

Every value can be overridden from the environment, e.g. WEB_CONCURRENCY=4.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Views wait on the database and on Unified; threads let one process overlap that waiting.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Long enough for a slow Unified call behind a page, short enough to free a stuck worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; rarely enough that
# a webhook storm (thousands of deliveries a minute) does not restart them in the middle.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The access log costs a formatted line per request; GUNICORN_ACCESS_LOG="" turns it off
# (the proxy in front usually logs requests already).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
