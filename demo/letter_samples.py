"""A realistic sample case for every letter type: for the docs' sample letters, the benchmark and tests.

The story: a stolen card, three disputed transactions; the two made before the report fall under
the 50 EUR cap at the NBP rate of 23 May 2025 (4,2541, table 099/A/NBP/2025), so the customer bears
212,71 zł of the first and nothing of the second (the cap is used up); the third was made after the
report, which the customer never bears. The people are fictitious; the bank is the configured one
(settings.KARTOSFERA_BANK).
"""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from kartosfera.legaltime import WARSAW
from letters.bank import bank_identity
from letters.rules import LetterType
from letters.snapshot import (
    CancellationReason,
    CardCancellation,
    CardState,
    CaseDetails,
    ContractTerm,
    Customer,
    Deadlines,
    Decision,
    DeemedAcceptance,
    DelayNotice,
    DisputedTransaction,
    InformationRequest,
    LawEnforcementNotice,
    LetterSnapshot,
    Liability,
    LiabilityLine,
    Outcome,
    PostalAddress,
    Refund,
    RefundPayment,
    RefundPaymentKind,
    Signatory,
)

CUSTOMERS = {
    "pl": Customer(
        full_name="Anna Nowak-Wiśniewska",
        address=PostalAddress(street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"),
        language="pl",
        customer_number="K-0047113",
    ),
    "en": Customer(
        full_name="Oliver Bennett",
        address=PostalAddress(street="ul. Mokotowska 48 m. 3", postal_code="00-543", city="Warszawa"),
        language="en",
        customer_number="K-0052208",
    ),
}

SIGNATORIES = {
    "pl": Signatory(name="Katarzyna Zielińska", position="Kierownik Zespołu Reklamacji Kartowych"),
    "en": Signatory(name="Katarzyna Zielińska", position="Head of Card Complaints"),
}

TRANSACTIONS = (
    DisputedTransaction(
        reference="TX-2025-0523-01",
        executed_on=date(2025, 5, 23),
        merchant="Elektro-Świat, Kraków",
        amount=Decimal("800.00"),
    ),
    DisputedTransaction(
        reference="TX-2025-0523-02",
        executed_on=date(2025, 5, 23),
        merchant="Kantor Łódź Wymiana24",
        amount=Decimal("1250.00"),
    ),
    DisputedTransaction(
        reference="TX-2025-0526-03",
        executed_on=date(2025, 5, 26),
        merchant="Apteka Pod Łabędziem, Gdańsk",
        amount=Decimal("349.99"),
    ),
)

CASE = CaseDetails(
    number="REK/2025/000417",
    received_on=date(2025, 5, 26),
    card_masked="•••• 4821",
    transactions=TRANSACTIONS,
    card_state=CardState.CANCELLED,
)

DEADLINES = Deadlines(
    refund_due_on=date(2025, 5, 27),  # UUP-46-1: first business day after Mon 26 May
    reply_due_on=date(2025, 6, 25),  # REK-6: 30 days
    extended_reply_due_on=date(2025, 7, 25),  # REK-7: 60 days
)

RATE = {"eur_rate": Decimal("4.2541"), "nbp_table": "099/A/NBP/2025", "rate_effective_on": date(2025, 5, 23)}

CAP_EXPLANATIONS = {
    "first": (
        "Karta została skradziona: do równowartości 50 euro odpowiada posiadacz karty, 50 EUR × 4,2541 "
        "= 212,71 zł.",
        "The card was stolen. You bear up to the equivalent of 50 euro: 50 EUR × 4.2541 = PLN 212.71.",
    ),
    "used_up": (
        "Limit 50 euro został w całości wykorzystany przez wcześniejszą transakcję; resztę ponosi Bank.",
        "The 50 euro limit was used up by the earlier transaction; the bank bears the rest.",
    ),
    "after_report": (
        "Transakcja wykonana po zgłoszeniu kradzieży karty (26 maja 2025 r., 07:45:12): ponosi ją Bank.",
        "Executed after the theft of the card was reported (26 May 2025, 07:45:12): the bank bears it.",
    ),
    "no_sca": (
        "Bank nie wymagał silnego uwierzytelnienia transakcji: ponosi ją Bank.",
        "The bank did not require strong customer authentication: the bank bears it.",
    ),
    "gross": (
        "Kod PIN był przechowywany razem z kartą (rażące niedbalstwo, art. 42 ustawy o usługach "
        "płatniczych).",
        "The PIN was kept together with the card (gross negligence, art. 42 of the Payment Services Act).",
    ),
}


def _line(
    transaction: DisputedTransaction, rule_id: str, customer: str, why: str, *, rate: bool
) -> LiabilityLine:
    customer_share = Decimal(customer)
    explanation_pl, explanation_en = CAP_EXPLANATIONS[why]
    return LiabilityLine(
        transaction_reference=transaction.reference,
        rule_id=rule_id,
        customer_share=customer_share,
        bank_share=transaction.amount - customer_share,
        explanation_pl=explanation_pl,
        explanation_en=explanation_en,
        **(RATE if rate else {}),
    )


def _liability(lines: list[LiabilityLine]) -> Liability:
    return Liability(
        lines=tuple(lines),
        customer_total=sum((line.customer_share for line in lines), Decimal("0.00")),
        bank_total=sum((line.bank_share for line in lines), Decimal("0.00")),
    )


first, second, third = TRANSACTIONS
LIABILITY = {
    Outcome.PARTIALLY_ACCEPTED: _liability(
        [
            _line(first, "UUP-46-2-CAP", "212.71", "first", rate=True),
            _line(second, "UUP-46-2-CAP", "0.00", "used_up", rate=True),
            _line(third, "UUP-46-AFTER-REPORT", "0.00", "after_report", rate=False),
        ]
    ),
    Outcome.ACCEPTED: _liability(
        [
            _line(first, "UUP-46-NO-SCA", "0.00", "no_sca", rate=False),
            _line(second, "UUP-46-NO-SCA", "0.00", "no_sca", rate=False),
            _line(third, "UUP-46-AFTER-REPORT", "0.00", "after_report", rate=False),
        ]
    ),
    Outcome.REJECTED: _liability(
        [
            _line(first, "UUP-46-3-GROSS", "800.00", "gross", rate=False),
            _line(second, "UUP-46-3-GROSS", "1250.00", "gross", rate=False),
        ]
    ),
}

GROUNDS = {
    "pl": {
        "factual": (
            "Karta została skradziona 22 maja 2025 r. wieczorem; kradzież zgłoszono Bankowi telefonicznie "
            "26 maja 2025 r. o godz. 07:45:12, a karta została wtedy zastrzeżona. Dwie transakcje z 23 maja "
            "2025 r. wykonano kartą fizyczną przed zgłoszeniem i zatwierdzono kodem PIN. Nie "
            "ustaliliśmy, aby "
            "kod PIN był przechowywany razem z kartą ani aby doszło do umyślnego naruszenia obowiązków "
            "posiadacza karty. Transakcję z 26 maja 2025 r. wykonano po zgłoszeniu."
        ),
        "legal": (
            "Art. 46 ust. 2 ustawy z dnia 19 sierpnia 2011 r. o usługach płatniczych: płatnik odpowiada za "
            "nieautoryzowane transakcje płatnicze do wysokości równowartości 50 euro, według kursu średniego "
            "NBP obowiązującego w dniu wykonania transakcji, jeżeli są one skutkiem posłużenia się "
            "instrumentem płatniczym utraconym albo skradzionym. Za transakcje wykonane po zgłoszeniu "
            "utraty karty płatnik nie odpowiada, chyba że doprowadził do nich umyślnie (art. 46 tej ustawy)."
        ),
        "gross_factual": (
            "Z wyjaśnień złożonych 28 maja 2025 r. wynika, że kod PIN był zapisany na kartce przechowywanej "
            "w portfelu razem z kartą. Obie transakcje wykonano przed zgłoszeniem kradzieży i zatwierdzono "
            "kodem PIN."
        ),
        "gross_legal": (
            "Art. 46 ust. 3 ustawy z dnia 19 sierpnia 2011 r. o usługach płatniczych: płatnik odpowiada za "
            "nieautoryzowane transakcje w pełnej wysokości, jeżeli doprowadził do nich umyślnie albo w "
            "wyniku "
            "umyślnego lub będącego skutkiem rażącego niedbalstwa naruszenia obowiązków z art. 42 tej "
            "ustawy, "
            "w tym obowiązku nieprzechowywania kodu PIN razem z kartą."
        ),
    },
    "en": {
        "factual": (
            "The card was stolen on the evening of 22 May 2025; the theft was reported to the bank by "
            "phone on "
            "26 May 2025 at 07:45:12, when the card was cancelled. The two transactions of 23 May 2025 were "
            "made with the physical card before the report and confirmed with the PIN. We found no evidence "
            "that the PIN was kept with the card or that the cardholder's duties were breached on purpose. "
            "The transaction of 26 May 2025 was made after the report."
        ),
        "legal": (
            "Art. 46(2) of the Payment Services Act of 19 August 2011: the payer bears unauthorised payment "
            "transactions up to the equivalent of 50 euro, at the NBP average rate in force on the day of "
            "the transaction, where they result from the use of a lost or stolen payment instrument. The "
            "payer does not bear transactions made after reporting the loss, unless caused intentionally "
            "(art. 46 of that Act)."
        ),
        "gross_factual": (
            "Your explanations of 28 May 2025 show that the PIN was written on a note kept in the wallet "
            "together with the card. Both transactions were made before the theft was reported and were "
            "confirmed with the PIN."
        ),
        "gross_legal": (
            "Art. 46(3) of the Payment Services Act of 19 August 2011: the payer bears unauthorised "
            "transactions in full where they were caused intentionally or by an intentional or grossly "
            "negligent breach of the duties under art. 42 of that Act, including the duty not to keep the "
            "PIN together with the card."
        ),
    },
}

CONTRACT_TERMS = {
    "pl": (
        ContractTerm(
            reference="§ 14 ust. 2 Regulaminu kart płatniczych Kartosfera Bank S.A.",
            text=(
                "Do chwili zgłoszenia Posiadacz karty odpowiada za transakcje dokonane kartą utraconą lub "
                "skradzioną do kwoty stanowiącej równowartość 50 euro."
            ),
        ),
        ContractTerm(
            reference="§ 14 ust. 4 Regulaminu kart płatniczych Kartosfera Bank S.A.",
            text=(
                "Od chwili zgłoszenia Posiadacz karty nie odpowiada za transakcje, chyba że doprowadził "
                "do nich umyślnie."
            ),
        ),
    ),
    "en": (
        ContractTerm(
            reference="§ 14(2) of the Kartosfera Bank S.A. Payment Card Terms",
            text=(
                "Until the report, the cardholder bears transactions made with a lost or stolen card "
                "up to the "
                "equivalent of 50 euro."
            ),
        ),
        ContractTerm(
            reference="§ 14(4) of the Kartosfera Bank S.A. Payment Card Terms",
            text="From the report on, the cardholder bears no transaction, unless caused intentionally.",
        ),
    ),
}

DELAY = {
    "pl": DelayNotice(
        reason=(
            "Wyjaśnienie transakcji z 23 maja 2025 r. wymaga dokumentów od organizacji płatniczej Mastercard "
            "i od akceptantów, na które czekamy; bez nich nie możemy ustalić, w jaki sposób zatwierdzono "
            "transakcje."
        ),
        remaining_to_establish=(
            "Czy transakcje z 23 maja 2025 r. zostały zatwierdzone kodem PIN i w jakim terminalu, oraz czy "
            "akceptanci zachowali dowody wydania towaru."
        ),
        expected_reply_on=date(2025, 7, 18),
    ),
    "en": DelayNotice(
        reason=(
            "Explaining the transactions of 23 May 2025 requires documents from Mastercard and from the "
            "merchants, which we are waiting for; without them we cannot establish how the transactions "
            "were confirmed."
        ),
        remaining_to_establish=(
            "Whether the transactions of 23 May 2025 were confirmed with the PIN and at which terminal, and "
            "whether the merchants kept evidence of the goods handed over."
        ),
        expected_reply_on=date(2025, 7, 18),
    ),
}

INFORMATION_ITEMS = {
    "pl": (
        "Kopia zawiadomienia o kradzieży złożonego na Policji, jeśli zostało złożone.",
        "Informacja, gdzie i kiedy karta była ostatnio używana przed kradzieżą.",
        "Informacja, czy kod PIN był gdziekolwiek zapisany lub przechowywany razem z kartą.",
    ),
    "en": (
        "A copy of the report of the theft made to the police, if one was made.",
        "Where and when the card was last used before the theft.",
        "Whether the PIN was written down anywhere or kept together with the card.",
    ),
}

ISSUED_ON = {
    LetterType.CLAIM_ACKNOWLEDGEMENT: date(2025, 5, 26),
    LetterType.PROVISIONAL_REFUND: date(2025, 5, 27),
    LetterType.INFORMATION_REQUEST: date(2025, 5, 28),
    LetterType.REFUND_WITHHELD: date(2025, 5, 28),
    LetterType.DELAY_NOTICE: date(2025, 6, 20),
    LetterType.DECISION_ACCEPTED: date(2025, 6, 16),
    LetterType.DECISION_PARTIALLY_ACCEPTED: date(2025, 6, 16),
    LetterType.DECISION_REJECTED: date(2025, 6, 16),
    LetterType.CARD_CANCELLATION: date(2025, 5, 26),
    LetterType.DEEMED_ACCEPTED: date(2025, 6, 26),
}

# REK-8: the refund was withheld (fraud suspected) and no reply went out by 25 June; on 26 June the
# complaint is deemed accepted and the whole amount credited.
DEEMED = DeemedAcceptance(
    missed_deadline_on=date(2025, 6, 25),
    missed_deadline_rule_id="REK-6",
    deemed_on=date(2025, 6, 26),
    payments=(
        RefundPayment(kind=RefundPaymentKind.FINAL, amount=Decimal("2399.99"), paid_on=date(2025, 6, 26)),
    ),
)

REFUND = Refund(
    amount=Decimal("2399.99"), credited_on=date(2025, 5, 27), account_masked="PL61 •••• •••• 0001"
)


def sample_snapshot(
    letter_type: LetterType, *, language: str = "pl", reference: str | None = None
) -> LetterSnapshot:
    """A complete, realistic snapshot for one letter type, in Polish or English."""
    issued_on = ISSUED_ON[letter_type]
    base = LetterSnapshot(
        reference=reference or f"KB/REK/{issued_on:%Y}/{list(LetterType).index(letter_type) + 1:06d}",
        issued_on=issued_on,
        bank=bank_identity(),
        customer=CUSTOMERS[language],
        signatory=SIGNATORIES[language],
        case=CASE,
        deadlines=DEADLINES,
    )
    grounds = GROUNDS[language]
    if letter_type is LetterType.INFORMATION_REQUEST:
        return replace(
            base,
            information_request=InformationRequest(
                items=INFORMATION_ITEMS[language], respond_by=date(2025, 6, 9)
            ),
        )
    if letter_type is LetterType.DELAY_NOTICE:
        return replace(base, delay=DELAY[language])
    if letter_type is LetterType.PROVISIONAL_REFUND:
        return replace(base, refund=REFUND)
    if letter_type is LetterType.REFUND_WITHHELD:
        notice = LawEnforcementNotice(
            authority="Komenda Miejska Policji w Krakowie",
            notified_on=date(2025, 5, 27),
            reference="KB/BZ/2025/0417",
        )
        return replace(base, law_enforcement=notice)
    if letter_type is LetterType.DEEMED_ACCEPTED:
        return replace(base, deemed_acceptance=DEEMED)
    if letter_type is LetterType.CARD_CANCELLATION:
        cancellation = CardCancellation(
            card_masked="•••• 4821",
            reason=CancellationReason.STOLEN,
            reported_at=datetime(2025, 5, 26, 7, 45, 12, tzinfo=WARSAW),
        )
        return replace(base, case=None, deadlines=None, cancellation=cancellation)
    if letter_type is LetterType.DECISION_PARTIALLY_ACCEPTED:
        decision = Decision(
            outcome=Outcome.PARTIALLY_ACCEPTED,
            factual_grounds=grounds["factual"],
            legal_grounds=grounds["legal"],
            contract_terms=CONTRACT_TERMS[language],
            payment_due_on=date(2025, 6, 20),
            customer_share_recovered_after_dispatch=True,
        )
        return replace(
            base, liability=LIABILITY[Outcome.PARTIALLY_ACCEPTED], decision=decision, refund=REFUND
        )
    if letter_type is LetterType.DECISION_ACCEPTED:
        decision = Decision(
            outcome=Outcome.ACCEPTED,
            factual_grounds="",
            legal_grounds="",
            contract_terms=(),
            payment_due_on=date(2025, 6, 20),
        )
        return replace(base, liability=LIABILITY[Outcome.ACCEPTED], decision=decision, refund=REFUND)
    if letter_type is LetterType.DECISION_REJECTED:
        decision = Decision(
            outcome=Outcome.REJECTED,
            factual_grounds=grounds["gross_factual"],
            legal_grounds=grounds["gross_legal"],
            contract_terms=CONTRACT_TERMS[language][:1],
            customer_share_recovered_after_dispatch=True,
        )
        refund = replace(REFUND, amount=first.amount + second.amount)
        case = replace(CASE, transactions=(first, second))
        return replace(
            base, case=case, liability=LIABILITY[Outcome.REJECTED], decision=decision, refund=refund
        )
    return base
