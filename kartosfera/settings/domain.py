"""Kartosfera's own settings: one-time passwords, messages, exports, the audit log, core banking, the
API, NBP rates, the domain policies, disputes and the bank's identity.
"""

from kartosfera.policies import Policies
from kartosfera.settings.core import DATABASES, DEBUG, ENV, VAR_DIR

# One-time passwords sent by text message (customers.services.otp).
KARTOSFERA_OTP = {
    "DIGITS": 6,
    "TTL_SECONDS": 5 * 60,
    "MAX_ATTEMPTS": 5,
    # A new code may be sent for the same request after this long, at most MAX_SENDS times in all.
    "RESEND_INTERVAL_SECONDS": ENV.kartosfera_otp_resend_interval_seconds,
    "MAX_SENDS": 3,
    # Text messages cost money and can be abused to flood a phone: at most this many texts (first sends
    # and resends, whatever the request) to one phone number an hour.
    "MAX_PER_HOUR": ENV.kartosfera_otp_max_per_hour,
    # After the code is accepted, how long the customer has to finish (e.g. set the password).
    "VERIFIED_VALID_SECONDS": 15 * 60,
    # A registration or password-reset text leaves from a task (customers.tasks.send_otp); a gateway
    # failure is tried again this many times, 10, 20, 40 s apart (within the code's validity), then the
    # customer asks for a new code.
    "SEND_RETRIES": 3,
}
# Registration and password-reset starts (customers.services.registration_start): at most this many an
# hour from one address, and from everywhere together (a PESEL-guessing run is slowed down however it
# spreads; the overall cap protects the SMS budget).
KARTOSFERA_ACCESS_START = {
    "PER_ADDRESS_PER_HOUR": ENV.kartosfera_access_start_per_address_per_hour,
    "PER_HOUR": ENV.kartosfera_access_start_per_hour,
}
# Text messages leave through a pluggable sender (customers.sms). Development and tests write them to
# KARTOSFERA_SMS_DIR and print them on the console; production posts them to an SMS gateway.
KARTOSFERA_SMS_BACKEND = ENV.kartosfera_sms_backend or (
    "customers.sms.FileSmsBackend" if DEBUG else "customers.sms.HttpGatewaySmsBackend"
)
KARTOSFERA_SMS_DIR = ENV.kartosfera_sms_dir or VAR_DIR / "sms"

# The auditors' exports (reports.exports): finished files live here, outside MEDIA_ROOT (only the
# audited download view serves them); the web process and the Celery workers must share it.
KARTOSFERA_EXPORT_DIR = ENV.kartosfera_export_dir or VAR_DIR / "exports"
# Rows fetched per database round trip, and how often a running export records its progress.
REPORTS_EXPORT_CHUNK_SIZE = ENV.reports_export_chunk_size
REPORTS_EXPORT_PROGRESS_ROWS = ENV.reports_export_progress_rows
# How often a running verification of the audit log records how many entries it has verified.
REPORTS_AUDIT_PROGRESS_ENTRIES = ENV.reports_audit_progress_entries
# On PostgreSQL the CSV exports that are one query stream COPY (the same bytes, several times faster);
# 0 writes them row by row in Python, as on SQLite (docs/REPORTS.md, "How a job runs").
REPORTS_EXPORT_CSV_COPY = ENV.reports_export_csv_copy
KARTOSFERA_SMS_ECHO = DEBUG if ENV.kartosfera_sms_echo is None else ENV.kartosfera_sms_echo
KARTOSFERA_SMS_GATEWAY_URL = ENV.kartosfera_sms_gateway_url
KARTOSFERA_SMS_GATEWAY_TOKEN = ENV.kartosfera_sms_gateway_token
KARTOSFERA_SMS_SENDER = ENV.kartosfera_sms_sender
KARTOSFERA_SMS_TIMEOUT_SECONDS = ENV.kartosfera_sms_timeout_seconds

# E-mail to customers (customers.services.notification_send): Django's e-mail framework. Development
# writes each message as a file in KARTOSFERA_VAR_DIR/mail; production sends it by SMTP (EMAIL_HOST...).
EMAIL_BACKEND = ENV.email_backend or (
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = ENV.email_file_path or VAR_DIR / "mail"
EMAIL_HOST = ENV.email_host
EMAIL_PORT = ENV.email_port
EMAIL_HOST_USER = ENV.email_host_user
EMAIL_HOST_PASSWORD = ENV.email_host_password
EMAIL_USE_TLS = ENV.email_use_tls
EMAIL_TIMEOUT = ENV.email_timeout
DEFAULT_FROM_EMAIL = ENV.default_from_email
# How often a notification that could not be sent is tried again (seconds between tries, at most).
KARTOSFERA_NOTIFICATION_RETRIES = ENV.kartosfera_notification_retries

# The card processor (cards.processor). The simulator runs in-process for the demo and the tests; it
# can be told to fail: SIMULATOR_FAILURES maps a card or wallet token reference to TIMEOUT or REFUSED.
KARTOSFERA_CARD_PROCESSOR = ENV.kartosfera_card_processor
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
KARTOSFERA_AUDIT_SEALING = ENV.kartosfera_audit_sealing or (
    "IN_TRANSACTION"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    else ("TASK" if ENV.celery_broker_url else "AFTER_COMMIT")
)
# Entries one sealer transaction numbers and hashes (it loops until none is left).
KARTOSFERA_AUDIT_SEAL_BATCH = ENV.kartosfera_audit_seal_batch
# A process publishes the seal task on its own at most this often, to run this much later, so that
# the one run seals every entry committed meanwhile (outbox_nudge; with outbox rows it rides along).
KARTOSFERA_AUDIT_SEAL_KICK_SECONDS = ENV.kartosfera_audit_seal_kick_seconds
# /healthz degrades when the oldest entry waiting to be sealed is older than this.
KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS = ENV.kartosfera_audit_seal_lag_limit_seconds
# Signed anchors of the chain head, written outside the database (docs/AUDIT.md, "Anchors"): by the
# beat task and after sealing, at most one every KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS. The HMAC key
# comes from the environment, never from the database; without KARTOSFERA_AUDIT_ANCHOR_KEY it is
# derived from SECRET_KEY (set a key of its own in production, kept by whoever verifies the log).
KARTOSFERA_AUDIT_ANCHOR_DIR = ENV.kartosfera_audit_anchor_dir or VAR_DIR / "audit-anchors"
KARTOSFERA_AUDIT_ANCHOR_KEY = ENV.kartosfera_audit_anchor_key
KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS = ENV.kartosfera_audit_anchor_min_seconds
# The core banking system that ledger entries are posted to (corebanking/gateway.py). The default talks
# HTTP to the simulator that `make demo` starts (python -m corebanking.simulator).
KARTOSFERA_CORE_BANKING_GATEWAY = ENV.kartosfera_core_banking_gateway
KARTOSFERA_CORE_BANKING_URL = ENV.kartosfera_core_banking_url
KARTOSFERA_CORE_BANKING_TIMEOUT_SECONDS = ENV.kartosfera_core_banking_timeout_seconds

# The bank systems API (api/): OAuth 2.0 client credentials (django-oauth-toolkit), one client per
# calling system. Tokens live an hour; only their SHA-256 is stored (RFC 9700 token storage).
# The scopes a client can hold, and what each allows: the one list (api.services.SCOPES, the document).
KARTOSFERA_API_SCOPES: dict[str, str] = {
    "transactions:write": "Feed card transactions",
    "customers:write": "Create and update customers and cards",
    "claims:read": "Read claims",
    "claims:write": "File claims on a customer's behalf",
    "chargebacks:write": "Report chargeback events",
    "webhooks:manage": "Manage webhook endpoints",
}
OAUTH2_PROVIDER = {
    "SCOPES": KARTOSFERA_API_SCOPES,
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
KARTOSFERA_API_IDEMPOTENCY_RETENTION_HOURS = ENV.kartosfera_api_idempotency_retention_hours
# Requests per minute each API client may make (a client's own ``rate_limit_per_minute`` overrides it).
KARTOSFERA_API_RATE_LIMIT_PER_MINUTE = ENV.kartosfera_api_rate_limit_per_minute
# Webhooks: signatures older than this are refused by receivers (the window is in the signature header).
KARTOSFERA_WEBHOOK_TOLERANCE_SECONDS = 300
KARTOSFERA_WEBHOOK_TIMEOUT_SECONDS = ENV.kartosfera_webhook_timeout_seconds


# NBP web API (RULES.md section 4). The client retries timeouts, connection errors and 5xx
# NBP_RETRIES times, waiting NBP_RETRY_BACKOFF_SECONDS × 2**n; NBP_LOOKBACK_DAYS is how far before
# a date the last table is looked for (longer than any run of days without a table).
NBP_API_URL = ENV.nbp_api_url
NBP_TIMEOUT_SECONDS = ENV.nbp_timeout_seconds
NBP_RETRIES = ENV.nbp_retries
NBP_RETRY_BACKOFF_SECONDS = ENV.nbp_retry_backoff_seconds
NBP_LOOKBACK_DAYS = ENV.nbp_lookback_days
# liability.tasks.fetch_rates retries while the NBP is unreachable, waiting BASE × 2**n seconds,
# at most MAX. A worker retries until the NBP answers. Eager mode (no broker) has no queue to hold a
# retry and Celery would re-run it at once, recursively: there the task waits itself and gives up
# after NBP_FETCH_EAGER_RETRIES retries (default 0: the caller gets the error at once).
NBP_FETCH_RETRY_BASE_SECONDS = ENV.nbp_fetch_retry_base_seconds
# MAX stays below CELERY_VISIBILITY_TIMEOUT_SECONDS: a retry waiting longer would be redelivered.
NBP_FETCH_RETRY_MAX_SECONDS = ENV.nbp_fetch_retry_max_seconds
NBP_FETCH_EAGER_RETRIES = ENV.nbp_fetch_eager_retries
# A malformed NBP answer (not table A JSON: a proxy's page, a mid that is not a number) is not an
# outage: fetch_rates retries it NBP_FETCH_MALFORMED_RETRIES times with the same backoff, then gives
# up and logs it as malformed (the waiting-estimates sweep asks again later).
NBP_FETCH_MALFORMED_RETRIES = ENV.nbp_fetch_malformed_retries
# A business day missing from an NBP range answer is taken as "no table that day" only when a second
# answer at least this many hours after the first lacks it too; until then it is asked again.
NBP_ABSENCE_CONFIRM_HOURS = ENV.nbp_absence_confirm_hours

# Domain policies (RULES.md): one typed object (kartosfera.policies.Policies, which holds each default),
# given here as a mapping by name so that a deployment or a test overrides one and keeps the others.
KARTOSFERA_POLICIES = Policies(
    roll_forward=ENV.kartosfera_roll_forward,
    default_reply_regime=ENV.kartosfera_default_reply_regime,
    refund_policy=ENV.kartosfera_refund_policy,
    rate_day=ENV.kartosfera_rate_day,
).as_setting()

# Called after commit with ``day=<date>`` whenever the bank's calendar changes (a closure or open day
# added or removed in deadlines.services): dotted paths to callables, e.g. the disputes app's hook that
# recomputes the business-day deadlines of open cases. Empty: nobody is told.
KARTOSFERA_CALENDAR_CHANGE_HOOKS: list[str] = ["disputes.tasks.calendar_changed"]

# Disputes (docs/WORKFLOW.md): the beat sweeps' thresholds and batch sizes, and the evidence size cap.
# Batches are sized so one sweep run stays within 1 s on 1,000,000 cases, including one audit entry
# per changed case, appended in bulk (docs/PERFORMANCE.md, "Dispute sweeps"); a backlog drains over
# successive beat runs.
DISPUTES_REFUND_ESCALATION_HOURS = ENV.disputes_refund_escalation_hours
DISPUTES_REPLY_REMINDER_DAYS = ENV.disputes_reply_reminder_days
DISPUTES_CHARGEBACK_ALERT_DAYS = ENV.disputes_chargeback_alert_days
DISPUTES_SWEEP_BATCH_SIZE = ENV.disputes_sweep_batch_size
DISPUTES_DEEM_BATCH_SIZE = ENV.disputes_deem_batch_size
DISPUTES_ESTIMATE_BATCH_SIZE = ENV.disputes_estimate_batch_size
DISPUTES_EVIDENCE_MAX_BYTES = ENV.disputes_evidence_max_bytes
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


def _configured_or_demo(configured: str | None, demo: str) -> str:
    """The value a deployment configured; unset, the demo's value in DEBUG and empty otherwise."""
    if configured is not None:
        return configured
    return demo if DEBUG else ""


# Who signs the replies the system sends on its own, with no staff member acting (the REK-8 notice
# that a complaint is deemed accepted): RULES.md section 5 wants the name and position of the person
# replying, so the person responsible for complaints, not the department. A deployment names them
# (KARTOSFERA_REPLY_SIGNATORY_NAME, _POSITION, _POSITION_EN); without them such a notice is held
# (letters.builders: SignatoryMissing), never signed by a made-up person. DEBUG: the demo's lead.
KARTOSFERA_REPLY_SIGNATORY = {
    "name": _configured_or_demo(ENV.kartosfera_reply_signatory_name, "Ewa Maj"),
    "position": _configured_or_demo(ENV.kartosfera_reply_signatory_position, "Kierownik Zespołu Reklamacji"),
    "position_en": _configured_or_demo(
        ENV.kartosfera_reply_signatory_position_en, "Head of the Complaints Team"
    ),
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
KARTOSFERA_TRUSTED_PROXY_COUNT = ENV.kartosfera_trusted_proxy_count

# Back office: a refund above this amount (PLN) takes effect only after a second person approves it
# (four-eyes, disputes.services.case_propose / proposal_approve).
KARTOSFERA_FOUR_EYES_REFUND_ABOVE = ENV.kartosfera_four_eyes_refund_above
