"""Settings read from the environment.

Defaults give a development machine: SQLite in ``var/``, Celery tasks run eagerly in-process.
Production sets ``DEBUG=0``, ``SECRET_KEY``, ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL``
(Redis) and ``ALLOWED_HOSTS``.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-kartosfera-key-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_fsm",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "kartosfera",
    "deadlines",
    "liability",
    "customers",
    "cards",
    "disputes",
    "letters",
    "audit",
    "reports",
    "outbox",
    "oauth2_provider",
    "corebanking",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy, and no-store for signed-in people, on every response.
    "kartosfera.middleware.SecurityHeadersMiddleware",
    # Static files straight from the application server (gunicorn), compressed and cached for a year
    # by their hashed names, before sessions or anything else runs for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Right after the sessions: it marks an active session for saving once a refresh interval.
    "customers.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The bank systems API refuses a request carrying a card number before anything reads or logs it.
    "api.middleware.CardNumberGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the audit context reads the signed-in user.
    "audit.middleware.AuditContextMiddleware",
    # Marks request.user.is_verified(): the back office needs a confirmed TOTP device (second factor).
    "django_otp.middleware.OTPMiddleware",
    # A staff session without the second factor opens nothing else (admin, reports, downloads included).
    "kartosfera.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "customers.middleware.SessionLifetimeMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kartosfera.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kartosfera.context_processors.bank",
            ],
        },
    },
]

WSGI_APPLICATION = "kartosfera.wsgi.application"

VAR_DIR = Path(os.environ.get("KARTOSFERA_VAR_DIR", BASE_DIR / "var"))
# The working folder (the SQLite file, text messages, exports, media) is git-ignored, so a fresh clone
# has none: create it here, before anything opens a file in it (SQLite cannot create its folder).
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Persistent connections: each web or worker process keeps its database connection for
# DATABASE_CONN_MAX_AGE seconds instead of opening one per request (on PostgreSQL that doubles the
# requests per second of a light page, docs/PERFORMANCE.md), and checks it is still alive before
# reusing it after a request, so a restarted database costs one failed check, not a failed request.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kartosfera.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for a concurrent writer instead of failing at once, and use WAL so that
    # readers (the dev server, an eager task) do not block the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements only where the code asks for one (psycopg's prepare=True): the audit log's
    # INSERT and the sealer's UPDATE, run for every audited act (audit.services._prepared_cursor).
    # Django's default (None) turns them off altogether, for connection poolers; PgBouncer 1.21+
    # keeps protocol-level prepared statements (max_prepared_statements). Every other query is bound
    # on the client side (Django's default cursor), which never prepares: the threshold is never met.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)

# The cache holds what every web process must share: the API clients' rate-limit counters (api.auth).
# Production points it at Redis (REDIS_CACHE_URL, e.g. redis://host:6379/1, Django's own RedisCache);
# without it each process counts on its own in local memory (the demo and the tests), and
# `check --deploy` warns (kartosfera.W001).
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "kartosfera",
        }
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "customers.User"

AUTH_PASSWORD_VALIDATORS = [
    # The similarity check names the PESEL (the sign-in "username") as the customer knows it.
    {"NAME": "customers.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Polish first, English available. Legal dates are taken in Europe/Warsaw;
# the database stores UTC.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Warsaw"
LEGAL_TIME_ZONE = "Europe/Warsaw"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic's target, served by WhiteNoise: in the working folder, created with it (WhiteNoise
# expects the folder even before the first collectstatic).
STATIC_ROOT = Path(os.environ.get("KARTOSFERA_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Production serves the collected files (``manage.py collectstatic``, run by ``make serve``) under
# content-hashed names with WhiteNoise; development and the tests serve them from the app folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "customers:sign_in"
LOGIN_REDIRECT_URL = "cards:list"

# Customers sign in with their PESEL or bank id (customers.backends); staff with a username in the
# admin. django-axes comes first so that a locked-out identifier is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "customers.backends.CustomerIdentifierBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failed sign-ins (django-axes, customers.lockout): per identifier and address
# together (AXES_FAILURE_LIMIT), so a stranger who knows a PESEL cannot lock its owner out of their own
# device; and per address alone with a higher limit (KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT), so one
# address cannot try identifier after identifier. The lock lifts after the cool-off time, when staff
# reset it in the admin, or with a password reset; a successful sign-in clears the failures.
AXES_HANDLER = "customers.lockout.IdentifierAndAddressLockoutHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "identifier"
AXES_USERNAME_CALLABLE = "customers.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "customers.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "identifier", "ip_address"]
# Behind a reverse proxy set AXES_IPWARE_PROXY_COUNT to the number of proxies in front of Django.
AXES_IPWARE_PROXY_COUNT = (
    int(os.environ["AXES_IPWARE_PROXY_COUNT"]) if "AXES_IPWARE_PROXY_COUNT" in os.environ else None
)

# One-time passwords sent by text message (customers.services.otp).
KARTOSFERA_OTP = {
    "DIGITS": 6,
    "TTL_SECONDS": 5 * 60,
    "MAX_ATTEMPTS": 5,
    # A new code may be sent for the same request after this long, at most MAX_SENDS times in all.
    "RESEND_INTERVAL_SECONDS": int(os.environ.get("KARTOSFERA_OTP_RESEND_INTERVAL_SECONDS", "60")),
    "MAX_SENDS": 3,
    # Text messages cost money and can be abused to flood a phone: at most this many texts (first sends
    # and resends, whatever the request) to one phone number an hour.
    "MAX_PER_HOUR": int(os.environ.get("KARTOSFERA_OTP_MAX_PER_HOUR", "10")),
    # After the code is accepted, how long the customer has to finish (e.g. set the password).
    "VERIFIED_VALID_SECONDS": 15 * 60,
}
# Registration and password-reset starts (customers.services.registration_start): at most this many an
# hour from one address, and from everywhere together (a PESEL-guessing run is slowed down however it
# spreads; the overall cap protects the SMS budget).
KARTOSFERA_ACCESS_START = {
    "PER_ADDRESS_PER_HOUR": int(os.environ.get("KARTOSFERA_ACCESS_START_PER_ADDRESS_PER_HOUR", "10")),
    "PER_HOUR": int(os.environ.get("KARTOSFERA_ACCESS_START_PER_HOUR", "1000")),
}
# Text messages leave through a pluggable sender (customers.sms). Development and tests write them to
# KARTOSFERA_SMS_DIR and print them on the console; production posts them to an SMS gateway.
KARTOSFERA_SMS_BACKEND = os.environ.get(
    "KARTOSFERA_SMS_BACKEND",
    "customers.sms.FileSmsBackend" if DEBUG else "customers.sms.HttpGatewaySmsBackend",
)
KARTOSFERA_SMS_DIR = Path(os.environ.get("KARTOSFERA_SMS_DIR", VAR_DIR / "sms"))

# The auditors' exports (reports.exports): finished files live here, outside MEDIA_ROOT (only the
# audited download view serves them); the web process and the Celery workers must share it.
KARTOSFERA_EXPORT_DIR = Path(os.environ.get("KARTOSFERA_EXPORT_DIR", VAR_DIR / "exports"))
# Rows fetched per database round trip, and how often a running export records its progress.
REPORTS_EXPORT_CHUNK_SIZE = int(os.environ.get("REPORTS_EXPORT_CHUNK_SIZE", "2000"))
REPORTS_EXPORT_PROGRESS_ROWS = int(os.environ.get("REPORTS_EXPORT_PROGRESS_ROWS", "5000"))
# How often a running verification of the audit log records how many entries it has verified.
REPORTS_AUDIT_PROGRESS_ENTRIES = int(os.environ.get("REPORTS_AUDIT_PROGRESS_ENTRIES", "2000"))
# On PostgreSQL the CSV exports that are one query stream COPY (the same bytes, several times faster);
# 0 writes them row by row in Python, as on SQLite (docs/REPORTS.md, "How a job runs").
REPORTS_EXPORT_CSV_COPY = os.environ.get("REPORTS_EXPORT_CSV_COPY", "1") == "1"
KARTOSFERA_SMS_ECHO = env_bool("KARTOSFERA_SMS_ECHO", DEBUG)
KARTOSFERA_SMS_GATEWAY_URL = os.environ.get("KARTOSFERA_SMS_GATEWAY_URL", "")
KARTOSFERA_SMS_GATEWAY_TOKEN = os.environ.get("KARTOSFERA_SMS_GATEWAY_TOKEN", "")
KARTOSFERA_SMS_SENDER = os.environ.get("KARTOSFERA_SMS_SENDER", "Kartosfera")
KARTOSFERA_SMS_TIMEOUT_SECONDS = float(os.environ.get("KARTOSFERA_SMS_TIMEOUT_SECONDS", "10"))

# E-mail to customers (customers.services.notification_send): Django's e-mail framework. Development
# writes each message as a file in KARTOSFERA_VAR_DIR/mail; production sends it by SMTP (EMAIL_HOST...).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kartosfera <powiadomienia@kartosfera.example>")
# How often a notification that could not be sent is tried again (seconds between tries, at most).
KARTOSFERA_NOTIFICATION_RETRIES = int(os.environ.get("KARTOSFERA_NOTIFICATION_RETRIES", "8"))

# The card processor (cards.processor). The simulator runs in-process for the demo and the tests; it
# can be told to fail: SIMULATOR_FAILURES maps a card or wallet token reference to TIMEOUT or REFUSED.
KARTOSFERA_CARD_PROCESSOR = os.environ.get(
    "KARTOSFERA_CARD_PROCESSOR", "cards.processor.SimulatedCardProcessor"
)
KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES: dict[str, str] = {}

# The audit log (docs/AUDIT.md, "Sealing"). A service's transaction inserts its entries unchained;
# the sealer numbers and hashes them in order moments later, so no business transaction waits on a
# global row. When an act's entries are sealed:
#   IN_TRANSACTION  in the writing transaction itself, under the sealer's lock (SQLite's default: its
#                   writers are serialised anyway, and a test sees its entries sealed at once);
#   AFTER_COMMIT    by the writing process right after its commit (PostgreSQL without a broker);
#   TASK            by the audit.tasks.audit_seal_pending task, which the transaction's outbox
#                   publication asks for (outbox_nudge: no row, coalesced; PostgreSQL with a broker,
#                   production); the beat task below seals whatever a lost message left;
#   PERIODIC        only by the beat task or `manage.py seal_audit --follow` (a dedicated sealer).
_AUDIT_SEALING_DEFAULT = (
    "IN_TRANSACTION"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    else ("TASK" if os.environ.get("CELERY_BROKER_URL") else "AFTER_COMMIT")
)
KARTOSFERA_AUDIT_SEALING = os.environ.get("KARTOSFERA_AUDIT_SEALING", _AUDIT_SEALING_DEFAULT)
if KARTOSFERA_AUDIT_SEALING not in {"IN_TRANSACTION", "AFTER_COMMIT", "TASK", "PERIODIC"}:
    raise ImproperlyConfigured(f"KARTOSFERA_AUDIT_SEALING={KARTOSFERA_AUDIT_SEALING!r} is not a sealing mode")
# Entries one sealer transaction numbers and hashes (it loops until none is left).
KARTOSFERA_AUDIT_SEAL_BATCH = int(os.environ.get("KARTOSFERA_AUDIT_SEAL_BATCH", "500"))
# A process publishes the seal task on its own at most this often, to run this much later, so that
# the one run seals every entry committed meanwhile (outbox_nudge; with outbox rows it rides along).
KARTOSFERA_AUDIT_SEAL_KICK_SECONDS = float(os.environ.get("KARTOSFERA_AUDIT_SEAL_KICK_SECONDS", "0.5"))
# /healthz degrades when the oldest entry waiting to be sealed is older than this.
KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS = float(
    os.environ.get("KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS", "60")
)
# Signed anchors of the chain head, written outside the database (docs/AUDIT.md, "Anchors"): by the
# beat task and after sealing, at most one every KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS. The HMAC key
# comes from the environment, never from the database; without KARTOSFERA_AUDIT_ANCHOR_KEY it is
# derived from SECRET_KEY (set a key of its own in production, kept by whoever verifies the log).
KARTOSFERA_AUDIT_ANCHOR_DIR = Path(os.environ.get("KARTOSFERA_AUDIT_ANCHOR_DIR", VAR_DIR / "audit-anchors"))
KARTOSFERA_AUDIT_ANCHOR_KEY = os.environ.get("KARTOSFERA_AUDIT_ANCHOR_KEY", "")
KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS = float(os.environ.get("KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS", "60"))
# The core banking system that ledger entries are posted to (corebanking/gateway.py). The default talks
# HTTP to the simulator that `make demo` starts (python -m corebanking.simulator).
KARTOSFERA_CORE_BANKING_GATEWAY = os.environ.get(
    "KARTOSFERA_CORE_BANKING_GATEWAY", "corebanking.gateway.HttpCoreBankingGateway"
)
KARTOSFERA_CORE_BANKING_URL = os.environ.get("KARTOSFERA_CORE_BANKING_URL", "http://127.0.0.1:8765")
KARTOSFERA_CORE_BANKING_TIMEOUT_SECONDS = float(
    os.environ.get("KARTOSFERA_CORE_BANKING_TIMEOUT_SECONDS", "10")
)

# The bank systems API (api/): OAuth 2.0 client credentials (django-oauth-toolkit), one client per
# calling system. Tokens live an hour; only their SHA-256 is stored (RFC 9700 token storage).
OAUTH2_PROVIDER = {
    "SCOPES": {
        "transactions:write": "Feed card transactions",
        "customers:write": "Create and update customers and cards",
        "claims:read": "Read claims",
        "claims:write": "File claims on a customer's behalf",
        "chargebacks:write": "Report chargeback events",
        "webhooks:manage": "Manage webhook endpoints",
    },
    "SCOPES_BACKEND_CLASS": "api.oauth.ClientScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    # Only the client credentials grant is used: every RFC 9700 (OAuth 2.0 Security BCP) behaviour on.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Idempotency keys of API writes are kept this long; a key replayed later is a new request.
KARTOSFERA_API_IDEMPOTENCY_RETENTION_HOURS = int(
    os.environ.get("KARTOSFERA_API_IDEMPOTENCY_RETENTION_HOURS", "48")
)
# Requests per minute each API client may make (a client's own ``rate_limit_per_minute`` overrides it).
KARTOSFERA_API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("KARTOSFERA_API_RATE_LIMIT_PER_MINUTE", "600"))
# Webhooks: signatures older than this are refused by receivers (the window is in the signature header).
KARTOSFERA_WEBHOOK_TOLERANCE_SECONDS = 300
KARTOSFERA_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("KARTOSFERA_WEBHOOK_TIMEOUT_SECONDS", "5"))

# Celery: without a broker every task runs eagerly in-process (development, the default test run).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TIMEZONE = "Europe/Warsaw"
# Redelivery (docs/OUTBOX.md). Every task is idempotent (STYLE.md 8: a letter, an export, a rate fetch, a
# refund, an estimate, a sweep each check what is done before doing it), so a task is acknowledged
# only once it has run (acks_late) and a worker process that dies mid-task gives its message back at
# once (reject_on_worker_lost): the task runs again rather than never. A task that could not run twice
# would set acks_late=False on itself and be lost instead with its worker; there is none today.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged message to another worker after the visibility timeout (Redis's
# default: one hour). A whole worker host lost mid-task is redelivered after 5 minutes (and at most
# CELERY_UNACKED_RESTORE_INTERVAL_SECONDS more). A message
# held longer than this unacknowledged is delivered a second time while the first still waits: a
# task's runtime and any retry countdown (NBP_FETCH_RETRY_MAX_SECONDS, the letters' retry backoff)
# stay under it.
CELERY_VISIBILITY_TIMEOUT_SECONDS = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT_SECONDS", "300"))
# A request never waits on the broker: the outbox publishes after commit with a short connection
# timeout and one quick retry, and a failure leaves the row for the sweep. Celery's defaults (4 s
# timeout, 3 publish retries, and the Redis result backend's 20 retries a second apart) held a
# request ~19 s while Redis was down.
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "1"))
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Each worker looks for messages past their visibility timeout every this many seconds. kombu's
# defaults (a sweep every 10 s that scans Redis only every tenth time) leave a lost worker's message
# waiting up to ~100 s more than the timeout; a scan is one ZRANGE, so every sweep scans.
CELERY_UNACKED_RESTORE_INTERVAL_SECONDS = max(1, min(10, CELERY_VISIBILITY_TIMEOUT_SECONDS // 2))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": CELERY_UNACKED_RESTORE_INTERVAL_SECONDS,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
# The outbox sweep (outbox.tasks.sweep, each minute): a row whose publication after commit failed is
# published again once it is OUTBOX_PUBLISH_GRACE_SECONDS old; a row published and not finished
# after OUTBOX_REPUBLISH_AFTER_SECONDS (a message lost with the broker's data; longer than the
# visibility timeout, which redelivers what a worker held) is published again; at most
# OUTBOX_SWEEP_BATCH_SIZE a run.
OUTBOX_PUBLISH_GRACE_SECONDS = float(os.environ.get("OUTBOX_PUBLISH_GRACE_SECONDS", "30"))
OUTBOX_REPUBLISH_AFTER_SECONDS = float(os.environ.get("OUTBOX_REPUBLISH_AFTER_SECONDS", "3600"))
OUTBOX_SWEEP_BATCH_SIZE = int(os.environ.get("OUTBOX_SWEEP_BATCH_SIZE", "500"))
# The beat purge deletes rows a worker finished (done or failed) more than this long ago, at most
# OUTBOX_PURGE_BATCH_SIZE a run (the next run takes the next batch): a week to look into a failure.
OUTBOX_PURGE_AFTER_SECONDS = float(os.environ.get("OUTBOX_PURGE_AFTER_SECONDS", str(7 * 24 * 3600)))
OUTBOX_PURGE_BATCH_SIZE = int(os.environ.get("OUTBOX_PURGE_BATCH_SIZE", "5000"))
# /healthz degrades when the oldest row no worker has finished is older than this (the broker or the
# workers are down, or far behind): longer than a letters backlog, shorter than the republish delay.
OUTBOX_BACKLOG_LIMIT_SECONDS = float(os.environ.get("OUTBOX_BACKLOG_LIMIT_SECONDS", "900"))
# Recycle a worker process after this many tasks: a letter-rendering process grows by ~5-10 kB a
# letter (WeasyPrint and Pango caches, heap fragmentation; docs/PERFORMANCE.md), so memory stays bounded.
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "100"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues. Letters (WeasyPrint, ~160-280 ms of CPU a letter: docs/PERFORMANCE.md, "Letters") go to a
# queue of their own, so that a mass incident's letters never wait in front of a D+1 refund, a sweep or
# an export. Production runs a worker for each (Procfile): `-Q celery` and `-Q letters`, the second
# with as many processes as the letters' capacity needs; a worker started without -Q consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
KARTOSFERA_LETTERS_QUEUE = "letters"
# Each queue bound by its own routing key: without one, Celery binds both to the default key and a
# message sent to either lands in both (every task would run twice).
CELERY_TASK_QUEUES = tuple(
    Queue(name, routing_key=name) for name in (CELERY_TASK_DEFAULT_QUEUE, KARTOSFERA_LETTERS_QUEUE)
)
CELERY_TASK_ROUTES = {"letters.tasks.*": {"queue": KARTOSFERA_LETTERS_QUEUE}}
# A letter the customer asked to get by e-mail that has not left this long after its issue (the mail
# server refused it for good, or is down for hours) joins the paper letters of the next print batch:
# the reply still reaches the customer, on paper, the default channel (Complaints Act art. 5).
LETTERS_EMAIL_FALLBACK_SECONDS = int(os.environ.get("LETTERS_EMAIL_FALLBACK_SECONDS", "7200"))
# Pending letter requests queued by one beat sweep run (bounded: a mass event drains over minutes).
KARTOSFERA_LETTERS_SWEEP_BATCH = int(os.environ.get("KARTOSFERA_LETTERS_SWEEP_BATCH", "500"))
# Letters in one print batch (merged into one PDF in one request); the rest wait for the next batch.
KARTOSFERA_PRINT_BATCH_MAX = int(os.environ.get("KARTOSFERA_PRINT_BATCH_MAX", "200"))

CELERY_BEAT_SCHEDULE: dict = {
    # The audit sealer (docs/AUDIT.md, "Sealing"): seals what the after-commit task did not (a lost
    # message, a broker outage), then anchors the chain head outside the database.
    "audit-seal-pending": {
        "task": "audit.tasks.audit_seal_pending",
        "schedule": timedelta(seconds=5),
    },
    "audit-anchor-head": {
        "task": "audit.tasks.audit_anchor_head",
        "schedule": timedelta(minutes=5),
    },
    # What a transaction asked for and the broker did not take (docs/OUTBOX.md).
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": crontab(minute="*"),
    },
    "outbox-purge": {
        "task": "outbox.tasks.purge",
        "schedule": crontab(minute="17"),
    },
    # NBP table A appears on business days around 11:45-12:15 Warsaw (CELERY_TIMEZONE): fetch it
    # after 12:30, and again in the afternoon in case it was late. The task is idempotent.
    "nbp-table-a-eur": {
        "task": "liability.tasks.fetch_recent_rates",
        "schedule": crontab(hour=12, minute=35, day_of_week="mon-fri"),
        "kwargs": {"currency": "EUR"},
    },
    "nbp-table-a-eur-late": {
        "task": "liability.tasks.fetch_recent_rates",
        "schedule": crontab(hour=14, minute=0, day_of_week="mon-fri"),
        "kwargs": {"currency": "EUR"},
    },
    # Dispute sweeps (disputes/tasks.py): idempotent, bounded batches, safe to overlap.
    # Letters the workflow asked for and no task issued (a lost message, a crash): a bounded batch.
    "letters-issue-pending": {
        "task": "letters.tasks.issue_pending_letters",
        "schedule": crontab(minute="*"),
    },
    "disputes-refund-escalations": {
        "task": "disputes.tasks.sweep_refund_escalations",
        "schedule": crontab(minute="*/10"),
    },
    "disputes-deemed-accepted": {
        "task": "disputes.tasks.sweep_deemed_accepted",
        "schedule": crontab(minute="*/5"),
    },
    "disputes-reply-reminders": {
        "task": "disputes.tasks.sweep_reply_reminders",
        "schedule": crontab(minute=5),
    },
    "disputes-chargeback-alerts": {
        "task": "disputes.tasks.sweep_chargeback_alerts",
        "schedule": crontab(hour=7, minute=15),
    },
    "disputes-waiting-estimates": {
        "task": "disputes.tasks.sweep_waiting_estimates",
        "schedule": crontab(minute="*/15"),
    },
    # Money out and events out (corebanking/tasks.py, api/tasks.py): each run is idempotent.
    "corebanking-dispatch-postings": {
        "task": "corebanking.tasks.dispatch_postings",
        "schedule": crontab(minute="*"),
    },
    "corebanking-reconcile": {
        "task": "corebanking.tasks.reconcile_postings",
        "schedule": crontab(hour=6, minute=30),
    },
    "api-webhooks": {
        "task": "api.tasks.send_webhooks",
        "schedule": crontab(minute="*"),
    },
    "api-idempotency-purge": {
        "task": "api.tasks.purge_idempotency_keys",
        "schedule": crontab(hour=3, minute=40),
    },
}

# NBP web API (RULES.md section 4). The client retries timeouts, connection errors and 5xx
# NBP_RETRIES times, waiting NBP_RETRY_BACKOFF_SECONDS × 2**n; NBP_LOOKBACK_DAYS is how far before
# a date the last table is looked for (longer than any run of days without a table).
NBP_API_URL = os.environ.get("NBP_API_URL", "https://api.nbp.pl/api/")
NBP_TIMEOUT_SECONDS = float(os.environ.get("NBP_TIMEOUT_SECONDS", "10"))
NBP_RETRIES = int(os.environ.get("NBP_RETRIES", "2"))
NBP_RETRY_BACKOFF_SECONDS = float(os.environ.get("NBP_RETRY_BACKOFF_SECONDS", "0.5"))
NBP_LOOKBACK_DAYS = int(os.environ.get("NBP_LOOKBACK_DAYS", "10"))
# liability.tasks.fetch_rates retries while the NBP is unreachable, waiting BASE × 2**n seconds,
# at most MAX. A worker retries until the NBP answers. Eager mode (no broker) has no queue to hold a
# retry and Celery would re-run it at once, recursively: there the task waits itself and gives up
# after NBP_FETCH_EAGER_RETRIES retries (default 0: the caller gets the error at once).
NBP_FETCH_RETRY_BASE_SECONDS = float(os.environ.get("NBP_FETCH_RETRY_BASE_SECONDS", "60"))
# MAX stays below CELERY_VISIBILITY_TIMEOUT_SECONDS: a retry waiting longer would be redelivered.
NBP_FETCH_RETRY_MAX_SECONDS = float(os.environ.get("NBP_FETCH_RETRY_MAX_SECONDS", "240"))
NBP_FETCH_EAGER_RETRIES = int(os.environ.get("NBP_FETCH_EAGER_RETRIES", "0"))
# A malformed NBP answer (not table A JSON: a proxy's page, a mid that is not a number) is not an
# outage: fetch_rates retries it NBP_FETCH_MALFORMED_RETRIES times with the same backoff, then gives
# up and logs it as malformed (the waiting-estimates sweep asks again later).
NBP_FETCH_MALFORMED_RETRIES = int(os.environ.get("NBP_FETCH_MALFORMED_RETRIES", "3"))
# A business day missing from an NBP range answer is taken as "no table that day" only when a second
# answer at least this many hours after the first lacks it too; until then it is asked again.
NBP_ABSENCE_CONFIRM_HOURS = float(os.environ.get("NBP_ABSENCE_CONFIRM_HOURS", "24"))

# Domain policies (RULES.md): named settings with their defaults, never constants buried in code.
KARTOSFERA_POLICIES = {
    # KC-115: move a calendar-day period ending on a Saturday or a statutory day off to the next day.
    "ROLL_FORWARD": env_bool("KARTOSFERA_ROLL_FORWARD", True),
    # Reply regime per complaint category: COMPLAINTS_ACT (30/60 days) or PAYMENT_SERVICES (15/35
    # business days). Categories not listed use DEFAULT_REPLY_REGIME.
    "DEFAULT_REPLY_REGIME": os.environ.get("KARTOSFERA_DEFAULT_REPLY_REGIME", "COMPLAINTS_ACT"),
    "REPLY_REGIME_BY_CATEGORY": {},
    "ROUNDING": "ROUND_HALF_UP",
    "REFUND_POLICY": os.environ.get("KARTOSFERA_REFUND_POLICY", "FULL_THEN_RECOVER"),
    "RATE_DAY": os.environ.get("KARTOSFERA_RATE_DAY", "SAME_DAY_OR_LAST_BEFORE"),
}

# Called after commit with ``day=<date>`` whenever the bank's calendar changes (a closure or open day
# added or removed in deadlines.services): dotted paths to callables, e.g. the disputes app's hook that
# recomputes the business-day deadlines of open cases. Empty: nobody is told.
KARTOSFERA_CALENDAR_CHANGE_HOOKS: list[str] = ["disputes.tasks.calendar_changed"]

# Disputes (docs/WORKFLOW.md): the beat sweeps' thresholds and batch sizes, and the evidence size cap.
# Batches are sized so one sweep run stays within 1 s on 1,000,000 cases, including one audit entry
# per changed case, appended in bulk (docs/PERFORMANCE.md, "Dispute sweeps"); a backlog drains over
# successive beat runs.
DISPUTES_REFUND_ESCALATION_HOURS = int(os.environ.get("DISPUTES_REFUND_ESCALATION_HOURS", "6"))
DISPUTES_REPLY_REMINDER_DAYS = [int(d) for d in env_list("DISPUTES_REPLY_REMINDER_DAYS", "7,3,1")]
DISPUTES_CHARGEBACK_ALERT_DAYS = int(os.environ.get("DISPUTES_CHARGEBACK_ALERT_DAYS", "14"))
DISPUTES_SWEEP_BATCH_SIZE = int(os.environ.get("DISPUTES_SWEEP_BATCH_SIZE", "200"))
DISPUTES_DEEM_BATCH_SIZE = int(os.environ.get("DISPUTES_DEEM_BATCH_SIZE", "50"))
DISPUTES_ESTIMATE_BATCH_SIZE = int(os.environ.get("DISPUTES_ESTIMATE_BATCH_SIZE", "50"))
DISPUTES_EVIDENCE_MAX_BYTES = int(os.environ.get("DISPUTES_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
# Request bodies (kartosfera.uploads): a file above the evidence limit is refused while it streams;
# the form fields of any request at most 1 MiB, 1,000 fields, 10 files.
KARTOSFERA_UPLOAD_MAX_BYTES = DISPUTES_EVIDENCE_MAX_BYTES
FILE_UPLOAD_HANDLERS = [
    "kartosfera.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# The card issuer as it signs its letters: letterhead, complaint department, registration data in
# the footer (letters.bank.bank_identity). Fictitious values for development; production overrides.
KARTOSFERA_BANK = {
    "name": "Kartosfera Bank S.A.",
    "address": {"street": "ul. Kartograficzna 12", "postal_code": "00-950", "city": "Warszawa"},
    "krs": "0000123456",
    "nip": "1234563218",
    "regon": "012345675",
    "registry_court": "Sąd Rejonowy dla m.st. Warszawy w Warszawie, XIII Wydział Gospodarczy KRS",
    "share_capital": "250000000.00",
    "complaint_department": "Departament Reklamacji",
    "complaint_address": {"street": "ul. Kartograficzna 12", "postal_code": "00-950", "city": "Warszawa"},
    "phone": "+48 22 100 20 30",
    "email": "reklamacje@kartosfera.example",
    "website": "www.kartosfera.example",
    "place_of_issue": "Warszawa",
}

# The card issuer's emergency line (RULES.md section 6), shown on every portal page.
KARTOSFERA_EMERGENCY_LINE = "828 828 828"
KARTOSFERA_EMERGENCY_LINE_ABROAD = "+48 828 828 828"

# Audit trail (docs/AUDIT.md). The group that makes a staff user an analyst, a supervisor, an auditor
# or an administrator (the role recorded with each act); a superuser is an administrator, a user who is
# not staff a customer.
KARTOSFERA_ROLE_GROUPS = {
    "ADMINISTRATOR": "administrators",
    "AUDITOR": "auditors",
    "SUPERVISOR": "supervisors",
    "ANALYST": "analysts",
    "SYSTEM": "api-clients",
}
# The channel of a web request by URL prefix, first match wins; any other path is the PORTAL.
KARTOSFERA_AUDIT_CHANNEL_BY_PATH: list[tuple[str, str]] = [
    ("/admin/", "ADMIN"),
    ("/back-office/", "BACK_OFFICE"),
    ("/api/", "API"),
]
# The number of reverse proxies in front of the application that append to X-Forwarded-For: the
# client IP recorded is the one the outermost of them saw. 0: REMOTE_ADDR (no proxy).
KARTOSFERA_TRUSTED_PROXY_COUNT = int(os.environ.get("KARTOSFERA_TRUSTED_PROXY_COUNT", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No one-time password, PIN or card number ever reaches a log (customers.log_redaction).
    "filters": {"redact_secrets": {"()": "customers.log_redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step and fontTools every subsetting step at INFO: dozens of
    # lines per letter, and measurable time in a batch of 10,000 (bench/letters_bench.py).
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Idle sessions end after 15 minutes, every session after KARTOSFERA_SESSION_MAX_AGE_SECONDS however
# active (customers.middleware), and the cookie goes with the browser. The idle expiry moves on when a
# request finds the session's last refresh KARTOSFERA_SESSION_REFRESH_SECONDS old
# (customers.middleware.SessionIdleRefreshMiddleware), not with a write on every request.
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = False
KARTOSFERA_SESSION_REFRESH_SECONDS = int(os.environ.get("KARTOSFERA_SESSION_REFRESH_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
KARTOSFERA_SESSION_MAX_AGE_SECONDS = int(os.environ.get("KARTOSFERA_SESSION_MAX_AGE_SECONDS", str(8 * 3600)))
X_FRAME_OPTIONS = "DENY"
# Every response (kartosfera.middleware.SecurityHeadersMiddleware): scripts, styles, images, fonts and
# form targets from our own origin only, no inline script or style, no plugins, never framed.
KARTOSFERA_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Powerful browser features the portal never uses, switched off for it and anything it could embed.
KARTOSFERA_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# The branded error pages (templates/403.html, 404.html, 500.html, 403_csrf.html), in the user's language.
CSRF_FAILURE_VIEW = "kartosfera.views.csrf_failure"
# django-otp's admin shows a TOTP secret only in the form that creates the device (enrolment), never
# again: no key field, no QR code, no configuration page for an existing device.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Back office: a refund above this amount (PLN) takes effect only after a second person approves it
# (four-eyes, disputes.services.case_propose / proposal_approve).
KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal(os.environ.get("KARTOSFERA_FOUR_EYES_REFUND_ABOVE", "5000.00"))
# The issuer name shown in authenticator apps for staff TOTP devices.
OTP_TOTP_ISSUER = "Kartosfera back office"
