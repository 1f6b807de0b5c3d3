"""The append-only audit log and the head of its hash chain (docs/AUDIT.md)."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.canonical import GENESIS_HASH, HASH_VERSION
from audit.chain import ChainHead, StoredEntry, entry_content
from kartosfera.models import BulkWritesRefused, choice_check, pending_index
from kartosfera.vocabulary import Channel, subset_choices


class AuditLogImmutable(Exception):
    """An attempt to change or delete an audit entry, or to write one around ``audit_record``."""


class Role(models.TextChoices):
    """The capacity in which the actor acted, derived from the user's groups and flags when written."""

    CUSTOMER = "CUSTOMER", _("Customer")
    ANALYST = "ANALYST", _("Analyst")
    SUPERVISOR = "SUPERVISOR", _("Supervisor")
    AUDITOR = "AUDITOR", _("Auditor")
    ADMINISTRATOR = "ADMINISTRATOR", _("Administrator")
    SYSTEM = "SYSTEM", _("System")
    # Nobody signed in, over the web: a failed sign-in, an unauthenticated request.
    ANONYMOUS = "ANONYMOUS", _("Anonymous")


# The way the act reached the bank: every channel but a case's "staff on behalf of the customer"
# (an act records the member of staff as its actor, and the channel they used).
AUDIT_CHANNELS = tuple(channel for channel in Channel if channel is not Channel.STAFF)


class AuditEntryQuerySet(BulkWritesRefused):
    """Entries are read, never changed: bulk writes that bypass ``save()`` and the chain are refused."""

    refusal = AuditLogImmutable
    rows = "audit entries"

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditLogImmutable("audit entries cannot be updated")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list:
        raise AuditLogImmutable("audit entries are appended by audit.services.audit_record(_many)")

    def unsealed(self) -> "AuditEntryQuerySet":
        """The entries the sealer has not chained yet, in the order it will chain them."""
        return self.filter(sequence__isnull=True).order_by("id")

    def sealed(self) -> "AuditEntryQuerySet":
        """The chained entries, in chain order."""
        return self.filter(sequence__isnull=False).order_by("sequence")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditLogImmutable("audit entries cannot be updated")

    def stored_entries(self, *, chunk_size: int = 2000) -> Iterator[StoredEntry]:
        """These sealed entries as the chain verification reads them (``AuditEntry.stored``), in chunks,
        from the hashed columns alone: no model instance is built for each."""
        rows = self.values_list("pk", "sequence", "previous_hash", "entry_hash", *HASHED_FIELDS)
        for entry_id, sequence, previous_hash, digest, *values in rows.iterator(chunk_size=chunk_size):
            content = hashed_content(values, sequence=sequence, previous_hash=previous_hash)
            yield StoredEntry(entry_id=entry_id, content=content, entry_hash=digest)


def _reference(to: Any, verbose_name: Any) -> "models.ForeignKey[Any, Any]":
    """An optional reference an entry keeps (``PROTECT``) without a database constraint or an index of
    its own: the composite indexes in ``AuditEntry.Meta`` serve it, a trigger checks it (0006)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )


class AuditEntry(models.Model):
    """One recorded act: who, in what role, through which channel and from where, did what to which
    object, with the changed fields before and after; chained to the entry before by its hash.

    Written only by ``audit.services.audit_record`` and ``audit_record_many``, unchained; the sealer
    (``audit.services.audit_seal``) then fills ``sequence``, ``previous_hash`` and ``entry_hash`` once.
    Never updated otherwise nor deleted (refused here, by the queryset, and on PostgreSQL by triggers).
    """

    # Empty until the entry is sealed (docs/AUDIT.md, "Sealing").
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, null=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True, editable=False)
    # Indexed by audit_entry_action (Meta.indexes): equality only, no pattern index (docs/AUDIT.md).
    action = models.CharField(_("action"), max_length=64, editable=False)
    # No database foreign keys (db_constraint=False) on the actor and the object type: the check of
    # one locks the referenced row (FOR KEY SHARE) in every audited act, and concurrent acts of one
    # actor or on one kind of object then share that lock. Triggers keep the same integrity instead
    # (audit/migrations/0006, docs/AUDIT.md "Immutability"); the composite indexes below serve both.
    # A user who acted is deactivated, never deleted: the trail keeps pointing at them.
    actor = _reference(settings.AUTH_USER_MODEL, _("actor"))
    actor_repr = models.CharField(_("actor as recorded"), max_length=200, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, editable=False)
    channel = models.CharField(
        _("channel"), max_length=16, choices=subset_choices(AUDIT_CHANNELS), editable=False
    )
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True, editable=False)
    request_id = models.CharField(_("request id"), max_length=32, blank=True, editable=False)
    object_type = _reference(ContentType, _("object type"))
    # "app_label.model" frozen at write time and hashed: a later model rename does not break the chain.
    object_label = models.CharField(_("object type as recorded"), max_length=100, blank=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    object_repr = models.CharField(_("object as recorded"), max_length=200, blank=True, editable=False)
    before = models.JSONField(_("before"), null=True, blank=True, editable=False)
    after = models.JSONField(_("after"), null=True, blank=True, editable=False)
    data = models.JSONField(_("data"), default=dict, blank=True, editable=False)
    hash_version = models.PositiveSmallIntegerField(_("hash format"), default=HASH_VERSION, editable=False)
    # NULL (not "") until sealed: "unsealed" is one state of all three chain columns, and a unique
    # entry_hash must allow many entries waiting at once.
    previous_hash = models.CharField(  # noqa: DJ001
        _("previous entry's hash"), max_length=64, null=True, editable=False
    )
    # Unique by audit_entry_hash_unique (Meta.constraints), which needs no pattern index.
    entry_hash = models.CharField(_("hash"), max_length=64, null=True, editable=False)  # noqa: DJ001

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        # Sealed entries in chain order, then those waiting for the sealer in the order it takes them.
        ordering = [models.F("sequence").asc(nulls_last=True), "id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_entry_object"),
            models.Index(fields=["actor", "recorded_at"], name="audit_entry_actor"),
            models.Index(fields=["action"], name="audit_entry_action"),
            # The entries waiting for the sealer, in the order it takes them (docs/PERFORMANCE.md,
            # "Audit log"): a sealed row leaves this index, so the sealer's poll does not walk every
            # row sealed since the last vacuum as it did through the NULLs of ``sequence``'s index.
            pending_index("id", until="sequence", name="audit_entry_unsealed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_entry_sequence_positive"),
            models.UniqueConstraint(fields=["entry_hash"], name="audit_entry_hash_unique"),
            # Sealed once, all three chain columns together.
            models.CheckConstraint(
                condition=models.Q(sequence__isnull=True, previous_hash__isnull=True, entry_hash__isnull=True)
                | models.Q(sequence__isnull=False, previous_hash__isnull=False, entry_hash__isnull=False),
                name="audit_entry_sealed_whole",
            ),
            choice_check("role", Role, name="audit_entry_role_valid"),
            choice_check("channel", AUDIT_CHANNELS, name="audit_entry_channel_valid"),
        ]

    def __str__(self) -> str:
        number = f"#{self.sequence}" if self.sequence is not None else f"(unsealed, id {self.pk})"
        return f"{number} {self.action} by {self.actor_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutable(f"audit entry #{self.sequence} cannot be changed")
        if self.sealed:
            raise AuditLogImmutable("audit entries are appended unsealed by audit.services.audit_record")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutable(f"audit entry #{self.sequence} cannot be deleted")

    @property
    def sealed(self) -> bool:
        """Whether the sealer has numbered and hashed this entry."""
        return self.sequence is not None or self.entry_hash is not None or self.previous_hash is not None

    def hash_content(self) -> dict[str, Any]:
        """The content this entry's hash covers (``audit.chain.entry_content``)."""
        return hashed_content(
            [getattr(self, name) for name in HASHED_FIELDS],
            sequence=self.sequence,
            previous_hash=self.previous_hash,
        )

    def stored(self) -> StoredEntry:
        """This sealed entry as the chain verification reads it."""
        if self.entry_hash is None:
            raise ValueError(f"audit entry id {self.pk} is not sealed yet: only sealed entries are verified")
        return StoredEntry(entry_id=self.pk, content=self.hash_content(), entry_hash=self.entry_hash)


# The fields an entry's hash covers besides its two chain links, in the order ``hashed_content`` takes
# them: the sealer reads just these (``values_list``), without building model instances.
HASHED_FIELDS = (
    "hash_version",
    "recorded_at",
    "action",
    "actor_id",
    "actor_repr",
    "role",
    "channel",
    "ip_address",
    "request_id",
    "object_label",
    "object_id",
    "object_repr",
    "before",
    "after",
    "data",
)


def hashed_content(
    values: Sequence[Any], *, sequence: int | None, previous_hash: str | None
) -> dict[str, Any]:
    """The content an entry's hash covers (``audit.chain.entry_content``) from the values of its
    ``HASHED_FIELDS`` and its chain links."""
    (
        version,
        recorded_at,
        action,
        actor_id,
        actor,
        role,
        channel,
        ip_address,
        request_id,
        object_type,
        object_id,
        object_repr,
        before,
        after,
        data,
    ) = values
    return entry_content(
        version=version,
        sequence=sequence,
        recorded_at=recorded_at,
        action=action,
        actor_id=actor_id,
        actor=actor,
        role=role,
        channel=channel,
        ip_address=ip_address,
        request_id=request_id,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        data=data,
        previous_hash=previous_hash,
    )


class AuditChainHead(models.Model):
    """The one row holding the sequence and hash of the last audit entry.

    Only the sealer (``audit.services.audit_seal``) locks it (``select_for_update``), which keeps the
    chain linear; business transactions never touch it. The verification compares it with the last
    entry to see deletions at the end.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sequence = models.PositiveBigIntegerField(_("last sequence"), default=0)
    entry_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chainhead_single_row")]

    def __str__(self) -> str:
        return f"audit chain head at #{self.sequence}"

    def as_chain_head(self) -> ChainHead:
        return ChainHead(sequence=self.sequence, entry_hash=self.entry_hash)
