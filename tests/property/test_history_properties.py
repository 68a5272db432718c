"""Properties of domain.history: streaks and the heatmap."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from salestui.domain.history import heatmap, streak_may_reach_before, streaks
from salestui.domain.periods import DateRange
from salestui.domain.workdays import WorkCalendar

SETTINGS = settings(max_examples=150, deadline=None)

TODAY = date(2026, 11, 25)
FIRST = TODAY - timedelta(days=199)
DAYS = [FIRST + timedelta(days=offset) for offset in range(200)]

day_counts = st.fixed_dictionaries(
    {
        "calls": st.integers(min_value=0, max_value=30),
        "meetings": st.integers(min_value=0, max_value=4),
        "sales": st.integers(min_value=0, max_value=2),
    }
)
totals_st = st.dictionaries(st.sampled_from(DAYS), day_counts, max_size=160)
calendars = st.builds(
    WorkCalendar,
    weekdays=st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
    holidays=st.frozensets(st.sampled_from(DAYS), max_size=10),
)
targets = st.none() | st.integers(min_value=1, max_value=25)


@SETTINGS
@given(totals_st, calendars, targets)
def test_longest_is_at_least_current(
    totals: dict[date, dict[str, int]], calendar: WorkCalendar, target: int | None
) -> None:
    result = streaks(totals, TODAY, calendar, target)
    assert result.longest >= result.current >= 0
    assert (result.longest == 0) == (result.longest_end is None)
    assert (result.current == 0) == (result.current_start is None)


@SETTINGS
@given(totals_st, calendars, targets, st.sampled_from(DAYS), day_counts)
def test_adding_activity_never_shortens_the_longest_streak(
    totals: dict[date, dict[str, int]],
    calendar: WorkCalendar,
    target: int | None,
    day: date,
    extra: dict[str, int],
) -> None:
    before = streaks(totals, TODAY, calendar, target)
    more = dict(totals)
    old = totals.get(day, {})
    more[day] = {key: old.get(key, 0) + extra[key] for key in extra}
    after = streaks(more, TODAY, calendar, target)
    assert after.longest >= before.longest


@SETTINGS
@given(totals_st, calendars, targets, st.integers(min_value=1, max_value=120))
def test_reading_in_windows_gives_the_whole_current_streak(
    totals: dict[date, dict[str, int]], calendar: WorkCalendar, target: int | None, first: int
) -> None:
    """The CLI's windowed read (widen while `streak_may_reach_before`) matches all history."""
    whole = streaks(totals, TODAY, calendar, target)
    days = first
    while True:
        start = TODAY - timedelta(days=days - 1)
        window = {day: counts for day, counts in totals.items() if day >= start}
        result = streaks(window, TODAY, calendar, target)
        if start <= FIRST or not streak_may_reach_before(result, start, TODAY, calendar):
            break
        days *= 2
    assert result.current == whole.current


@SETTINGS
@given(
    totals_st,
    calendars,
    st.sampled_from(["calls", "meetings", "sales"]),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(DAYS[-14:]),
)
def test_heatmap_sums_the_totals_inside_its_window(
    totals: dict[date, dict[str, int]],
    calendar: WorkCalendar,
    metric: str,
    weeks: int,
    today: date,
) -> None:
    grid = heatmap(totals, today, metric, calendar, weeks=weeks)
    assert len(grid.rows) == 7
    assert all(len(row) == weeks for row in grid.rows)
    assert grid.start.weekday() == 0
    window = DateRange(grid.start, today)
    assert grid.total == sum(
        counts.get(metric, 0) for day, counts in totals.items() if day in window
    )
    cells = [cell for row in grid.rows for cell in row]
    assert sum(1 for cell in cells if cell.day is not None) == len(window)
    assert grid.rows[today.weekday()][-1].day == today
    by_count = sorted((cell.count, cell.level) for cell in cells)
    assert all(0 <= level <= 4 for _, level in by_count)
    assert all((level == 0) == (count <= 0) for count, level in by_count)
    # Levels never go down as counts go up; the highest count is level 4.
    assert [level for _, level in by_count] == sorted(level for _, level in by_count)
    if by_count[-1][0] > 0:
        assert by_count[-1][1] == 4
