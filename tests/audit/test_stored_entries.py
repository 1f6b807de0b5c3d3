"""The sealer and the anchors read entries from their hashed columns alone: the same content and hash
as the model's own ``hash_content`` and ``stored``."""

import pytest

from audit.chain import entry_hash
from audit.models import HASHED_FIELDS, AuditEntry, hashed_content
from audit.services import AuditEvent, audit_record_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(now, make_user) -> list[AuditEntry]:
    clerk = make_user("ola", is_staff=True, groups=("disputes_analysts",))
    audit_record_many(
        [
            AuditEvent(action="test.first", actor=None, now=now, data={"n": 1}),
            AuditEvent(
                action="test.second", actor=clerk, obj=clerk, now=now, before={"a": 1}, after={"a": 2}
            ),
            AuditEvent(action="test.third", actor=None, now=now, channel="CLI", data={"ż": ["ó", None]}),
        ]
    )
    return list(AuditEntry.objects.sealed())


def test_stored_entries_read_what_the_model_stores(entries):
    read = list(AuditEntry.objects.sealed().stored_entries(chunk_size=2))

    assert read == [entry.stored() for entry in entries]
    assert [stored.entry_hash for stored in read] == [entry_hash(stored.content) for stored in read]


def test_hashed_content_of_the_hashed_fields_is_the_entrys_content(entries):
    for entry in entries:
        values = AuditEntry.objects.filter(pk=entry.pk).values_list(*HASHED_FIELDS).get()

        content = hashed_content(values, sequence=entry.sequence, previous_hash=entry.previous_hash)

        assert content == entry.hash_content()
        assert entry_hash(content) == entry.entry_hash
