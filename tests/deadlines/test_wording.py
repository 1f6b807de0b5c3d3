"""A stored deadline explanation read in words (deadlines.wording): the record keeps the engine's ISO
text, the reader gets the dates in their language and the end in Warsaw time."""

import pytest

from deadlines.wording import readable_explanation

DUE_PL = (
    "termin upływa z końcem dnia 2026-12-07 (poniedziałek), tj. przed 2026-12-08T00:00:00+01:00 "
    "(północ czasu warszawskiego) [UUP-46-1]"
)
DUE_EN = (
    "due by the end of 2026-12-07 (Monday), i.e. before 2026-12-08T00:00:00+01:00 (midnight, "
    "Europe/Warsaw) [UUP-46-1]"
)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            DUE_PL,
            "pl",
            "termin upływa z końcem dnia 7 grudnia 2026 (poniedziałek), tj. przed północą rozpoczynającą "
            "dzień 8 grudnia 2026 (czasu warszawskiego) [UUP-46-1]",
        ),
        (
            DUE_EN,
            "en",
            "due by the end of 7 December 2026 (Monday), i.e. before midnight at the start of "
            "8 December 2026, Warsaw time [UUP-46-1]",
        ),
        # summer time: the midnight ending 30 June is +02:00
        (
            "tj. przed 2026-07-01T00:00:00+02:00 (północ czasu warszawskiego)",
            "pl",
            "tj. przed północą rozpoczynającą dzień 1 lipca 2026 (czasu warszawskiego)",
        ),
        (
            "2025-12-27 (Saturday), 2025-12-28 (Sunday)",
            "en",
            "27 December 2025 (Saturday), 28 December 2025 (Sunday)",
        ),
        (
            "dzień 30 = 2025-12-24 (środa, święto: Wigilia)",
            "pl",
            "dzień 30 = 24 grudnia 2025 (środa, święto: Wigilia)",
        ),
        # another instant, in UTC, is written in Warsaw time
        ("reported 2026-12-07T02:59:08.362078Z", "en", "reported 7 December 2026, 03:59"),
        ("no dates here (KC-115)", "pl", "no dates here (KC-115)"),
        ("not a date: 2026-13-40", "en", "not a date: 2026-13-40"),
        ("en-GB or unknown languages: 2026-12-07", "de", "en-GB or unknown languages: 7 grudnia 2026"),
    ],
)
def test_dates_and_instants_are_written_in_words(text, language, expected):
    assert readable_explanation(text, language=language) == expected
