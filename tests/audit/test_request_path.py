"""The audit log is off the request path (PostgreSQL): no business transaction waits on a global row.

Before, every audited act locked the chain head until its commit: a letter issued while someone acted
on the same case deadlocked (letter_issue: chain head, then the case; a dispute service: the case, then
the chain head), and a sign-in waited behind any open transaction that had written an audit entry.
Now entries are inserted unchained and sealed after commit (``AFTER_COMMIT``, as in production's
``TASK`` but in this process), so both scenarios complete and the chain still proves every entry.
"""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client

from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from disputes.models import Case, CaseEvent, CaseLetterRequest
from disputes.services import case_add_note
from letters.models import CustomerAddress, Letter
from letters.services import letter_issue
from liability.services import rates_load_fixture
from tests.disputes.conftest import make_theft, staff, submitted_case, warsaw
from tests.liability.nbp_server import FIXTURE

pytestmark = [
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrent transactions need PostgreSQL (`make test-services`); SQLite serialises writers",
    ),
    pytest.mark.django_db(transaction=True),
]

NOW = warsaw(2025, 5, 26, 10, 0)
WAIT = 10.0  # seconds a step waits for the other before going on regardless


@pytest.fixture(autouse=True)
def deferred_sealing(settings, tmp_path):
    settings.KARTOSFERA_AUDIT_SEALING = "AFTER_COMMIT"
    settings.MEDIA_ROOT = tmp_path / "media"


class Backend:
    """A thread's database session: its PostgreSQL process id, to see when it waits on a lock."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.ready = threading.Event()

    def note(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pid = cursor.fetchone()[0]
        self.ready.set()


def _waits_on_a_lock(backend: Backend, timeout: float = WAIT) -> bool:
    """Whether ``backend`` comes to wait on a row lock within ``timeout`` (seen from another session)."""
    backend.ready.wait(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend.pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return True
        time.sleep(0.02)
    return False


def _run(*work) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(step) -> None:
        try:
            step()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.fixture
def pending_letter():
    """A submitted claim with a letter requested and not yet issued, and an analyst on the case."""
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    case = submitted_case(theft, theft.user)
    acknowledgement = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")
    # A request of our own that no task was queued for, so that nothing but this test issues it.
    request = CaseLetterRequest.objects.create(
        case=case,
        letter_type=acknowledgement.letter_type,
        transition=acknowledgement.transition,
        context=acknowledgement.context,
        requested_at=NOW,
    )
    return request, staff("piotr", "analysts")


def _assert_both_completed(request: CaseLetterRequest, analyst) -> None:
    request.refresh_from_db()
    assert request.fulfilled_at == NOW
    assert Letter.objects.filter(letter_request=request, version=1).count() == 1
    assert list(
        CaseEvent.objects.filter(case=request.case, actor=analyst).values_list("data__text", flat=True)
    ) == ["Klient dosłał zgłoszenie z policji."]
    assert not AuditEntry.objects.unsealed().exists()
    report = audit_chain_verify()
    assert (report.ok, report.unsealed_entries) == (True, 0)


def test_a_letter_issued_while_the_case_is_locked_by_a_dispute_service_completes(pending_letter):
    request, analyst = pending_letter
    case_side, letter_side = Backend(), Backend()
    letter_started = threading.Event()

    def case_service() -> None:
        # A dispute service locks the case first, then writes its audited act (with a pause between).
        with transaction.atomic():
            case_side.note()
            Case.objects.select_for_update().get(pk=request.case_id)
            letter_started.set()
            _waits_on_a_lock(letter_side)  # the letter reaches the case lock and waits for it
            case_add_note(
                case_id=request.case_id, text="Klient dosłał zgłoszenie z policji.", actor=analyst, now=NOW
            )

    def letter() -> None:
        letter_started.wait(WAIT)
        letter_side.note()
        letter_issue(letter_request_id=request.pk, actor=None, now=NOW)

    assert _run(case_service, letter) == []
    _assert_both_completed(request, analyst)


def test_a_dispute_service_acting_while_a_letter_is_being_issued_completes(pending_letter):
    request, analyst = pending_letter
    letter_side, case_side = Backend(), Backend()
    letter_issued = threading.Event()

    def letter() -> None:
        # The letter's transaction has issued and fulfilled (case locked) and is not committed yet.
        with transaction.atomic():
            letter_side.note()
            letter_issue(letter_request_id=request.pk, actor=None, now=NOW)
            letter_issued.set()
            _waits_on_a_lock(case_side)

    def case_service() -> None:
        letter_issued.wait(WAIT)
        case_side.note()
        case_add_note(
            case_id=request.case_id, text="Klient dosłał zgłoszenie z policji.", actor=analyst, now=NOW
        )

    assert _run(letter, case_service) == []
    _assert_both_completed(request, analyst)


def test_a_sign_in_does_not_wait_for_an_open_transaction_that_wrote_audit_entries(pending_letter):
    request, analyst = pending_letter
    customer = make_theft(username="jan").user
    written, release = threading.Event(), threading.Event()

    def slow_service() -> None:
        # An audited act whose transaction stays open (before: a phone claim waiting on the NBP).
        with transaction.atomic():
            case_add_note(
                case_id=request.case_id, text="Klient dosłał zgłoszenie z policji.", actor=analyst, now=NOW
            )
            written.set()
            release.wait(WAIT)
        connection.close()

    holder = threading.Thread(target=slow_service)
    holder.start()
    try:
        assert written.wait(WAIT)
        started = time.monotonic()
        Client().force_login(customer)  # records auth.sign_in
        elapsed = time.monotonic() - started
        still_open = not release.is_set()
    finally:
        release.set()
        holder.join(timeout=60)

    assert still_open
    assert elapsed < 2.0, f"the sign-in waited {elapsed:.1f} s"
    sign_in = AuditEntry.objects.get(action="auth.sign_in", actor=customer)
    note = AuditEntry.objects.get(action="case.note_added", actor=analyst)
    # The sign-in committed first and was sealed first.
    assert sign_in.sequence < note.sequence
    assert audit_chain_verify().ok
