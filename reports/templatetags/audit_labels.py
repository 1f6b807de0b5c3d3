"""The audit log verification's problems named for the auditor (``audit.chain.ProblemKind``)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

PROBLEM_LABELS = {
    "CHANGED": _("Entry changed: its content does not match its hash"),
    "LINK_BROKEN": _("Link broken: it does not point to the entry before"),
    "MISSING": _("Entries missing (deleted)"),
    "OUT_OF_ORDER": _("Entry out of order (inserted)"),
    "UNKNOWN_VERSION": _("Unknown hash format"),
    "BEYOND_HEAD": _("Entries after the chain head (inserted)"),
    "TRUNCATED": _("Entries missing at the end (deleted)"),
    "HEAD_MISMATCH": _("The chain head holds another hash"),
    "HEAD_MISSING": _("The chain head is missing"),
    "ANCHOR_MISMATCH": _("Differs from an anchor kept outside the database"),
    "ANCHOR_MISSING": _("An anchored entry is missing"),
    "ANCHOR_INVALID": _("An anchor file's signature does not hold"),
}


@register.filter
def problem_label(kind: str) -> str:
    return str(PROBLEM_LABELS[kind]) if kind in PROBLEM_LABELS else kind.replace("_", " ").lower()
