"""The admin shows the audit log and refuses to add, change or delete, even for a superuser."""

import pytest
from django.contrib.auth.models import Permission

from audit.models import HASHED_FIELDS, AuditEntry
from audit.services import audit_record
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditentry/"


@pytest.fixture
def entry(now):
    return audit_record(
        action="test.card_blocked", actor=None, after={"status": "BLOCKED"}, data={"reason": "lost"}, now=now
    )


@pytest.fixture
def superuser_client(client, make_user):
    sign_in_staff(client, make_user("root", is_staff=True, is_superuser=True))
    return client


def test_the_list_and_an_entry_can_be_read(superuser_client, entry):
    listing = superuser_client.get(CHANGELIST)
    detail = superuser_client.get(f"{CHANGELIST}{entry.pk}/change/")

    assert listing.status_code == 200
    assert "test.card_blocked" in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert entry.entry_hash in page
    assert "&quot;BLOCKED&quot;" in page
    assert 'name="_save"' not in page
    assert "/delete/" not in page


def test_an_entry_shows_every_field_its_hash_covers_and_its_links(superuser_client, entry):
    detail = superuser_client.get(f"{CHANGELIST}{entry.pk}/change/")

    form = detail.context["adminform"]
    names = {field.field["name"] for fieldset in form for line in fieldset for field in line}
    assert names >= set(HASHED_FIELDS) - {"actor_id", "before", "after", "data"}
    assert names >= {"sequence", "actor", "before_json", "after_json", "data_json"}
    assert names >= {"previous_hash", "entry_hash"}


def test_adding_is_refused(superuser_client):
    get = superuser_client.get(f"{CHANGELIST}add/")
    post = superuser_client.post(f"{CHANGELIST}add/", {"action": "test.forged", "role": "SYSTEM"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert not AuditEntry.objects.filter(action="test.forged").exists()


def test_changing_is_refused(superuser_client, entry):
    response = superuser_client.post(f"{CHANGELIST}{entry.pk}/change/", {"action": "test.rewritten"})

    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.card_blocked"


def test_deleting_is_refused(superuser_client, entry):
    page = superuser_client.get(f"{CHANGELIST}{entry.pk}/delete/")
    post = superuser_client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"})
    bulk = superuser_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    assert (page.status_code, post.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_model_offers_only_the_view_permission():
    codenames = set(
        Permission.objects.filter(content_type__app_label="audit").values_list("codename", flat=True)
    )

    assert codenames == {"view_auditentry"}


def test_an_auditor_with_the_view_permission_reads_and_a_staff_member_without_it_does_not(
    client, make_user, entry
):
    auditor = make_user("ala.auditor", groups=("auditors",), is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    clerk = make_user("clerk", is_staff=True)

    sign_in_staff(client, auditor)
    allowed = client.get(f"{CHANGELIST}{entry.pk}/change/")
    sign_in_staff(client, clerk)
    refused = client.get(f"{CHANGELIST}{entry.pk}/change/")

    assert (allowed.status_code, refused.status_code) == (200, 403)


def test_the_admin_speaks_polish_by_default(superuser_client, entry):
    page = superuser_client.get(f"{CHANGELIST}{entry.pk}/change/").content.decode()

    assert "Wpisy audytowe" in page
    assert "skrót poprzedniego wpisu" in page.lower()


@pytest.mark.parametrize(
    ("query", "found"), [("{sequence}", True), ("card_blocked", True), ("lost-card", False), ("99999", False)]
)
def test_the_list_can_be_searched_by_number_action_or_text(superuser_client, entry, query, found):
    response = superuser_client.get(CHANGELIST, {"q": query.format(sequence=entry.sequence)})

    assert response.status_code == 200
    assert (entry in response.context["cl"].result_list) is found
