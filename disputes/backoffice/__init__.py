"""The back office: staff sign-in with a TOTP second factor, case queues, the case page, four-eyes."""
