"""`salestui report`'s current streak (cli_report.current_streak) against all history.

The report reads back only as far as the streak goes, and days before the first goal
from `Store.active_days` instead of per-day totals; it must give the streak that
`streaks` gives over the whole log with every day's own call target.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from salestui.cli_report import current_streak
from salestui.domain.goals import GoalBook
from salestui.domain.history import streaks
from salestui.domain.periods import DateRange
from salestui.domain.planner import call_targets
from salestui.domain.workdays import WorkCalendar

SETTINGS = settings(max_examples=120, deadline=None)

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=399)
DAYS = [FIRST + timedelta(days=offset) for offset in range(400)]
MONTHS = sorted({f"{day.year:04d}-{day.month:02d}" for day in DAYS})


class DictStore:
    """The store methods current_streak uses, over a dict of per-day totals; it records
    how many day rows it handed out."""

    def __init__(self, totals: dict[date, dict[str, int]], goals: dict[str, str]) -> None:
        self.totals = totals
        self.goals = goals
        self.rows_read = 0

    def bounds(self) -> DateRange | None:
        return DateRange(min(self.totals), max(self.totals)) if self.totals else None

    def settings_like(self, prefix: str) -> dict[str, str]:
        return {key: value for key, value in self.goals.items() if key.startswith(prefix)}

    def day_totals(self, span: DateRange) -> dict[date, dict[str, int]]:
        found = {day: counts for day, counts in self.totals.items() if day in span}
        self.rows_read += len(found)
        return found

    def active_days(self, span: DateRange) -> list[date]:
        found = [
            day
            for day, counts in self.totals.items()
            if day in span and any(count > 0 for count in counts.values())
        ]
        return sorted(found, reverse=True)


def whole_history_streak(
    store: DictStore, calendar: WorkCalendar, rates: dict[str, Fraction]
) -> int:
    from salestui.figures import goal_book

    past = [day for day in store.totals if day <= TODAY]
    if not past:
        return 0
    book: GoalBook = goal_book(store)  # type: ignore[arg-type]
    span = DateRange(min(past), TODAY)
    targets = call_targets(store.totals, span, calendar, book, rates)
    return streaks(store.totals, TODAY, calendar, targets).current


day_counts = st.fixed_dictionaries(
    {
        "calls": st.integers(min_value=0, max_value=12),
        "meetings": st.integers(min_value=0, max_value=3),
        "sales": st.integers(min_value=0, max_value=1),
    }
)


@st.composite
def logs(draw: st.DrawFn) -> dict[date, dict[str, int]]:
    """Mostly busy days (long streaks), with a few gaps and quiet days."""
    first = draw(st.integers(min_value=0, max_value=len(DAYS) - 1))
    gaps = draw(st.frozensets(st.sampled_from(DAYS), max_size=6))
    busy = draw(st.lists(day_counts, min_size=len(DAYS) - first, max_size=len(DAYS) - first))
    return {day: counts for day, counts in zip(DAYS[first:], busy, strict=True) if day not in gaps}


calendars = st.builds(
    WorkCalendar,
    weekdays=st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
    holidays=st.frozensets(st.sampled_from(DAYS), max_size=6),
)
goals = st.dictionaries(
    st.sampled_from(MONTHS).flatmap(
        lambda month: st.sampled_from([f"goal.from.{month}", f"goal.only.{month}"])
    ),
    st.integers(min_value=1, max_value=3).map(str),
    max_size=2,
)
rates = st.sampled_from([{}, {"meetings": Fraction(1, 2), "sales": Fraction(1, 2)}])


@SETTINGS
@given(logs(), calendars, goals, rates)
def test_the_report_streak_is_the_whole_history_streak(
    totals: dict[date, dict[str, int]],
    calendar: WorkCalendar,
    goal_settings: dict[str, str],
    stored: dict[str, Fraction],
) -> None:
    store = DictStore(totals, goal_settings)
    inputs = SimpleNamespace(calendar=calendar, stored_rates=stored)
    result = current_streak(store, TODAY, inputs)  # type: ignore[arg-type]
    assert result.current == whole_history_streak(store, calendar, stored)
    # `report --period all` hands over the totals it read: the same streak.
    given_all = current_streak(store, TODAY, inputs, dict(totals))  # type: ignore[arg-type]
    assert given_all == result
    assert (result.current == 0) == (result.current_start is None)
    if result.current_start is not None:
        assert result.longest_end is not None
        assert result.current_start <= result.longest_end <= TODAY


def test_a_streak_without_goal_reads_no_day_totals() -> None:
    """Ten years of daily activity and no goal: the streak comes from active days only
    (it used to read every day's totals, twice over, and compute a target for each)."""
    first = TODAY - timedelta(days=3652)
    totals = {
        first + timedelta(days=offset): {"calls": 3, "meetings": 0, "sales": 0}
        for offset in range(3653)
    }
    store = DictStore(totals, {})
    inputs = SimpleNamespace(calendar=WorkCalendar(), stored_rates={})
    result = current_streak(store, TODAY, inputs)  # type: ignore[arg-type]
    assert result.current == WorkCalendar().working_days(DateRange(first, TODAY))
    assert result.current_start == min(day for day in totals if WorkCalendar().is_working(day))
    assert store.rows_read == 0


def test_a_streak_under_a_goal_reads_each_day_about_once() -> None:
    """With a goal every day of the run needs its target; each day is read once, plus the
    90 days before each window (it used to re-read every window from today)."""
    first = TODAY - timedelta(days=1999)
    totals = {
        first + timedelta(days=offset): {"calls": 50, "meetings": 10, "sales": 3}
        for offset in range(2000)
    }
    month = f"{first.year:04d}-{first.month:02d}"
    store = DictStore(totals, {f"goal.from.{month}": "2"})
    inputs = SimpleNamespace(calendar=WorkCalendar(), stored_rates={})
    result = current_streak(store, TODAY, inputs)  # type: ignore[arg-type]
    assert result.current == WorkCalendar().working_days(DateRange(first, TODAY))
    assert store.rows_read < 2000 + 8 * 91


def test_a_log_from_the_first_day_of_the_calendar() -> None:
    """Windows stop at the first event instead of running off the calendar."""
    today = date(1, 6, 1)
    totals = {
        date(1, 1, 1) + timedelta(days=offset): {"calls": 1, "meetings": 0, "sales": 0}
        for offset in range((today - date(1, 1, 1)).days + 1)
    }
    calendar = WorkCalendar(weekdays=frozenset(range(7)))
    for goal_settings in ({}, {"goal.from.0001-03": "1"}):
        store = DictStore(totals, goal_settings)
        inputs = SimpleNamespace(calendar=calendar, stored_rates={})
        result = current_streak(store, today, inputs)  # type: ignore[arg-type]
        assert result.current == whole_history_streak_at(store, calendar, today)


def whole_history_streak_at(store: DictStore, calendar: WorkCalendar, today: date) -> int:
    from salestui.figures import goal_book

    book: GoalBook = goal_book(store)  # type: ignore[arg-type]
    span = DateRange(min(store.totals), today)
    targets = call_targets(store.totals, span, calendar, book, {})
    return streaks(store.totals, today, calendar, targets).current
