"""Demo data for letters: postal addresses of the demo customers and the demo staff's positions, seeded
before the demo's cases (their letters are issued at each step's time, demo.disputes._letters, and
need both); then what the letters of the demo show. Idempotent.
"""

from datetime import datetime

from customers.models import Customer, User
from demo.disputes import demo_ctx
from kartosfera.legaltime import warsaw_date
from letters.models import CustomerAddress, Letter, PrintBatch, StaffProfile
from letters.selectors import letters_awaiting_post

# Fictional addresses (streets that exist in many Polish towns; no real person lives at them).
ADDRESSES = [
    ("ul. Polna 12 m. 4", "00-625", "Warszawa"),
    ("ul. Lipowa 7", "31-422", "Kraków"),
    ("ul. Kwiatowa 3 m. 15", "80-180", "Gdańsk"),
    ("ul. Słoneczna 21", "50-210", "Wrocław"),
    ("ul. Ogrodowa 5 m. 2", "61-821", "Poznań"),
    ("ul. Leśna 9", "90-001", "Łódź"),
    ("ul. Szkolna 14 m. 8", "20-004", "Lublin"),
    ("ul. Kolejowa 30", "40-101", "Katowice"),
    ("ul. Parkowa 2 m. 11", "15-001", "Białystok"),
    ("ul. Krótka 6", "70-001", "Szczecin"),
]

STAFF = {
    "analyst": ("Piotr", "Wróbel", "Analityk reklamacji kartowych", "Card complaints analyst"),
    "supervisor": ("Ewa", "Maj", "Kierownik Zespołu Reklamacji", "Head of the Complaints Team"),
}


def seed_recipients(*, now: datetime) -> list[str]:
    """Give every demo customer a postal address and the demo staff a signing position."""
    for index, customer in enumerate(Customer.objects.order_by("pk")):
        street, postal_code, city = ADDRESSES[index % len(ADDRESSES)]
        CustomerAddress.objects.get_or_create(
            customer=customer, defaults={"street": street, "postal_code": postal_code, "city": city}
        )
    demo_ctx(now=now)  # the demo's staff users
    for username, (first, last, position, position_en) in STAFF.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if not user.first_name and not user.last_name:
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
        StaffProfile.objects.get_or_create(
            user=user, defaults={"position": position, "position_en": position_en}
        )
    return []


def seed(*, now: datetime) -> list[str]:
    """What the demo's letters show: issued at their steps' times, posted in daily print batches."""
    today = warsaw_date(now)
    waiting = letters_awaiting_post(now=now).count()
    return [
        f"Letters: {Letter.objects.count()} issued, each at the time of the case step that called for it;"
        " customers download theirs from the claim page, staff see them in /admin/letters/letter/.",
        f"Letters: {PrintBatch.objects.filter(posted_at__isnull=False).count()} print batches posted before"
        f" {today}; {waiting} paper letter(s) wait for today's batch (/back-office/print/).",
    ]
