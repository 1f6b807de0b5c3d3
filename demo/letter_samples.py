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

from demo.letter_texts import CAP_EXPLANATIONS, GROUNDS
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
from liability.rules import CAP_EUR

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

# The NBP table A rate of 23 May 2025 (RULES.md section 4).
RATE_MID, RATE_TABLE, RATE_DAY = Decimal("4.2541"), "099/A/NBP/2025", date(2025, 5, 23)


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
        eur_rate=RATE_MID if rate else None,
        nbp_table=RATE_TABLE if rate else None,
        rate_effective_on=RATE_DAY if rate else None,
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

CONTRACT_TERMS = {
    "pl": (
        ContractTerm(
            reference="§ 14 ust. 2 Regulaminu kart płatniczych Kartosfera Bank S.A.",
            text=(
                "Do chwili zgłoszenia Posiadacz karty odpowiada za transakcje dokonane kartą utraconą lub "
                f"skradzioną do kwoty stanowiącej równowartość {CAP_EUR} euro."
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
                f"equivalent of {CAP_EUR} euro."
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
