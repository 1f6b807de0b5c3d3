"""People who sign in, the bank's customers who hold cards, their history, codes and messages."""

from customers.models._history import Acted, CustomerEvent, CustomerEventKind, HistoryEntry, HistoryEvent
from customers.models._notifications import Notification, NotificationChannel, NotificationKind
from customers.models._otp import OtpChallenge, OtpPurpose, ThrottleHit
from customers.models._people import (
    Customer,
    User,
    new_security_stamp,
    rule_error_to_validation_error,
    user_link,
)

__all__ = [
    "Acted",
    "Customer",
    "CustomerEvent",
    "CustomerEventKind",
    "HistoryEntry",
    "HistoryEvent",
    "Notification",
    "NotificationChannel",
    "NotificationKind",
    "OtpChallenge",
    "OtpPurpose",
    "ThrottleHit",
    "User",
    "new_security_stamp",
    "rule_error_to_validation_error",
    "user_link",
]
