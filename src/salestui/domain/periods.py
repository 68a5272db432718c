"""Calendar periods: today, week, month, quarter, year, all, Nd, YYYY-MM, FROM..TO.

Weeks start on Monday. Every range is inclusive at both ends and made of local
calendar days, the same days stored with each event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from salestui.domain.text import shown as shown  # its home was here: still importable

FIRST_DAY = date(1900, 1, 1)
"""The earliest day salestui records or reports on.

Far enough back for any sales history, and far enough from `date.min` that a
period's "period before" (report) can always be computed.
"""
LAST_DAY = date.max
"""The latest day a period may reach (9999-12-31)."""
MAX_PERIOD_DAYS = 36_500
"""The longest period by name (Nd, FROM..TO): about 100 years; `all` has no limit."""

PERIODS_HELP = (
    f"today, week, month, quarter, year, all, Nd (last N days, N from 1 to {MAX_PERIOD_DAYS:,}), "
    "YYYY-MM, or YYYY-MM-DD..YYYY-MM-DD"
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive span of local calendar days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __len__(self) -> int:
        return (self.end - self.start).days + 1

    def compact(self) -> str:
        """`27 Nov 2026`, `1–30 Nov 2026`, `24 Nov – 3 Dec 2026` or both dates in full."""
        start, end = self.start, self.end
        if start == end:
            return f"{end.day} {end:%b %Y}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{end.day} {end:%b %Y}"
        if start.year == end.year:
            return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"

    def days(self) -> Iterator[date]:
        """Every day of the range, oldest first."""
        for offset in range(len(self)):
            yield self.start + timedelta(days=offset)


@dataclass(frozen=True, slots=True)
class Period:
    """A period as the user named it. `range` is None for `all`, whose bounds come from data."""

    spec: str
    label: str
    range: DateRange | None


def week_of(day: date) -> DateRange:
    """Monday to Sunday around `day`."""
    monday = day - timedelta(days=day.weekday())
    return DateRange(monday, monday + timedelta(days=6))


def month_of(day: date) -> DateRange:
    """The calendar month holding `day`."""
    return month_range(day.year, day.month)


def month_range(year: int, month: int) -> DateRange:
    """First to last day of a calendar month (December 9999 included)."""
    from calendar import monthrange

    return DateRange(date(year, month, 1), date(year, month, monthrange(year, month)[1]))


def quarter_of(day: date) -> DateRange:
    """The calendar quarter holding `day`."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return DateRange(start, month_range(day.year, first_month + 2).end)


def year_of(day: date) -> DateRange:
    """1 January to 31 December of `day`'s year."""
    return DateRange(date(day.year, 1, 1), date(day.year, 12, 31))


def last_days(today: date, count: int) -> DateRange:
    """The last `count` days, today included (as far back as `date.min`)."""
    if count < 1:
        raise ValueError("a period of N days needs N >= 1")
    back = min(count - 1, (today - date.min).days)
    return DateRange(today - timedelta(days=back), today)


# ASCII digits only: `\d` would also take other scripts' digits.
_DAYS = re.compile(r"([0-9]+)d")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_SPAN = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2}-[0-9]{2})")

MONTH_HELP = f"use YYYY-MM from {FIRST_DAY:%Y-%m} to {LAST_DAY:%Y-%m}, e.g. 2026-11"


def parse_month(text: str) -> DateRange:
    """`YYYY-MM` (1900-01 to 9999-12) as the range of that month. Raises ValueError otherwise."""
    match = _MONTH.fullmatch(text.strip())
    if (
        match is None
        or not 1 <= int(match.group(2)) <= 12
        or not FIRST_DAY.year <= int(match.group(1)) <= LAST_DAY.year
    ):
        raise ValueError(f"not a month: {shown(text)} ({MONTH_HELP})")
    return month_range(int(match.group(1)), int(match.group(2)))


def _within_bounds(text: str, span: DateRange) -> DateRange:
    """`span` if a report can use it (and the period before it); else ValueError."""
    if span.start < FIRST_DAY:
        raise ValueError(
            f"bad period {shown(text)}: it starts on {span.start.isoformat()}, before "
            f"{FIRST_DAY.isoformat()}, the earliest day salestui reports on"
        )
    if len(span) > MAX_PERIOD_DAYS:
        raise ValueError(
            f"bad period {shown(text)}: {len(span):,} days is longer than {MAX_PERIOD_DAYS:,} "
            "(about 100 years); use `all` for everything"
        )
    return span


def parse_period(text: str, today: date) -> Period:
    """Parse a period name relative to `today`.

    Raises ValueError with a sentence listing what is accepted.
    """
    spec = text.strip().lower()
    fixed = {
        "today": ("Today", DateRange(today, today)),
        "week": ("This week", week_of(today)),
        "month": ("This month", month_of(today)),
        "quarter": ("This quarter", quarter_of(today)),
        "year": ("This year", year_of(today)),
    }
    if spec in fixed:
        label, span = fixed[spec]
        return Period(spec, label, span)
    if spec == "all":
        return Period(spec, "All time", None)
    if match := _DAYS.fullmatch(spec):
        digits = match.group(1).lstrip("0")
        # Compared as text first: int() of thousands of digits is refused by Python.
        if not digits or len(digits) > len(str(MAX_PERIOD_DAYS)) or int(digits) > MAX_PERIOD_DAYS:
            raise ValueError(
                f"bad period {shown(text)}: Nd needs N from 1 to {MAX_PERIOD_DAYS:,} (e.g. 30d)"
            )
        count = int(digits)
        return Period(spec, f"Last {count} days", _within_bounds(text, last_days(today, count)))
    if _MONTH.fullmatch(spec):
        try:
            span = parse_month(spec)
        except ValueError:
            raise ValueError(f"bad period {shown(text)}: not a month ({MONTH_HELP})") from None
        return Period(spec, span.start.strftime("%B %Y"), span)
    if match := _SPAN.fullmatch(spec):
        try:
            start = date.fromisoformat(match.group(1))
            end = date.fromisoformat(match.group(2))
        except ValueError:
            raise ValueError(
                f"bad period {shown(text)}: not a real date (use YYYY-MM-DD..YYYY-MM-DD, "
                "e.g. 2026-11-01..2026-11-15)"
            ) from None
        if end < start:
            raise ValueError(f"bad period {shown(text)}: the end is before the start")
        span = _within_bounds(text, DateRange(start, end))
        return Period(spec, f"{start.isoformat()} to {end.isoformat()}", span)
    raise ValueError(f"bad period {shown(text)}; use {PERIODS_HELP}")
