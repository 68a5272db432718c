"""When a backdated tally happened: `--at` parsing."""

from __future__ import annotations

from datetime import date, datetime, time

AT_HELP = "a date (YYYY-MM-DD) or a datetime (YYYY-MM-DDTHH:MM, local unless it has an offset)"


def parse_at(text: str, now: datetime) -> datetime:
    """The aware instant `--at TEXT` names, given the aware local `now`.

    A date means that local day (noon), or `now` when it is today; a datetime is
    local unless it carries an offset. Anything later than `now` is refused.
    Raises ValueError with a one-line reason.
    """
    raw = text.strip()
    today = now.date()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None and len(raw) == 10:
        if day > today:
            raise ValueError(f"--at {raw} is in the future; today is {today.isoformat()}")
        if day == today:
            return now
        # Naive -> aware in the system's local zone, right across DST changes.
        return datetime.combine(day, time(12, 0)).astimezone()
    try:
        instant = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"cannot read --at {text!r}; use {AT_HELP}") from None
    instant = instant.astimezone() if instant.tzinfo is None else instant
    if instant > now:
        raise ValueError(f"--at {raw} is in the future; now is {now.isoformat(timespec='minutes')}")
    return instant
