"""The HTTP edge on every response: a strict Content-Security-Policy and a Permissions-Policy; nothing a
signed-in person sees is kept by a browser or a cache; branded error pages in Polish and English."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import path

from customers.middleware import SIGNED_IN_AT
from customers.models import User
from kartosfera import clock
from kartosfera import urls as project_urls
from tests.customers.portal import PASSWORD, registered_customer, sign_in

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/"),
        ("get", "/sign-in/"),
        ("post", "/sign-in/"),
        ("get", "/register/"),
        ("get", "/healthz"),
        ("get", "/no-such-page/"),
        ("get", "/back-office/sign-in/"),
        ("put", "/"),
        ("get", "/api/v1/claims"),
    ],
)
def test_every_anonymous_response_has_the_policies(client, method, url):
    response = getattr(client, method)(url)

    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_card_list_to_a_signed_in_customer_is_not_stored(client):
    customer = registered_customer()
    sign_in(client, customer)

    response = client.get("/cards/")

    assert response.status_code == 200
    assert {"no-store", "private"} <= directives(response)
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS


@pytest.mark.django_db
def test_an_anonymous_page_may_be_cached(client):
    response = client.get("/")

    assert "no-store" not in directives(response)


# --- the error pages -------------------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied("not yours")


urlpatterns = [
    *project_urls.urlpatterns,
    path("test-boom/", _boom),
    path("test-forbidden/", _forbidden),
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.mark.django_db
@pytest.mark.urls("tests.kartosfera.test_http_edge")
@pytest.mark.parametrize(
    ("url", "status", "polish", "english"),
    [
        ("/no-such-page/", 404, "Nie znaleziono strony", "Page not found"),
        ("/test-forbidden/", 403, "Brak dostępu", "Access denied"),
        ("/test-boom/", 500, "Coś poszło nie tak", "Something went wrong"),
    ],
)
def test_error_pages_are_branded_in_the_users_language(url, status, polish, english):
    client = Client(raise_request_exception=False)

    in_polish = client.get(url)
    in_english = client.get(url, headers={"accept-language": "en"})

    for response, heading, language in ((in_polish, polish, "pl"), (in_english, english, "en")):
        body = response.content.decode()
        assert response.status_code == status
        assert f"<h1>{heading}</h1>" in body
        assert f'<html lang="{language}">' in body
        assert "828 828 828" in body
        assert response["Content-Security-Policy"] == CSP


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_branded_page_and_changes_nothing():
    client = Client(enforce_csrf_checks=True)

    in_polish = client.post("/register/", {"identifier": "85031412345", "birth_date": "1985-03-14"})
    in_english = client.post(
        "/register/",
        {"identifier": "85031412345", "birth_date": "1985-03-14"},
        headers={"accept-language": "en"},
    )

    assert in_polish.status_code == 403
    assert "<h1>Formularz wygasł</h1>" in in_polish.content.decode()
    assert in_english.status_code == 403
    assert "<h1>The form has expired</h1>" in in_english.content.decode()
    assert "CSRF" not in in_english.content.decode()


# --- what a signed-in person gets when something goes wrong -------------------------------------------


def _signed_in_customer(client: Client) -> Client:
    """``client`` signed in as a customer (without going through the sign-in form, which needs CSRF)."""
    user = registered_customer().user
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = clock.now().isoformat()
    session.save()
    return client


@pytest.mark.django_db
@pytest.mark.urls("tests.kartosfera.test_http_edge")
@pytest.mark.parametrize(
    ("url", "status"), [("/no-such-page/", 404), ("/test-forbidden/", 403), ("/test-boom/", 500)]
)
def test_an_error_page_to_a_signed_in_customer_is_not_stored(url, status):
    client = _signed_in_customer(Client(raise_request_exception=False))

    response = client.get(url)

    assert response.status_code == status
    assert {"no-store", "private"} <= directives(response)
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS


@pytest.mark.django_db
def test_the_csrf_failure_page_to_a_signed_in_customer_is_not_stored_and_changes_nothing():
    client = _signed_in_customer(Client(enforce_csrf_checks=True))
    user = User.objects.get()
    password_before = user.password

    response = client.post(
        "/profile/password/",
        {"old_password": PASSWORD, "password1": "Inna-Kawa-2031", "password2": "Inna-Kawa-2031"},
    )

    assert response.status_code == 403
    assert "<h1>Formularz wygasł</h1>" in response.content.decode()
    assert {"no-store", "private"} <= directives(response)
    assert response["Content-Security-Policy"] == CSP
    user.refresh_from_db()
    assert user.password == password_before


# --- no inline script or style: the Content-Security-Policy above would block it --------------------------

# An inline script (one without src), a <style> element, a style attribute, an event-handler attribute,
# a javascript: URL.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)
# Rendered by WeasyPrint into a PDF, never sent to a browser as a page.
PDF_ONLY = {"reports/report_pdf.html"}


def _our_templates() -> list[tuple[str, Path]]:
    base = Path(settings.BASE_DIR)
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and not Path(config.path).is_relative_to(base / ".venv")
    ]
    return [
        (template.relative_to(folder).as_posix(), template)
        for folder in folders
        if folder.is_dir()
        for template in sorted(folder.rglob("*.html"))
    ]


def test_no_page_template_has_an_inline_script_or_style():
    templates = _our_templates()
    offending = {
        name: INLINE.findall(template.read_text())
        for name, template in templates
        if name not in PDF_ONLY and INLINE.search(template.read_text())
    }

    assert len(templates) > 50  # the scan is not vacuous: every page of the portal and back office
    assert offending == {}
