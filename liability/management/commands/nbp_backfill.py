from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kartosfera.clock import now
from liability.nbp import NbpError
from liability.services import rates_fetch_range


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Fetch NBP table A mid rates for a date range (93 days a request) and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last date, YYYY-MM-DD")
        parser.add_argument("--currency", default="EUR", help="ISO code (default EUR)")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="ask the NBP for the whole range, stored days too (to pick up corrected tables)",
        )

    def handle(self, *args, **options) -> None:
        start, end = _iso_date(options["start"]), _iso_date(options["end"])
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}")
        try:
            result = rates_fetch_range(
                currency=options["currency"], start=start, end=end, now=now(), refresh=options["refresh"]
            )
        except NbpError as exc:
            raise CommandError(f"NBP: {exc}") from exc
        for label, rates in (("new", result.created), ("corrected", result.updated)):
            for rate in rates:
                self.stdout.write(f"{rate.code} {rate.effective_date} {rate.mid} {rate.table_no} ({label})")
        if result.lacking:
            days = ", ".join(day.isoformat() for day in result.lacking)
            self.stdout.write(f"missing from the NBP's answer, asked again later: {days}")
        covered = (
            f"known through {result.covered_through}"
            if result.covered_through
            else f"{result.start} not known yet"
        )
        self.stdout.write(
            f"{result.currency} {result.start}..{result.end}: {len(result.created)} new, "
            f"{len(result.updated)} corrected, {result.unchanged} already stored; {covered}; "
            f"{result.requests} request(s) to the NBP"
        )
