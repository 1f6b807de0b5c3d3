from datetime import timedelta

import pytest
from django.test import override_settings

from tests.conftest import requires_services


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["components"]["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_configured_broker_does_not_answer(client):
    # Port 1 on loopback refuses connections: a broker that is configured but down.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "components": {"database": "ok", "broker": "unavailable", "audit_sealing": "ok", "outbox": "ok"},
        "audit_sealing": {
            "unsealed_entries": 0,
            "oldest_unsealed_age_seconds": None,
            "lag_limit_seconds": 60.0,
        },
        "outbox": {
            "unfinished_messages": 0,
            "oldest_unfinished_age_seconds": None,
            "backlog_limit_seconds": 900.0,
        },
    }


@requires_services
@pytest.mark.django_db
def test_healthz_reports_the_real_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["components"] == {
        "database": "ok",
        "broker": "ok",
        "audit_sealing": "ok",
        "outbox": "ok",
    }


@pytest.mark.django_db
def test_healthz_degrades_when_audit_sealing_lags_beyond_the_limit(client, settings):
    from audit.services import audit_record, audit_seal
    from kartosfera import clock

    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"  # nothing seals but the periodic sealer
    settings.KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS = 30
    now = clock.now()
    audit_record(action="test.waiting", actor=None, now=now - timedelta(seconds=45))
    audit_record(action="test.waiting", actor=None, now=now - timedelta(seconds=5))

    lagging = client.get("/healthz").json()
    audit_seal(now=now)
    caught_up = client.get("/healthz")

    assert lagging["status"] == "degraded"
    assert lagging["components"]["audit_sealing"] == "lagging"
    assert lagging["audit_sealing"]["unsealed_entries"] == 2
    assert 45 <= lagging["audit_sealing"]["oldest_unsealed_age_seconds"] < 60
    assert caught_up.status_code == 200
    assert caught_up.json()["status"] == "ok"
    assert caught_up.json()["audit_sealing"] == {
        "unsealed_entries": 0,
        "oldest_unsealed_age_seconds": None,
        "lag_limit_seconds": 30,
    }


@pytest.mark.django_db
def test_healthz_stays_ok_while_entries_wait_less_than_the_limit(client, settings):
    from audit.services import audit_record
    from kartosfera import clock

    settings.KARTOSFERA_AUDIT_SEALING = "PERIODIC"
    audit_record(action="test.waiting", actor=None, now=clock.now() - timedelta(seconds=5))

    report = client.get("/healthz").json()

    assert (report["status"], report["components"]["audit_sealing"]) == ("ok", "ok")
    assert report["audit_sealing"]["unsealed_entries"] == 1


@pytest.mark.django_db
def test_healthz_degrades_when_the_outbox_backlog_is_older_than_the_limit(client, settings):
    from kartosfera import clock
    from outbox.models import OutboxMessage

    settings.OUTBOX_BACKLOG_LIMIT_SECONDS = 600
    now = clock.now()
    stuck = OutboxMessage.objects.create(task="outbox.tasks.sweep", created_at=now - timedelta(seconds=700))
    OutboxMessage.objects.create(task="outbox.tasks.sweep", created_at=now - timedelta(seconds=5))
    OutboxMessage.objects.create(  # finished long ago: not part of the backlog
        task="outbox.tasks.sweep", created_at=now - timedelta(days=1), finished_at=now, outcome="DONE"
    )

    lagging = client.get("/healthz")
    OutboxMessage.objects.filter(pk=stuck.pk).update(finished_at=now, outcome="DONE")
    caught_up = client.get("/healthz").json()

    assert lagging.status_code == 200
    assert (lagging.json()["status"], lagging.json()["components"]["outbox"]) == ("degraded", "lagging")
    assert lagging.json()["outbox"]["unfinished_messages"] == 2
    assert 700 <= lagging.json()["outbox"]["oldest_unfinished_age_seconds"] < 760
    assert (caught_up["status"], caught_up["components"]["outbox"]) == ("ok", "ok")
    assert caught_up["outbox"]["unfinished_messages"] == 1


@pytest.mark.django_db
def test_home_page_is_polish_by_default_and_shows_the_emergency_line(client):
    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="pl">' in body
    assert "Zastrzeż" in body or "zastrzeg" in body
    assert "828 828 828" in body
    assert "+48 828 828 828" in body


@pytest.mark.django_db
def test_home_page_in_english_when_chosen(client):
    client.cookies["django_language"] = "en"

    body = client.get("/").content.decode()

    assert '<html lang="en">' in body
    assert "Lost or stolen card?" in body
