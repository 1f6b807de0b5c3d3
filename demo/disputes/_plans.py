"""The demo's dispute cases, one in every state of the workflow: the plans ``seed`` makes. The cases
with chargebacks are ``_chargebacks``'s."""

from datetime import timedelta

from demo.disputes._steps import (
    LAW_ENFORCEMENT_NOTICE,
    POLICE_REPORT,
    Plan,
    ask,
    assess,
    decide,
    deem,
    propose,
    received,
    refund,
    review,
    the_morning_after_the_report,
    withdraw,
    withhold,
)
from liability.engine import Findings
from liability.rules import CAP_EUR


def cap_grounds() -> str:
    """The 50 EUR cap's grounds as the customer reads them, addressed as the letter addresses them:
    "Szanowni Państwo", so "zgłosili Państwo" (never the singular courtesy form beside it)."""
    return (
        "Dane karty zostały przywłaszczone i użyte, zanim zgłosili Państwo nieautoryzowaną płatność. Za "
        f"transakcje wykonane przed zgłoszeniem posiadacz karty odpowiada do równowartości {CAP_EUR} euro "
        "według średniego kursu NBP z dnia transakcji; ponad tę kwotę odpowiada Bank."
    )


# fmt: off
# One case a plan: the card, the customer's account, the channel and the cause, which transactions
# (executed between newest and oldest days ago; how many), when the claim came in, the staff's steps.
PLANS = (
    Plan("anna-mastercard",
         "Portfel z kartą skradziony w tramwaju; kartę zastrzegłam na infolinii 828 828 828.",
         "LINE_828", "STOLEN", (8, 10, 10), the_morning_after_the_report,
         (review(8), refund(8), POLICE_REPORT.added(8, 8, 45))),
    Plan("zofia-mastercard", "I do not recognise this online payment.",
         "PHONE", "MISAPPROPRIATED", (2, 40, 1), received(0, 8), submit=False),
    Plan("katarzyna-mastercard", "Nie mogę znaleźć karty; nie rozpoznaję tej płatności.",
         "BRANCH", "LOST", (3, 40, 1), lambda ctx, card: ctx.now - timedelta(hours=2)),
    Plan("jan-visa", "Nie wypłacałem tych pieniędzy z bankomatu; karta była w domu.",
         "PHONE", "OTHER", (3, 25, 1), received(1, 14), (review(0),), paid="ATM"),
    Plan("tomasz-visa-expired",
         "Nie wypłacałem tych pieniędzy z bankomatu; karta leżała w domu, zanim wygasła.",
         "BRANCH", "MISAPPROPRIATED", (60, 120, 1), received(6, 11),
         (review(5), LAW_ENFORCEMENT_NOTICE.added(5, 8, 30), withhold), paid="ATM"),
    Plan("olena-mastercard",
         "I did not take this cash out of an ATM: my card was in my wallet with me all day.",
         "PHONE", "MISAPPROPRIATED", (14, 40, 1), received(12, 13), paid="ATM", steps=(
             review(11),
             refund(11),
             ask(3, "Did anyone else know your card's PIN, or could anyone have taken the card from "
                    "your wallet for a while on the day of the withdrawal?"),
         ),
         by_email=True),
    Plan("piotr-gold", "Płatność internetowa, której nie wykonałem.",
         "PHONE", "MISAPPROPRIATED", (21, 60, 1), received(20, 10), paid="INTERNET", steps=(
             review(19),
             refund(19),
             assess(3, Findings(), "Brak ustaleń obciążających klienta."),
             decide(
                 2,
                 "Przywłaszczenie przed zgłoszeniem, brak rażącego niedbalstwa: "
                 f"limit {CAP_EUR} EUR (UUP-46-2-CAP).",
                 cap_grounds(),
             ),
         )),
    Plan("marek-business", "Obciążenie karty firmowej, którego nie rozpoznajemy.",
         "STAFF", "MISAPPROPRIATED", (46, 90, 1), received(45, 10), (review(44), refund(44), deem)),
    Plan("anna-visa", "Nie rozpoznaję tej płatności w sklepie.",
         "PHONE", "OTHER", (16, 40, 1), received(15, 10), (review(14), refund(14), withdraw)),
    Plan("anna-visa", "Potwierdzenie dotyczyło innej płatności; tej w sklepie nie wykonałam.",
         "PHONE", "OTHER", (16, 40, 1), received(11, 10), (review(10), refund(10)),
         claims_again="Nie rozpoznaję tej płatności w sklepie."),
    Plan("piotr-gold", "Płatności z wyjazdu do Lizbony, których nie pamiętam.",
         "PHONE", "OTHER", (400, 420, 3), received(5, 10), (
             review(4),
             assess(4, Findings(), "Zgłoszenie po upływie 13 miesięcy od obciążenia (UUP-44-2)."),
             decide(
                 3,
                 "Zgłoszenie po terminie UUP-44-2; brak podstaw do uznania.",
                 "Transakcje zgłosili Państwo po upływie 13 miesięcy od obciążenia rachunku, a ustawa "
                 "pozwala zgłaszać nieautoryzowane transakcje tylko w tym terminie; Bank nie może ich uznać.",
             ),
         ),
         # Closed once its decision letter was posted (the reply's dispatch is recorded).
         closed=2),
)


# Made last, from what the other plans left: a decision proposed and waiting for its approver, who
# reads the letter's preview (the grounds as the customer will read them) before approving.
PROPOSAL_PLANS = (
    Plan("anna-visa",
         "Płatność zbliżeniowa w sklepie sprzed dwóch miesięcy, której nie wykonałam; karta była przy mnie.",
         "PHONE", "MISAPPROPRIATED", (41, 90, 1), received(9, 10), paid="CONTACTLESS", steps=(
             review(8),
             refund(8),
             assess(2, Findings(), "Dane karty przywłaszczone przed zgłoszeniem; brak rażącego niedbalstwa."),
             propose(
                 1,
                 f"Limit {CAP_EUR} EUR (UUP-46-2-CAP); klientka nie zgłosiła wcześniej utraty danych.",
                 cap_grounds(),
             ),
         )),
)
# fmt: on
