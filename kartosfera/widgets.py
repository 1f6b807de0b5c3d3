"""Form widgets the portal and the staff pages share."""

from typing import Any

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is an ISO date whatever the page's language: the only form a
    date input reads."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimePicker(forms.TimeInput):
    """The browser's time picker, with hours and minutes (the form a time input reads)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")
