"""The page where staff issue a letter of a case again: the version, where it went, where the new one goes."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from customers.models import User
from disputes.models import Case, DeliveryChannel
from disputes.selectors import case_get_for_staff
from kartosfera.authz import HANDLE_CASE
from letters.models import CustomerAddress, Letter, PrintBatch
from letters.rules import address_line


def _address_line(address: dict[str, str] | CustomerAddress | None) -> str:
    """A postal address on one line, as the envelope's window has it; "" for none."""
    if address is None:
        return ""
    if isinstance(address, CustomerAddress):
        return str(address)
    return address_line(
        street=address.get("street", ""),
        postal_code=address.get("postal_code", ""),
        city=address.get("city", ""),
        country=address.get("country", ""),
    )


@dataclass(frozen=True)
class LetterReissue:
    """A letter version staff may issue again, and what the new version will be."""

    case: Case
    letter: Letter
    # The postal address printed on this version, and the one the new version will carry ("" if none).
    printed_address: str
    current_address: str
    # Where the new version goes: e-mail when the customer asked for it and has an address, else paper.
    by_email: bool
    email: str
    # Why this version cannot be issued again ("" when it can).
    refusal: str
    # The print batch not yet posted that holds this version: issuing again takes it out while the
    # batch is not printed; once printed, it is posted with the batch (``letters.services.letter_reissue``).
    print_batch: PrintBatch | None = None

    @property
    def next_version(self) -> int:
        return self.letter.version + 1


def letter_reissue_get(*, user: User, case_id: int, letter_id: int) -> LetterReissue:
    """The letter ``letter_id`` of case ``case_id`` for a staff member who may handle cases.

    :raises Letter.DoesNotExist: no such letter on that case, or the user may not handle cases.
    """
    try:
        case = case_get_for_staff(user=user, case_id=case_id)
    except Case.DoesNotExist:
        raise Letter.DoesNotExist("no such case") from None
    if not user.has_perm(HANDLE_CASE):
        raise Letter.DoesNotExist("may not handle cases")
    letter = Letter.objects.select_related("letter_request").get(pk=letter_id, case_id=case.pk)
    address = CustomerAddress.objects.filter(customer_id=case.customer_id).first()
    refusal = ""
    if Letter.objects.filter(supersedes_id=letter.pk).exists():
        refusal = _("A later version replaced this one: issue the latest version again.")
    elif letter.withdrawn_at is not None:
        refusal = _("This letter was withdrawn and is never sent again.")
    email = case.customer.email
    by_email = case.reply_delivery == DeliveryChannel.EMAIL and bool(email)
    if not refusal and not by_email and address is None:
        refusal = _("The customer has no postal address for letters: add it first.")
    return LetterReissue(
        case=case,
        letter=letter,
        printed_address=_address_line((letter.snapshot.get("customer") or {}).get("address")),
        current_address=_address_line(address),
        by_email=by_email,
        email=email if by_email else "",
        refusal=refusal,
        print_batch=PrintBatch.objects.filter(
            printbatchletter__letter=letter, posted_at__isnull=True
        ).first(),
    )
