"""Bad input never makes a 500: every form and filter of the portal, the back office and the reports,
posted with hostile values (empty, huge, negative, non-numeric, overflowing, unicode, NUL, very long,
duplicated fields, ids that do not exist in the URL), answers below 500, and a refused request
changes nothing in the database.

The forms are found as a person finds them: each role's pages are crawled from its start pages and
every ``<form>`` on them (its action, method, fields and the values it offers) is an endpoint;
pages a successful post leads to are crawled too. Hypothesis then picks an endpoint and a value for
each field. The run's closing note (``pytest_terminal_summary`` in tests/conftest.py) says how many
requests were sent and how many answered 5xx.
"""

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cards.models import CardStatus
from disputes.services import case_add_evidence
from tests.backoffice.conftest import NOW, sign_in
from tests.backoffice.conftest import analyst as analyst  # fixtures
from tests.backoffice.conftest import auditor as auditor
from tests.backoffice.conftest import case as case
from tests.backoffice.conftest import eur_rates as eur_rates
from tests.backoffice.conftest import supervisor as supervisor
from tests.backoffice.conftest import theft as theft
from tests.cards.factories import CardFactory, TransactionFactory, WalletTokenFactory
from tests.disputes.portal.test_claim_pages import PDF, signed_in

# Tables whose rows a refused request may add or change by design: sessions, sign-in failures and
# throttles counted, one-time code attempts counted, and the audit log of those failed attempts.
BOOKKEEPING_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "customers_throttlehit",
    "customers_otpchallenge",
    "audit_auditentry",
    "audit_auditchainhead",
    "otp_totp_totpdevice",  # django-otp's throttling of wrong codes and its last time step
}
# Forms that end the session or switch the language: posting them would fuzz nothing further.
SKIPPED_ACTIONS = re.compile(r"/sign-out/|/i18n/")
# Links not to follow while crawling: file downloads.
SKIPPED_LINKS = re.compile(r"/pdf$|/documents/\d+/$|/evidence/\d+/$|/download/$|/preview/$|^/admin/")

HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 30,
    "-" + "9" * 30,
    "99999999999999999999.99",
    "0.000000001",
    "abc",
    "ąęłńóśźż ĄĘ",
    "😀👍",
    "\u202eevil",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 5000,
    "2025-02-30",
    "9999-12-31",
    "0001-01-01",
    "2025-05-26T25:61",
    "4111111111111111",
    "on",
    "true",
]
HOSTILE_IDS = ["0", "-1", "999999", "9" * 25]
CARD_PAGES = [
    "",
    "activate/",
    "block/",
    "unblock/",
    "devices/add/",
    "limits/",
    "controls/",
    "3ds/",
    "pin/",
    "mobile-payments/",
    "cancel/",
    "transactions/",
]


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    has_file: bool = False

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, re.sub(r"\d+", "N", self.action), tuple(sorted(self.fields)))


class FormParser(HTMLParser):
    """The forms of a page (fields with the values the page offers) and its same-site links."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            action = urlsplit(urljoin(self.url, attrs.get("action") or self.url)).path
            self._form = Form(method=(attrs.get("method") or "get").lower(), action=action)
        elif (
            self._form is not None and tag in ("input", "textarea", "select", "button") and attrs.get("name")
        ):
            name = attrs["name"]
            if name == "csrfmiddlewaretoken":
                return
            values = self._form.fields.setdefault(name, [])
            if attrs.get("type") == "file":
                self._form.has_file = True
            if tag == "select":
                self._select = name
            elif attrs.get("value") is not None:
                values.append(attrs["value"])
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


class Crawler:
    """Finds the forms a client sees, starting from some pages and following links under prefixes."""

    def __init__(self, client: Client, prefixes: tuple[str, ...]) -> None:
        self.client, self.prefixes = client, prefixes
        self.forms: dict[tuple, Form] = {}
        # The depth each page was visited with: a page first reached as a link (depth 0) and then asked
        # for as a start page is visited again, its links followed.
        self.seen: dict[str, int] = {}

    def visit(self, url: str, depth: int = 2) -> None:
        path = urlsplit(url).path
        if (
            self.seen.get(path, -1) >= depth
            or not path.startswith(self.prefixes)
            or SKIPPED_LINKS.search(path)
        ):
            return
        self.seen[path] = depth
        response = self.client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        parser = FormParser(f"http://testserver{path}")
        parser.feed(response.content.decode())
        for form in parser.forms:
            if not SKIPPED_ACTIONS.search(form.action):
                self.forms.setdefault(form.key, form)
        if depth > 0:
            for link in parser.links:
                if urlsplit(link).netloc in ("", "testserver"):
                    self.visit(link, depth - 1)


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows but the bookkeeping ones."""
    digests = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in BOOKKEEPING_TABLES or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 (our own table names)
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


HOSTILE_NUMBERS = ["0", "-1", "1e309", "NaN", "9" * 30, "-" + "9" * 30, "99999999999999999999.99", "2" * 19]


def hostile_value(draw, offered: list[str]) -> str | list[str]:
    choice = draw(
        st.sampled_from(["offered", "number", "number", "hostile", "hostile", "text", "duplicated"])
    )
    if choice == "offered" and offered:
        return draw(st.sampled_from(offered))
    if choice == "number":
        return draw(st.sampled_from(HOSTILE_NUMBERS))
    if choice == "text":
        return draw(st.text(max_size=40))
    if choice == "duplicated":
        return [draw(st.sampled_from(offered or HOSTILE_TEXT)), draw(st.sampled_from(HOSTILE_NUMBERS))]
    return draw(st.sampled_from(HOSTILE_TEXT))


def refused(response) -> bool:
    """Whether the application said no: a 4xx, a form shown again, or an error message on a redirect."""
    if response.status_code >= 400 or (
        response.status_code == 200 and response.request["REQUEST_METHOD"] == "POST"
    ):
        return True
    stored = getattr(response.wsgi_request, "_messages", None)
    return any(message.level >= message_levels.WARNING for message in getattr(stored, "_queued_messages", []))


class Fuzzer:
    def __init__(self, client: Client, crawler: Crawler, stats: dict, forms: list[Form]) -> None:
        self.client, self.crawler, self.stats, self.forms = client, crawler, stats, forms
        self.state = fingerprint()  # only these requests change the database: each starts from the last

    def send(self, form: Form, data: dict, path: str):
        self.stats["requests"] += 1
        try:
            if form.method == "post":
                return self.client.post(path, data)
            return self.client.get(path, data)
        except Exception as error:  # the test client re-raises what a view raised: a 500
            self.stats["5xx"] += 1
            raise AssertionError(f"{form.method.upper()} {path} {data!r} raised {error!r}") from error

    def run(self, draw) -> None:
        form = draw(st.sampled_from(self.forms))
        path = form.action
        if re.search(r"/\d+/", path) and draw(st.booleans()):
            # An id in the URL that is not one of ours, or cannot be one.
            ids = re.findall(r"/(\d+)/", path)
            path = path.replace(
                f"/{draw(st.sampled_from(ids))}/", f"/{draw(st.sampled_from(HOSTILE_IDS))}/", 1
            )
        data = {name: hostile_value(draw, offered) for name, offered in form.fields.items()}
        if form.has_file:
            for name in form.fields:
                if name == "file":
                    data[name] = draw(
                        st.sampled_from([b"", PDF, b"MZ\x90\x00" + b"x" * 100, "😀".encode() * 50])
                    )
        # The last request's fingerprint, unless that request ended in an error (hypothesis replays it).
        before = self.state if self.state is not None else fingerprint()
        self.state = None
        response = self.send(form, _with_files(data), path)
        if response.status_code >= 500:
            self.stats["5xx"] += 1
            raise AssertionError(f"{form.method.upper()} {path} {data!r} answered {response.status_code}")
        after = fingerprint()
        if refused(response):
            assert after == before, f"refused {form.method.upper()} {path} {data!r} changed the database"
        elif response.status_code in (301, 302) and response["Location"].startswith("/"):
            # Where a successful post leads (a confirmation step, a new case): its forms too.
            self.crawler.visit(response["Location"], depth=0)
            after = fingerprint()
        self.state = after


def _with_files(data: dict) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        name: SimpleUploadedFile("skan.pdf", value) if isinstance(value, bytes) else value
        for name, value in data.items()
    }


def fuzz(client: Client, crawler: Crawler, stats: dict, examples: int) -> None:
    """Hostile requests to the crawled forms; forms found meanwhile (a confirmation step a successful
    post led to) get a round of their own, up to three rounds."""
    done: set[tuple] = set()
    for _round in range(3):
        forms = sorted((form for key, form in crawler.forms.items() if key not in done), key=lambda f: f.key)
        if not forms:
            return
        done |= {form.key for form in forms}
        fuzzer = Fuzzer(client, crawler, stats, forms)
        _fuzz_round(fuzzer, examples if _round == 0 else max(20, examples * len(forms) // len(done)))


def _fuzz_round(fuzzer: Fuzzer, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def one_request(data):
        fuzzer.run(data.draw)

    one_request()


@pytest.fixture(scope="module")
def fuzz_stats(request):
    stats = {"requests": 0, "5xx": 0, "endpoints": 0}
    yield stats
    request.config.kartosfera_fuzz_note = (
        f"fuzz (tests/kartosfera/test_fuzz_forms.py): {stats['requests']} requests with hostile values "
        f"to {stats['endpoints']} form and filter endpoints of the portal, the back office and the "
        f"reports; {stats['5xx']} answered 5xx"
    )


@pytest.fixture
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def dataset(_frozen, case, analyst, theft):
    """A submitted case with a document, as the portal and the back office show it."""
    case_add_evidence(
        case_id=case.pk,
        kind="POLICE_REPORT",
        file=_with_files({"f": PDF})["f"],
        description="",
        actor=analyst,
        now=NOW,
    )
    return case


def test_the_portal_forms_answer_hostile_values_without_a_server_error(dataset, theft, fuzz_stats):
    client = signed_in(Client(), theft.user)
    card = CardFactory(customer=theft.customer, status=CardStatus.ACTIVE)
    WalletTokenFactory(card=card)
    WalletTokenFactory(card=card, status="PENDING")  # a device waiting to be confirmed with a code
    TransactionFactory(card=card)
    crawler = Crawler(client, ("/cards/", "/claims/", "/profile/", "/letters/"))
    pages = [
        "/cards/",
        "/claims/",
        f"/claims/{dataset.pk}/",
        "/profile/",
        "/profile/password/",
        "/profile/phone/",
        "/profile/email/",
        "/letters/address/",
    ]
    pages += [f"/cards/{card.pk}/{page}" for page in CARD_PAGES]
    # An active card's activate and unblock pages go back to the card (nothing to do): a new card and a
    # blocked one show those forms.
    new_card = CardFactory(customer=theft.customer, status=CardStatus.INACTIVE)
    blocked = CardFactory(customer=theft.customer, status=CardStatus.BLOCKED)
    pages += [f"/cards/{new_card.pk}/activate/", f"/cards/{blocked.pk}/unblock/"]
    for url in pages:
        crawler.visit(url, depth=1)
    crawler.visit(f"/claims/new/{theft.card.pk}/", depth=0)
    anonymous = Crawler(Client(), ("/", "/sign-in/", "/register/", "/back-office/sign-in/"))
    for url in ("/sign-in/", "/register/", "/back-office/sign-in/"):
        anonymous.visit(url, depth=0)
    assert {
        "/cards/N/activate/",
        "/cards/N/block/",
        "/cards/N/unblock/",
        "/cards/N/limits/",
        "/cards/N/devices/N/confirm/",
        "/claims/new/N/",
        "/profile/password/",
        "/profile/email/",
        "/letters/address/",
    } <= {re.sub(r"\d+", "N", form.action) for form in crawler.forms.values()}
    assert {"/sign-in/", "/register/", "/back-office/sign-in/"} <= {
        form.action for form in anonymous.forms.values()
    }
    fuzz(client, crawler, fuzz_stats, examples=600)
    fuzz(Client(), anonymous, fuzz_stats, examples=100)
    fuzz_stats["endpoints"] += len(crawler.forms) + len(anonymous.forms)

    assert fuzz_stats["5xx"] == 0


def test_the_back_office_forms_answer_hostile_values_without_a_server_error(dataset, supervisor, fuzz_stats):
    client = sign_in(Client(), supervisor)
    crawler = Crawler(client, ("/back-office/",))
    for url in (
        "/back-office/queue/all/",
        "/back-office/queue/unassigned/",
        f"/back-office/cases/{dataset.pk}/",
        "/back-office/claims/new/",
        "/back-office/approvals/",
        "/back-office/print/",
        "/back-office/postings/",
    ):
        crawler.visit(url, depth=1)
    actions = {re.sub(r"\d+", "N", form.action) for form in crawler.forms.values()}
    assert {
        "/back-office/queue/all/",
        "/back-office/assign/",
        "/back-office/claims/new/",
        "/back-office/search/",
    } <= actions
    assert any(action.startswith("/back-office/cases/N/") for action in actions)
    fuzz(client, crawler, fuzz_stats, examples=500)
    fuzz_stats["endpoints"] += len(crawler.forms)

    assert fuzz_stats["5xx"] == 0


def test_the_reports_forms_answer_hostile_values_without_a_server_error(dataset, auditor, fuzz_stats):
    client = sign_in(Client(), auditor)
    crawler = Crawler(client, ("/reports/",))
    for url in ("/reports/", "/reports/cases/", "/reports/exports/", f"/reports/cases/{dataset.pk}/replay/"):
        crawler.visit(url, depth=1)
    actions = {re.sub(r"\d+", "N", form.action) for form in crawler.forms.values()}
    assert {"/reports/", "/reports/exports/"} <= actions
    fuzz(client, crawler, fuzz_stats, examples=200)
    fuzz_stats["endpoints"] += len(crawler.forms)

    assert fuzz_stats["5xx"] == 0
