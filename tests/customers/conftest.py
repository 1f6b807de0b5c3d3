from tests.customers.portal import sms_outbox  # noqa: F401 (fixture)
