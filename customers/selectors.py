"""Reads of customers."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from customers.models import Customer, Notification, OtpChallenge, User
from customers.rules import identifier_kind


def customer_get_by_identifier(*, identifier: str) -> Customer:
    """The customer with this PESEL or bank identification number.

    :raises Customer.DoesNotExist: no customer has it, or it is neither a PESEL nor a bank id.
    """
    number = identifier.strip()
    match identifier_kind(number):
        case "PESEL":
            return Customer.objects.get(pesel=number)
        case "BANK_ID":
            return Customer.objects.get(bank_id=number)
    raise Customer.DoesNotExist("not a PESEL or a bank identification number")


def customer_get_for_user(*, user: User | AnonymousUser) -> Customer:
    """The customer a signed-in user is.

    :raises Customer.DoesNotExist: the user is not linked to a customer (e.g. staff).
    """
    if not user.is_authenticated:
        raise Customer.DoesNotExist("anonymous user")
    # Through the reverse one-to-one: the user then knows its customer for the rest of the request
    # (the audit names a customer's user by it) without another query.
    return user.customer


def otp_challenge_get(
    *, challenge_id: int, customer: Customer, purposes: tuple[str, ...], subject: str
) -> OtpChallenge:
    """One of the customer's one-time password requests about ``subject``, in any state.

    :raises OtpChallenge.DoesNotExist: no such request for this customer, purposes and subject.
    """
    try:
        return OtpChallenge.objects.get(
            pk=int(challenge_id), customer=customer, purpose__in=purposes, subject=subject
        )
    except (ValueError, TypeError) as error:
        raise OtpChallenge.DoesNotExist(str(error)) from error


def otp_challenge_get_open(
    *, challenge_id: int, customer: Customer | None, purposes: tuple[str, ...], subject: str | None = None
) -> OtpChallenge:
    """A one-time password request still waiting for its code, for the page that asks for it.

    ``customer`` None is for the anonymous registration flow, where the id comes from the session.

    :raises OtpChallenge.DoesNotExist: no such open request for this customer and purposes.
    """
    queryset = OtpChallenge.objects.select_related("customer").filter(
        purpose__in=purposes, consumed_at__isnull=True, voided_at__isnull=True
    )
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if subject is not None:
        queryset = queryset.filter(subject=subject)
    try:
        return queryset.get(pk=int(challenge_id))
    except (ValueError, TypeError) as error:
        raise OtpChallenge.DoesNotExist(str(error)) from error


def notification_list_for_customer(*, customer: Customer, limit: int = 100) -> list[Notification]:
    """The latest messages the bank wrote to the customer (text messages and e-mails), newest first."""
    return list(Notification.objects.filter(customer=customer).order_by("-created_at", "-pk")[:limit])


def customer_language(*, user: User) -> str:
    """The language a signed-in customer reads the portal in (staff: the portal's default)."""
    language = Customer.objects.filter(user_id=user.pk).values_list("preferred_language", flat=True).first()
    return language or settings.LANGUAGE_CODE
