"""Django's own settings: apps, middleware, the database, sign-in, languages, files, security, logging.

Every value from the environment comes typed from ``ENV`` (kartosfera/settings/env.py).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kartosfera.settings.env import load_env

ENV = load_env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEBUG = ENV.debug

SECRET_KEY = ENV.secret_key
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-kartosfera-key-never-in-production"  # noqa: S105

ALLOWED_HOSTS = (
    ENV.allowed_hosts
    if ENV.allowed_hosts is not None
    else (["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
)

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
    "chargebacks",
    "ledger",
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
    "kartosfera.middleware.OTPMiddleware",
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

VAR_DIR = ENV.kartosfera_var_dir or BASE_DIR / "var"
# The working folder (the SQLite file, text messages, exports, media) is git-ignored, so a fresh clone
# has none: create it here, before anything opens a file in it (SQLite cannot create its folder).
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Persistent connections: each web or worker process keeps its database connection for
# DATABASE_CONN_MAX_AGE seconds instead of opening one per request (on PostgreSQL that doubles the
# requests per second of a light page, docs/PERFORMANCE.md), and checks it is still alive before
# reusing it after a request, so a restarted database costs one failed check, not a failed request.
DATABASES = {
    "default": dj_database_url.parse(
        ENV.database_url or f"sqlite:///{VAR_DIR / 'kartosfera.sqlite3'}",
        conn_max_age=ENV.database_conn_max_age,
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
    # INSERT and the sealer's UPDATE, run for every audited act (audit.statements.prepared_cursor).
    # Django's default (None) turns them off altogether, for connection poolers; PgBouncer 1.21+
    # keeps protocol-level prepared statements (max_prepared_statements). Every other query is bound
    # on the client side (Django's default cursor), which never prepares: the threshold is never met.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)

# The cache holds what every web process must share: the API clients' rate-limit counters (api.auth).
# Production points it at Redis (REDIS_CACHE_URL, e.g. redis://host:6379/1, Django's own RedisCache);
# without it each process counts on its own in local memory (the demo and the tests), and
# `check --deploy` warns (kartosfera.W001).
REDIS_CACHE_URL = ENV.redis_cache_url
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
STATIC_ROOT = ENV.kartosfera_static_root or VAR_DIR / "static"
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
    # Authenticates nobody: reads a user's permissions in one query for the backends below.
    "customers.backends.PermissionsInOneQuery",
    "customers.backends.CustomerIdentifierBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failed sign-ins (django-axes, customers.lockout): per identifier and address
# together (AXES_FAILURE_LIMIT), so a stranger who knows a PESEL cannot lock its owner out of their own
# device; and per address alone with a higher limit (KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT), so one
# address cannot try identifier after identifier. The lock lifts after the cool-off time, when staff
# reset it in the admin, or with a password reset; a successful sign-in clears the failures.
AXES_HANDLER = "customers.lockout.IdentifierAndAddressLockoutHandler"
AXES_FAILURE_LIMIT = ENV.axes_failure_limit
KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT = ENV.axes_address_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=ENV.axes_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "identifier"
AXES_USERNAME_CALLABLE = "customers.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "customers.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "identifier", "ip_address"]
# The address a failure is counted on is the one the audit log records and the registration throttle
# counts (audit.context.client_ip): behind KARTOSFERA_TRUSTED_PROXY_COUNT reverse proxies, the address
# the outermost of them saw, never the proxy's own (every customer would share one lock) nor what the
# client wrote in X-Forwarded-For itself (every guess would come from a new address).
AXES_CLIENT_IP_CALLABLE = "audit.context.client_ip"


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No one-time password, PIN or card number ever reaches a log (customers.log_redaction).
    "filters": {"redact_secrets": {"()": "customers.log_redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": ENV.log_level},
    # WeasyPrint reports every rendering step and fontTools every subsetting step at INFO: dozens of
    # lines per letter, and measurable time in a batch of 10,000 (bench/letters_bench.py).
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = ENV.secure_ssl_redirect
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = ENV.secure_hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Idle sessions end after 15 minutes, every session after KARTOSFERA_SESSION_MAX_AGE_SECONDS however
# active (customers.middleware), and the cookie goes with the browser. The idle expiry moves on when a
# request finds the session's last refresh KARTOSFERA_SESSION_REFRESH_SECONDS old
# (customers.middleware.SessionIdleRefreshMiddleware), not with a write on every request.
SESSION_COOKIE_AGE = 15 * 60
# Django's database sessions, their row read with SQL built once per process (customers/sessions.py).
SESSION_ENGINE = "customers.sessions"
SESSION_SAVE_EVERY_REQUEST = False
KARTOSFERA_SESSION_REFRESH_SECONDS = ENV.kartosfera_session_refresh_seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
KARTOSFERA_SESSION_MAX_AGE_SECONDS = ENV.kartosfera_session_max_age_seconds
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

# The issuer name shown in authenticator apps for staff TOTP devices.
OTP_TOTP_ISSUER = "Kartosfera back office"
