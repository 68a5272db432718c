"""Prospects: the person or company a tally was about (pure; no I/O).

A prospect is built from append-only changes (one field each, the latest wins) and the
touches linked to it; the store keeps each prospect as it stands (`store.prospects`).
This module holds the record, the rules a name follows and how a name given on the
command line or typed in the app finds its prospect.

Kept light (a `Record`, no dataclasses): `salestui log call --prospect NAME` and
`salestui due` load it on their quick path.
"""

from __future__ import annotations

from salestui.domain.record import Record
from salestui.domain.text import shown as quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from salestui.domain.workdays import WorkCalendar

SOURCES: tuple[str, ...] = ("cold", "referral", "inbound", "event", "other")
"""Where a prospect came from; `cold` unless told."""
STATUSES: tuple[str, ...] = ("open", "won", "lost")
FIELDS: tuple[str, ...] = ("name", "company", "source", "status", "reason", "follow_up")
"""What one prospect change sets (the schema's check trigger accepts these alone)."""
MAX_NAME = 200
"""The longest name or company accepted (characters)."""
MAX_REASON = 500


class Prospect(Record):
    """One prospect as it stands (immutable): the latest of each field, and its touches
    (linked tallies not undone, each once)."""

    __match_args__ = (
        "id",
        "name",
        "company",
        "source",
        "status",
        "reason",
        "follow_up",
        "created_on",
        "closed_on",
        "touches",
        "first_touch",
        "last_touch",
    )
    __slots__ = __match_args__
    id: str
    name: str
    company: str | None
    source: str
    status: str
    reason: str | None
    follow_up: date | None
    created_on: date | None
    """The local day it was added."""
    closed_on: date | None
    """The local day it was won or lost (None while open)."""
    touches: int
    first_touch: date | None
    last_touch: date | None

    def __init__(
        self,
        id: str,
        name: str,
        company: str | None,
        source: str,
        status: str,
        reason: str | None,
        follow_up: date | None,
        created_on: date | None,
        closed_on: date | None,
        touches: int,
        first_touch: date | None,
        last_touch: date | None,
    ) -> None:
        for field, value in zip(
            self.__slots__,
            (
                id,
                name,
                company,
                source,
                status,
                reason,
                follow_up,
                created_on,
                closed_on,
                touches,
                first_touch,
                last_touch,
            ),
            strict=True,
        ):
            object.__setattr__(self, field, value)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def check_name(text: str, what: str = "name") -> str:
    """A name (or company) as stored: surrounding spaces dropped. Raises ValueError with
    one line for an empty one, one longer than MAX_NAME, or one with control characters."""
    name = " ".join(text.split()) if text.strip() else ""
    if not name:
        raise ValueError(f"a prospect's {what} cannot be empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"a prospect's {what} is at most {MAX_NAME} characters, not {len(name):,}")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name):
        raise ValueError(f"a prospect's {what} cannot hold control characters")
    return name


def check_source(text: str) -> str:
    """A source as stored. Raises ValueError naming the accepted ones."""
    source = text.strip().lower()
    if source not in SOURCES:
        raise ValueError(f"unknown source {text!r} (use {', '.join(SOURCES)})")
    return source


class NoMatch(ValueError):
    """No prospect has that name or starts with it; `close` holds near names."""

    def __init__(self, text: str, close: Sequence[str] = ()) -> None:
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        if not text.split():
            super().__init__("say which prospect: its name, or the start of it")
        else:  # quoted short: a 10,000-character name is not echoed whole
            super().__init__(f"no prospect named {quoted(text)}{hint}")
        self.text = text
        self.close = tuple(close)


class Ambiguous(ValueError):
    """More than one prospect starts with the text given."""

    def __init__(self, text: str, names: Sequence[str]) -> None:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        super().__init__(
            f"{quoted(text)} matches {len(names)} prospects: {shown}; type more of the name"
        )
        self.text = text
        self.names = tuple(names)


def pick(text: str, candidates: Iterable[Prospect]) -> Prospect:
    """The prospect `text` names: its whole name (case-insensitive), else the only one
    whose name starts with it. Raises Ambiguous or NoMatch (one line each).

    `candidates` are the prospects whose name starts with `text` (case-insensitive),
    as `store.prospects.starting_with` reads them.
    """
    wanted = " ".join(text.split()).casefold()
    found = list(candidates)
    exact = [p for p in found if p.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise Ambiguous(text, [f"{p.name} ({p.company or p.id[:8]})" for p in exact])
    prefixed = [p for p in found if p.name.casefold().startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise Ambiguous(text, sorted(p.name for p in prefixed))
    raise NoMatch(text)


# -- follow-ups ------------------------------------------------------------------------

FOLLOW_UP_HELP = (
    "use a date YYYY-MM-DD, today, tomorrow, +Nd (days), +Nw (weeks), +Nwd (working days)"
    " or a weekday (mon or monday: the next one after today)"
)
"""What `parse_follow_up` accepts, in the words of its refusals."""

_WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
MAX_AHEAD_DAYS = 3660
"""A follow-up at most about ten years ahead (a typo such as `+9999w` is refused)."""


def parse_follow_up(text: str, today: date, workdays: WorkCalendar | None = None) -> date:
    """The follow-up day `text` names, seen from `today`: a date `YYYY-MM-DD`, `today`,
    `tomorrow`, `+Nd` (N days later), `+Nw` (N weeks), `+Nwd` (N working days of
    `workdays`, Monday to Friday when None) or a weekday name (`mon` or `monday`: the
    next such day after today, so `fri` on a Friday is a week ahead). Case and
    surrounding spaces do not matter.

    Raises ValueError with one line saying what is accepted for anything else, for a day
    before today, and for one more than about ten years ahead.
    """
    from datetime import timedelta

    word = text.strip().lower()
    day: date | None = None
    if word == "today":
        day = today
    elif word == "tomorrow":
        day = today + timedelta(days=1)
    elif word.startswith("+") and word[1:2].isdigit():
        digits = word[1:].rstrip("dw")
        unit = word[1 + len(digits) :]
        if digits.isascii() and digits.isdigit() and len(digits) <= 5 and unit in ("d", "w", "wd"):
            amount = int(digits)
            if unit == "d":
                day = today + timedelta(days=amount)
            elif unit == "w":
                day = today + timedelta(weeks=amount)
            elif amount <= MAX_AHEAD_DAYS:
                day = follow_up_after(today, amount, workdays)
    elif len(word) >= 3 and word.isalpha():
        for index, name in enumerate(_WEEKDAYS):
            if name.startswith(word):
                day = today + timedelta(days=(index - today.weekday() - 1) % 7 + 1)
                break
    elif len(word) == 10 and word[4:5] == "-" and word[7:8] == "-":
        from datetime import date as date_type

        try:
            day = date_type.fromisoformat(word)
        except ValueError:
            day = None
    if day is None:
        raise ValueError(f"cannot read follow-up {text.strip()!r}; {FOLLOW_UP_HELP}")
    if day < today:
        raise ValueError(
            f"the follow-up {day.isoformat()} is in the past (today is {today.isoformat()})"
        )
    if (day - today).days > MAX_AHEAD_DAYS:
        raise ValueError(f"the follow-up {day.isoformat()} is more than ten years ahead")
    return day


def follow_up_after(day: date, working_days: int, calendar: WorkCalendar | None = None) -> date:
    """The day `working_days` working days after `day` (`day` itself not counted; 0 is
    `day`). With no calendar, Monday to Friday are worked. A calendar with no working day
    in sight (every day a holiday for years) gives up after ten years of calendar days."""
    from datetime import timedelta

    worked = calendar.is_working if calendar is not None else (lambda d: d.weekday() < 5)
    left = working_days
    current = day
    limit = day + timedelta(days=MAX_AHEAD_DAYS)
    while left > 0 and current < limit:
        current += timedelta(days=1)
        if worked(current):
            left -= 1
    return current


class Touch(Record):
    """A tally linked to a prospect, as its timeline shows it (newest first)."""

    __match_args__ = ("ts", "day", "metric", "delta", "note", "event_id")
    __slots__ = __match_args__
    ts: str
    """The tally's UTC instant (ISO 8601)."""
    day: date
    """The tally's local day."""
    metric: str
    delta: int
    note: str | None
    """The tally's note, or the latest note added about it later."""
    event_id: str

    def __init__(
        self, ts: str, day: date, metric: str, delta: int, note: str | None, event_id: str
    ) -> None:
        for field, value in zip(
            self.__slots__, (ts, day, metric, delta, note, event_id), strict=True
        ):
            object.__setattr__(self, field, value)


class Change(Record):
    """One change of one field of a prospect (its history, oldest first)."""

    __match_args__ = ("ts", "day", "field", "value")
    __slots__ = __match_args__
    ts: str
    day: date
    field: str
    value: str | None

    def __init__(self, ts: str, day: date, field: str, value: str | None) -> None:
        for name, value_ in zip(self.__slots__, (ts, day, field, value), strict=True):
            object.__setattr__(self, name, value_)


# -- finding as you type ----------------------------------------------------------------


def fuzzy_score(text: str, prospect: Prospect) -> int | None:
    """How well `text` finds `prospect` (lower is better), or None when it does not:
    the characters of `text` must appear in order (case-insensitive) in its name or its
    company. 0 the whole name, 1 the name starts with it, 2 a word of the name does,
    3 the name holds it, 4 the company starts with it (or a word of it), 5 the company
    holds it, 6 scattered over the name, 7 scattered over the company."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return 0
    name = prospect.name.casefold()
    company = (prospect.company or "").casefold()
    if name == wanted:
        return 0
    if name.startswith(wanted):
        return 1
    if f" {wanted}" in f" {name}":
        return 2
    if wanted in name:
        return 3
    if company and (company.startswith(wanted) or f" {wanted}" in f" {company}"):
        return 4
    if company and wanted in company:
        return 5
    if _in_order(wanted, name):
        return 6
    if company and _in_order(wanted, company):
        return 7
    return None


def _in_order(wanted: str, text: str) -> bool:
    position = 0
    for char in wanted:
        position = text.find(char, position)
        if position < 0:
            return False
        position += 1
    return True
