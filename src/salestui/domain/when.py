"""When a backdated tally happened: `--at` parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from salestui.domain.periods import FIRST_DAY, shown

AT_HELP = (
    "use a date (YYYY-MM-DD) or a time like 2026-11-27T09:15 "
    "(local unless it has an offset like +01:00)"
)


def parse_at(text: str, now: datetime) -> datetime:
    """The aware instant `--at TEXT` names, given the aware local `now`.

    A date means that local day (noon), or `now` when it is today; a datetime is
    local unless it carries an offset. Anything later than `now`, or before
    FIRST_DAY (1900-01-01), is refused. Raises ValueError with a one-line reason.
    """
    raw = text.strip()
    today = now.date()
    earliest = f"salestui records days from {FIRST_DAY.isoformat()} to today"
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None and len(raw) == 10:
        if day > today:
            raise ValueError(f"--at {raw} is in the future; today is {today.isoformat()}")
        if day < FIRST_DAY:
            raise ValueError(f"--at {raw} is too long ago; {earliest}")
        if day == today:
            return now
        # Naive -> aware in the system's local zone, right across DST changes.
        return datetime.combine(day, time(12, 0)).astimezone()
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
    return instant


def _minutes(now: datetime) -> str:
    return now.isoformat(timespec="minutes")
