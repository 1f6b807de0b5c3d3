"""gunicorn's settings for the web process (``make serve``, the Procfile's ``web``).

Environment: ``KARTOSFERA_BIND`` (default ``127.0.0.1:8000``; a platform's ``PORT`` binds
``0.0.0.0:$PORT``), ``WEB_CONCURRENCY`` (worker processes, default 2 per core + 1),
``GUNICORN_TIMEOUT`` (seconds a request may take, default 30).
"""

import multiprocessing
import os

_port = os.environ.get("PORT")
bind = os.environ.get("KARTOSFERA_BIND") or (f"0.0.0.0:{_port}" if _port else "127.0.0.1:8000")
# Synchronous workers, each with its own persistent database connection (CONN_MAX_AGE).
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# A worker is replaced after this many requests (plus jitter), so memory stays bounded.
max_requests = 2000
max_requests_jitter = 200
# Request line and headers bounded (the body is bounded by Django: DATA_UPLOAD_MAX_MEMORY_SIZE and
# the evidence upload handler).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
# The reverse proxy in front terminates TLS and sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
