from tests.customers.portal import sms_outbox, texts_in_this_process  # noqa: F401 (fixtures)
