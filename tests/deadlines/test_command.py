import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("deadlines", *args, stdout=out)
    return out.getvalue()


def test_refund_as_text_in_english():
    output = run("refund", "--reported-at", "2025-12-23T10:15:00+01:00", "--lang", "en")

    lines = output.splitlines()
    assert lines[0] == "Rule:        UUP-46-1"
    assert lines[1].startswith("Legal basis: Art. 46(1) of the Payment Services Act")
    assert lines[2] == "Start date:  2025-12-23"
    assert lines[3] == "Due date:    2025-12-29"
    assert lines[4] == "Due before:  2025-12-30T00:00:00+01:00 (Europe/Warsaw)"
    assert lines[5].startswith("Explanation: Report received on 2025-12-23 (Tuesday, Europe/Warsaw date)")


def test_refund_as_text_in_polish_by_default():
    output = run("refund", "--reported-at", "2025-12-23T10:15:00+01:00")

    lines = output.splitlines()
    assert lines[0] == "Przepis:         UUP-46-1"
    assert lines[3] == "Termin:          2025-12-29"
    assert "art. 46 ust. 1 ustawy z dnia 19 sierpnia 2011 r. o usługach płatniczych" in output
    assert "Zgłoszenie otrzymane 2025-12-23 (wtorek, data w czasie warszawskim)" in output


def test_reply_as_json():
    output = run("reply", "--received-at", "2025-11-24T09:00:00Z", "--json", "--lang", "en")

    data = json.loads(output)
    assert {key: data[key] for key in ("rule", "start_date", "due_date", "due_at", "lang")} == {
        "rule": "REK-6",
        "start_date": "2025-11-24",
        "due_date": "2025-12-29",
        "due_at": "2025-12-30T00:00:00+01:00",
        "lang": "en",
    }
    assert data["basis"].startswith("Art. 6 of the Complaints Act")
    assert "day 30 = 2025-12-24 (Wednesday, public holiday: Christmas Eve)" in data["explanation"]
    assert [step["code"] for step in data["steps"]] == ["START", "CALENDAR_DAYS", "ROLL", "DUE"]
    assert data["policies"] == {"REPLY_REGIME": "COMPLAINTS_ACT", "ROLL_FORWARD": True}


def test_extended_payment_service_reply_as_json():
    data = json.loads(
        run(
            "reply",
            "--received-at",
            "2025-12-01T12:00:00+01:00",
            "--regime",
            "PAYMENT_SERVICES",
            "--extended",
            "--json",
        )
    )

    assert (data["rule"], data["due_date"], data["lang"]) == ("UUP-PS-35", "2026-01-26", "pl")


def test_window_and_chargeback_as_json():
    window = json.loads(run("window", "--debited-on", "2025-01-31", "--json"))
    second = json.loads(
        run(
            "chargeback",
            "--processed-on",
            "2025-11-29",
            "--scheme",
            "MASTERCARD",
            "--stage",
            "SECOND_PRESENTMENT",
            "--json",
        )
    )

    assert (window["rule"], window["due_date"]) == ("UUP-44-2", "2026-03-02")
    assert (second["rule"], second["due_date"]) == ("CB-MC-2P", "2026-01-13")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["refund", "--reported-at", "2025-12-23T10:15:00"], "reported_at must be timezone-aware"),
        (["refund", "--reported-at", "yesterday"], "'yesterday' is not an ISO 8601 date-time"),
        (["refund"], "the following arguments are required: --reported-at"),
        (["window", "--debited-on", "2025-02-30"], "'2025-02-30' is not an ISO 8601 date"),
        (
            ["reply", "--received-at", "2025-12-01T12:00:00+01:00", "--regime", "FAST"],
            "invalid choice: 'FAST'",
        ),
        (["chargeback", "--processed-on", "2025-08-27", "--scheme", "AMEX"], "invalid choice: 'AMEX'"),
        (
            [
                "chargeback",
                "--processed-on",
                "2025-08-27",
                "--scheme",
                "VISA",
                "--stage",
                "SECOND_PRESENTMENT",
            ],
            "VISA has no second presentment",
        ),
        (["refund", "--reported-at", "2025-12-23T10:15:00+01:00", "--lang", "de"], "invalid choice: 'de'"),
        ([], "the following arguments are required"),
    ],
)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
