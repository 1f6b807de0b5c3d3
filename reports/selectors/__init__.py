"""Reads of the auditors' reports: the figures of a period, the cases behind each figure, a case replay.

Every figure is one filter over the cases (docs/REPORTS.md defines each); the report counts them all
in three aggregate queries (cases, ledger entries, chargebacks), and the drill-down lists the cases
of one figure with the very same filter, so a count and its list always agree.
The modules: ``_filters`` (each figure's filter over the cases), ``_report`` (the figures of a
period), ``_drilldown`` (the cases of one figure, a case replay).
"""

from reports.selectors._drilldown import (
    CaseReplay,
    FigureCases,
    case_replay_page,
    figure_cases,
    figure_label,
)
from reports.selectors._filters import UnknownFigure
from reports.selectors._report import (
    Compliance,
    Figure,
    Report,
    SchemeOutcomes,
    report_figures,
)

__all__ = [
    "CaseReplay",
    "Compliance",
    "Figure",
    "FigureCases",
    "Report",
    "SchemeOutcomes",
    "UnknownFigure",
    "case_replay_page",
    "figure_cases",
    "figure_label",
    "report_figures",
]
