"""The steps of a deadline's computation and their wording, in English and Polish (RULES.md section 2).

Pure, like ``deadlines.rules``, which picks the steps a rule takes; this module says what each step
did: the start (KC-111), counting calendar or business days, the roll-forward (KC-115), the due date.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from deadlines.calendar import SATURDAY, Bilingual, BusinessCalendar, weekday_name
from kartosfera.legaltime import day_end

NOT_COUNTED = Bilingual("that day is not counted (KC-111)", "tego dnia nie wlicza się (KC-111)")
SATURDAY_TEXT = Bilingual("a Saturday", "sobota")
DAY_OFF_TEXT = Bilingual("a statutory day off", "dzień ustawowo wolny od pracy")
NOT_COUNTED_DAYS = Bilingual("not business days, not counted", "dni nierobocze, nieliczone")
OPEN_DAYS_COUNTED = Bilingual(
    "bank open days counted as business days", "dni otwarcia banku liczone jako robocze"
)
ALSO_DAYS_OFF = Bilingual("also days off", "również dni wolne")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the computation of a deadline, e.g. a roll-forward, as the explanation states it."""

    code: str  # START, CALENDAR_DAYS, MONTHS, BUSINESS_DAYS, ROLL, NO_ROLL, DUE
    day: date
    text: Bilingual


def day_text(day: date, described: Bilingual) -> Bilingual:
    return Bilingual(f"{day.isoformat()} ({described.en})", f"{day.isoformat()} ({described.pl})")


def days_text(days: list[date], describe: Callable[[date], Bilingual]) -> Bilingual:
    parts = [day_text(day, describe(day)) for day in days]
    return Bilingual(", ".join(part.en for part in parts), ", ".join(part.pl for part in parts))


def _listed(
    text: Bilingual, label: Bilingual, days: list[date], describe: Callable[[date], Bilingual]
) -> Bilingual:
    """``text`` followed by ``label`` and the ``days`` described (``text`` alone when there are none)."""
    if not days:
        return text
    listed = days_text(days, describe)
    return Bilingual(f"{text.en}; {label.en}: {listed.en}", f"{text.pl}; {label.pl}: {listed.pl}")


def ordinal_en(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def start_step(day: date, what: Bilingual, *, of_instant: bool = False) -> Step:
    weekday = weekday_name(day)
    if of_instant:
        # The date of an instant is its Europe/Warsaw date (RULES.md section 1), whatever zone it came in.
        weekday = Bilingual(f"{weekday.en}, Europe/Warsaw date", f"{weekday.pl}, data w czasie warszawskim")
    when = day_text(day, weekday)
    return Step(
        "START",
        day,
        Bilingual(f"{what.en} {when.en}; {NOT_COUNTED.en}", f"{what.pl} {when.pl}; {NOT_COUNTED.pl}"),
    )


def business_days_step(start: date, count: int, calendar: BusinessCalendar) -> tuple[date, Step]:
    due = calendar.add_business_days(start, count)
    between = [start + timedelta(days=offset) for offset in range(1, (due - start).days)]
    skipped = [day for day in between if not calendar.is_business_day(day)]
    opened = [day for day in between if calendar.is_statutory_day_off(day) and calendar.is_business_day(day)]
    when = day_text(due, calendar.describe(due))
    if count == 1:
        en, pl = f"first business day after it: {when.en}", f"pierwszy dzień roboczy po nim: {when.pl}"
    else:
        en = f"the {ordinal_en(count)} business day after it: {when.en}"
        pl = f"{count}. dzień roboczy po nim: {when.pl}"
    text = Bilingual(en, pl)
    text = _listed(text, NOT_COUNTED_DAYS, skipped, calendar.describe)
    text = _listed(text, OPEN_DAYS_COUNTED, opened, calendar.describe)
    return due, Step("BUSINESS_DAYS", due, text)


def roll_step(end: date, roll_forward: bool, calendar: BusinessCalendar) -> tuple[date, Step]:
    if not calendar.is_statutory_day_off(end):
        text = Bilingual(
            "neither a Saturday nor a statutory day off: no roll-forward (KC-115)",
            "nie jest sobotą ani dniem ustawowo wolnym od pracy: bez przesunięcia (KC-115)",
        )
        return end, Step("NO_ROLL", end, text)
    if not roll_forward:
        text = Bilingual(
            "a Saturday or statutory day off, not moved: policy ROLL_FORWARD is off",
            "sobota lub dzień ustawowo wolny od pracy, bez przesunięcia: polityka ROLL_FORWARD wyłączona",
        )
        return end, Step("NO_ROLL", end, text)
    rolled = calendar.roll_forward(end)
    when = day_text(rolled, weekday_name(rolled))
    off = SATURDAY_TEXT if end.weekday() == SATURDAY else DAY_OFF_TEXT
    en = (
        f"{off.en} → moved to {when.en}, the next day that is neither a Saturday nor a statutory day off "
        "(KC-115; statutory days off only: the bank's closure and open days do not move a statutory deadline)"
    )
    pl = (
        f"{off.pl} → termin przesunięty na {when.pl}, najbliższy dzień, który nie jest sobotą ani dniem "
        "ustawowo wolnym od pracy (KC-115; tylko dni ustawowo wolne: dni zamknięcia i otwarcia banku nie "
        "przesuwają terminu ustawowego)"
    )
    also_off = [end + timedelta(days=offset) for offset in range(1, (rolled - end).days)]
    text = _listed(Bilingual(en, pl), ALSO_DAYS_OFF, also_off, calendar.describe_statutory)
    return rolled, Step("ROLL", rolled, text)


def calendar_days_step(start: date, days: int, calendar: BusinessCalendar) -> tuple[date, Step]:
    end = start + timedelta(days=days)
    when = day_text(end, calendar.describe_statutory(end))
    return end, Step("CALENDAR_DAYS", end, Bilingual(f"day {days} = {when.en}", f"dzień {days} = {when.pl}"))


def due_step(rule: str, due: date, calendar: BusinessCalendar, *, dispatch_counts: bool = False) -> Step:
    """The last step: the due date and the instant the deadline ends (the next Warsaw midnight)."""
    due_at = day_end(due)
    when = day_text(due, calendar.describe(due))
    en = f"due by the end of {when.en}, i.e. before {due_at.isoformat()} (midnight, Europe/Warsaw)"
    pl = f"termin upływa z końcem dnia {when.pl}, tj. przed {due_at.isoformat()} (północ czasu warszawskiego)"
    if dispatch_counts:
        en += "; dispatching the reply before then is in time (Complaints Act art. 6)"
        pl += (
            "; do zachowania terminu wystarczy wysłanie odpowiedzi przed jego upływem "
            "(art. 6 ustawy o reklamacjach)"
        )
    return Step("DUE", due, Bilingual(f"{en} [{rule}]", f"{pl} [{rule}]"))


def sentence(text: str) -> str:
    """``text`` as a sentence: capitalised, with a full stop."""
    return text[:1].upper() + text[1:] + "."
