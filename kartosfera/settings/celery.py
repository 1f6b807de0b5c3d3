"""Celery (the broker, redelivery, queues, the beat schedule), the outbox and the letters' batches."""

from datetime import timedelta

from celery.schedules import crontab
from kombu import Queue

from kartosfera.settings.core import ENV

# Celery: without a broker every task runs eagerly in-process (development, the default test run).
CELERY_BROKER_URL = ENV.celery_broker_url
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = (
    ENV.celery_result_backend if ENV.celery_result_backend is not None else (CELERY_BROKER_URL or None)
)
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
CELERY_VISIBILITY_TIMEOUT_SECONDS = ENV.celery_visibility_timeout_seconds
# A request never waits on the broker: the outbox publishes after commit with a short connection
# timeout and one quick retry, and a failure leaves the row for the sweep. Celery's defaults (4 s
# timeout, 3 publish retries, and the Redis result backend's 20 retries a second apart) held a
# request ~19 s while Redis was down.
CELERY_BROKER_CONNECTION_TIMEOUT = ENV.celery_broker_connection_timeout
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
# The result backend retries as briefly as a publication does.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": dict(CELERY_TASK_PUBLISH_RETRY_POLICY)}
# The outbox sweep (outbox.tasks.sweep, each minute): a row whose publication after commit failed is
# published again once it is OUTBOX_PUBLISH_GRACE_SECONDS old; a row published and not finished
# after OUTBOX_REPUBLISH_AFTER_SECONDS (a message lost with the broker's data; longer than the
# visibility timeout, which redelivers what a worker held) is published again; at most
# OUTBOX_SWEEP_BATCH_SIZE a run.
OUTBOX_PUBLISH_GRACE_SECONDS = ENV.outbox_publish_grace_seconds
OUTBOX_REPUBLISH_AFTER_SECONDS = ENV.outbox_republish_after_seconds
OUTBOX_SWEEP_BATCH_SIZE = ENV.outbox_sweep_batch_size
# The beat purge deletes rows a worker finished (done or failed) more than this long ago, at most
# OUTBOX_PURGE_BATCH_SIZE a run (the next run takes the next batch): a week to look into a failure.
OUTBOX_PURGE_AFTER_SECONDS = ENV.outbox_purge_after_seconds
OUTBOX_PURGE_BATCH_SIZE = ENV.outbox_purge_batch_size
# /healthz degrades when the oldest row no worker has finished is older than this (the broker or the
# workers are down, or far behind): longer than a letters backlog, shorter than the republish delay.
OUTBOX_BACKLOG_LIMIT_SECONDS = ENV.outbox_backlog_limit_seconds
# Recycle a worker process after this many tasks: a letter-rendering process grows by ~5-10 kB a
# letter (WeasyPrint and Pango caches, heap fragmentation; docs/PERFORMANCE.md), so memory stays bounded.
CELERY_WORKER_MAX_TASKS_PER_CHILD = ENV.celery_worker_max_tasks_per_child
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
LETTERS_EMAIL_FALLBACK_SECONDS = ENV.letters_email_fallback_seconds
# Pending letter requests queued by one beat sweep run (bounded: a mass event drains over minutes).
KARTOSFERA_LETTERS_SWEEP_BATCH = ENV.kartosfera_letters_sweep_batch
# Letters in one print batch (merged into one PDF in one request); the rest wait for the next batch.
KARTOSFERA_PRINT_BATCH_MAX = ENV.kartosfera_print_batch_max


def _beat(task: str, schedule: timedelta | crontab, **kwargs: str) -> dict[str, object]:
    """A beat schedule entry: run ``task`` (with ``kwargs``, if any) on ``schedule``."""
    return {"task": task, "schedule": schedule, **({"kwargs": kwargs} if kwargs else {})}


CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The audit sealer (docs/AUDIT.md, "Sealing"): seals what the after-commit task did not (a lost
    # message, a broker outage), then anchors the chain head outside the database.
    "audit-seal-pending": _beat("audit.tasks.audit_seal_pending", timedelta(seconds=5)),
    "audit-anchor-head": _beat("audit.tasks.audit_anchor_head", timedelta(minutes=5)),
    # What a transaction asked for and the broker did not take (docs/OUTBOX.md).
    "outbox-sweep": _beat("outbox.tasks.sweep", crontab(minute="*")),
    "outbox-purge": _beat("outbox.tasks.purge", crontab(minute="17")),
    # NBP table A appears on business days around 11:45-12:15 Warsaw (CELERY_TIMEZONE): fetch it
    # after 12:30, and again in the afternoon in case it was late. The task is idempotent.
    "nbp-table-a-eur": _beat(
        "liability.tasks.fetch_recent_rates",
        crontab(hour=12, minute=35, day_of_week="mon-fri"),
        currency="EUR",
    ),
    "nbp-table-a-eur-late": _beat(
        "liability.tasks.fetch_recent_rates",
        crontab(hour=14, minute=0, day_of_week="mon-fri"),
        currency="EUR",
    ),
    # Dispute sweeps (disputes/tasks.py): idempotent, bounded batches, safe to overlap.
    # Letters the workflow asked for and no task issued (a lost message, a crash): a bounded batch.
    "letters-issue-pending": _beat("letters.tasks.issue_pending_letters", crontab(minute="*")),
    "disputes-refund-escalations": _beat("disputes.tasks.sweep_refund_escalations", crontab(minute="*/10")),
    "disputes-deemed-accepted": _beat("disputes.tasks.sweep_deemed_accepted", crontab(minute="*/5")),
    "disputes-reply-reminders": _beat("disputes.tasks.sweep_reply_reminders", crontab(minute=5)),
    "disputes-chargeback-alerts": _beat("disputes.tasks.sweep_chargeback_alerts", crontab(hour=7, minute=15)),
    # A filing window ends at a Warsaw midnight: the missed one is raised within the hour after it.
    "disputes-chargeback-missed": _beat("disputes.tasks.sweep_chargeback_missed", crontab(minute=20)),
    "disputes-waiting-estimates": _beat("disputes.tasks.sweep_waiting_estimates", crontab(minute="*/15")),
    # Money out and events out (corebanking/tasks.py, api/tasks.py): each run is idempotent.
    "corebanking-dispatch-postings": _beat("corebanking.tasks.dispatch_postings", crontab(minute="*")),
    "corebanking-reconcile": _beat("corebanking.tasks.reconcile_postings", crontab(hour=6, minute=30)),
    "api-webhooks": _beat("api.tasks.send_webhooks", crontab(minute="*")),
    "api-idempotency-purge": _beat("api.tasks.purge_idempotency_keys", crontab(hour=3, minute=40)),
}
