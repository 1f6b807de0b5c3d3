"""Names of the audited actions: ``<area>.<what_happened>``. Pure.

The list grows with the apps; docs/AUDIT.md has the catalogue. An app may name its own actions in
the same form; these are the ones recorded for Django's auth, the portal's accounts and one-time
codes, the bank's calendar and the card operations.
"""

AUTH_SIGN_IN = "auth.sign_in"
AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
AUTH_SIGN_OUT = "auth.sign_out"
AUTH_OTP_FAILED = "auth.otp_failed"
AUTH_USER_CREATED = "auth.user_created"
AUTH_PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 (an action name, not a password)
AUTH_PRIVILEGES_CHANGED = "auth.privileges_changed"
AUTH_GROUPS_CHANGED = "auth.groups_changed"
AUTH_USER_PERMISSIONS_CHANGED = "auth.user_permissions_changed"
AUTH_GROUP_PERMISSIONS_CHANGED = "auth.group_permissions_changed"
# The customer portal's own account acts (customers.services).
AUTH_REGISTRATION_COMPLETED = "auth.registration_completed"
AUTH_PASSWORD_RESET = "auth.password_reset"  # noqa: S105 (an action name, not a password)
AUTH_PHONE_CHANGED = "auth.phone_changed"
AUTH_EMAIL_CHANGED = "auth.email_changed"
CUSTOMER_ADDRESS_CHANGED = "customer.address_changed"

CALENDAR_OVERRIDE_SET = "calendar.override_set"
CALENDAR_OVERRIDE_REMOVED = "calendar.override_removed"

# Named here so that the apps writing them agree (docs/AUDIT.md, "What is recorded").
CASE_TRANSITION = "case.transition"
LETTER_ISSUED = "letter.issued"
LETTER_DISPATCHED = "letter.dispatched"
EXPORT_CREATED = "export.created"
# The auditors' PDF summary report (reports.pdf): the period and the SHA-256 of the file handed out.
REPORT_PDF_DOWNLOADED = "report.pdf_downloaded"
# The auditors' exports (reports.exports.services): asked for, failed, and each download of the file.
EXPORT_REQUESTED = "export.requested"
EXPORT_FAILED = "export.failed"
EXPORT_DOWNLOADED = "export.downloaded"
AUDIT_VERIFICATION_REQUESTED = "audit.verification_requested"
AUDIT_VERIFICATION_FINISHED = "audit.verification_finished"

# The dispute case workflow (recorded by the chokepoints in disputes/services; the case is the object).
CASE_CHARGEBACK_TRANSITION = "case.chargeback_transition"
CASE_LEDGER_WRITTEN = "case.ledger_written"
CASE_LIABILITY_ASSESSED = "case.liability_assessed"
CASE_ASSIGNED = "case.assigned"
CASE_NOTE_ADDED = "case.note_added"
CASE_REPLY_DELIVERY_CHANGED = "case.reply_delivery_changed"
CASE_EVIDENCE_ADDED = "case.evidence_added"
CASE_ESTIMATE_WAITING = "case.estimate_waiting"
CASE_ESTIMATE_COMPLETED = "case.estimate_completed"
CASE_DEADLINES_RECOMPUTED = "case.deadlines_recomputed"
CASE_REFUND_ESCALATED = "case.refund_escalated"
CASE_REPLY_REMINDER = "case.reply_reminder"
CASE_CHARGEBACK_ALERT = "case.chargeback_alert"
CASE_CHARGEBACK_OPENED = "case.chargeback_opened"

# Card operations (cards.services), one entry each, the card as the object.
CARD_ACTIVATED = "card.activated"
CARD_PIN_CHANGED = "card.pin_changed"
CARD_BLOCKED = "card.blocked"
CARD_UNBLOCKED = "card.unblocked"
CARD_CANCELLED = "card.cancelled"
CARD_CONTROLS_CHANGED = "card.controls_changed"
CARD_LIMITS_CHANGED = "card.limits_changed"
CARD_THREE_DS_ENABLED = "card.three_ds_enabled"
CARD_MOBILE_PAYMENTS_ENABLED = "card.mobile_payments_enabled"
CARD_MOBILE_PAYMENTS_DISABLED = "card.mobile_payments_disabled"
CARD_WALLET_TOKEN_SUSPENDED = "card.wallet_token_suspended"  # noqa: S105 (an action name, not a token)
CARD_WALLET_TOKEN_RESUMED = "card.wallet_token_resumed"  # noqa: S105 (an action name, not a token)
CARD_WALLET_TOKEN_REMOVED = "card.wallet_token_removed"  # noqa: S105 (an action name, not a token)
CARD_WALLET_TOKEN_REQUESTED = "card.wallet_token_requested"  # noqa: S105 (an action name, not a token)
CARD_WALLET_TOKEN_ADDED = "card.wallet_token_added"  # noqa: S105 (an action name, not a token)
CARD_REPLACEMENT_ORDERED = "card.replacement_ordered"
