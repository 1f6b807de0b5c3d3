"""The exports end to end: asked for through the service, written by the Celery task (a real worker in
``make test-services``), read back with the csv module and openpyxl."""

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from audit import actions
from audit.models import AuditEntry
from deadlines.wording import readable_explanation
from disputes.models import CaseTransition
from kartosfera.clock import now
from kartosfera.legaltime import day_end, day_start
from reports.exports.columns import header, workbook_header
from reports.exports.services import export_path, export_request
from reports.models import ExportJob
from reports.tasks import export_run
from tests.reports.conftest import entries_for

FROM, TO = date(2025, 5, 26), date(2025, 5, 31)
TIMEOUT = 120


def run_export(
    actor, kind: str, file_format: str, *, from_date: date = FROM, to_date: date = TO
) -> ExportJob:
    """Ask for the export as ``actor``, then wait for its task (the one queued on commit runs first)."""
    job = export_request(
        actor=actor, kind=kind, file_format=file_format, from_date=from_date, to_date=to_date, now=now()
    ).job
    export_run.delay(job_id=job.pk).get(timeout=TIMEOUT)
    job.refresh_from_db()
    return job


def read_rows(job: ExportJob) -> list[list]:
    """Every row of the file, the header first: CSV as text cells, XLSX as typed cells."""
    path = export_path(job)
    if job.file_format == "CSV":
        text = path.read_bytes().decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _in_period(field: str) -> dict:
    return {f"{field}__gte": day_start(FROM), f"{field}__lt": day_end(TO)}


def expected_rows(kind: str, seeded) -> int:
    first = seeded[0]
    if kind == "CASES":
        return 1
    if kind == "TRANSACTIONS":
        return 2
    if kind == "DEADLINES":
        return 4  # the D+1 refund, the reply, and the 13-month window of each of the two transactions
    if kind == "TRANSITIONS":
        return CaseTransition.objects.filter(**_in_period("occurred_at"), case=first).count()
    return AuditEntry.objects.filter(**_in_period("recorded_at")).count()


KINDS = ["CASES", "TRANSACTIONS", "DEADLINES", "TRANSITIONS", "AUDIT_LOG"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_export_has_its_columns_and_the_rows_of_the_period(
    celery_worker, seeded, auditor, kind, file_format
):
    job = run_export(auditor, kind, file_format)

    rows = read_rows(job)
    assert job.state == "DONE", job.error
    assert rows[0] == (header(kind) if file_format == "CSV" else workbook_header(kind))
    assert len(rows) - 1 == expected_rows(kind, seeded)
    assert job.rows_done == job.rows_total == len(rows) - 1
    assert job.size == export_path(job).stat().st_size


EXACT_HEADERS = {
    "CASES": """case_id case_number state outcome channel cause category customer_id card received_at
        submitted_at reported_at reply_regime refund_owed refund_due_on refund_rule reply_due_on reply_rule
        reply_extended window_end_on out_of_window disputed_amount_pln customer_share_pln bank_share_pln
        refunded_at refund_withheld_at decided_at reply_dispatched_at deemed_accepted_at withdrawn_at
        closed_at assignee""",
    "TRANSACTIONS": """case_id case_number case_state transaction_id processor_reference card executed_at
        debited_on processed_on channel status merchant_name mcc merchant_city merchant_country
        original_amount original_currency amount_pln disputed_amount_pln sca_applied window_end_on
        window_rule out_of_window""",
    "DEADLINES": """case_id case_number deadline transaction_id rule start_date due_date due_before basis_pl
        basis_en explanation_pl explanation_en""",
    "TRANSITIONS": """transition_id case_id case_number chargeback_id occurred_at transition from_state
        to_state actor actor_kind reason letter_required""",
    "AUDIT_LOG": """sequence recorded_at action actor role channel ip_address request_id object_type
        object_id object_repr before after data previous_hash entry_hash""",
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_headers_are_exactly_the_documented_columns(kind):
    assert header(kind) == EXACT_HEADERS[kind].split()


@pytest.mark.django_db(transaction=True)
def test_the_cases_workbook_has_typed_cells(celery_worker, seeded, auditor):
    case = seeded[0]

    job = run_export(auditor, "CASES", "XLSX")

    head, row = read_rows(job)
    cell = dict(zip(head, row, strict=True))
    assert cell["case_id"] == case.pk
    assert cell["case_number"] == case.number
    assert cell["card"] == f"**** {case.card.last4}"
    assert cell["received_at"] == datetime(2025, 5, 26, 10, 0)  # Warsaw wall-clock time
    assert cell["refund_due_on"] == datetime(2025, 5, 27)
    assert cell["reply_due_on"] == datetime(2025, 6, 25)
    assert cell["disputed_amount_pln"] == 920.0
    assert cell["refund_owed"] is True
    book = openpyxl.load_workbook(export_path(job))
    assert book.active["V2"].number_format == "#,##0.00"
    assert book.active["O2"].number_format == "yyyy-mm-dd"


@pytest.mark.django_db(transaction=True)
def test_the_csv_uses_semicolons_decimal_commas_and_iso_dates(celery_worker, seeded, auditor):
    job = run_export(auditor, "TRANSACTIONS", "CSV")

    head, *rows = read_rows(job)
    cells = [dict(zip(head, row, strict=True)) for row in rows]
    assert [
        (c["executed_at"], c["amount_pln"], c["disputed_amount_pln"], c["debited_on"]) for c in cells
    ] == [
        ("2025-05-23T19:10:00+02:00", "800,00", "800,00", "2025-05-26"),
        ("2025-05-23T19:30:00+02:00", "120,00", "120,00", "2025-05-26"),
    ]
    assert {c["case_number"] for c in cells} == {seeded[0].number}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
def test_the_deadlines_come_with_their_rule_and_explanation(celery_worker, seeded, auditor, file_format):
    job = run_export(auditor, "DEADLINES", file_format)

    head, *rows = read_rows(job)
    cells = [dict(zip(head, row, strict=True)) for row in rows]
    assert [c["deadline"] for c in cells] == ["REFUND", "REPLY", "WINDOW", "WINDOW"]
    assert [c["rule"] for c in cells[:2]] == [seeded[0].refund_rule, seeded[0].reply_rule]
    assert all(c["explanation_pl"] and c["explanation_en"] for c in cells)
    due = [c["due_date"] for c in cells[:2]]
    assert due == (
        ["2025-05-27", "2025-06-25"]
        if file_format == "CSV"
        else [datetime(2025, 5, 27), datetime(2025, 6, 25)]
    )


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
def test_the_deadline_explanations_write_their_dates_in_words_as_the_case_page_does(
    celery_worker, seeded, auditor, file_format
):
    case = seeded[0]

    head, *rows = read_rows(run_export(auditor, "DEADLINES", file_format))

    cells = [dict(zip(head, row, strict=True)) for row in rows]
    stored = case.deadline_explanations
    assert [(c["explanation_pl"], c["explanation_en"]) for c in cells[:2]] == [
        (
            readable_explanation(stored[key]["explanation_pl"], language="pl"),
            readable_explanation(stored[key]["explanation_en"], language="en"),
        )
        for key in ("refund", "reply")
    ]
    assert "27 maja 2025" in cells[0]["explanation_pl"] and "27 May 2025" in cells[0]["explanation_en"]
    assert [c for c in cells if ISO_DATE.search(c["explanation_pl"] + c["explanation_en"])] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["CASES", "TRANSACTIONS", "DEADLINES", "TRANSITIONS"])
def test_no_card_number_reaches_an_export(celery_worker, seeded, auditor, kind):
    job = run_export(auditor, kind, "CSV")

    text = export_path(job).read_text(encoding="utf-8-sig")
    assert not re.search(r"\d{12,19}", text)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
def test_the_audit_trail_holds_the_files_sha256(celery_worker, seeded, auditor, file_format):
    job = run_export(auditor, "CASES", file_format)

    digest = hashlib.sha256(export_path(job).read_bytes()).hexdigest()
    created = entries_for(job).get(action=actions.EXPORT_CREATED)
    assert job.sha256 == digest
    assert created.after["sha256"] == created.data["sha256"] == digest
    assert created.data["sha256"].replace(":", "") == digest
    assert created.data["size"] == export_path(job).stat().st_size
    assert created.data["requested_by"] == auditor.pk
    requested = entries_for(job).get(action=actions.EXPORT_REQUESTED)
    assert requested.actor_id == auditor.pk
    assert requested.role == "AUDITOR"


@pytest.mark.django_db(transaction=True)
def test_running_a_job_again_leaves_one_file_and_one_entry(celery_worker, seeded, supervisor):
    job = run_export(supervisor, "AUDIT_LOG", "XLSX")
    first = (job.sha256, job.finished_at)

    for _ in range(2):
        assert export_run.delay(job_id=job.pk).get(timeout=TIMEOUT)["state"] == "DONE"

    job.refresh_from_db()
    directory = export_path(job).parent
    assert (job.sha256, job.finished_at) == first
    assert [p.name for p in directory.glob(f"export-{job.pk}.*")] == [f"export-{job.pk}.xlsx"]
    assert not list(directory.glob(f".{job.pk}-*"))
    assert entries_for(job).filter(action=actions.EXPORT_CREATED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_that_died_is_taken_over_by_the_redelivered_task(celery_worker, seeded, auditor):
    job = ExportJob.objects.create(
        requested_by=auditor, kind="CASES", file_format="CSV", from_date=FROM, to_date=TO, requested_at=now()
    )
    # What a worker killed mid-export leaves behind: the job running under a run that will never finish.
    ExportJob.objects.filter(pk=job.pk).update(state="RUNNING", run_token="dead", rows_done=7)

    result = export_run.delay(job_id=job.pk).get(timeout=TIMEOUT)

    job.refresh_from_db()
    assert result == {"job_id": job.pk, "state": "DONE", "rows": 1, "sha256": job.sha256}
    assert len(read_rows(job)) == 2
    assert entries_for(job).filter(action=actions.EXPORT_CREATED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_empty_period_gives_a_file_with_only_the_header(celery_worker, seeded, auditor):
    job = run_export(auditor, "CASES", "XLSX", from_date=date(2024, 1, 1), to_date=date(2024, 1, 31))

    assert job.state == "DONE"
    assert read_rows(job) == [workbook_header("CASES")]
    assert job.rows_done == job.rows_total == 0


def test_money_in_the_csv_keeps_two_decimals():
    from reports.exports.columns import CellType
    from reports.exports.writers import csv_value

    assert csv_value(Decimal("1234.5"), CellType.MONEY) == "1234,50"
    assert csv_value(Decimal("7.125"), CellType.AMOUNT, "KWD") == "7,125"


@pytest.mark.parametrize(
    ("amount", "currency", "cell"),
    [
        (Decimal("2000.000"), "UAH", "2000,00"),
        (Decimal("88.870"), "PLN", "88,87"),
        (Decimal("500.000"), "JPY", "500"),
        (Decimal("7.125"), "KWD", "7,125"),
        (Decimal("12.5"), "CLF", "12,5000"),
        (Decimal("0.123"), "CLF", "0,1230"),
        # ISO 4217's minor units, not CLDR's cash digits (babel's: 0 for each of these).
        (Decimal("1234.560"), "RSD", "1234,56"),
        (Decimal("999.990"), "ALL", "999,99"),
        (Decimal("1.250"), "IQD", "1,250"),
        (Decimal("0.000"), "IQD", "0,000"),
        (Decimal("50.000"), "LBP", "50,00"),
        # A code ISO 4217 does not list has two.
        (Decimal("3.000"), "XYZ", "3,00"),
    ],
)
def test_an_original_amount_has_its_currencys_decimals(amount, currency, cell):
    from reports.exports.columns import CellType
    from reports.exports.writers import csv_value

    assert csv_value(amount, CellType.AMOUNT, currency) == cell


@pytest.mark.parametrize(
    ("amount", "currency", "cell"),
    [
        (Decimal("88.875"), "PLN", "88,875"),
        (Decimal("500.250"), "JPY", "500,25"),
        (Decimal("500.001"), "JPY", "500,001"),
        (Decimal("1.23456"), "KWD", "1,23456"),
        (Decimal("0.12345"), "CLF", "0,12345"),
    ],
)
def test_an_original_amount_with_more_decimals_than_its_currencys_keeps_them(amount, currency, cell):
    from reports.exports.columns import CellType
    from reports.exports.writers import csv_value

    assert csv_value(amount, CellType.AMOUNT, currency) == cell


def _workbook(tmp_path, kind, rows, *, created):
    """The sheet of an export of ``kind`` written with ``rows`` (each the values of some columns by
    name, the others empty), and the export's column names."""
    from reports.exports.columns import COLUMNS
    from reports.exports.writers import HashingFile, XlsxExportWriter

    columns = COLUMNS[kind]
    names = [column.name for column in columns]
    path = tmp_path / f"{kind.lower()}.xlsx"
    with path.open("wb") as raw:
        writer = XlsxExportWriter(HashingFile(raw), columns, title="t", tmpdir=str(tmp_path), created=created)
        for values in rows:
            row: list = [None] * len(columns)
            for name, value in values.items():
                row[names.index(name)] = value
            writer.write_row(row)
        writer.close()
    return openpyxl.load_workbook(path).worksheets[0], names


def test_the_workbook_writes_an_original_amount_with_its_currencys_decimals(tmp_path):
    rows = [
        ("2000.000", "UAH"),
        ("500.000", "JPY"),
        ("7.125", "KWD"),
        ("1234.560", "RSD"),
        ("12.5", "CLF"),
        ("500.25", "JPY"),
        ("1.23456", "KWD"),
    ]
    sheet, names = _workbook(
        tmp_path,
        "TRANSACTIONS",
        [
            {
                "original_amount": Decimal(amount),
                "original_currency": currency,
                "amount_pln": Decimal("88.87"),
            }
            for amount, currency in rows
        ],
        created=datetime(2025, 6, 1, tzinfo=UTC),
    )

    amount_column = names.index("original_amount") + 1
    formats = [sheet.cell(row=r, column=amount_column).number_format for r in range(2, 2 + len(rows))]
    assert formats == ["#,##0.00", "#,##0", "#,##0.000", "#,##0.00", "#,##0.0000", "#,##0.00", "#,##0.00000"]
    assert sheet.cell(row=2, column=names.index("amount_pln") + 1).number_format == "#,##0.00"


# 25 Oct 2026, the night summer time ends: both are 02:30 in Warsaw, an hour apart.
FIRST_HALF_PAST_TWO = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
SECOND_HALF_PAST_TWO = datetime(2026, 10, 25, 1, 30, 0, 999_999, tzinfo=UTC)


def test_the_csv_tells_the_two_half_past_two_of_the_night_summer_time_ends_apart():
    from reports.exports.columns import CellType
    from reports.exports.writers import csv_value

    assert csv_value(FIRST_HALF_PAST_TWO, CellType.DATETIME) == "2026-10-25T02:30:00+02:00"
    assert csv_value(SECOND_HALF_PAST_TWO, CellType.DATETIME) == "2026-10-25T02:30:00+01:00"


def test_the_workbook_shows_each_instants_offset_and_sorts_them_in_utc(tmp_path):
    sheet, names = _workbook(
        tmp_path,
        "TRANSITIONS",
        [
            {"transition_id": number, "occurred_at": instant}
            for number, instant in ((1, FIRST_HALF_PAST_TWO), (2, SECOND_HALF_PAST_TWO), (3, None))
        ],
        created=datetime(2026, 11, 1, tzinfo=UTC),
    )

    head = [cell.value for cell in sheet[1]]
    assert head == [*names, "occurred_at_utc"]  # the CSV's columns, in the same places, then UTC
    local, utc = names.index("occurred_at") + 1, len(names) + 1
    cells = [(sheet.cell(r, local), sheet.cell(r, utc)) for r in (2, 3, 4)]
    # A date-time cell in Warsaw time (to the second, as the CSV), showing its offset as the CSV writes it.
    assert [(c.value, c.number_format) for c, _ in cells[:2]] == [
        (datetime(2026, 10, 25, 2, 30), 'yyyy-mm-dd"T"hh:mm:ss"+02:00"'),
        (datetime(2026, 10, 25, 2, 30), 'yyyy-mm-dd"T"hh:mm:ss"+01:00"'),
    ]
    # ...and the same instant in UTC, which sorts the two an hour apart, in the order they happened.
    assert [(u.value, u.number_format) for _, u in cells[:2]] == [
        (datetime(2026, 10, 25, 0, 30), 'yyyy-mm-dd"T"hh:mm:ss"Z"'),
        (datetime(2026, 10, 25, 1, 30), 'yyyy-mm-dd"T"hh:mm:ss"Z"'),
    ]
    assert cells[2][0].value is None and cells[2][1].value is None
    assert sheet.column_dimensions["E"].width >= len("2026-10-25T02:30:00+02:00")
