"""When a backdated tally happened: `--at` parsing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from salestui.domain.periods import FIRST_DAY
from salestui.domain.text import shown

AT_HELP = (
    "use a date (YYYY-MM-DD), a time like 2026-11-27T09:15 "
    "(local unless it has an offset like +01:00), today, yesterday, "
    "a weekday (mon or monday: the last one before today) or -Nd (N days ago)"
)
"""The accepted forms, for error messages and `--help`."""

DATE_ONLY = time(12, 0)
"""The local time a tally backdated by its date alone gets (`--at 2026-11-20`,
`yesterday`, a tally added in the day view): noon, to the microsecond. Nothing else
lands there: a typed time of exactly noon is stored a microsecond later (see
`parse_at`), and a tally counted live carries its own microseconds. So a reader can
say "no time" for it instead of a made-up 12:00."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_DAYS_AGO = re.compile(r"-([0-9]{1,12})d")


def parse_at(text: str, now: datetime) -> datetime:
    """The aware instant `--at TEXT` names, given the aware local `now`.

    A date means that local day (noon), or `now` when it is today; a datetime is
    local unless it carries an offset. Words name a day the same way (case does not
    matter): `today` (now), `yesterday`, a weekday name or its first three letters
    (the most recent such day before today, so on a Friday `fri` is a week ago), and
    `-Nd` (N days ago; `-0d` is now). Anything later than `now`, or before
    FIRST_DAY (1900-01-01), is refused. Raises ValueError with a one-line reason.
    """
    raw = text.strip()
    today = now.date()
    earliest = f"salestui records days from {FIRST_DAY.isoformat()} to today"
    named = _named_day(raw.lower(), today)
    if named is not None:
        if named < FIRST_DAY:
            raise ValueError(f"--at {raw} is too long ago; {earliest}")
        return _on_day(named, now)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None and len(raw) == 10:
        if day > today:
            raise ValueError(f"--at {raw} is in the future; today is {today.isoformat()}")
        if day < FIRST_DAY:
            raise ValueError(f"--at {raw} is too long ago; {earliest}")
        return _on_day(day, now)
    try:
        instant = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"not a date or time: --at {shown(text)}; {AT_HELP}") from None
    if instant.date() < FIRST_DAY:
        raise ValueError(f"--at {raw} is too long ago; {earliest}")
    try:
        # Both conversions are needed later (UTC stored, local day); at the ends of
        # the calendar either can fall outside years 1-9999.
        instant = instant.astimezone() if instant.tzinfo is None else instant
        instant.astimezone(UTC)
        local_day = instant.astimezone().date()
    except (OverflowError, ValueError):
        raise ValueError(f"--at {raw} is in the future; now is {_minutes(now)}") from None
    if instant > now:
        raise ValueError(f"--at {raw} is in the future; now is {_minutes(now)}")
    if local_day < FIRST_DAY:
        raise ValueError(f"--at {raw} is too long ago; {earliest}")
    if instant.astimezone().time() == DATE_ONLY:
        # Noon to the microsecond means "date only"; a typed 12:00 keeps its time.
        instant += timedelta(microseconds=1)
    return instant


def is_date_only(instant: datetime) -> bool:
    """True for a tally backdated by its date alone (it sits at DATE_ONLY, local)."""
    return instant.astimezone().time() == DATE_ONLY


def _named_day(word: str, today: date) -> date | None:
    """The day `word` names (today, yesterday, a weekday, -Nd), or None for other text."""
    if word == "today":
        return today
    if word == "yesterday":
        return _days_before(today, 1)
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            # The most recent one BEFORE today: "fri" on a Friday is last week's, since
            # today is simply `today` and a backdate names a day already gone.
            return _days_before(today, (today.weekday() - index - 1) % 7 + 1)
    match = _DAYS_AGO.fullmatch(word)
    if match is not None:
        return _days_before(today, int(match.group(1)))
    return None


def _days_before(today: date, days: int) -> date:
    """`days` before `today`, or a day before FIRST_DAY when that is out of the calendar."""
    if days > (today - FIRST_DAY).days:
        return FIRST_DAY - timedelta(days=1)
    return today - timedelta(days=days)


def _on_day(day: date, now: datetime) -> datetime:
    """The instant a tally on local `day` gets: now for today, else that day's noon."""
    if day == now.date():
        return now
    # Naive -> aware in the system's local zone, right across DST changes.
    return datetime.combine(day, DATE_ONLY).astimezone()


def _minutes(now: datetime) -> str:
    return now.isoformat(timespec="minutes")
