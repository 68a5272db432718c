"""The monthly sales target: set from a month on, or for one month only.

A goal set after a month's first working day starts on the day it was set; that
month can be pro-rated (its share of the working days left), planned in full from
that day, or skipped (the goal starts next month). See `start_choices`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from salestui.domain.periods import DateRange
from salestui.domain.workdays import WorkCalendar


def parse_target(text: str) -> int:
    """A sales target: a whole number >= 1. Raises ValueError saying what is accepted."""
    try:
        target = int(text.strip())
    except ValueError:
        raise ValueError(f"the target must be a whole number of sales >= 1, not {text!r}") from None
    if target < 1:
        raise ValueError(f"the target must be a whole number of sales >= 1, not {target}")
    return target


@dataclass(frozen=True, slots=True)
class GoalBook:
    """Targets keyed by month ("YYYY-MM"): `standing` holds from that month on until the
    next standing goal; `only` holds for its month alone and wins over a standing goal."""

    standing: dict[str, int] = field(default_factory=dict)
    only: dict[str, int] = field(default_factory=dict)
    starts: dict[str, date] = field(default_factory=dict)
    """Month -> the day its goal started, for a goal set during that month."""

    def start_for(self, month: str) -> date | None:
        """The day `month`'s goal started, or None when it covers the whole month."""
        return self.starts.get(month)

    def target_for(self, month: str) -> int | None:
        """The target in force for `month`, or None when no goal covers it."""
        if month in self.only:
            return self.only[month]
        earlier = [start for start in self.standing if start <= month]
        return self.standing[max(earlier)] if earlier else None

    def with_standing(self, month: str, target: int) -> GoalBook:
        """Set `target` from `month` on; one-month goals from then on give way to it."""
        only = {key: value for key, value in self.only.items() if key < month}
        return GoalBook({**self.standing, month: target}, only, dict(self.starts))

    def with_only(self, month: str, target: int) -> GoalBook:
        """Set `target` for `month` alone."""
        return GoalBook(dict(self.standing), {**self.only, month: target}, dict(self.starts))

    def to_json(self) -> str:
        """The book as a settings string."""
        return json.dumps({"standing": self.standing, "only": self.only}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> GoalBook:
        """Read a settings string; None or unreadable text is an empty book."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            standing = {str(k): int(v) for k, v in data.get("standing", {}).items()}
            only = {str(k): int(v) for k, v in data.get("only", {}).items()}
        except (ValueError, TypeError, AttributeError):
            return cls()
        return cls(standing, only)


class Start(Enum):
    """How a goal set during a month treats that month."""

    PRORATE = "prorate"
    """This month: the goal's share of the working days left, from today on."""
    FULL = "full"
    """This month: the whole goal, from today on."""
    NEXT_MONTH = "next-month"
    """No goal this month; the goal starts on the 1st of next month."""


@dataclass(frozen=True, slots=True)
class GoalStart:
    """What setting a goal today means for the current month."""

    mid_month: bool
    """True when working days of the month have already passed and no goal covered it."""
    working_days: int
    days_left: int
    """Working days left in the month, today included when worked."""

    def prorated(self, target: int) -> int:
        """The month's share of `target`: ceil(target * days_left / working_days), >= 1."""
        if not self.mid_month or self.working_days == 0:
            return target
        return max(1, math.ceil(target * self.days_left / self.working_days))


def start_choices(
    month: DateRange, today: date, calendar: WorkCalendar, *, covered: bool
) -> GoalStart:
    """Whether a goal set `today` starts mid-month: some of the month's working days
    have passed and no goal (`covered`) was in force for it yet."""
    working_days = calendar.working_days(month)
    days_left = calendar.working_days_left(month, today)
    passed = calendar.working_days_before(month, today)
    return GoalStart(
        mid_month=not covered and passed > 0 and days_left > 0,
        working_days=working_days,
        days_left=days_left,
    )
