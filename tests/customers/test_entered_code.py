"""The keywords of a change confirmed with a texted code are a TypedDict that mypy and Django both see."""

import typing

from customers.services import EnteredCode


def test_an_entered_code_is_a_typed_dict_not_a_wrapped_function():
    # sensitive_variables on a class replaces it with a function; the code is protected in the
    # functions that take these keywords (otp_confirmed and the services that call it).
    assert typing.is_typeddict(EnteredCode)
