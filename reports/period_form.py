"""The report period chosen on the report page: two Warsaw dates, checked by ``reports.rules``."""

from datetime import date

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kartosfera.formatting import format_long_date
from kartosfera.widgets import DatePicker
from reports.rules import (
    EARLIEST_DAY,
    MAX_PERIOD_DAYS,
    Period,
    PeriodProblem,
    default_period,
    period_problems,
)

PROBLEM_MESSAGES = {
    PeriodProblem.FROM_AFTER_TO: _("The start of the period is after its end."),
    PeriodProblem.IN_THE_FUTURE: _("The period may not end after today."),
    PeriodProblem.TOO_LONG: _("A report covers at most %(days)s days; choose a shorter period."),
    PeriodProblem.BEFORE_RECORDS: _(
        "A period may not start before %(earliest)s: we hold no records before it."
    ),
}


class PeriodForm(forms.Form):
    # The query parameters are named "from" and "to" (a Python keyword): see ``period_from_query``.
    start = forms.DateField(label=_("From"), widget=DatePicker())
    end = forms.DateField(label=_("To"), widget=DatePicker())

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("start"), cleaned.get("end")
        if first and last:
            for problem in period_problems(first, last, today=self.today):
                self.add_error(
                    None,
                    PROBLEM_MESSAGES[problem]
                    % {
                        "days": MAX_PERIOD_DAYS,
                        "earliest": format_long_date(EARLIEST_DAY, language=get_language()),
                    },
                )
        return cleaned

    @property
    def period(self) -> Period:
        return Period(first=self.cleaned_data["start"], last=self.cleaned_data["end"])


def period_form(query, *, today: date) -> PeriodForm:
    """The form bound to ``?from=YYYY-MM-DD&to=YYYY-MM-DD``; the last full month when both are absent."""
    if not query.get("from") and not query.get("to"):
        default = default_period(today)
        data = {"start": default.first.isoformat(), "end": default.last.isoformat()}
    else:
        data = {"start": query.get("from", ""), "end": query.get("to", "")}
    return PeriodForm(data, today=today, auto_id="period-%s")
