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
        "components": {"database": "ok", "broker": "unavailable"},
    }


@requires_services
@pytest.mark.django_db
def test_healthz_reports_the_real_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["components"] == {"database": "ok", "broker": "ok"}


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
