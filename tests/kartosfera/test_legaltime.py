from datetime import UTC, date, datetime

import pytest

from kartosfera.legaltime import WARSAW, NaiveDatetimeError, day_end, warsaw_date


def test_saturday_00_30_warsaw_is_friday_23_30_utc_and_counts_as_saturday():
    assert warsaw_date(datetime(2025, 11, 28, 23, 30, tzinfo=UTC)) == date(2025, 11, 29)


def test_summer_offset_is_two_hours():
    assert warsaw_date(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert warsaw_date(datetime(2026, 6, 30, 21, 59, tzinfo=UTC)) == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("day", "end_utc"),
    [
        (date(2026, 3, 28), datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),  # night before spring DST change
        (date(2026, 3, 29), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),  # the 23-hour day
        (date(2026, 10, 25), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),  # the 25-hour day
    ],
)
def test_day_end_is_the_next_warsaw_midnight_across_dst(day, end_utc):
    end = day_end(day)

    assert end == end_utc
    assert end.astimezone(WARSAW).hour == 0


def test_naive_datetime_is_refused():
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        warsaw_date(datetime(2026, 1, 1, 12, 0))
