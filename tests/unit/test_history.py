"""domain.history: streaks, best day and week, weekly rows, heatmap."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from salestui.domain.history import (
    HeatCell,
    LegendStep,
    Streaks,
    WeekRow,
    best_day,
    best_week,
    heat_level,
    heatmap,
    streak_may_reach_before,
    streaks,
    weekly_rows,
)
from salestui.domain.workdays import WorkCalendar

WEEKDAYS = WorkCalendar()
# 2026-11-16 is a Monday; 2026-11-25 a Wednesday.
MON16, TUE17, WED18, THU19, FRI20 = (date(2026, 11, d) for d in range(16, 21))
SAT21, SUN22, MON23, TUE24, WED25 = (date(2026, 11, d) for d in range(21, 26))


def calls(n: int) -> dict[str, int]:
    return {"calls": n, "meetings": 0, "sales": 0}


# -- streaks ----------------------------------------------------------------------------


def test_empty_history_has_no_streak() -> None:
    assert streaks({}, WED25, WEEKDAYS, None) == Streaks(0, 0, None, None)
    assert streaks({}, WED25, WEEKDAYS, 10) == Streaks(0, 0, None, None)


def test_weekend_neither_breaks_nor_adds_and_today_keeps_it_alive() -> None:
    totals = {day: calls(1) for day in (MON16, TUE17, WED18, THU19, FRI20, MON23, TUE24)}
    # Wednesday morning, nothing yet today: the streak is the 7 working days so far.
    assert streaks(totals, WED25, WEEKDAYS, None) == Streaks(7, 7, TUE24, MON16)
    # One call today makes it 8.
    assert streaks({**totals, WED25: calls(1)}, WED25, WEEKDAYS, None) == Streaks(
        8, 8, WED25, MON16
    )


def test_activity_on_a_day_off_does_not_add() -> None:
    totals = {FRI20: calls(3), SAT21: calls(5), SUN22: calls(5), MON23: calls(1)}
    assert streaks(totals, MON23, WEEKDAYS, None) == Streaks(2, 2, MON23, FRI20)


def test_a_missed_working_day_breaks_the_streak() -> None:
    totals = {MON16: calls(1), TUE17: calls(1), WED18: calls(1), FRI20: calls(1), MON23: calls(1)}
    # Thursday missed: the current run is Fri + Mon; the record is Mon-Wed.
    assert streaks(totals, MON23, WEEKDAYS, None) == Streaks(2, 3, WED18, FRI20)


def test_yesterday_missed_and_today_not_yet_is_zero() -> None:
    totals = {MON23: calls(4)}
    assert streaks(totals, WED25, WEEKDAYS, None) == Streaks(0, 1, MON23, None)
    assert streaks({**totals, WED25: calls(1)}, WED25, WEEKDAYS, None) == Streaks(
        1, 1, WED25, WED25
    )


def test_a_holiday_bridges_the_streak() -> None:
    calendar = WorkCalendar(holidays=frozenset({WED18}))
    totals = {MON16: calls(1), TUE17: calls(1), THU19: calls(1)}
    assert streaks(totals, THU19, calendar, None) == Streaks(3, 3, THU19, MON16)
    assert streaks(totals, THU19, WEEKDAYS, None) == Streaks(1, 2, TUE17, THU19)


def test_any_activity_counts_without_a_target() -> None:
    totals = {
        MON16: {"calls": 0, "meetings": 1, "sales": 0},
        TUE17: {"sales": 1},
        WED18: {"calls": 0, "meetings": 0, "sales": 0},  # all corrected away
    }
    assert streaks(totals, THU19, WEEKDAYS, None) == Streaks(0, 2, TUE17, None)


def test_with_a_target_only_days_reaching_it_count() -> None:
    totals = {
        MON16: calls(10),
        TUE17: calls(12),
        WED18: {"calls": 9, "meetings": 5, "sales": 2},  # short of 10 calls: breaks
        THU19: calls(10),
        FRI20: calls(30),
        SAT21: calls(1),  # day off: neither
        MON23: calls(10),
        TUE24: calls(3),  # today, not yet met: still alive
    }
    assert streaks(totals, TUE24, WEEKDAYS, 10) == Streaks(3, 3, MON23, THU19)
    assert streaks(totals, TUE24, WEEKDAYS, None) == Streaks(7, 7, TUE24, MON16)


def test_days_after_today_are_ignored() -> None:
    totals = {MON23: calls(1), TUE24: calls(1), WED25: calls(1)}
    assert streaks(totals, TUE24, WEEKDAYS, None) == Streaks(2, 2, TUE24, MON23)


def test_a_target_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        streaks({MON16: calls(1)}, WED25, WEEKDAYS, 0)


def test_streak_may_reach_before_a_window_start() -> None:
    # The run starts on Monday 23; the window starts on Saturday 21: only days off between.
    run = Streaks(3, 3, WED25, MON23)
    assert streak_may_reach_before(run, SAT21, WED25, WEEKDAYS)
    assert streak_may_reach_before(run, MON23, WED25, WEEKDAYS)
    assert not streak_may_reach_before(run, FRI20, WED25, WEEKDAYS)
    # No current run: only a window without any working day before today reaches back.
    assert not streak_may_reach_before(Streaks(0, 0, None), MON23, WED25, WEEKDAYS)
    assert streak_may_reach_before(Streaks(0, 0, None), SAT21, MON23, WEEKDAYS)


# -- best day and week ------------------------------------------------------------------


def test_best_day_takes_the_earliest_of_ties() -> None:
    totals = {MON16: calls(5), TUE17: calls(9), MON23: calls(9), TUE24: {"meetings": 2}}
    assert best_day(totals, "calls") == (TUE17, 9)
    assert best_day(totals, "meetings") == (TUE24, 2)
    assert best_day(totals, "sales") is None
    assert best_day({}, "calls") is None


def test_best_week_sums_monday_to_sunday() -> None:
    totals = {MON16: calls(5), SUN22: calls(6), MON23: calls(10), WED25: calls(0)}
    assert best_week(totals, "calls") == (MON16, 11)
    assert best_week({**totals, TUE24: calls(1)}, "calls") == (MON16, 11)  # tie: earliest
    assert best_week({**totals, TUE24: calls(2)}, "calls") == (MON23, 12)
    assert best_week(totals, "sales") is None


# -- weekly rows ------------------------------------------------------------------------


def test_weekly_rows_newest_first_with_rates() -> None:
    totals = {
        MON16: {"calls": 20, "meetings": 4, "sales": 1},
        SUN22: {"calls": 5},
        MON23: {"calls": 10, "meetings": 1},
        WED25: {"sales": 1},
        date(2026, 11, 26): {"calls": 100},  # after today: same week, counted if present
    }
    rows = weekly_rows(totals, WED25, weeks=3)
    assert rows == [
        WeekRow(MON23, 110, 1, 1, Fraction(1, 110), Fraction(1)),
        WeekRow(MON16, 25, 4, 1, Fraction(4, 25), Fraction(1, 4)),
        WeekRow(date(2026, 11, 9), 0, 0, 0, None, None),
    ]
    assert rows[0].end == date(2026, 11, 29)
    assert len(weekly_rows(totals, WED25)) == 8
    with pytest.raises(ValueError):
        weekly_rows(totals, WED25, weeks=0)


# -- heatmap ----------------------------------------------------------------------------


def test_heatmap_shape_today_in_the_last_column_and_empty_after_today() -> None:
    grid = heatmap({WED25: calls(3)}, WED25, "calls", WEEKDAYS)
    assert len(grid.rows) == 7
    assert all(len(row) == 53 for row in grid.rows)
    assert grid.weeks == 53
    assert grid.start == date(2025, 11, 24)  # a Monday, 52 weeks before this week's
    assert grid.rows[0][0].day == date(2025, 11, 24)
    assert grid.rows[2][52] == HeatCell(WED25, 3, 4, True)
    assert [cell.day for cell in grid.column(52)] == [MON23, TUE24, WED25] + [None] * 4
    assert grid.rows[3][52] == HeatCell(None, 0, 0, False)
    assert grid.span.end == WED25
    assert grid.total == 3


def test_heatmap_levels_by_quartile_rank_and_working_flags() -> None:
    calendar = WorkCalendar(holidays=frozenset({WED18}))
    totals = {MON16: calls(1), TUE17: calls(2), WED18: calls(3), THU19: calls(4), SAT21: calls(0)}
    grid = heatmap(totals, SUN22, "calls", calendar, weeks=1)
    assert grid.column(0) == (
        HeatCell(MON16, 1, 1, True),
        HeatCell(TUE17, 2, 2, True),
        HeatCell(WED18, 3, 3, False),  # holiday
        HeatCell(THU19, 4, 4, True),
        HeatCell(FRI20, 0, 0, True),
        HeatCell(SAT21, 0, 0, False),
        HeatCell(SUN22, 0, 0, False),
    )
    assert grid.legend == (
        LegendStep(0, 0, 0),
        LegendStep(1, 1, 1),
        LegendStep(2, 2, 2),
        LegendStep(3, 3, 3),
        LegendStep(4, 4, 4),
    )
    assert grid.month_labels == []


def test_heat_level_ties_share_the_top_and_outliers_do_not_flatten() -> None:
    assert [heat_level(5, [5, 5, 5])] == [4]
    positive = [1, 1, 1, 2, 3, 50]
    assert [heat_level(n, positive) for n in (0, -2, 1, 2, 3, 50)] == [0, 0, 2, 3, 4, 4]
    assert heat_level(7, []) == 0
    grid = heatmap(
        {MON16: calls(1), TUE17: calls(1), WED18: calls(1), THU19: calls(2), FRI20: calls(3)},
        FRI20,
        "calls",
        WEEKDAYS,
        weeks=1,
    )
    assert [cell.level for cell in grid.column(0)[:5]] == [3, 3, 3, 4, 4]
    assert grid.legend == (LegendStep(0, 0, 0), LegendStep(3, 1, 1), LegendStep(4, 2, 3))
    assert [step.text() for step in grid.legend] == ["0", "1", "2–3"]


def test_heatmap_month_labels_and_metric() -> None:
    totals = {date(2026, 10, 1): {"meetings": 2}, MON16: {"calls": 7}}
    grid = heatmap(totals, WED25, "meetings", WEEKDAYS, weeks=12)
    assert grid.start == date(2026, 9, 7)
    assert grid.month_labels == [(3, "Oct"), (7, "Nov")]
    assert grid.total == 2
    assert grid.rows[3][3] == HeatCell(date(2026, 10, 1), 2, 4, True)
    # A 1st after today is not a real cell and gets no label.
    late = heatmap({}, date(2026, 11, 30), "calls", WEEKDAYS, weeks=1)
    assert late.month_labels == []
    assert late.legend == (LegendStep(0, 0, 0),)
    with pytest.raises(ValueError):
        heatmap({}, WED25, "calls", WEEKDAYS, weeks=0)


def test_heatmap_start_is_a_monday_for_any_today() -> None:
    for offset in range(7):
        today = MON23 + timedelta(days=offset)
        grid = heatmap({}, today, "calls", WEEKDAYS, weeks=2)
        assert grid.start == MON16
        assert grid.rows[today.weekday()][1].day == today


def test_a_streak_of_another_funnel_is_judged_by_its_first_stage() -> None:
    from salestui.domain.history import streaks

    monday = date(2026, 11, 23)
    totals = {
        monday: {"applications": 4, "calls": 0},
        monday + timedelta(days=1): {"applications": 5, "calls": 0},
        monday + timedelta(days=2): {"applications": 2, "calls": 9},  # calls do not count
    }
    targets = {day: 4 for day in totals}
    found = streaks(totals, monday + timedelta(days=2), WEEKDAYS, targets, "applications")
    assert (found.current, found.longest) == (2, 2)
    by_calls = streaks(totals, monday + timedelta(days=2), WEEKDAYS, targets)
    assert (by_calls.current, by_calls.longest) == (1, 1)
