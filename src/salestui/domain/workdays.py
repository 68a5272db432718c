"""The working-day calendar: which weekdays are worked, and holidays.

Weekdays are numbered as `date.weekday()`: 0 = Monday ... 6 = Sunday.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from salestui.domain.periods import DateRange

WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))

WEEKDAYS_HELP = (
    "weekday names (mon, tue, wed, thu, fri, sat, sun) and ranges such as mon-fri "
    "or sun-thu, separated by commas"
)


def _parse_day_name(text: str, whole: str) -> int:
    name = text.strip().lower()
    if len(name) >= 2:
        for index, full in enumerate(_FULL_NAMES):
            if full.startswith(name):
                return index
    raise ValueError(f"unknown weekday {name!r} in {whole!r}; use {WEEKDAYS_HELP}")


def parse_weekdays(text: str) -> frozenset[int]:
    """Read working weekdays: `mon-fri`, `mon,tue,thu`, `sun-thu` (a range may wrap the week).

    Names are case-insensitive; full names and prefixes of two letters or more work
    (`monday`, `tu`, `thurs`). Raises ValueError naming the bad part and what is
    accepted; an empty list is refused.
    """
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        first, dash, last = part.partition("-")
        start = _parse_day_name(first, text)
        if not dash:
            days.add(start)
            continue
        end = _parse_day_name(last, text)
        span = (end - start) % 7
        days.update((start + offset) % 7 for offset in range(span + 1))
    if not days:
        raise ValueError(f"no working weekdays in {text!r}; use {WEEKDAYS_HELP}")
    return frozenset(days)


def format_weekdays(weekdays: frozenset[int]) -> str:
    """Working weekdays as `parse_weekdays` reads them: `mon-fri`, `sun-thu`, `mon,tue,thu`.

    Runs of three days or more become ranges; runs are listed by their first day,
    Monday first.
    """
    if not weekdays:
        return ""
    if len(weekdays) == 7:
        return "mon-sun"
    rest = min(day for day in range(7) if day not in weekdays)
    runs: list[list[int]] = []
    for offset in range(1, 8):
        day = (rest + offset) % 7
        if day in weekdays:
            if runs and (runs[-1][-1] + 1) % 7 == day:
                runs[-1].append(day)
            else:
                runs.append([day])
    parts: list[str] = []
    for run in sorted(runs, key=lambda r: r[0]):
        names = [WEEKDAY_NAMES[day] for day in run]
        parts.append(f"{names[0]}-{names[-1]}" if len(run) >= 3 else ",".join(names))
    return ",".join(parts)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days are worked: weekdays (0 = Monday; default Monday-Friday) minus holidays."""

    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("a working week needs at least one working weekday")
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}")

    def is_working(self, day: date) -> bool:
        """True when `day` is a working weekday and not a holiday."""
        return day.weekday() in self.weekdays and day not in self.holidays

    def working_days(self, span: DateRange) -> int:
        """How many working days `span` holds (both ends included)."""
        return sum(1 for day in span.days() if self.is_working(day))

    def working_days_left(self, month: DateRange, today: date) -> int:
        """Working days from today to the end of `month`, today included if it is worked.

        0 when today is after the month; the whole month when today is before it.
        """
        if today > month.end:
            return 0
        return self.working_days(DateRange(max(today, month.start), month.end))

    def working_days_before(self, month: DateRange, today: date) -> int:
        """Working days of `month` strictly before today (all of them once the month is over)."""
        if today <= month.start:
            return 0
        return self.working_days(DateRange(month.start, min(today - timedelta(days=1), month.end)))

    def to_json(self) -> str:
        """The calendar as a settings string: `{"weekdays": "mon-fri", "holidays": [...]}`."""
        return json.dumps(
            {
                "weekdays": format_weekdays(self.weekdays),
                "holidays": sorted(day.isoformat() for day in self.holidays),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> WorkCalendar:
        """Read a settings string written by `to_json`; missing keys take the defaults.

        Raises ValueError with a one-line reason when the text is not such a calendar.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"work calendar setting is not JSON: {error.msg}") from None
        if not isinstance(data, dict):
            raise ValueError("work calendar setting must be a JSON object")
        weekdays_raw = data.get("weekdays", "mon-fri")
        if isinstance(weekdays_raw, str):
            weekdays = parse_weekdays(weekdays_raw)
        elif isinstance(weekdays_raw, list) and all(
            isinstance(day, int) and not isinstance(day, bool) for day in weekdays_raw
        ):
            weekdays = frozenset(weekdays_raw)
        else:
            raise ValueError("work calendar weekdays must be a string such as 'mon-fri'")
        holidays_raw = data.get("holidays", [])
        if not isinstance(holidays_raw, list) or not all(isinstance(d, str) for d in holidays_raw):
            raise ValueError("work calendar holidays must be a list of YYYY-MM-DD dates")
        try:
            holidays = frozenset(date.fromisoformat(day) for day in holidays_raw)
        except ValueError:
            raise ValueError("work calendar holidays must be YYYY-MM-DD dates") from None
        return cls(weekdays=weekdays, holidays=holidays)
