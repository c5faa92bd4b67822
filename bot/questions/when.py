"""Finds the period in a question: named periods, rolling N days and explicit dates (EN month/day, FR day/month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.questions.periods import Period, PeriodError, days_between, resolve

_MONTH_WORDS: dict[str, int] = {}
for _number, _names in enumerate((
        ("january", "jan", "janvier", "janv"), ("february", "feb", "fevrier", "fev", "fevr"),
        ("march", "mars"), ("april", "apr", "avril", "avr"), ("may", "mai"), ("june", "jun", "juin"),
        ("july", "jul", "juillet", "juil"), ("august", "aug", "aout"), ("september", "sep", "sept", "septembre"),
        ("october", "oct", "octobre"), ("november", "nov", "novembre"), ("december", "dec", "decembre")), 1):
    for _name in _names:
        _MONTH_WORDS[_name] = _number
# Month names that are also ordinary words only count next to a day number.
_MONTH_ALONE = {name for name in _MONTH_WORDS if name not in ("may", "mai", "mars", "march", "dec", "sep")}

PERIOD_WORDS = frozenset({
    *_MONTH_WORDS, "today", "yesterday", "week", "weeks", "month", "months", "day", "days", "hour", "hours", "last",
    "past", "previous", "this", "current", "aujourd", "hui", "aujourdhui", "hier", "semaine", "semaines", "mois",
    "jour", "jours", "derniers", "dernieres", "dernier", "derniere", "passe", "passee", "precedente", "precedent",
    "cette", "cours", "heures", "heure", "debut", "between", "entre", "until", "through", "since", "depuis",
    "tomorrow", "demain", "prochain", "prochaine", "next",
})

M = "(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + ")"
D = r"(\d{1,2})(?:er|st|nd|rd|th)?"
Y = r"(?: (\d{4}))?"
CONN = r" (?:to|and|until|till|through|thru|-|au|a|et|et le|jusqu au|jusqu a) (?:le |the )?"
# Between two full dates the connector may be gone: "Nov 3 - Nov 9" loses its dash to the tokenizer.
CONN_OPT = r" (?:(?:to|and|until|till|through|thru|au|a|et|jusqu au|jusqu a) (?:le |the )?)?"
NUM = r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?"
ISO = r"(\d{4})-(\d{2})-(\d{2})"


@dataclass(frozen=True)
class Found:
    period: Period | None = None
    problem: str | None = None  # "future", "invalid", "unsupported"
    detail: str = ""


_FUTURE = re.compile(r"\b(next|tomorrow|upcoming|demain|prochaine?s?|will be|sera|seront|forecast|prevision"
                     r"|d ici la fin)\b")
_UNSUPPORTED = re.compile(r"\b(year|years|annee|annees|ytd|quarter|quarters|trimestre|q[1-4]|semester|semestre"
                          r"|weekend|week-end|monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi"
                          r"|mercredi|jeudi|vendredi|samedi|dimanche|morning|afternoon|evening|tonight|matin"
                          r"|apres-midi|soir|soiree|since|depuis|hour|hours|heure|heures|minute|minutes|"
                          r"\d{1,2}h\d{0,2}|\d{1,2}(?:am|pm)|(?:19|20)\d\d)\b")

_PART_OF_DAY = re.compile(r"\b(morning|afternoon|evening|tonight|overnight|lunchtime|matin|matinee|apres-midi"
                          r"|apres midi|soir|soiree|nuit|midi|noon|midnight|minuit|(?!24h)\d{1,2}h\d{0,2}"
                          r"|\d{1,2}(?:am|pm)|\d{1,2}:\d{2})\b")
_WEEKDAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun"
            r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)")
_ORDINAL_WEEK = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th|premiere|deuxieme|troisieme|quatrieme"
                           r"|1ere|2e|3e|4e|derniere) (week|semaine) (of|de|du|d)\b")
# (pattern, kind, days): the first that matches wins; rolling N days are handled before these.
_NAMED: tuple[tuple[str, str], ...] = (
    (r"\b(day before yesterday|avant hier|avant-hier)\b", "before_yesterday"),
    (r"\b(yesterday|yday|yest|hier)\b", "yesterday"),
    (r"\b(24 ?h|24 ?hrs?|24 ?hours?|24 ?heures?|past day|last day|derniere journee)\b", "last_24_hours"),
    (r"\b(today|todays|tday|aujourd hui|aujourdhui|auj|ajd|so far today|ce jour|du jour)\b", "today"),
    (r"\b((last|prev|previous) (wk|wks)|last week|previous week|prev week|week before"
     r"|(la )?semaine (derniere|passee|precedente|d avant)"
     r"|sem derniere|sem passee|lw)\b", "last_week"),
    (r"\b(past week|past 7 days|over the past week)\b", "last_7_days"),
    (r"\b(this week|this wk|current week|week to date|this wk|wtd|cette semaine|semaine en cours|cette sem"
     r"|depuis lundi|since monday|de la semaine|weekly|hebdo|week|semaine)\b", "this_week"),
    (r"\b((last|prev|previous) (mth|mnth|mo)|last month|previous month|prev month|month before"
     r"|(le )?mois (dernier|passe|precedent)|lm)\b",
     "last_month"),
    (r"\b(past month)\b", "last_30_days"),
    (r"\b(this (mth|mnth)|this month|current month|month to date|mtd|ce mois|mois en cours|depuis le debut du mois"
     r"|since the start of the month|since the beginning of the month|du mois|monthly|mensuel|month|mois)\b",
     "this_month"),
)
_ROLLING = (
    (re.compile(r"\b(\d{1,3}) ?(?:d|days?|j|jours?|jrs?|derniers jours|dernier jour|derniers j)\b"), 1),
    (re.compile(r"\b(\d{1,2}) ?(?:w|wks?|weeks?|semaines?|dernieres semaines|derniere semaine)\b"), 7),
    (re.compile(r"\b(\d{1,2}) ?(?:months|mois|derniers mois)\b"), 30),
)


def _year_for(day: int, month: int, today: date) -> int:
    """The most recent such date that is not in the future."""
    year = today.year
    try:
        if date(year, month, min(day, 28)) > today:
            year -= 1
    except ValueError:
        pass
    return year


def _date(day: int, month: int, year: int | None, today: date) -> date:
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month}")
    year = year if year is None or year > 99 else 2000 + year
    try:
        return date(year or _year_for(day, month, today), month, day)
    except ValueError:
        raise PeriodError(f"{day}/{month}") from None


def _this_month(first: int, last: int, today: date) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    month, year = today.month, today.year
    if first > today.day:
        month, year = (12, year - 1) if month == 1 else (month - 1, year)
    return (first, month, year), (last, month, year)


def _ordered(a: int, b: int, lang: str) -> tuple[int, int]:
    """(day, month) from a numeric date: month/day in English, day/month in French, unless a number says."""
    if a > 12 >= b:
        return a, b
    if b > 12 >= a:
        return b, a
    return (a, b) if lang == "fr" else (b, a)


_SINCE = re.compile(r"\b(since|depuis|starting|from|a partir du|a partir de|a compter du|des le|du)( le)? $")


def _explicit(s: str, lang: str, today: date) -> tuple[date, date, bool] | None:
    """(first, last, position) of an explicit date or date range; "since Nov 3" runs to today."""
    def y(v: str | None) -> int | None:
        return int(v) if v else None

    def mon(v: str) -> int:
        return _MONTH_WORDS[v]

    patterns = (
        (rf"{D} {M}{Y}{CONN_OPT}{D} {M}{Y}", lambda g: ((g[0], mon(g[1]), y(g[2])), (g[3], mon(g[4]), y(g[5])))),
        (rf"{M} {D}{Y}{CONN_OPT}{M} {D}{Y}", lambda g: ((g[1], mon(g[0]), y(g[2])), (g[4], mon(g[3]), y(g[5])))),
        (rf"{D}{CONN}{D} {M}{Y}", lambda g: ((g[0], mon(g[2]), y(g[3])), (g[1], mon(g[2]), y(g[3])))),
        (rf"{D}-{D} {M}{Y}", lambda g: ((g[0], mon(g[2]), y(g[3])), (g[1], mon(g[2]), y(g[3])))),
        (rf"{M} {D}(?:{CONN}|-){D}\b{Y}", lambda g: ((g[1], mon(g[0]), y(g[3])), (g[2], mon(g[0]), y(g[3])))),
        (rf"{NUM}-{NUM}", lambda g: ((*_ordered(int(g[0]), int(g[1]), lang), y(g[2])),
                                     (*_ordered(int(g[3]), int(g[4]), lang), y(g[5])))),
        (rf"{NUM}{CONN_OPT}{NUM}", lambda g: ((*_ordered(int(g[0]), int(g[1]), lang), y(g[2])),
                                          (*_ordered(int(g[3]), int(g[4]), lang), y(g[5])))),
        (rf"{ISO}{CONN_OPT}{ISO}", lambda g: ((g[2], g[1], g[0]), (g[5], g[4], g[3]))),
        # Days without a month ("from the 1st to the 15th", "du 1er au 15"): this month, or last month if the
        # first day has not come yet this month.
        (rf"\b(?:from|between|du|entre) (?:the |le )?{D}(?: of the month| du mois)?{CONN}(?:the |le )?{D}\b"
         rf"(?! ?(?:/|{M}|days?|jours?|j\b|d\b|weeks?|semaines?|months?|mois|h\b|hours?|heures?))",
         lambda g: _this_month(int(g[0]), int(g[1]), today)),
        (rf"{D} {M}{Y}", lambda g: ((g[0], mon(g[1]), y(g[2])),) * 2),
        (rf"{M} {D}\b{Y}", lambda g: ((g[1], mon(g[0]), y(g[2])),) * 2),
        (rf"\b{NUM}\b", lambda g: ((*_ordered(int(g[0]), int(g[1]), lang), y(g[2])),) * 2),
        (rf"\b{ISO}\b", lambda g: ((g[2], g[1], g[0]),) * 2),
    )
    for pattern, parts in patterns:
        found = re.search(rf"(?<![\d/]){pattern}", s)
        if not found:
            continue
        (d1, m1, y1), (d2, m2, y2) = parts(found.groups())
        last = _date(int(d2), int(m2), int(y2) if y2 else None, today)
        first_year = int(y1) if y1 else (int(y2) if y2 else None)
        first = _date(int(d1), int(m1), first_year, today)
        if first > last and not y1:  # "from Dec 20 to Jan 5": the first day is in the year before
            first = _date(int(d1), int(m1), last.year - 1, today)
        if first == last and _SINCE.search(s[:found.start()]) and not re.match(r"\S* ?(to|au|-)\b", s[found.end():]):
            return first, today, True
        return first, last, False
    return None


def _month_alone(s: str, today: date) -> tuple[date, date] | None:
    """A whole month: "in October" (the most recent October that has begun), "November 2025"."""
    if dated := re.search(rf"\b{M} ((?:19|20)\d\d)\b", s):
        month, year = _MONTH_WORDS[dated.group(1)], int(dated.group(2))
        following = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, 1), date.fromordinal(following.toordinal() - 1)
    for word in re.findall(r"[a-z]+", s):
        if word in _MONTH_ALONE and not re.search(rf"\d \b{word}\b|\b{word} \d", s):
            month = _MONTH_WORDS[word]
            year = today.year if month <= today.month else today.year - 1
            following = date(year + month // 12, month % 12 + 1, 1)
            return date(year, month, 1), date.fromordinal(following.toordinal() - 1)
    return None


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "un": 1, "une": 1,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11,
    "douze": 12, "quatorze": 14, "quinze": 15, "vingt": 20, "trente": 30, "a couple of": 2, "couple of": 2,
}
_COUNTED = (r"(?= (?:last |past |derniers |dernieres |previous )?"
            r"(?:days?|weeks?|months?|jours?|semaines?|mois|hours?|heures?))")


def _numbers(s: str) -> str:
    """"last two weeks", "trois derniers jours" -> digits, only before a unit (so "sept" alone stays a month)."""
    s = re.sub(r"\b(fortnight|quinzaine)\b", "14 days", s)
    for word, number in sorted(_NUMBER_WORDS.items(), key=lambda item: -len(item[0])):
        s = re.sub(rf"\b{word}\b(?= (?:derniers|dernieres) )|\b{word}\b{_COUNTED}", str(number), s)
    return s


def _week_of(s: str, lang: str, today: date, tz: str) -> Period | None:
    """"the week of Nov 9", "semaine du 9 novembre": Monday to Sunday around that day."""
    found = re.search(r"\b(?:week of|semaine du|semaine de|week starting|semaine commencant le)\b(.*)$", s)
    if not found:
        return None
    day = _explicit(found.group(1), lang, today)
    if day is None:
        return None
    monday = date.fromordinal(day[0].toordinal() - day[0].weekday())
    return days_between(monday, date.fromordinal(monday.toordinal() + 6), tz, kind="range")


def find_period(s: str, *, lang: str, now: datetime, tz: str) -> Found:
    """The period named in `s` (folded, typo-corrected tokens joined by spaces); Found() when none is named."""
    today = now.astimezone(ZoneInfo(tz)).date()
    s = _numbers(s)
    # "the 3rd of November", "lundi 3 novembre", "Monday Nov 3": the words around a date that change nothing.
    s = re.sub(rf"\b(\d{{1,2}}(?:er|st|nd|rd|th)?) of {M}\b", r"\1 \2", s)
    s = re.sub(rf"\b{_WEEKDAY} (?=\d|{M}\b)", "", s)
    s = re.sub(r"\b(since the start of the week|start of the week|debut de (la )?semaine|depuis le debut de la "
               r"semaine)\b", "this week", s)
    # Whole days said in hours: 48 hours is 2 days (24 hours is its own named period).
    s = re.sub(r"\b(\d{2,3}) ?(?:h|hrs?|hours?|heures?)\b",
               lambda m: f"{int(m.group(1)) // 24} days" if int(m.group(1)) % 24 == 0 and m.group(1) != "24"
               else m.group(0), s)
    if _FUTURE.search(s):
        return Found(problem="future")
    # Part of a day ("yesterday afternoon", "hier soir", "at 3pm") or "the first week of November": answering
    # for the whole day, week or month would be a figure for another period than the one asked.
    if found := _ORDINAL_WEEK.search(s) or _PART_OF_DAY.search(s):
        return Found(problem="unsupported", detail=found.group(0))
    try:
        week = _week_of(s, lang, today, tz)
        if week is not None:
            return Found(problem="future") if week.start.date() > today else Found(week)
        explicit = _explicit(s, lang, today)
        if explicit is not None:
            first, last, until_now = explicit
            if first > today:
                return Found(problem="future")
            if until_now:
                return Found(Period("range", days_between(first, first, tz).start, now.astimezone(ZoneInfo(tz))))
            return Found(days_between(first, last, tz))
        for pattern, unit in _ROLLING:
            if found := pattern.search(s):
                count = int(found.group(1)) * unit
                if count == 1:
                    return Found(resolve("last_24_hours", now, tz))
                return Found(resolve("last_n_days", now, tz, days=count))
        for named, kind in _NAMED:
            if re.search(named, s):
                if kind == "before_yesterday":
                    day = date.fromordinal(today.toordinal() - 2)
                    return Found(days_between(day, day, tz))
                return Found(resolve(kind, now, tz))
        month = _month_alone(s, today)
        if month is not None:
            return Found(days_between(month[0], month[1], tz, kind="month"))
    except PeriodError as exc:
        return Found(problem="invalid", detail=str(exc))
    if found := _UNSUPPORTED.search(s):
        return Found(problem="unsupported", detail=found.group(0))
    return Found()
