"""The deadline rules of RULES.md section 2: their ids and legal bases, in English and Polish. Pure."""

from deadlines.calendar import Bilingual

REFUND = "UUP-46-1"
REPLY = "REK-6"
REPLY_EXTENDED = "REK-7"
PAYMENT_SERVICE_REPLY = "UUP-PS-15"
PAYMENT_SERVICE_REPLY_EXTENDED = "UUP-PS-35"
CLAIM_WINDOW = "UUP-44-2"
VISA_FRAUD_CHARGEBACK = "CB-VISA-10.4"
MASTERCARD_FRAUD_CHARGEBACK = "CB-MC-4837"
MASTERCARD_SECOND_PRESENTMENT = "CB-MC-2P"

_COMPLAINTS_ACT_PL = (
    "ustawy z dnia 5 sierpnia 2015 r. o rozpatrywaniu reklamacji przez podmioty rynku finansowego "
    "i o Rzeczniku Finansowym"
)
_COMPLAINTS_ACT_EN = (
    "the Complaints Act (Act of 5 August 2015 on the handling of complaints by financial market entities "
    "and on the Financial Ombudsman)"
)
_UUP_PL = "ustawy z dnia 19 sierpnia 2011 r. o usługach płatniczych (Dz.U. 2025 poz. 611)"
_UUP_EN = "the Payment Services Act (ustawa o usługach płatniczych, Dz.U. 2025 poz. 611)"

BASES: dict[str, Bilingual] = {
    REFUND: Bilingual(
        f"Art. 46(1) of {_UUP_EN}; PSD2 art. 73(1)",
        f"art. 46 ust. 1 {_UUP_PL}; art. 73 ust. 1 dyrektywy PSD2",
    ),
    REPLY: Bilingual(
        f"Art. 6 of {_COMPLAINTS_ACT_EN}; Civil Code art. 111 and 115",
        f"art. 6 {_COMPLAINTS_ACT_PL}; art. 111 i 115 Kodeksu cywilnego",
    ),
    REPLY_EXTENDED: Bilingual(
        f"Art. 7 of {_COMPLAINTS_ACT_EN}; Civil Code art. 111 and 115",
        f"art. 7 {_COMPLAINTS_ACT_PL}; art. 111 i 115 Kodeksu cywilnego",
    ),
    PAYMENT_SERVICE_REPLY: Bilingual(
        f"Art. 7a of {_COMPLAINTS_ACT_EN}, payment services: 15 business days; PSD2 art. 101(2)",
        f"art. 7a {_COMPLAINTS_ACT_PL}, usługi płatnicze: 15 dni roboczych; art. 101 ust. 2 dyrektywy PSD2",
    ),
    PAYMENT_SERVICE_REPLY_EXTENDED: Bilingual(
        f"Art. 7a of {_COMPLAINTS_ACT_EN}, payment services, particularly complicated cases: "
        "35 business days; PSD2 art. 101(2)",
        f"art. 7a {_COMPLAINTS_ACT_PL}, usługi płatnicze, szczególnie skomplikowane przypadki: "
        "35 dni roboczych; art. 101 ust. 2 dyrektywy PSD2",
    ),
    CLAIM_WINDOW: Bilingual(
        f"Art. 44(2) of {_UUP_EN}; PSD2 art. 71(1); Civil Code art. 112 and 115",
        f"art. 44 ust. 2 {_UUP_PL}; art. 71 ust. 1 dyrektywy PSD2; art. 112 i 115 Kodeksu cywilnego",
    ),
    VISA_FRAUD_CHARGEBACK: Bilingual(
        "Visa Core Rules and Visa Product and Service Rules, dispute condition 10.4 (Other Fraud – "
        "Card-Absent Environment): 120 calendar days from the transaction processing date",
        "Zasady Visa (Visa Core Rules and Visa Product and Service Rules), warunek sporu 10.4 (inne "
        "oszustwo – transakcja bez fizycznej obecności karty): 120 dni kalendarzowych od daty przetworzenia",
    ),
    MASTERCARD_FRAUD_CHARGEBACK: Bilingual(
        "Mastercard Chargeback Guide, message reason code 4837 (No Cardholder Authorization): "
        "120 calendar days from the Central Site Business Date",
        "Mastercard Chargeback Guide, kod powodu 4837 (brak autoryzacji posiadacza karty): "
        "120 dni kalendarzowych od daty przetworzenia (Central Site Business Date)",
    ),
    MASTERCARD_SECOND_PRESENTMENT: Bilingual(
        "Mastercard Chargeback Guide: the acquirer's second presentment within 45 calendar days of the "
        "chargeback",
        "Mastercard Chargeback Guide: drugie przedstawienie (second presentment) przez agenta "
        "rozliczeniowego w ciągu 45 dni kalendarzowych od obciążenia zwrotnego (chargeback)",
    ),
}
