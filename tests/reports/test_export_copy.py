"""On PostgreSQL the CSV exports that are one query stream ``COPY``: the file must be byte for byte the one
the Python path writes, whatever the data (quotes, separators, line breaks, formula starts, empty texts,
missing values, instants around a change of Warsaw's clock, three-decimal amounts)."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection

from cards.models import Transaction
from disputes.models import Case, CaseTransaction, CaseTransition
from kartosfera.clock import now
from reports.exports.columns import COLUMNS, header
from reports.exports.pgcopy import copy_csv, copy_supported
from reports.exports.selectors import TABLES, export_rows
from reports.exports.services import export_job_run, export_path
from reports.exports.writers import CsvExportWriter, HashingFile
from reports.models import ExportJob
from reports.progress import ProgressAside

pytestmark = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="COPY is PostgreSQL's: `make test-services` runs this on PostgreSQL",
)

FROM, TO = date(2025, 1, 1), date(2025, 12, 31)
MOVED = sorted(TABLES)  # every export kind that is one query: CASES, TRANSACTIONS, TRANSITIONS

# Texts a CSV writer can get wrong: each is a cell of its own somewhere below.
AWKWARD = [
    'Sklep "Pod Lipą"; Kraków',
    '=HYPERLINK("http://x")',
    "-5 zł",
    "+48 601",
    "@home",
    "\tindented",
    "\rcarriage",
    "two\nlines",
    "crlf\r\ninside",
    "Żółć gęślą jaźń 😀",
    "",
]


@pytest.fixture
def awkward(seeded, analyst):
    """The seeded cases and their rows rewritten with the awkward texts, values and instants."""
    first, second = seeded
    Case.objects.filter(pk=first.pk).update(
        assignee=analyst,
        outcome="",
        received_at=datetime(2025, 3, 30, 0, 59, 59, 999_999, tzinfo=UTC),  # 01:59:59 CET, just before
        reply_dispatched_at=datetime(2025, 3, 30, 1, 0, 0, 1, tzinfo=UTC),  # 03:00:00 CEST, just after
        closed_at=datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # the first 02:30 of the day (CEST)
        decided_at=datetime(2025, 10, 26, 1, 30, tzinfo=UTC),  # the second 02:30 of the day (CET)
        disputed_amount=Decimal("1234567.89"),
        customer_share=Decimal("0.00"),
        bank_share=Decimal("50.05"),
    )
    Case.objects.filter(pk=second.pk).update(customer_share=None, refund_owed=False)
    links = list(CaseTransaction.objects.filter(case__in=seeded).order_by("pk"))
    for index, link in enumerate(links):
        text = AWKWARD[index % len(AWKWARD)]
        Transaction.objects.filter(pk=link.transaction_id).update(
            merchant_name=text,
            merchant_city=AWKWARD[(index + 4) % len(AWKWARD)],
            processor_reference=f"{AWKWARD[(index + 8) % len(AWKWARD)]}-{index}",
            # Currencies of 3, 2 and 0 decimals (ISO 4217's: RSD has 2, though CLDR gives it 0): both paths
            # write each with its currency's, and a PLN amount with three decimals with all three.
            original_amount=Decimal(("12.345", "13.345", "500.000", "1234.560")[index % 4]),
            original_currency=("KWD", "PLN", "JPY", "RSD")[index % 4],
        )
    history = list(CaseTransition.objects.filter(case__in=seeded).order_by("pk"))
    for index, row in enumerate(history):
        CaseTransition.objects.filter(pk=row.pk).update(
            reason=AWKWARD[index % len(AWKWARD)],
            letter_required=AWKWARD[(index + 4) % len(AWKWARD)],
            name=AWKWARD[(index + 8) % len(AWKWARD)],
        )
    # Every awkward text is a cell of the transactions' export and of the history's (4 rows x 3 columns).
    assert len(links) == len(history) == 4
    return seeded


def _python_csv(kind: str) -> tuple[bytes, str, int]:
    raw = io.BytesIO()
    out = HashingFile(raw)
    writer = CsvExportWriter(out, COLUMNS[kind])
    source = export_rows(kind=kind, from_date=FROM, to_date=TO, chunk_size=2)
    count = 0
    for row in source.rows:
        writer.write_row(row)
        count += 1
    writer.close()
    return raw.getvalue(), out.sha256, count


def _rows(data: bytes) -> dict[int, list[str]]:
    """A CSV's rows by their first cell (an id), the header left out."""
    _head, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    return {int(row[0]): row for row in rows}


def _copied_csv(kind: str) -> tuple[bytes, str, int]:
    raw = io.BytesIO()
    out = HashingFile(raw)
    writer = CsvExportWriter(out, COLUMNS[kind])
    count = copy_csv(
        kind=kind, from_date=FROM, to_date=TO, write=writer.write_lines, progress=lambda _: None, every=1000
    )
    writer.close()
    return raw.getvalue(), out.sha256, count


def test_every_one_query_export_kind_is_moved_to_copy():
    assert [kind.value for kind in MOVED] == ["CASES", "TRANSACTIONS", "TRANSITIONS"]
    assert all(copy_supported(kind) for kind in MOVED)
    assert not copy_supported("DEADLINES") and not copy_supported("AUDIT_LOG")


@pytest.mark.parametrize("kind", MOVED)
def test_copy_writes_the_same_bytes_as_the_python_path(awkward, kind):
    expected, expected_sha256, rows = _python_csv(kind)

    copied, sha256, copied_rows = _copied_csv(kind)

    assert copied == expected
    assert sha256 == expected_sha256
    assert copied_rows == rows > 0


def test_the_awkward_cells_come_out_as_the_csv_rules_say(awkward):
    copied = _copied_csv("TRANSACTIONS")[0].decode("utf-8")

    assert '"Sklep ""Pod Lipą""; Kraków"' in copied
    assert "'=HYPERLINK" in copied and ";'-5 zł;" in copied
    assert '"two\nlines"' in copied and '"crlf\r\ninside-0"' in copied
    assert ";12,345;KWD;" in copied and ";13,345;PLN;" in copied
    assert ";500;JPY;" in copied and ";1234,56;RSD;" in copied
    assert copied.count("\r\n") == copied.count("\n") - 1  # every line ends CRLF; one bare LF is in a cell


def test_the_cases_instants_are_warsaw_wall_clock_with_their_offset_across_both_clock_changes(awkward):
    copied = _copied_csv("CASES")[0].decode("utf-8")

    assert ";2025-03-30T01:59:59+01:00;" in copied
    assert ";2025-03-30T03:00:00+02:00;" in copied
    assert ";1234567,89;0,00;50,05;" in copied


@pytest.mark.parametrize("path", [_python_csv, _copied_csv], ids=["python", "copy"])
def test_the_two_half_past_two_of_the_night_summer_time_ends_are_told_apart(awkward, path):
    """25 Oct 2026: 00:30 UTC and 01:30 UTC are both 02:30 in Warsaw; the offset says which came first."""
    first, _second = awkward
    Case.objects.filter(pk=first.pk).update(
        withdrawn_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the first 02:30 (CEST)
        closed_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # the second 02:30, an hour later (CET)
    )
    cells = dict(zip(header("CASES"), _rows(path("CASES")[0])[first.pk], strict=True))

    assert (cells["withdrawn_at"], cells["closed_at"]) == (
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
    )
    assert cells["withdrawn_at"] != cells["closed_at"]


@pytest.mark.parametrize("kind", MOVED)
def test_a_job_has_the_same_file_and_sha256_whichever_path_wrote_it(awkward, auditor, settings, kind):
    digests = {}
    for use_copy in (True, False):
        settings.REPORTS_EXPORT_CSV_COPY = use_copy
        job = ExportJob.objects.create(
            requested_by=auditor, kind=kind, file_format="CSV", from_date=FROM, to_date=TO, requested_at=now()
        )
        job = export_job_run(job_id=job.pk, clock=now)
        assert job.state == "DONE", job.error
        digests[use_copy] = (job.sha256, job.size, job.rows_done, export_path(job).read_bytes())

    assert digests[True] == digests[False]


@pytest.mark.django_db(transaction=True)
def test_a_copied_export_records_its_progress_on_a_connection_of_its_own(
    seeded, auditor, settings, monkeypatch
):
    settings.REPORTS_EXPORT_PROGRESS_ROWS = 1
    job = ExportJob.objects.create(
        requested_by=auditor, kind="TRANSACTIONS", file_format="CSV", from_date=FROM, to_date=TO,
        requested_at=now(),
    )  # fmt: skip
    seen = []
    record = ProgressAside.record

    def record_and_look(self, **values):
        record(self, **values)
        # What the job's page would read meanwhile, from yet another connection.
        with connection.get_new_connection(connection.get_connection_params()) as other:
            seen.append(
                other.execute("SELECT rows_done FROM reports_exportjob WHERE id = %s", [job.pk]).fetchone()[0]
            )

    monkeypatch.setattr(ProgressAside, "record", record_and_look)

    job = export_job_run(job_id=job.pk, clock=now)

    assert seen == [1, 2, 3, 4]
    assert (job.state, job.rows_done, job.rows_total) == ("DONE", 4, 4)
