"""Demo customers and the staff sign-in. Idempotent: natural keys are the PESEL and the bank id.

PESELs come from the pure generator with fixed dates of birth and serials, so they are valid and
the same on every machine. Nothing here runs outside ``manage.py seed_demo``.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from customers.models import Customer, User
from customers.rules import Sex, generate_pesel
from demo import SITE

ADMIN_USERNAME = "admin"
# A demo-only password, printed for the person trying the demo; the seeder sets it only when it
# creates the account, so a changed password is never reset.
ADMIN_DEMO_PASSWORD = "kartosfera-demo"  # noqa: S105
# The demo customer who is already registered for the portal (the others register themselves), and
# her demo-only password, set only when the seeder creates her sign-in.
REGISTERED_DEMO_CUSTOMER = "anna"
CUSTOMER_DEMO_PASSWORD = "Karta-Demo-2026"  # noqa: S105


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    key: str
    first_name: str
    last_name: str
    birth_date: date
    sex: Sex
    mobile_phone: str
    email: str
    customer_since_days: int
    serial: int | None = None  # PESEL serial; None for a customer without a PESEL
    bank_id: str | None = None
    kind: str = Customer.Kind.INDIVIDUAL
    company_name: str = ""
    preferred_language: str = Customer.Language.POLISH

    @property
    def pesel(self) -> str | None:
        if self.serial is None:
            return None
        return generate_pesel(birth_date=self.birth_date, serial=self.serial, sex=self.sex)


ENGLISH = Customer.Language.ENGLISH

# fmt: off
# One customer a row: key, first name, last name, born, sex; mobile phone, e-mail, a customer for
# how many days; the PESEL serial (or the bank id of a customer without a PESEL), then what differs.
DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer("anna", "Anna", "Kowalska", date(1985, 3, 14), Sex.FEMALE,
                 "+48601234567", "anna.kowalska@example.com", 2900, serial=1234),
    DemoCustomer("piotr", "Piotr", "Nowak", date(1978, 11, 2), Sex.MALE,
                 "+48512345678", "piotr.nowak@example.com", 4100, serial=456),
    DemoCustomer("katarzyna", "Katarzyna", "Wiśniewska", date(1992, 7, 23), Sex.FEMALE,
                 "+48693111222", "k.wisniewska@example.com", 1500, serial=2871),
    DemoCustomer("tomasz", "Tomasz", "Wójcik", date(1965, 1, 30), Sex.MALE,
                 "+48785432109", "tomasz.wojcik@example.com", 5200, serial=3105),
    DemoCustomer("zofia", "Zofia", "Kamińska", date(2001, 12, 5), Sex.FEMALE,
                 "+48730555010", "zofia.kaminska@example.com", 900, serial=77,
                 preferred_language=ENGLISH),
    DemoCustomer("jan", "Jan", "Lewandowski", date(1949, 5, 17), Sex.MALE,
                 "+48661020304", "jan.lewandowski@example.com", 7300, serial=1502),
    DemoCustomer("olena", "Olena", "Shevchenko", date(1990, 4, 8), Sex.FEMALE,
                 "+48572901234", "olena.shevchenko@example.com", 800, bank_id="40012345",
                 preferred_language=ENGLISH),
    DemoCustomer("marek", "Marek", "Zieliński", date(1974, 9, 19), Sex.MALE,
                 "+48504777888", "marek.zielinski@zielinski-transport.example.com", 3300, serial=2210,
                 kind=Customer.Kind.BUSINESS, company_name="Zieliński Transport sp. z o.o."),
)
# fmt: on


def demo_customer(key: str) -> Customer:
    """The seeded customer with this demo key (for the other seeders)."""
    spec = next(spec for spec in DEMO_CUSTOMERS if spec.key == key)
    if spec.pesel is not None:
        return Customer.objects.get(pesel=spec.pesel)
    return Customer.objects.get(bank_id=spec.bank_id)


def seed(*, now: datetime) -> list[str]:
    """Create or refresh the staff sign-in and the demo customers; return the sign-ins to print."""
    _seed_admin()
    lines = [
        f"Staff sign-in (Django admin, {SITE}/admin/: the back office's password step, then "
        "the TOTP code; the secret is printed with the back office's staff below):",
        f"  user {ADMIN_USERNAME}, password {ADMIN_DEMO_PASSWORD} (set when the demo created the account)",
        f"Customer portal ({SITE}/sign-in/):",
    ]
    customers = [_seed_customer(spec, now=now) for spec in DEMO_CUSTOMERS]
    registered = _seed_portal_user(
        customers[[spec.key for spec in DEMO_CUSTOMERS].index(REGISTERED_DEMO_CUSTOMER)]
    )
    lines += [
        f"  {registered.full_name} is registered: sign in with PESEL {registered.pesel} and password "
        f"{CUSTOMER_DEMO_PASSWORD} (set when the demo created her sign-in).",
        f"  Everyone else registers at {SITE}/register/ with the PESEL (or bank id)",
        "  and date of birth below; the text-message code is printed on this server's console",
        "  and kept in var/sms/outbox.jsonl.",
        "Demo customers:",
    ]
    for customer in customers:
        identifier = f"PESEL {customer.pesel}" if customer.pesel else f"bank id {customer.bank_id}"
        identifier += f", born {customer.birth_date.isoformat()}"
        extra = ["business customer"] if not customer.is_individual else []
        if customer.company_name:
            extra.append(customer.company_name)
        if not customer.pesel:
            extra.append("non-resident")
        note = f" ({', '.join(str(item) for item in extra)})" if extra else ""
        lines.append(f"  {customer.full_name}: {identifier}, mobile {customer.mobile_phone}{note}")
    return lines


def _seed_portal_user(customer: Customer) -> Customer:
    if customer.user_id is None:
        if customer.pesel is None:
            raise ValueError(
                f"the registered demo customer {customer.full_name} signs in by PESEL and has none"
            )
        user = User.objects.filter(username=customer.pesel).first() or User(
            username=customer.pesel,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
        )
        user.set_password(CUSTOMER_DEMO_PASSWORD)
        user.save()
        customer.user = user
        customer.save(update_fields=["user"])
    return customer


def _seed_admin() -> None:
    user, created = User.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "email": "admin@kartosfera.example.com",
            "first_name": "Administrator",
            "last_name": "Kartosfera",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        user.set_password(ADMIN_DEMO_PASSWORD)
        user.save(update_fields=["password"])


def _seed_customer(spec: DemoCustomer, *, now: datetime) -> Customer:
    values = {
        "kind": spec.kind,
        "first_name": spec.first_name,
        "last_name": spec.last_name,
        "company_name": spec.company_name,
        "birth_date": spec.birth_date,
        "mobile_phone": spec.mobile_phone,
        "email": spec.email,
        "preferred_language": spec.preferred_language,
    }
    lookup = {"pesel": spec.pesel} if spec.pesel is not None else {"bank_id": spec.bank_id}
    customer, _ = Customer.objects.update_or_create(
        **lookup,
        defaults=values,
        create_defaults={**values, "created_at": now - timedelta(days=spec.customer_since_days)},
    )
    return customer
