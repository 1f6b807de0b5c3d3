"""The texts of the sample letters (demo.letter_samples): the liability explanations and the grounds.

The sample letters show what the analyst writes; the engine's own explanations come from
``liability.explain`` when a real case is assessed.
"""

from liability.rules import CAP_EUR

CAP_EXPLANATIONS = {
    "first": (
        f"Karta została skradziona: do równowartości {CAP_EUR} euro odpowiada posiadacz karty, "
        f"{CAP_EUR} EUR × 4,2541 = 212,71 zł.",
        f"The card was stolen. You bear up to the equivalent of {CAP_EUR} euro: "
        f"{CAP_EUR} EUR × 4.2541 = PLN 212.71.",
    ),
    "used_up": (
        f"Limit {CAP_EUR} euro został w całości wykorzystany przez wcześniejszą transakcję; "
        "resztę ponosi Bank.",
        f"The {CAP_EUR} euro limit was used up by the earlier transaction; the bank bears the rest.",
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
            f"nieautoryzowane transakcje płatnicze do wysokości równowartości {CAP_EUR} euro, według kursu "
            "średniego NBP obowiązującego w dniu wykonania transakcji, jeżeli są one skutkiem posłużenia się "
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
            f"transactions up to the equivalent of {CAP_EUR} euro, at the NBP average rate in force on the "
            "day of the transaction, where they result from the use of a lost or stolen payment "
            "instrument. The payer does not bear transactions made after reporting the loss, unless "
            "caused intentionally (art. 46 of that Act)."
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
