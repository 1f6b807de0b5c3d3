"""Portal pages for access: sign-in and out, registration with a text-message code, the profile.

Each view parses a form, makes one service call and turns the service's refusal into a message on
the form; sessions are the framework's (login, logout, update_session_auth_hash).
"""

from customers.views._access import (
    locked_out,
    register,
    register_code,
    register_password,
    register_resend,
    sign_in,
    sign_out,
)
from customers.views._contact import CodeConfirmedChange, change_confirm_page, change_start_page
from customers.views._profile import (
    email_change,
    email_confirm,
    messages_sent,
    password_change,
    phone_change,
    phone_confirm,
    phone_resend,
    profile,
)

__all__ = [
    "CodeConfirmedChange",
    "change_confirm_page",
    "change_start_page",
    "email_change",
    "email_confirm",
    "locked_out",
    "messages_sent",
    "password_change",
    "phone_change",
    "phone_confirm",
    "phone_resend",
    "profile",
    "register",
    "register_code",
    "register_password",
    "register_resend",
    "sign_in",
    "sign_out",
]
