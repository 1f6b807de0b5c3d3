"""A card processor for tests that notes what the audit log held each time it was called."""

from audit.models import AuditEntry
from cards.processor import SimulatedCardProcessor

# One line per processor call: the number of card entries in the audit log at that moment.
CARD_ENTRIES_WHEN_CALLED: list[int] = []


class AuditWatchingProcessor(SimulatedCardProcessor):
    """The simulator, noting before each call how many ``card.*`` audit entries exist (in the caller's
    transaction): an entry written before the processor is asked would show here."""

    def _maybe_fail(self, reference: str) -> None:
        CARD_ENTRIES_WHEN_CALLED.append(AuditEntry.objects.filter(action__startswith="card.").count())
        super()._maybe_fail(reference)
