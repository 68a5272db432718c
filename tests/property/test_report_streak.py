"""`figures.report_streak` (the report's current streak) against the whole-history streak.

The report walks back from today only as far as the streak goes and works each day's
call target out from running sums; it must give the streak `streaks` gives over the
whole log with every day's target from `planner.call_targets`.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from salestui.domain.goals import GoalBook
from salestui.domain.history import Streaks, streaks
from salestui.domain.periods import DateRange
from salestui.domain.planner import call_targets
from salestui.domain.workdays import WorkCalendar
from salestui.figures import goal_book, report_streak

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=399)
DAYS = [FIRST + timedelta(days=offset) for offset in range(400)]
MONTHS = sorted({f"{day.year:04d}-{day.month:02d}" for day in DAYS})


class DictStore:
    """The store methods report_streak uses, over a dict of per-day totals."""

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
            day for day, counts in self.totals.items() if day in span and max(counts.values()) > 0
        ]
        return sorted(found, reverse=True)


def whole_history(
    store: DictStore, calendar: WorkCalendar, rates: dict[str, Fraction], today: date = TODAY
) -> Streaks:
    past = [day for day in store.totals if day <= today]
    if not past:
        return Streaks(0, 0, None)
    book: GoalBook = goal_book(store)  # type: ignore[arg-type]
    targets = call_targets(store.totals, DateRange(min(past), today), calendar, book, rates)
    return streaks(store.totals, today, calendar, targets)


def check(
    store: DictStore, calendar: WorkCalendar, rates: dict[str, Fraction], today: date = TODAY
) -> Streaks:
    inputs = SimpleNamespace(calendar=calendar, stored_rates=rates)
    result = report_streak(store, today, inputs)  # type: ignore[arg-type]
    expected = whole_history(store, calendar, rates, today)
    assert (result.current, result.current_start) == (expected.current, expected.current_start)
    # `report --period all` hands over the totals it read: the same streak.
    assert report_streak(store, today, inputs, dict(store.totals)) == result  # type: ignore[arg-type]
    if result.current:
        assert result.longest == result.current
        assert result.current_start is not None and result.longest_end is not None
        assert result.current_start <= result.longest_end <= today
        assert calendar.is_working(result.longest_end)
    return result


day_counts = st.fixed_dictionaries(
    {
        "calls": st.integers(min_value=0, max_value=14),
        "meetings": st.integers(min_value=0, max_value=4),
        "sales": st.integers(min_value=0, max_value=2),
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
goal_keys = st.sampled_from(MONTHS).flatmap(
    lambda month: st.sampled_from([f"goal.from.{month}", f"goal.only.{month}"])
)
goals = st.dictionaries(goal_keys, st.integers(min_value=1, max_value=3).map(str), max_size=3)
goal_starts = st.dictionaries(
    st.sampled_from(DAYS).map(lambda day: f"goal.start.{day.year:04d}-{day.month:02d}"),
    st.sampled_from(DAYS).map(date.isoformat),
    max_size=2,
)
rates = st.sampled_from(
    [
        {},
        {"meetings": Fraction(1, 2), "sales": Fraction(1, 2)},
        {"meetings": Fraction(1, 3)},
        {"meetings": Fraction(3, 2), "sales": Fraction(1, 4)},  # refused by choose_rates
    ]
)


@settings(max_examples=150, deadline=None)
@given(logs(), calendars, goals, goal_starts, rates)
def test_the_report_streak_is_the_whole_history_streak(
    totals: dict[date, dict[str, int]],
    calendar: WorkCalendar,
    goal_settings: dict[str, str],
    starts: dict[str, str],
    stored: dict[str, Fraction],
) -> None:
    check(DictStore(totals, {**goal_settings, **starts}), calendar, stored)


def test_a_ten_year_streak_under_a_goal_reads_each_day_once() -> None:
    """Every day of a ten-year run is judged by its own target (rates change as the 90
    days before it do), and each day's totals are read once."""
    first = TODAY - timedelta(days=3652)
    totals = {
        first + timedelta(days=offset): {
            "calls": 40 + offset % 17,
            "meetings": 8 + offset % 5,
            "sales": 2 + offset % 3,
        }
        for offset in range(3653)
    }
    month = f"{first.year:04d}-{first.month:02d}"
    store = DictStore(totals, {f"goal.from.{month}": "20"})
    inputs = SimpleNamespace(calendar=WorkCalendar(), stored_rates={})
    assert report_streak(store, TODAY, inputs).current > 2000  # type: ignore[arg-type]
    assert store.rows_read == len(totals)
    check(store, WorkCalendar(), {})


def test_a_log_from_the_first_day_of_the_calendar() -> None:
    """The walk and its reads stop at the first event instead of running off the calendar."""
    today = date(1, 6, 1)
    totals = {
        date(1, 1, 1) + timedelta(days=offset): {"calls": 1, "meetings": 0, "sales": 0}
        for offset in range((today - date(1, 1, 1)).days + 1)
    }
    calendar = WorkCalendar(weekdays=frozenset(range(7)))
    for goal_settings in ({}, {"goal.from.0001-03": "1"}, {"goal.from.0001-01": "1"}):
        check(DictStore(totals, goal_settings), calendar, {}, today)


def test_a_streak_without_goal_reads_no_day_totals() -> None:
    """Ten years of daily activity and no goal: the streak comes from active days only
    (it once read every day's totals, twice over, and computed a target for each)."""
    first = TODAY - timedelta(days=3652)
    totals = {
        first + timedelta(days=offset): {"calls": 3, "meetings": 0, "sales": 0}
        for offset in range(3653)
    }
    store = DictStore(totals, {})
    inputs = SimpleNamespace(calendar=WorkCalendar(), stored_rates={})
    result = report_streak(store, TODAY, inputs)  # type: ignore[arg-type]
    assert result.current == WorkCalendar().working_days(DateRange(first, TODAY))
    assert result.current_start == min(day for day in totals if WorkCalendar().is_working(day))
    assert store.rows_read == 0
