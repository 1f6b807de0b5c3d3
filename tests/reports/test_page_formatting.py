"""What auditors read on the exports and audit verification pages: dates, instants and sizes written
with babel in the page's language, instants in Warsaw time (never ISO text, UTC or Python floats)."""

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from kartosfera.templatetags import kartosfera_format
from reports.models import AuditVerification, ExportJob
from reports.templatetags import report_format
from reports.templatetags.report_format import file_size
from tests.backoffice.conftest import sign_in

REQUESTED = datetime(2026, 12, 7, 2, 59, 8, tzinfo=UTC)  # 03:59:08 in Warsaw (CET)
FINISHED = datetime(2026, 12, 7, 3, 7, 10, tzinfo=UTC)  # 04:07:10 in Warsaw


@pytest.fixture
def done_job(auditor):
    return ExportJob.objects.create(
        requested_by=auditor,
        kind="CASES",
        file_format="CSV",
        from_date=date(2026, 11, 1),
        to_date=date(2026, 12, 7),
        requested_at=REQUESTED,
        started_at=REQUESTED,
        finished_at=FINISHED,
        state="DONE",
        size=559117,
        sha256="0" * 64,
        file_name="export-1.csv",
    )


@pytest.mark.parametrize(
    ("language", "period", "requested"),
    [
        ("pl", "1 listopada 2026 – 7 grudnia 2026", "7 grudnia 2026, 03:59"),
        ("en", "1 November 2026 – 7 December 2026", "7 December 2026, 03:59"),
    ],
)
def test_the_export_list_writes_the_period_and_the_request_in_words(
    client, auditor, done_job, language, period, requested
):
    sign_in(client, auditor)

    page = client.get(reverse("reports:exports"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"<td>{period}</td>" in page
    assert f"<td>{requested}</td>" in page
    assert "<td>2026-11-01" not in page  # (the file's name keeps its ISO dates)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            [
                "1 listopada 2026 – 7 grudnia 2026",
                "7 grudnia 2026, 03:59:08",
                "7 grudnia 2026, 04:07:10",
                "546 kB (559\u00a0117 bajtów)",
            ],
        ),
        (
            "en",
            [
                "1 November 2026 – 7 December 2026",
                "7 December 2026, 03:59:08",
                "7 December 2026, 04:07:10",
                "546 kB (559,117 bytes)",
            ],
        ),
    ],
)
def test_the_export_page_writes_dates_in_warsaw_time_and_the_size_in_words(
    client, auditor, done_job, language, expected
):
    sign_in(client, auditor)

    page = client.get(
        reverse("reports:export_detail", args=[done_job.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    for text in expected:
        assert text in page
    assert "<dd>2026-" not in page
    assert ", 2026-12-07" not in page
    # "kB" is the SI unit; the size is never written "546 KB" (a CSRF token may hold the letters "KB")
    assert not re.search(r"\d KB", page)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", "wpis 282, zapisany 7 grudnia 2026, 03:59:08"),
        ("en", "entry 282, written 7 December 2026, 03:59:08"),
    ],
)
def test_the_anchor_of_a_verification_is_dated_in_warsaw_time(client, auditor, language, expected):
    verification = AuditVerification.objects.create(
        requested_by=auditor,
        requested_at=REQUESTED,
        finished_at=FINISHED,
        state="DONE",
        result={
            "ok": True,
            "entries_checked": 283,
            "first_sequence": 0,
            "last_sequence": 282,
            "last_hash": "a" * 64,
            "anchor": {
                "sequence": 282,
                "written_at": "2026-12-07T02:59:08.362078Z",
                "entry_hash": "a" * 64,
                "file": "anchor-000000000282.json",
            },
            "problems": [],
            "problems_total": 0,
        },
    )
    sign_in(client, auditor)

    page = client.get(
        reverse("reports:audit_verification", kwargs={"verification_id": verification.pk}),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()

    assert expected in page
    assert "T02:59:08" not in page


@pytest.mark.parametrize(
    ("size", "language", "expected"),
    [
        (900, "pl", "900 bajtów"),
        (1, "en", "1 byte"),
        (5_542_880, "pl", "5,3 MB (5\u00a0542\u00a0880 bajtów)"),
        (5_542_880, "en", "5.3 MB (5,542,880 bytes)"),
    ],
)
def test_file_sizes_are_written_as_the_language_writes_numbers(size, language, expected):
    assert file_size(size, language=language) == expected


@pytest.mark.parametrize(
    ("written_at", "expected"),
    [
        # An instant stored without its zone (UTC, as the database writes it) is written in Warsaw time.
        ("2026-12-07T02:59:08.362078", "wpis 282, zapisany 7 grudnia 2026, 03:59:08"),
        # Text that is no instant is written as it is: the page still opens.
        ("not a date", "wpis 282, zapisany not a date"),
    ],
)
def test_an_anchor_time_without_a_zone_or_unreadable_never_breaks_the_page(
    client, auditor, written_at, expected
):
    verification = AuditVerification.objects.create(
        requested_by=auditor,
        requested_at=REQUESTED,
        finished_at=FINISHED,
        state="DONE",
        result={
            "ok": True,
            "entries_checked": 283,
            "first_sequence": 0,
            "last_sequence": 282,
            "last_hash": "a" * 64,
            "anchor": {"sequence": 282, "written_at": written_at, "entry_hash": "a" * 64, "file": "a.json"},
            "problems": [],
            "problems_total": 0,
        },
    )
    sign_in(client, auditor)

    response = client.get(
        reverse("reports:audit_verification", kwargs={"verification_id": verification.pk}),
        HTTP_ACCEPT_LANGUAGE="pl",
    )

    assert response.status_code == 200
    assert expected in response.content.decode()


def test_the_reports_pages_use_the_one_moment_filter():
    assert "moment" not in report_format.register.filters
    assert kartosfera_format.register.filters["moment"] is kartosfera_format.moment


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (datetime(2026, 12, 7, 2, 59, 8, tzinfo=UTC), "minutes", "7 grudnia 2026, 03:59"),
        (datetime(2026, 12, 7, 2, 59, 8, tzinfo=UTC), "seconds", "7 grudnia 2026, 03:59:08"),
        # A naive datetime from the database is UTC.
        (datetime(2026, 12, 7, 2, 59, 8), "minutes", "7 grudnia 2026, 03:59"),
        (datetime(2026, 12, 7, 2, 59, 8), "seconds", "7 grudnia 2026, 03:59:08"),
        ("2026-12-07T02:59:08Z", "seconds", "7 grudnia 2026, 03:59:08"),
        ("2026-12-07T02:59:08", "minutes", "7 grudnia 2026, 03:59"),
        ("2026-12-07T03:59:08+01:00", "minutes", "7 grudnia 2026, 03:59"),
        # Not an instant: as it is, never an error in a template.
        ("not a date", "minutes", "not a date"),
        ("2026-13-45T99:00", "seconds", "2026-13-45T99:00"),
        (date(2026, 12, 7), "minutes", "2026-12-07"),
        (None, "minutes", ""),
        ("", "seconds", ""),
    ],
)
def test_the_moment_filter(value, precision, expected):
    with translation.override("pl"):
        assert kartosfera_format.moment(value, precision) == expected
