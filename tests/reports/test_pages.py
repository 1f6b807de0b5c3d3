"""The export pages: who may use them, the request form's errors, progress, and the audited download."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit import actions
from customers.middleware import SIGNED_IN_AT
from kartosfera.clock import now, today_warsaw
from kartosfera.legaltime import WARSAW
from reports.exports.services import export_job_run, export_path, export_request
from reports.models import ExportJob
from tests.accessible_errors import described_by, element
from tests.backoffice.conftest import sign_in
from tests.customers.factories import UserFactory
from tests.reports.conftest import entries_for

FORM = {"kind": "CASES", "file_format": "CSV", "from_date": "2025-05-26", "to_date": "2025-05-31"}


def _request(user):
    period = {"from_date": date(2025, 5, 26), "to_date": date(2025, 5, 31)}
    return export_request(actor=user, kind="CASES", file_format="CSV", now=now(), **period)


def _done_job(user) -> ExportJob:
    """An export asked for as ``user`` and run here (a worker process would not see this test's rows)."""
    return export_job_run(job_id=_request(user).job.pk, clock=now)


@pytest.mark.parametrize("reader", ["auditor", "supervisor", "administrator"])
def test_report_readers_see_the_exports_and_the_link_to_them(client, request, db, reader):
    user = request.getfixturevalue(reader)

    response = sign_in(client, user).get(reverse("reports:exports"))

    assert response.status_code == 200
    assert f'href="{reverse("reports:exports")}"' in response.text
    assert '<input type="date" name="from_date"' in response.text


@pytest.mark.parametrize(
    ("language", "hint"),
    [("en", "For a long period (more than a few months, or over 50,000 rows) choose CSV"),
     ("pl", "Dla długiego okresu (ponad kilka miesięcy albo ponad 50 000 wierszy) wybierz CSV")],
)  # fmt: skip
def test_the_form_says_when_csv_is_the_better_choice(client, auditor, language, hint):
    sign_in(client, auditor)
    client.cookies["django_language"] = language

    response = client.get(reverse("reports:exports"))

    assert hint in response.text
    assert 'aria-describedby="id_file_format_helptext"' in response.text


def test_analysts_get_no_link_and_no_page(client, analyst):
    sign_in(client, analyst)

    assert client.get(reverse("reports:exports")).status_code == 403
    assert client.post(reverse("reports:exports"), FORM).status_code == 403
    assert reverse("reports:exports") not in client.get(reverse("backoffice:home")).text
    assert not ExportJob.objects.exists()


def test_customers_are_refused(client, db):
    customer = UserFactory(username="klient")
    client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = now().isoformat()  # as the portal's sign-in records it
    session.save()

    assert client.get(reverse("reports:exports")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_sign_in(client, db):
    response = client.get(reverse("reports:exports"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("backoffice:sign_in"))


@pytest.mark.parametrize("user", ["analyst", "customer"])
def test_the_service_refuses_anyone_but_report_readers(request, db, user):
    actor = request.getfixturevalue("analyst") if user == "analyst" else UserFactory(username="klient")

    with pytest.raises(PermissionDenied):
        _request(actor)
    assert not ExportJob.objects.exists()


def test_asking_for_an_export_queues_it_and_shows_its_page(client, seeded, auditor):
    response = sign_in(client, auditor).post(reverse("reports:exports"), FORM)

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:export_detail", args=[job.pk])
    assert (job.requested_by, job.kind, job.file_format) == (auditor, "CASES", "CSV")
    assert entries_for(job).get(action=actions.EXPORT_REQUESTED).actor == auditor


def test_a_double_click_queues_one_export(client, auditor, db):
    sign_in(client, auditor)
    first = _request(auditor)
    ExportJob.objects.filter(pk=first.job.pk).update(state="QUEUED")  # as if the worker had not started yet

    again = _request(auditor)

    assert (again.created, again.job.pk) == (False, first.job.pk)
    assert ExportJob.objects.count() == 1
    assert entries_for(first.job).filter(action=actions.EXPORT_REQUESTED).count() == 1


@pytest.mark.parametrize(
    ("language", "changes", "field", "message"),
    [
        (
            "en",
            {"from_date": "2025-06-01"},
            "from_date",
            "The start of the period must not be later than its end.",
        ),
        (
            "pl",
            {"from_date": "2025-06-01"},
            "from_date",
            "Początek okresu nie może być późniejszy niż jego koniec.",
        ),
        ("en", {"to_date": "31.13.2025"}, "to_date", "Enter a valid date, e.g. 2025-05-31."),
        ("pl", {"to_date": "31.13.2025"}, "to_date", "Wpisz poprawną datę, np. 2025-05-31."),
        ("en", {"from_date": ""}, "from_date", "Enter a date."),
        ("en", {"file_format": "PDF"}, "file_format", "Choose the file format: CSV or XLSX."),
        ("pl", {"kind": "CARDS"}, "kind", "Wybierz, co wyeksportować."),
    ],
)
def test_a_wrong_request_says_why_in_the_users_language_and_queues_nothing(
    client, auditor, language, changes, field, message
):
    sign_in(client, auditor)
    client.cookies["django_language"] = language

    response = client.post(reverse("reports:exports"), {**FORM, **changes})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not ExportJob.objects.exists()


def test_a_period_ending_in_the_future_is_refused(client, auditor):
    sign_in(client, auditor)
    client.cookies["django_language"] = "en"
    today = today_warsaw()

    response = client.post(
        reverse("reports:exports"), {**FORM, "to_date": date(today.year + 1, 1, 1).isoformat()}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["to_date"] == [
        # the date as the page's language writes it (it said the ISO date before)
        "The period cannot end in the future: the last day you can export is today "
        f"({today.day} {today:%B} {today.year})."
    ]
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("pl", "Okres nie może zaczynać się przed 1 stycznia 2000: nie mamy wcześniejszych danych."),
        ("en", "A period may not start before 1 January 2000: we hold no records before it."),
    ],
)
def test_a_period_before_our_records_is_refused_on_the_report_and_the_export(
    client, auditor, language, message
):
    # 0001-01-01 made the report count its cases' ageing back past the calendar's first day (a 500).
    sign_in(client, auditor)
    client.cookies["django_language"] = language

    report = client.get(reverse("reports:report"), {"from": "0001-01-01", "to": "0001-01-01"})
    export = client.post(reverse("reports:exports"), {**FORM, "from_date": "0001-01-01"})

    assert report.status_code == 400 and message in report.content.decode()
    assert export.status_code == 400
    assert export.context["form"].errors["from_date"] == [message]
    assert not ExportJob.objects.exists()


def test_a_running_export_shows_its_progress_and_refreshes_itself(client, auditor, db):
    job = _request(auditor).job
    ExportJob.objects.filter(pk=job.pk).update(state="RUNNING", rows_done=250, rows_total=1000)
    sign_in(client, auditor)

    page = client.get(reverse("reports:export_detail", args=[job.pk])).text
    progress = client.get(reverse("reports:export_progress", args=[job.pk])).json()

    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="25"' in page
    assert progress == {
        "id": job.pk,
        "state": "RUNNING",
        "rows_done": 250,
        "rows_total": 1000,
        "percent": 25,
        "finished": False,
        "sha256": None,
    }


def test_a_finished_export_is_downloaded_and_the_download_audited(client, seeded, auditor, supervisor):
    job = _done_job(auditor)
    job.refresh_from_db()
    sign_in(client, supervisor)

    page = client.get(reverse("reports:export_detail", args=[job.pk])).text
    response = client.get(reverse("reports:export_file", args=[job.pk]))

    assert "http-equiv" not in page
    assert job.sha256 in page
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == export_path(job).read_bytes()
    assert response["Content-Disposition"] == (
        'attachment; filename="kartosfera-cases-2025-05-26-2025-05-31.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    downloaded = entries_for(job).get(action=actions.EXPORT_DOWNLOADED)
    assert (downloaded.actor, downloaded.data["sha256"]) == (supervisor, job.sha256)


def test_an_unfinished_export_has_nothing_to_download(client, auditor, db):
    job = _request(auditor).job
    ExportJob.objects.filter(pk=job.pk).update(state="RUNNING")
    sign_in(client, auditor)

    response = client.get(reverse("reports:export_file", args=[job.pk]))

    assert response.status_code == 302
    assert response.url == reverse("reports:export_detail", args=[job.pk])
    assert not entries_for(job).filter(action=actions.EXPORT_DOWNLOADED).exists()


def test_analysts_cannot_download(client, seeded, auditor, analyst):
    job = _done_job(auditor)
    sign_in(client, analyst)

    assert client.get(reverse("reports:export_file", args=[job.pk])).status_code == 403
    assert client.get(reverse("reports:export_progress", args=[job.pk])).status_code == 403
    assert not entries_for(job).filter(action=actions.EXPORT_DOWNLOADED).exists()


def test_my_exports_lists_only_mine(client, auditor, supervisor, db):
    mine = _done_job(auditor)
    theirs = _done_job(supervisor)
    sign_in(client, auditor)

    listed = client.get(reverse("reports:exports"), {"mine": "1"}).context["page"].object_list
    everyone = client.get(reverse("reports:exports")).context["page"].object_list

    assert [job.pk for job in listed] == [mine.pk]
    assert {job.pk for job in everyone} == {mine.pk, theirs.pk}


@pytest.mark.parametrize(("language", "legend"), [("pl", "Format"), ("en", "Format")])
def test_the_format_radios_are_a_group_named_by_its_legend(client, auditor, language, legend):
    sign_in(client, auditor)
    client.cookies["django_language"] = language

    page = client.get(reverse("reports:exports")).text

    group = page.split('<fieldset class="field" id="id_file_format">')[1].split("</fieldset>")[0]
    assert f"<legend>{legend}</legend>" in group
    assert 'value="CSV"' in group and 'value="XLSX"' in group
    assert "<label>Format:</label>" not in page


def test_the_period_is_the_month_so_far(client, auditor, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=WARSAW))
    sign_in(client, auditor)

    form = client.get(reverse("reports:exports")).context["form"]

    assert (form["from_date"].value(), form["to_date"].value()) == (date(2026, 12, 1), date(2026, 12, 7))


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        # A day that is no date: that input only, by its own error.
        (
            {"from": "31.13.2025", "to": "2025-05-31"},
            ["From: Enter a valid date."],
            None,
        ),
        # The period's own problem concerns both days.
        (
            {"from": "2025-06-01", "to": "2025-05-31"},
            ["The start of the period is after its end."],
            ["The start of the period is after its end."],
        ),
    ],
)
def test_a_wrong_period_marks_its_days_invalid_and_describes_them_by_the_error(
    client, auditor, query, start, end
):
    sign_in(client, auditor)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("reports:report"), query).content.decode()

    for name, expected in (("from", start), ("to", end)):
        day = element(page, "input", name_=name)
        if expected is None:
            assert ("aria-invalid" in day, "aria-describedby" in day) == (False, False)
        else:
            assert day["aria-invalid"] == "true"
            assert described_by(page, day) == expected
    assert 'id="period-errors" class="report-errors" role="alert"' in page  # the summary read at once


def test_a_radio_group_with_an_error_is_described_by_its_hint_and_its_error(client, auditor):
    sign_in(client, auditor)
    client.cookies["django_language"] = "en"

    page = client.post(reverse("reports:exports"), {**FORM, "file_format": "PDF"}).content.decode()

    group = element(page, "fieldset", id="id_file_format")
    hint, error = described_by(page, group)
    assert hint.startswith("For a long period (more than a few months, or over 50,000 rows) choose CSV")
    assert error == "Choose the file format: CSV or XLSX."
    assert element(page, "input", name_="file_format", value="CSV")["aria-invalid"] == "true"
