"""The environment the settings read, typed: every variable's name, type and default in one place.

``load_env()`` reads ``os.environ`` once. A value that does not parse (``NBP_RETRIES=two``,
``DEBUG=maybe``) stops start-up with one ``ImproperlyConfigured`` that names every bad variable, instead
of a bare ``ValueError`` from deep in the settings or, worse, a silently different setting.

A default of ``None`` means "derived": the settings compute it from other values (``DEBUG``, the
working folder, the database), see ``kartosfera/settings/``.
"""

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from django.core.exceptions import ImproperlyConfigured
from pydantic import BeforeValidator, ValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kartosfera.policies import DEFAULTS as POLICY_DEFAULTS

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"", "0", "false", "no", "off"})


def _flag(value: object) -> object:
    """1/true/yes/on or 0/false/no/off (any case, blank is off); anything else is refused."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError("expected one of 1/true/yes/on or 0/false/no/off")
    return value


def _comma_list(value: object) -> object:
    """A comma-separated list; blanks around and between items are dropped."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]
IntList = Annotated[list[int], NoDecode, BeforeValidator(_comma_list)]
SealingMode = Literal["IN_TRANSACTION", "AFTER_COMMIT", "TASK", "PERIODIC"]


class Env(BaseSettings):
    """Every environment variable Kartosfera reads (field name = variable name, case-insensitive)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    # --- Django ----------------------------------------------------------------------------------
    debug: Flag = True
    secret_key: str = ""
    allowed_hosts: CommaList | None = None  # DEBUG: 127.0.0.1, localhost, testserver; else none
    kartosfera_var_dir: Path | None = None  # BASE_DIR / "var"
    kartosfera_static_root: Path | None = None  # VAR_DIR / "static"
    database_url: str = ""  # blank: SQLite in VAR_DIR
    database_conn_max_age: int = 600
    redis_cache_url: str = ""
    log_level: str = "INFO"
    secure_ssl_redirect: Flag = True
    secure_hsts_seconds: int = 31536000
    kartosfera_session_refresh_seconds: int = 60
    kartosfera_session_max_age_seconds: int = 8 * 3600
    kartosfera_trusted_proxy_count: int = 0

    # --- sign-in lockout (django-axes) -------------------------------------------------------------
    axes_failure_limit: int = 5
    axes_address_failure_limit: int = 20
    axes_cooloff_minutes: int = 30

    # --- one-time passwords, text messages, e-mail ---------------------------------------------------
    kartosfera_otp_resend_interval_seconds: int = 60
    kartosfera_otp_max_per_hour: int = 10
    kartosfera_access_start_per_address_per_hour: int = 10
    kartosfera_access_start_per_hour: int = 1000
    kartosfera_sms_backend: str | None = None  # DEBUG: files; else the HTTP gateway
    kartosfera_sms_dir: Path | None = None  # VAR_DIR / "sms"
    kartosfera_sms_echo: Flag | None = None  # DEBUG
    kartosfera_sms_gateway_url: str = ""
    kartosfera_sms_gateway_token: str = ""
    kartosfera_sms_sender: str = "Kartosfera"
    kartosfera_sms_timeout_seconds: float = 10
    # --- letters ------------------------------------------------------------------------------------
    # Who signs the replies the system sends itself (the REK-8 notice). DEBUG: the demo's complaints
    # lead; else none, and such a notice is held until it is set (RULES.md section 5 wants a person).
    kartosfera_reply_signatory_name: str | None = None
    kartosfera_reply_signatory_position: str | None = None
    kartosfera_reply_signatory_position_en: str | None = None
    email_backend: str | None = None  # DEBUG: files; else SMTP
    email_file_path: Path | None = None  # VAR_DIR / "mail"
    email_host: str = "localhost"
    email_port: int = 587
    email_host_user: str = ""
    email_host_password: str = ""
    email_use_tls: Flag = True
    email_timeout: int = 10
    default_from_email: str = "Kartosfera <powiadomienia@kartosfera.example>"
    kartosfera_notification_retries: int = 8

    # --- reports and exports -----------------------------------------------------------------------
    kartosfera_export_dir: Path | None = None  # VAR_DIR / "exports"
    reports_export_chunk_size: int = 2000
    reports_export_progress_rows: int = 5000
    reports_audit_progress_entries: int = 2000
    reports_export_csv_copy: Flag = True

    # --- cards, the audit log, core banking, the API ---------------------------------------------------
    kartosfera_card_processor: str = "cards.processor.SimulatedCardProcessor"
    kartosfera_audit_sealing: SealingMode | None = None  # from the database and the broker
    kartosfera_audit_seal_batch: int = 500
    kartosfera_audit_seal_kick_seconds: float = 0.5
    kartosfera_audit_seal_lag_limit_seconds: float = 60
    kartosfera_audit_anchor_dir: Path | None = None  # VAR_DIR / "audit-anchors"
    kartosfera_audit_anchor_key: str = ""
    kartosfera_audit_anchor_min_seconds: float = 60
    kartosfera_core_banking_gateway: str = "corebanking.gateway.HttpCoreBankingGateway"
    kartosfera_core_banking_url: str = "http://127.0.0.1:8765"
    kartosfera_core_banking_timeout_seconds: float = 10
    kartosfera_api_idempotency_retention_hours: int = 48
    kartosfera_api_rate_limit_per_minute: int = 600
    kartosfera_webhook_timeout_seconds: float = 5

    # --- Celery and the outbox ---------------------------------------------------------------------
    celery_broker_url: str = ""
    celery_result_backend: str | None = None  # the broker
    celery_visibility_timeout_seconds: int = 300
    celery_broker_connection_timeout: float = 1
    celery_worker_max_tasks_per_child: int = 100
    outbox_publish_grace_seconds: float = 30
    outbox_republish_after_seconds: float = 3600
    outbox_sweep_batch_size: int = 500
    outbox_purge_after_seconds: float = 7 * 24 * 3600
    outbox_purge_batch_size: int = 5000
    outbox_backlog_limit_seconds: float = 900

    # --- letters -----------------------------------------------------------------------------------
    letters_email_fallback_seconds: int = 7200
    kartosfera_letters_sweep_batch: int = 500
    kartosfera_print_batch_max: int = 200

    # --- NBP exchange rates ------------------------------------------------------------------------
    nbp_api_url: str = "https://api.nbp.pl/api/"
    nbp_timeout_seconds: float = 10
    nbp_retries: int = 2
    nbp_retry_backoff_seconds: float = 0.5
    nbp_lookback_days: int = 10
    nbp_fetch_retry_base_seconds: float = 60
    nbp_fetch_retry_max_seconds: float = 240
    nbp_fetch_eager_retries: int = 0
    nbp_fetch_malformed_retries: int = 3
    nbp_absence_confirm_hours: float = 24

    # --- domain policies (defaults: kartosfera.policies) and disputes --------------------------------
    kartosfera_roll_forward: Flag = POLICY_DEFAULTS.roll_forward
    kartosfera_default_reply_regime: str = POLICY_DEFAULTS.default_reply_regime
    kartosfera_refund_policy: str = POLICY_DEFAULTS.refund_policy
    kartosfera_rate_day: str = POLICY_DEFAULTS.rate_day
    kartosfera_four_eyes_refund_above: Decimal = Decimal("5000.00")
    disputes_refund_escalation_hours: int = 6
    disputes_reply_reminder_days: IntList = [7, 3, 1]
    disputes_chargeback_alert_days: int = 14
    disputes_sweep_batch_size: int = 200
    disputes_deem_batch_size: int = 50
    disputes_estimate_batch_size: int = 50
    disputes_evidence_max_bytes: int = 20 * 1024 * 1024


def describe(error: ValidationError) -> str:
    """One message naming every bad variable and what is wrong with it."""
    problems = []
    for item in error.errors():
        name, *within = item["loc"] or ("?",)
        where = f" (item {int(within[0]) + 1})" if within and isinstance(within[0], int) else ""
        problems.append(f"{str(name).upper()}: {item['msg']}{where}, got {item.get('input')!r}")
    return "Invalid environment variable " + "; ".join(problems)


def load_env() -> Env:
    """Read the environment; a bad value raises ``ImproperlyConfigured`` naming its variable."""
    try:
        return Env()
    except ValidationError as error:
        raise ImproperlyConfigured(describe(error)) from None
