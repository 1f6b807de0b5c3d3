"""The form that asks for an export: what, in which format, over which Warsaw dates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kartosfera.widgets import DatePicker
from reports.exports.columns import ExportFormat, ExportKind

DATE_ERRORS = {
    "required": _("Enter a date."),
    "invalid": _("Enter a valid date, e.g. 2025-05-31."),
}


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to export"),
        choices=ExportKind.choices,
        error_messages={
            "required": _("Choose what to export."),
            "invalid_choice": _("Choose what to export."),
        },
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        # Each radio button points at the hint (Django describes single inputs only).
        widget=forms.RadioSelect(attrs={"aria-describedby": "id_file_format_helptext"}),
        # The measured difference (docs/PERFORMANCE.md, "Exports"): CSV streams straight from PostgreSQL,
        # each XLSX cell is typed and written into the workbook's XML one by one.
        help_text=_(
            "For a long period (more than a few months, or over 50,000 rows) choose CSV: it is ready "
            "several times sooner than XLSX (100,000 cases in seconds rather than about a minute) and "
            "Excel opens it too. XLSX, with typed cells, suits shorter periods."
        ),
        error_messages={
            "required": _("Choose the file format: CSV or XLSX."),
            "invalid_choice": _("Choose the file format: CSV or XLSX."),
        },
    )
    from_date = forms.DateField(
        label=_("From (Warsaw date, included)"),
        error_messages=DATE_ERRORS,
        widget=DatePicker(),
    )
    to_date = forms.DateField(
        label=_("To (Warsaw date, included)"),
        error_messages=DATE_ERRORS,
        widget=DatePicker(),
    )
