"""The demo cards: one per status, with the scripted trips, the theft and the reversals."""

from datetime import date, time, timedelta

from cards.models import (
    CancellationReason,
    CardStatus,
    TransactionStatus,
    Wallet,
    WalletTokenStatus,
)
from demo.cards._catalogue import ATMS, BUSINESS, FUEL, GROCERIES, ONLINE, SHOPS, SUBSCRIPTIONS
from demo.cards._spec import DemoCard, DemoToken, tx
from kartosfera.vocabulary import Channel
from reports.rules import default_period

STOLEN_CARD_REPORTED = (9, time(21, 47, 13))


def lost_in_the_report_month(today: date) -> int:
    """How many days ago the 4th of the last full month was: a card lost then is in the auditors'
    report for its default period (``reports.rules.default_period``), whatever day today is."""
    return (today - (default_period(today).first + timedelta(days=3))).days


REVERSED = TransactionStatus.REVERSED

# fmt: off
# Yesterday's shopping: authorised, not yet debited.
ANNA_PENDING = (
    tx(1, "17:42:10", "Biedronka", "5411", "Warszawa", "PL", "CONTACTLESS", "67.32", sca=False),
)
# The evening of the theft (STOLEN_CARD_REPORTED): small contactless payments under the PIN limit,
# an online purchase exempted from strong authentication, then cash with the PIN.
THEFT_EVENING = (
    tx(9, "19:52:08", "Żabka", "5499", "Warszawa", "PL", "CONTACTLESS", "38.47", sca=False),
    tx(9, "20:03:41", "Rossmann", "5912", "Warszawa", "PL", "CONTACTLESS", "94.99", sca=False),
    tx(9, "20:11:17", "Żabka", "5499", "Warszawa", "PL", "CONTACTLESS", "89.90", sca=False),
    tx(9, "20:26:55", "Orlen", "5541", "Warszawa", "PL", "CONTACTLESS", "99.00", sca=False),
    tx(9, "20:44:30", "x-kom", "5732", "Kraków", "PL", "INTERNET", "1249.00", sca=False),
    tx(9, "21:15:12", "Euronet ATM", "6011", "Warszawa", "PL", "ATM", "800.00"),
    # An offline ticket machine: executed after the report, cleared the next day.
    tx(9, "22:05:40", "ZTM Warszawa automat biletowy", "4111", "Warszawa", "PL", "CONTACTLESS", "4.40",
        sca=False, offline=True),
)
PIOTR_TRIPS = (
    # Lisbon, ~13.5 months ago: outside the 13-month reporting window.
    tx(412, "11:20:05", "Ryanair", "4511", "Dublin", "IE", "INTERNET", "1486.00"),
    tx(410, "13:05:44", "Pingo Doce", "5411", "Lisboa", "PT", "CONTACTLESS", "23.85", "EUR", sca=False),
    tx(410, "20:41:09", "Time Out Market Lisboa", "5812", "Lisboa", "PT", "CHIP_POS", "64.50", "EUR"),
    tx(409, "09:12:30", "Carris", "4111", "Lisboa", "PT", "CONTACTLESS", "6.40", "EUR", sca=False),
    # Berlin, ~5 months ago, with a hotel pre-authorisation released at check-out.
    tx(151, "15:02:11", "Motel One Berlin", "7011", "Berlin", "DE", "CHIP_POS", "300.00", "EUR",
        status=REVERSED),
    tx(150, "12:14:56", "Deutsche Bahn", "4112", "Berlin", "DE", "INTERNET", "29.90", "EUR"),
    tx(150, "18:47:20", "REWE", "5411", "Berlin", "DE", "CONTACTLESS", "17.36", "EUR", sca=False),
    tx(149, "10:33:02", "Motel One Berlin", "7011", "Berlin", "DE", "CHIP_POS", "238.00", "EUR"),
    # Prague, ~2 months ago: Czech koruna.
    tx(61, "14:06:37", "Euronet ATM Praha", "6011", "Praha", "CZ", "ATM", "3000.00", "CZK"),
    tx(61, "19:55:03", "Lokál Dlouhá", "5812", "Praha", "CZ", "CHIP_POS", "1240.00", "CZK"),
    tx(60, "11:18:45", "Albert", "5411", "Praha", "CZ", "CONTACTLESS", "286.00", "CZK", sca=False),
)
# An order cancelled by the shop before it was charged.
ZOFIA_CANCELLED_ORDER = (
    tx(33, "22:14:09", "Allegro", "5399", "Poznań", "PL", "INTERNET", "349.00", status=REVERSED),
)
OLENA_VISIT_HOME = (
    tx(97, "12:40:15", "Silpo", "5411", "Lviv", "UA", "CHIP_POS", "1480.00", "UAH"),
    tx(96, "10:05:51", "Privatbank ATM", "6011", "Lviv", "UA", "ATM", "2000.00", "UAH"),
)
# Internet payments Katarzyna did not make, found four months later: their chargeback windows
# (CB-MC-4837, 120 days from processing) closed two days ago, end today, and end in eleven days.
KATARZYNA_ONLINE_FRAUD = (
    tx(123, "21:14:09", "ELEKTRO-DISCOUNT.DE", "5732", "Berlin", "DE", "INTERNET", "1899.00"),
    tx(121, "23:02:41", "FASHIONHUB LTD", "5691", "London", "GB", "INTERNET", "2349.00"),
    tx(110, "20:37:55", "GAMEKEYS STORE", "5816", "Nicosia", "CY", "INTERNET", "1249.00"),
)
MAREK_VIENNA = (
    tx(45, "06:48:02", "OMV", "5541", "Wien", "AT", "CHIP_POS", "142.37", "EUR"),
    tx(44, "21:09:33", "Motel One Wien", "7011", "Wien", "AT", "CHIP_POS", "129.00", "EUR"),
)

# One card a row: key, customer, product, status, home city, issued how many days ago, expires in
# how many months (from the current month; negative: expired); then what differs from the defaults.
DEMO_CARDS: tuple[DemoCard, ...] = (
    DemoCard("anna-visa", "anna", "visa-classic-debit", CardStatus.ACTIVE, "Warszawa", 700, 37,
        tokens=(
            DemoToken(Wallet.APPLE_PAY, "iPhone 15 (Anna)", 400),
            # A wallet asked to add the card today: Anna confirms it with a texted code (or removes it).
            DemoToken(Wallet.GOOGLE_PAY, "Galaxy Tab S9 (Anna)", 0, WalletTokenStatus.PENDING),
        ),
        profile=GROCERIES + SHOPS + ONLINE + SUBSCRIPTIONS[:1] + ATMS[:1], everyday_count=70,
        scripted=ANNA_PENDING),
    DemoCard("anna-mastercard", "anna", "mastercard-debit-paypass", CardStatus.CANCELLED, "Warszawa", 900, 20,
        tokens=(DemoToken(Wallet.APPLE_PAY, "Apple Watch (Anna)", 600, WalletTokenStatus.REMOVED),),
        profile=GROCERIES + SHOPS[:4] + FUEL + ATMS, everyday_count=45,
        status_change=(
            *STOLEN_CARD_REPORTED,
            Channel.LINE_828,
            "Karta skradziona razem z portfelem; zgłoszenie na infolinii 828 828 828.",
        ),
        cancellation_reason=CancellationReason.STOLEN, scripted=THEFT_EVENING),
    DemoCard("piotr-gold", "piotr", "visa-gold-credit", CardStatus.ACTIVE, "Kraków", 1100, 14,
        pos_limit="15000.00", internet_limit="10000.00", three_ds=False,
        tokens=(
            DemoToken(Wallet.GOOGLE_PAY, "Pixel 8", 300),
            DemoToken(Wallet.GARMIN_PAY, "Garmin Venu 3", 200, WalletTokenStatus.SUSPENDED,
                      suspended_days_ago=12),
        ),
        profile=GROCERIES + SHOPS + FUEL + ONLINE + SUBSCRIPTIONS, everyday_count=60,
        scripted=PIOTR_TRIPS),
    DemoCard("katarzyna-mastercard", "katarzyna", "mastercard-debit-paypass", CardStatus.BLOCKED, "Gdańsk",
        800, 28,
        profile=GROCERIES + SHOPS + ONLINE[:4] + ATMS, everyday_count=50, scripted=KATARZYNA_ONLINE_FRAUD,
        status_change=(2, time(18, 20, 5), Channel.PORTAL, "Nie mogę znaleźć karty, może jest w domu.")),
    # Lost last month and cancelled on the 828 line (the auditors' report counts its claim, demo.reports).
    DemoCard("piotr-mastercard", "piotr", "mastercard-debit-paypass", CardStatus.CANCELLED, "Kraków", 600, 20,
        profile=GROCERIES + SHOPS[:4] + FUEL, everyday_count=45,
        status_change=(
            lost_in_the_report_month,
            time(19, 12, 40),
            Channel.LINE_828,
            "Karta zgubiona w drodze z pracy; zgłoszenie na infolinii 828 828 828.",
        ),
        cancellation_reason=CancellationReason.LOST),
    DemoCard("tomasz-visa-expired", "tomasz", "visa-classic-debit", CardStatus.EXPIRED, "Poznań", 1900, -2,
        profile=GROCERIES + FUEL + ATMS + SHOPS[3:5], everyday_count=45),
    # The replacement for the expired card, issued at the branch and not yet activated.
    DemoCard("tomasz-visa-new", "tomasz", "visa-classic-debit", CardStatus.INACTIVE, "Poznań", 6, 60),
    DemoCard("zofia-mastercard", "zofia", "mastercard-debit-paypass", CardStatus.ACTIVE, "Wrocław", 850, 30,
        cash_limit="1000.00", internet_limit="3000.00",
        tokens=(DemoToken(Wallet.GOOGLE_PAY, "Pixel 7a", 500),),
        profile=GROCERIES[:2] + SHOPS + ONLINE + ONLINE[3:] + SUBSCRIPTIONS, everyday_count=65,
        scripted=ZOFIA_CANCELLED_ORDER),
    DemoCard("jan-visa", "jan", "visa-classic-debit", CardStatus.ACTIVE, "Łódź", 1000, 11,
        cash_limit="3000.00", pos_limit="3000.00", internet_limit="500.00",
        controls={"contactless_enabled": False, "internet_enabled": False, "foreign_enabled": False},
        profile=GROCERIES[:3] + SHOPS[3:4] + FUEL[:1] + ATMS[1:2], everyday_count=40),
    DemoCard("olena-mastercard", "olena", "mastercard-debit-paypass", CardStatus.ACTIVE, "Warszawa", 780, 24,
        tokens=(DemoToken(Wallet.GOOGLE_PAY, "Redmi Note 13", 350),),
        profile=GROCERIES + SHOPS[:5] + ONLINE[4:] + ATMS[:1], everyday_count=45,
        scripted=OLENA_VISIT_HOME),
    DemoCard("marek-business", "marek", "mastercard-business-debit", CardStatus.ACTIVE, "Katowice", 600, 42,
        cash_limit="5000.00", pos_limit="30000.00", internet_limit="20000.00",
        profile=BUSINESS, everyday_count=55, scripted=MAREK_VIENNA),
)
# fmt: on
