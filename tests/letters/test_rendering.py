import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from demo.letter_samples import sample_snapshot
from letters.rendering import PDF_VARIANT, render_letter_html, render_letter_pdf
from letters.rules import DelayNoticeDateError, LetterDataError, LetterType, MissingSection
from letters.snapshot import RefundPayment, RefundPaymentKind

RECOVERY_AFTER_DISPATCH_PL = (
    "Część ponoszoną przez Państwa, 212,71 zł, pobierzemy z rachunku nie wcześniej niż "
    "następnego dnia po wysłaniu do Państwa tego pisma"
)

# Key sentences each letter must carry (Polish, the default), checked in the PDF text.
KEY_SENTENCES = {
    LetterType.CLAIM_ACKNOWLEDGEMENT: [
        "Potwierdzenie przyjęcia reklamacji nr REK/2025/000417",
        "Potwierdzamy, że wpłynęła do Banku 26 maja 2025 i została zarejestrowana pod numerem "
        "REK/2025/000417.",
        "Do końca dnia 27 maja 2025 zwrócimy na Państwa rachunek kwotę zgłoszonych transakcji, 2 399,99 zł",
        "Odpowiedzi na reklamację udzielimy do 25 czerwca 2025.",
        "nie późniejszy niż 25 lipca 2025",
        "Elektro-Świat, Kraków",
        "800,00 zł",
        "1 250,00 zł",
        "349,99 zł",
    ],
    LetterType.INFORMATION_REQUEST: [
        "Prośba o informacje w sprawie reklamacji nr REK/2025/000417",
        "Informacja, czy kod PIN był gdziekolwiek zapisany lub przechowywany razem z kartą.",
        "Prosimy o przesłanie informacji do 9 czerwca 2025",
        "odpowiemy do 25 czerwca 2025",
    ],
    LetterType.DELAY_NOTICE: [
        "Wydłużenie terminu odpowiedzi na reklamację nr REK/2025/000417",
        "1. Przyczyna opóźnienia",
        "Wyjaśnienie transakcji z 23 maja 2025 r. wymaga dokumentów od organizacji płatniczej Mastercard",
        "2. Okoliczności, które muszą zostać ustalone",
        "Czy transakcje z 23 maja 2025 r. zostały zatwierdzone kodem PIN",
        "3. Przewidywany termin odpowiedzi",
        "Przewidujemy udzielenie odpowiedzi do 18 lipca 2025.",
        "nie później niż 25 lipca 2025",
    ],
    LetterType.PROVISIONAL_REFUND: [
        "Kwota zwrotu: 2 399,99 zł, uznana 27 maja 2025 na rachunku PL61 •••• •••• 0001.",
        "słownie: dwa tysiące trzysta dziewięćdziesiąt dziewięć złotych 99/100",
        "Odpowiedź na reklamację prześlemy do 25 czerwca 2025.",
    ],
    LetterType.DECISION_ACCEPTED: [
        "Odpowiedź na reklamację nr REK/2025/000417",
        "Uznaliśmy Państwa reklamację w całości.",
        "Całą kwotę transakcji, 2 399,99 zł, ponosi Bank",
        "jest teraz ostateczny: to cała należna Państwu kwota",
        "Katarzyna Zielińska",
        "Kierownik Zespołu Reklamacji Kartowych",
    ],
    LetterType.DECISION_PARTIALLY_ACCEPTED: [
        "Uznaliśmy Państwa reklamację częściowo.",
        "Z kwoty kwestionowanych transakcji Państwo ponoszą 212,71 zł, a Bank 2 187,28 zł.",
        "słownie: dwieście dwanaście złotych 71/100",
        RECOVERY_AFTER_DISPATCH_PL,
        # The D+1 refund already credited the bank's part: the letter says so (no "if not already").
        "została uznana na Państwa rachunku 27 maja 2025 w ramach tymczasowego zwrotu, "
        "więc nic więcej nie uznamy",
        # Transactions named by merchant, date and amount, never by internal references.
        "1 EUR = 4,2541 zł, tabela 099/A/NBP/2025 z dnia 23 maja 2025 (transakcje: Elektro-Świat, Kraków, "
        "23 maja 2025, 800,00 zł; Kantor Łódź Wymiana24, 23 maja 2025, 1 250,00 zł)",
        "50 EUR × 4,2541 = 212,71 zł",
        "Uzasadnienie faktyczne",
        "Uzasadnienie prawne",
        "§ 14 ust. 2 Regulaminu kart płatniczych Kartosfera Bank S.A.",
        "Katarzyna Zielińska",
        "Kierownik Zespołu Reklamacji Kartowych",
    ],
    LetterType.DECISION_REJECTED: [
        "Nie uznaliśmy Państwa reklamacji.",
        "Całą kwotę kwestionowanych transakcji, 2 050,00 zł, ponoszą Państwo.",
        "słownie: dwa tysiące pięćdziesiąt złotych 00/100",
        "Uzasadnienie faktyczne",
        "Uzasadnienie prawne",
    ],
    LetterType.REFUND_WITHHELD: [
        "Wstrzymanie zwrotu, reklamacja nr REK/2025/000417",
        "Zawiadomiony organ: Komenda Miejska Policji w Krakowie",
        "Data pisemnego zawiadomienia: 27 maja 2025",
        "Znak sprawy: KB/BZ/2025/0417",
        "prześlemy Państwu odpowiedź wraz z uzasadnieniem faktycznym i prawnym do 25 czerwca 2025",
    ],
    LetterType.CARD_CANCELLATION: [
        "Potwierdzenie zastrzeżenia karty •••• 4821",
        "Podana przyczyna: kradzież karty.",
        "Czas zastrzeżenia: 26 maja 2025, 07:45:12 (czasu polskiego).",
        "Nie odpowiadają Państwo za transakcje wykonane kartą w tej chwili lub później.",
        "828 828 828",
        "+48 828 828 828",
    ],
}

KEY_SENTENCES[LetterType.DEEMED_ACCEPTED] = [
    "Reklamacja rozpatrzona zgodnie z Państwa wolą, nr REK/2025/000417",
    "Nie przesłaliśmy Państwu odpowiedzi na reklamację nr REK/2025/000417 z dnia 26 maja 2025",
    "w terminie, który upłynął 25 czerwca 2025",
    "Zgodnie z art. 8 ustawy z dnia 5 sierpnia 2015 r. o rozpatrywaniu reklamacji przez podmioty rynku "
    "finansowego i o Rzeczniku Finansowym reklamację uważa się zatem za rozpatrzoną zgodnie z Państwa wolą.",
    "Bank zwraca całą kwotę kwestionowanych transakcji: 2 399,99 zł.",
    "słownie: dwa tysiące trzysta dziewięćdziesiąt dziewięć złotych 99/100",
    "26 czerwca 2025 zwrot w związku z uznaniem reklamacji 2 399,99 zł",
    "Zwrócono łącznie 2 399,99 zł",
    "żadna jej część nie zostanie pobrana z Państwa rachunku ani teraz, ani później",
    "Apteka Pod Łabędziem, Gdańsk",
]

APPEAL_ROUTES = [
    "Jeśli nie zgadzają się Państwo z odpowiedzią",
    "Odwołanie w Banku.",
    "Sąd Polubowny przy Rzeczniku Finansowym",
    "Rzecznik Finansowy.",
    "Rzecznika Finansowego (ul. Nowogrodzka 47A, 00-695 Warszawa, www.rf.gov.pl)",
    "Sąd powszechny.",
]

LETTERHEAD = [
    "Kartosfera Bank S.A.",
    "Anna Nowak-Wiśniewska",
    "ul. Źródlana 7 m. 12",
    "31-422 Kraków",
    "Szanowni Państwo,",
    "Z poważaniem,",
    "KRS 0000123456",
    "NIP 1234563218",
    "kapitał zakładowy 250 000 000,00 zł, wpłacony w całości",
]


@pytest.mark.parametrize("letter_type", list(LetterType))
def test_every_letter_renders_in_polish_with_its_key_sentences(letter_type, readback):
    snapshot = sample_snapshot(letter_type)

    rendered = render_letter_pdf(letter_type=letter_type, snapshot=snapshot)
    pdf = readback(rendered.pdf_bytes)

    missing = [sentence for sentence in KEY_SENTENCES[letter_type] if not pdf.says(sentence)]
    assert missing == []
    assert pdf.page_count == rendered.page_count
    assert pdf.says(f"Warszawa, {snapshot.issued_on.day}")
    assert pdf.says(f"Nasz znak {snapshot.reference}")
    assert pdf.says(f"Strona 1 / {rendered.page_count}")
    if letter_type is not LetterType.CARD_CANCELLATION:
        assert [line for line in LETTERHEAD if not pdf.says(line)] == []


@pytest.mark.parametrize("letter_type", list(LetterType))
def test_every_letter_is_pdfa_with_title_author_language_and_embedded_fonts(letter_type, readback):
    snapshot = sample_snapshot(letter_type)

    pdf = readback(render_letter_pdf(letter_type=letter_type, snapshot=snapshot).pdf_bytes)

    assert PDF_VARIANT == "pdf/a-3b"
    assert pdf.pdfa == {"part": "3", "conformance": "B"}
    assert pdf.info["/Author"] == "Kartosfera Bank S.A."
    assert pdf.info["/Title"].endswith(snapshot.case.number if snapshot.case else "•••• 4821")
    assert pdf.lang == "pl"
    assert pdf.fonts == {("Kartosfera-Sans", True), ("Kartosfera-Sans-Bold", True)}


def test_partially_accepted_decision_shows_the_cap_figures_on_two_pages(partial_decision_snapshot, readback):
    rendered = render_letter_pdf(
        letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=partial_decision_snapshot
    )
    pdf = readback(rendered.pdf_bytes)

    assert rendered.page_count == 2
    assert pdf.says("800,00 zł 4,2541 099/A/NBP/2025 212,71 zł 587,29 zł")
    assert pdf.says("Razem 2 399,99 zł 212,71 zł 2 187,28 zł")
    assert [
        word for word in ("Kantor Łódź", "ul. Źródlana", "Gdańsk", "Zielińska", "Świat") if not pdf.says(word)
    ] == []


def test_a_deemed_accepted_notice_fits_one_page_and_dates_each_refund(readback):
    sample = sample_snapshot(LetterType.DEEMED_ACCEPTED)
    payments = (
        RefundPayment(
            kind=RefundPaymentKind.PROVISIONAL_MADE_FINAL,
            amount=Decimal("2050.00"),
            paid_on=date(2025, 5, 27),
        ),
        RefundPayment(kind=RefundPaymentKind.FINAL, amount=Decimal("349.99"), paid_on=date(2025, 6, 30)),
    )
    snapshot = replace(sample, deemed_acceptance=replace(sample.deemed_acceptance, payments=payments))

    rendered = render_letter_pdf(letter_type=LetterType.DEEMED_ACCEPTED, snapshot=snapshot)
    pdf = readback(rendered.pdf_bytes)

    assert rendered.page_count == 1
    assert pdf.says("27 maja 2025 zwrot dokonany po Państwa zgłoszeniu, obecnie ostateczny 2 050,00 zł")
    # Not credited yet on the date of the notice: "by" that date.
    assert pdf.says("do 30 czerwca 2025 zwrot w związku z uznaniem reklamacji 349,99 zł")
    assert pdf.says("Zwrócono łącznie 2 399,99 zł")
    # Not a reply deciding the complaint: no appeal routes, no grounds.
    assert not pdf.says("Rzecznik Finansowy.")
    assert not pdf.says("Uzasadnienie faktyczne")


def test_a_deemed_accepted_notice_in_english(readback):
    snapshot = sample_snapshot(LetterType.DEEMED_ACCEPTED, language="en")

    pdf = readback(render_letter_pdf(letter_type=LetterType.DEEMED_ACCEPTED, snapshot=snapshot).pdf_bytes)

    assert pdf.says("Complaint resolved in your favour, no. REK/2025/000417")
    assert pdf.says("within the time limit, which ended on 25 June 2025")
    assert pdf.says("your complaint is therefore deemed to have been resolved in your favour")
    assert pdf.says("The bank refunds the whole amount of the disputed transactions: PLN 2,399.99.")
    assert pdf.says("26 June 2025 refund on the acceptance of the complaint PLN 2,399.99")


@pytest.mark.parametrize(
    "letter_type", [LetterType.DECISION_PARTIALLY_ACCEPTED, LetterType.DECISION_REJECTED]
)
def test_a_decision_not_fully_accepting_the_complaint_gives_every_appeal_route(letter_type, readback):
    pdf = readback(
        render_letter_pdf(letter_type=letter_type, snapshot=sample_snapshot(letter_type)).pdf_bytes
    )

    assert [route for route in APPEAL_ROUTES if not pdf.says(route)] == []


def test_a_fully_accepted_decision_has_no_appeal_section(readback):
    letter_type = LetterType.DECISION_ACCEPTED

    pdf = readback(
        render_letter_pdf(letter_type=letter_type, snapshot=sample_snapshot(letter_type)).pdf_bytes
    )

    assert [route for route in APPEAL_ROUTES if pdf.says(route)] == []
    assert not pdf.says("Uzasadnienie prawne")


@pytest.mark.parametrize("letter_type", list(LetterType))
def test_an_english_speaking_customer_gets_the_letter_in_english(letter_type, readback):
    snapshot = sample_snapshot(letter_type, language="en")

    pdf = readback(render_letter_pdf(letter_type=letter_type, snapshot=snapshot).pdf_bytes)

    assert pdf.lang == "en"
    assert pdf.says("Dear Sir or Madam,")
    assert pdf.says("Yours faithfully,")
    assert pdf.says(f"Warszawa, {snapshot.issued_on.day} {snapshot.issued_on:%B %Y}")
    assert not pdf.says("Szanowni Państwo")
    assert not pdf.says("Z poważaniem")


def test_english_decision_formats_amounts_and_rates_the_english_way(readback):
    letter_type = LetterType.DECISION_PARTIALLY_ACCEPTED

    pdf = readback(
        render_letter_pdf(
            letter_type=letter_type, snapshot=sample_snapshot(letter_type, language="en")
        ).pdf_bytes
    )

    assert pdf.says("Of the disputed transactions you bear PLN 212.71 and the bank bears PLN 2,187.28.")
    assert pdf.says("You bear, in words: two hundred and twelve zlotys 71/100")
    assert pdf.says("1 EUR = 4.2541 PLN, NBP table 099/A/NBP/2025 of 23 May 2025")
    # FULL_THEN_RECOVER: no fixed date the letter cannot know, since it leaves when posted or e-mailed.
    assert pdf.says(
        "The part you bear, PLN 212.71, will be charged to your account not before the day after this "
        "letter is sent to you, for the reasons given below."
    )
    assert pdf.says("If you do not agree with this reply")
    assert pdf.says("Financial Ombudsman (Rzecznik Finansowy")


def test_a_delay_notice_promising_a_reply_after_the_extended_deadline_is_refused():
    snapshot = sample_snapshot(LetterType.DELAY_NOTICE)
    late = replace(snapshot, delay=replace(snapshot.delay, expected_reply_on=date(2025, 7, 26)))

    with pytest.raises(
        DelayNoticeDateError, match="2025-07-26 is later than the extended deadline 2025-07-25"
    ):
        render_letter_pdf(letter_type=LetterType.DELAY_NOTICE, snapshot=late)


def test_a_delay_notice_may_promise_the_extended_deadline_itself(readback):
    snapshot = sample_snapshot(LetterType.DELAY_NOTICE)
    last_day = replace(snapshot, delay=replace(snapshot.delay, expected_reply_on=date(2025, 7, 25)))

    pdf = readback(render_letter_pdf(letter_type=LetterType.DELAY_NOTICE, snapshot=last_day).pdf_bytes)

    assert pdf.says("Przewidujemy udzielenie odpowiedzi do 25 lipca 2025.")


def test_a_letter_missing_its_section_is_refused_before_rendering():
    snapshot = replace(sample_snapshot(LetterType.DELAY_NOTICE), delay=None)

    with pytest.raises(MissingSection, match="'delay'"):
        render_letter_pdf(letter_type=LetterType.DELAY_NOTICE, snapshot=snapshot)


def test_an_unknown_letter_type_is_refused():
    with pytest.raises(LetterDataError, match="unknown letter type 'APOLOGY'"):
        render_letter_pdf(letter_type="APOLOGY", snapshot=sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT))


def test_the_letter_type_may_be_given_by_its_value():
    snapshot = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT)

    by_value = render_letter_pdf(letter_type="CLAIM_ACKNOWLEDGEMENT", snapshot=snapshot)
    by_member = render_letter_pdf(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot)

    assert by_value.sha256 == by_member.sha256


def test_rendering_is_deterministic_and_the_hash_is_that_of_the_bytes():
    import hashlib

    snapshot = sample_snapshot(LetterType.DECISION_PARTIALLY_ACCEPTED)

    first = render_letter_pdf(letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=snapshot)
    second = render_letter_pdf(letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=snapshot)

    assert first.pdf_bytes == second.pdf_bytes
    assert first.sha256 == hashlib.sha256(first.pdf_bytes).hexdigest()
    assert len(first.template_version) == 64


def test_a_changed_snapshot_gives_another_document_with_the_same_template_version():
    snapshot = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT)
    other = replace(snapshot, reference="KB/REK/2025/999999")

    first = render_letter_pdf(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot)
    second = render_letter_pdf(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=other)

    assert first.sha256 != second.sha256
    assert first.template_version == second.template_version


def test_customer_text_is_escaped_not_interpreted_as_html(readback):
    snapshot = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT)
    hostile = replace(
        snapshot,
        customer=replace(snapshot.customer, full_name='<img src="file:///etc/passwd">Jan <b>Kowalski</b>'),
    )

    html = render_letter_html(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=hostile)
    pdf = readback(
        render_letter_pdf(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=hostile).pdf_bytes
    )

    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;Jan &lt;b&gt;Kowalski&lt;/b&gt;" in html
    assert pdf.says('<img src="file:///etc/passwd">Jan <b>Kowalski</b>')


@pytest.mark.parametrize(
    ("language", "quoted"),
    [
        ("pl", "„Do chwili zgłoszenia Posiadacz karty odpowiada za transakcje"),
        ("en", "“Until the report, the cardholder bears transactions"),
    ],
)
def test_contract_terms_are_quoted_the_way_the_language_quotes(language, quoted, readback):
    letter_type = LetterType.DECISION_PARTIALLY_ACCEPTED
    snapshot = sample_snapshot(letter_type, language=language)

    pdf = readback(render_letter_pdf(letter_type=letter_type, snapshot=snapshot).pdf_bytes)

    assert pdf.says(quoted)


ACKNOWLEDGEMENT_ADVICE = {
    ("pl", "CANCELLED"): "Karta •••• 4821 jest zastrzeżona i nikt nie może już nią płacić.",
    ("en", "CANCELLED"): "The card •••• 4821 is cancelled and can no longer be used by anyone.",
    ("pl", "BLOCKED"): "Karta •••• 4821 jest czasowo zablokowana. Prosimy pozostawić ją zablokowaną",
    ("en", "BLOCKED"): "The card •••• 4821 is temporarily blocked. Please keep it blocked and do not use it",
    ("pl", "ACTIVE"): "Karta •••• 4821 jest nadal aktywna: można nią płacić.",
    ("en", "ACTIVE"): "The card •••• 4821 is still active: it can be used for payments. If it was lost or "
    "stolen, or someone else may know its details, cancel it at once in the portal or at 828 828 828 (from "
    "abroad +48 828 828 828, 24 hours a day).",
    ("pl", "EXPIRED"): "Karta •••• 4821 utraciła ważność i nie można już nią płacić.",
    ("en", "EXPIRED"): "The card •••• 4821 has expired and can no longer be used.",
}


@pytest.mark.parametrize(("language", "card_state"), list(ACKNOWLEDGEMENT_ADVICE))
def test_the_acknowledgements_last_page_carries_its_last_words_not_a_lone_signature(language, card_state):
    base = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT, language=language)
    snapshot = replace(base, case=replace(base.case, card_state=card_state))

    rendered = render_letter_pdf(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot)

    pages = PdfReader(io.BytesIO(rendered.pdf_bytes)).pages
    last = " ".join(pages[-1].extract_text().replace("\u00a0", " ").split())
    advice = ACKNOWLEDGEMENT_ADVICE[(language, card_state)]
    # The advice on the card is the letter's last paragraph: it stands on the page with the signature.
    assert advice in last
    assert last.index(advice) < last.index("Katarzyna Zielińska")
