"""``manage.py verify_audit``: check the audit log's hash chain; exit 1 where it is broken."""

import argparse
import json
import re

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify

_ANCHOR = re.compile(r"(?P<sequence>[1-9][0-9]*):(?P<hash>[0-9a-f]{64})")


def _anchor(value: str) -> tuple[int, str]:
    match = _ANCHOR.fullmatch(value.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not SEQUENCE:SHA256HEX, e.g. 1024:9f86d081...")
    return int(match["sequence"]), match["hash"]


class Command(BaseCommand):
    help = (
        "Verify the audit log: every entry against its hash, every link to the entry before, the chain "
        "head, the signed anchors in KARTOSFERA_AUDIT_ANCHOR_DIR and hashes given with --anchor. Exit "
        "status 1 when the chain is broken."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--anchor",
            type=_anchor,
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="an entry hash recorded earlier outside the database (repeatable)",
        )
        parser.add_argument(
            "--max-problems", type=int, default=1000, help="list at most this many problems (all are counted)"
        )

    def handle(self, *args, **options) -> None:
        report = audit_chain_verify(anchors=dict(options["anchor"]), max_problems=options["max_problems"])
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2))
        else:
            self._print(report)
        if not report.ok:
            raise CommandError(
                f"audit chain broken at sequence {report.first_break} "
                f"({report.problems_total} problem{'s' if report.problems_total != 1 else ''})",
                returncode=1,
            )

    def _print(self, report) -> None:
        if report.entries_checked:
            self.stdout.write(
                f"Audit log: {report.entries_checked} entries, sequence {report.first_sequence} to "
                f"{report.last_sequence}; last hash {report.last_hash}"
            )
        else:
            self.stdout.write("Audit log: no entries")
        if report.head is not None:
            self.stdout.write(f"Chain head: sequence {report.head.sequence}, hash {report.head.entry_hash}")
        if report.anchor is not None:
            anchor = report.anchor
            self.stdout.write(
                f"Checked against {report.anchors_checked} anchor(s); latest: sequence {anchor['sequence']}, "
                f"hash {anchor['entry_hash']}, written {anchor['written_at']} "
                f"({anchor['directory']}/{anchor['file']})"
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    "No signed anchor found: truncation or a rewrite with recomputed hashes would not show"
                )
            )
        if report.unsealed_entries:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.unsealed_entries} entries not sealed yet (oldest recorded at "
                    f"{report.oldest_unsealed_at}): not proven until sealed (manage.py seal_audit)"
                )
            )
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS("OK: every entry matches its hash and links to the one before it.")
            )
            return
        self.stdout.write(
            self.style.ERROR(f"BROKEN: the chain first breaks at sequence {report.first_break}.")
        )
        for problem in report.problems:
            where = f"sequence {problem.sequence}" + (
                f" (entry id {problem.entry_id})" if problem.entry_id is not None else ""
            )
            self.stdout.write(f"  {problem.kind.value:<16} {where}: {problem.detail}")
        hidden = report.problems_total - len(report.problems)
        if hidden:
            self.stdout.write(f"  ... and {hidden} more (--max-problems)")
