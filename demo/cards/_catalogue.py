"""What the demo buys and where: products, merchants by kind of spending, exchange rates."""

from dataclasses import dataclass
from decimal import Decimal

from cards.models import CardProduct, Scheme

HISTORY_DAYS = 425  # about 14 months: the oldest transactions fall outside the 13-month window

CONTACTLESS_WITHOUT_PIN_PLN = Decimal("100.00")  # Polish contactless limit without a PIN

VISA, MASTERCARD = Scheme.VISA, Scheme.MASTERCARD
DEBIT, CREDIT = CardProduct.Kind.DEBIT, CardProduct.Kind.CREDIT

# fmt: off
# (code, name, brand, kind, max cash, max POS, max internet) in PLN.
PRODUCTS = (
    ("visa-classic-debit", "Visa Classic Debit", VISA, DEBIT, "10000", "20000", "20000"),
    ("mastercard-debit-paypass", "Mastercard Debit PayPass", MASTERCARD, DEBIT, "10000", "20000", "15000"),
    ("visa-gold-credit", "Visa Gold Credit", VISA, CREDIT, "5000", "50000", "30000"),
    ("mastercard-business-debit", "Mastercard Business Debit", MASTERCARD, DEBIT, "20000", "100000", "50000"),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Merchant:
    name: str
    mcc: str
    kind: str  # STORE (contactless or chip), ONLINE, RECURRING (merchant-initiated), ATM
    low: str  # amount range in PLN
    high: str
    city: str = ""  # empty: the customer's home city
    country: str = "PL"


# Everyday merchants, grouped by what a customer's profile draws from.
GROCERIES = (
    Merchant("Biedronka", "5411", "STORE", "8.49", "240.00"),
    Merchant("Żabka", "5499", "STORE", "4.99", "62.00"),
    Merchant("Lidl", "5411", "STORE", "12.00", "310.00"),
    Merchant("Kaufland", "5411", "STORE", "25.00", "420.00"),
    Merchant("Carrefour", "5411", "STORE", "15.00", "280.00"),
)
SHOPS = (
    Merchant("Rossmann", "5912", "STORE", "9.99", "160.00"),
    Merchant("Hebe", "5977", "STORE", "12.99", "140.00"),
    Merchant("Empik", "5942", "STORE", "19.99", "220.00"),
    Merchant("Apteka Gemini", "5912", "STORE", "7.50", "130.00"),
    Merchant("Pepco", "5651", "STORE", "9.00", "120.00"),
    Merchant("Decathlon", "5941", "STORE", "29.99", "450.00"),
    Merchant("Media Expert", "5732", "STORE", "49.00", "1899.00"),
    Merchant("McDonald's", "5814", "STORE", "14.50", "68.00"),
    Merchant("Costa Coffee", "5814", "STORE", "11.00", "38.00"),
    Merchant("Cinema City", "7832", "STORE", "26.00", "92.00"),
)
FUEL = (
    Merchant("Orlen", "5541", "STORE", "60.00", "380.00"),
    Merchant("Circle K", "5541", "STORE", "55.00", "360.00"),
)
ONLINE = (
    Merchant("Allegro", "5399", "ONLINE", "19.99", "899.00", "Poznań"),
    Merchant("PKP Intercity", "4112", "ONLINE", "39.00", "259.00", "Warszawa"),
    Merchant("Empik.com", "5942", "ONLINE", "24.99", "189.00", "Warszawa"),
    Merchant("Pyszne.pl", "5814", "ONLINE", "32.00", "118.00", "Wrocław"),
    Merchant("Bolt", "4121", "ONLINE", "14.00", "68.00", "Tallinn", "EE"),
    Merchant("Uber", "4121", "ONLINE", "16.00", "74.00", "Amsterdam", "NL"),
)
SUBSCRIPTIONS = (
    Merchant("Netflix", "4899", "RECURRING", "49.00", "49.00", "Amsterdam", "NL"),
    Merchant("Spotify", "5815", "RECURRING", "23.99", "23.99", "Stockholm", "SE"),
)
ATMS = (
    Merchant("Euronet ATM", "6011", "ATM", "100.00", "600.00"),
    Merchant("Bankomat PKO BP", "6011", "ATM", "100.00", "500.00"),
    Merchant("Planet Cash ATM", "6011", "ATM", "50.00", "400.00"),
)
BUSINESS = (
    Merchant("Orlen", "5541", "STORE", "250.00", "1450.00"),
    Merchant("Circle K", "5541", "STORE", "220.00", "1300.00"),
    Merchant("Autostrada A4 Katowice-Kraków", "4784", "STORE", "12.00", "26.00", "Mysłowice"),
    Merchant("PKP Intercity", "4112", "ONLINE", "69.00", "289.00", "Warszawa"),
    Merchant("Allegro", "5399", "ONLINE", "49.00", "2400.00", "Poznań"),
)

# PLN per unit the scheme converted at (with the bank's margin); a small seeded spread per payment.
FX_RATES = {"EUR": Decimal("4.3150"), "CZK": Decimal("0.1738"), "UAH": Decimal("0.0968")}
