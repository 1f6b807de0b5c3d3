from datetime import UTC, datetime

import pytest

from deadlines.models import CalendarOverride
from demo.deadlines import seed


@pytest.mark.django_db
def test_the_demo_invents_no_override_and_shows_todays_deadlines():
    lines = seed(now=datetime(2025, 12, 23, 9, 0, tzinfo=UTC))

    assert lines[0].startswith(
        "Deadlines: a claim reported now is refunded by the end of 2025-12-29 (UUP-46-1) "
        "and answered by the end of 2026-01-22 (REK-6)"
    )
    assert not CalendarOverride.objects.exists()
