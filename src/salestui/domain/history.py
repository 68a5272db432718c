"""History: streaks, best days and weeks, weekly rows and a contributions heatmap.

Everything here reads per-day totals (`DayTotals`: day -> metric -> net count) and
takes `today` and the working-day calendar as arguments; nothing reads the clock.
Weeks start on Monday.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from salestui.domain.counts import DayTotals, sum_range
from salestui.domain.funnel import Funnel
from salestui.domain.metrics import METRICS, Metric
from salestui.domain.periods import DateRange, week_of
from salestui.domain.workdays import WorkCalendar

MONTH_ABBREVIATIONS: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
"""Month labels of the heatmap, fixed (not locale-dependent)."""

HEATMAP_LEVELS = 4
"""Cells with activity get a level from 1 to 4; 0 is nothing."""


# -- streaks ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streaks:
    """Runs of working days that counted (see `streaks`).

    `current` is the run still alive today, `longest` the longest run seen, ending
    on `longest_end` (None when there was none; of equally long runs, the most
    recent). `current_start` is the first day of the current run (None when
    `current` is 0); a caller holding only a window of history uses it to tell
    whether the run may reach further back (`streak_may_reach_before`).
    """

    current: int
    longest: int
    longest_end: date | None
    current_start: date | None = None


def day_counted(
    by_metric: Mapping[str, int], daily_call_target: int | None, top: str = "calls"
) -> bool:
    """Whether one day's totals count towards a streak.

    With a target: the funnel's first stage (`top`, calls by default) >= the target.
    Without one: any metric above 0.
    """
    if daily_call_target is not None:
        return by_metric.get(top, 0) >= daily_call_target
    return any(count > 0 for count in by_metric.values())


def streaks(
    totals: DayTotals,
    today: date,
    calendar: WorkCalendar,
    daily_call_target: int | None | Mapping[date, int | None],
    top: str = "calls",
) -> Streaks:
    """The current and the longest streak of working days that counted.

    A working day (`calendar.is_working`) counts when `day_counted` says so: the
    funnel's first stage (`top`: calls by default) reaches the day's target, or,
    without a target, any metric is above 0. The
    target is one number for every day, or per day (`planner.call_targets`: each day
    judged by the target it started with; a day missing there counts any tally).
    Days off neither break a streak nor add to it, even with activity on them.
    Today, while not yet counted, does not break the current streak: the streak is
    alive until today ends, so in the morning `current` is the run up to yesterday,
    and it grows by one as soon as today counts.

    Days are walked from the earliest day in `totals` up to `today`; days after
    `today` are ignored. Raises ValueError for a target below 1 (every working day
    would count, data or not).
    """
    if isinstance(daily_call_target, int) and daily_call_target < 1:
        raise ValueError(f"a daily call target must be at least 1, got {daily_call_target}")
    target_on = (
        daily_call_target.get
        if isinstance(daily_call_target, Mapping)
        else (lambda _day: daily_call_target)
    )
    past = [day for day in totals if day <= today]
    if not past:
        return Streaks(0, 0, None)
    run = 0
    run_start: date | None = None
    longest = 0
    longest_end: date | None = None
    day = min(past)
    while day <= today:
        if calendar.is_working(day):
            if day_counted(totals.get(day, {}), target_on(day), top):
                if run == 0:
                    run_start = day
                run += 1
                if run >= longest:  # ties: the most recent run holds the record
                    longest, longest_end = run, day
            elif day != today:
                run, run_start = 0, None
        day += timedelta(days=1)
    return Streaks(run, longest, longest_end, run_start if run else None)


def streak_may_reach_before(
    result: Streaks, start: date, today: date, calendar: WorkCalendar
) -> bool:
    """Whether the current streak, computed from totals that begin at `start`, may go further back.

    True when no working day lies between `start` and the current run's first day
    (or today, when there is no current run): then the days before `start` decide.
    A caller reading history in windows widens the window while this holds.
    """
    first = result.current_start if result.current_start is not None else today
    if first <= start:
        return True
    return calendar.working_days(DateRange(start, first - timedelta(days=1))) == 0


# -- best day and week ------------------------------------------------------------------


def best_day(totals: DayTotals, metric: str) -> tuple[date, int] | None:
    """The day with the highest count of `metric`, and that count.

    Ties go to the earliest day (the record was set then). None when no day has
    a count above 0.
    """
    return best_days(totals, (metric,))[metric]


def best_week(totals: DayTotals, metric: str) -> tuple[date, int] | None:
    """The Monday-to-Sunday week with the highest total of `metric`: (its Monday, total).

    Ties go to the earliest week. None when no week totals above 0.
    """
    return best_weeks(totals, (metric,))[metric]


def best_days(totals: DayTotals, keys: tuple[str, ...]) -> dict[str, tuple[date, int] | None]:
    """`best_day` for every metric of `keys` in one pass over the days, oldest first:
    the day with the highest count (ties: the earliest), None when none is above 0."""
    best: dict[str, tuple[date, int] | None] = dict.fromkeys(keys)
    for day in sorted(totals):
        for key, count in totals[day].items():
            if count > 0 and key in best:
                top = best[key]
                if top is None or count > top[1]:
                    best[key] = (day, count)
    return best


def best_weeks(totals: DayTotals, keys: tuple[str, ...]) -> dict[str, tuple[date, int] | None]:
    """`best_week` for every metric of `keys` in one pass over the days (that walks
    every day once per metric, finding each day's week anew: half the figures' time with
    eight metrics and ten years). The Monday-to-Sunday week with the highest total of
    each metric, (its Monday, total); ties go to the earliest; None when no week is > 0."""
    weeks: dict[str, dict[date, int]] = {key: {} for key in keys}
    for day, by_metric in totals.items():
        monday = day - timedelta(days=day.weekday())
        for key, count in by_metric.items():
            found = weeks.get(key)
            if found is not None:
                found[monday] = found.get(monday, 0) + count
    best: dict[str, tuple[date, int] | None] = {}
    for key, found in weeks.items():
        top: tuple[date, int] | None = None
        for monday in sorted(found):
            if found[monday] > 0 and (top is None or found[monday] > top[1]):
                top = (monday, found[monday])
        best[key] = top
    return best


# -- weekly rows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekRow:
    """One week's counts and rates. The current week counts what is there so far."""

    start: date
    """The week's Monday."""
    calls: int
    meetings: int
    sales: int
    calls_to_meetings: Fraction | None
    """meetings / calls, None without calls."""
    meetings_to_sales: Fraction | None
    """sales / meetings, None without meetings."""

    @property
    def end(self) -> date:
        """The week's Sunday."""
        return self.start + timedelta(days=6)


def weekly_rows(totals: DayTotals, today: date, weeks: int = 8) -> list[WeekRow]:
    """The last `weeks` Monday-to-Sunday weeks, this week first; rates from `Funnel`.

    Raises ValueError when `weeks` < 1.
    """
    if weeks < 1:
        raise ValueError("weekly_rows needs weeks >= 1")
    return [
        WeekRow(
            start=start,
            calls=funnel.counts["calls"],
            meetings=funnel.counts["meetings"],
            sales=funnel.counts["sales"],
            calls_to_meetings=funnel.rates["meetings"],
            meetings_to_sales=funnel.rates["sales"],
        )
        for start, funnel in week_funnels(totals, today, METRICS, weeks)
    ]


def week_funnels(
    totals: DayTotals, today: date, stages: tuple[Metric, ...], weeks: int = 8
) -> list[tuple[date, Funnel]]:
    """The last `weeks` Monday-to-Sunday weeks of a funnel, this week first (the current
    week counts what is there so far): `weekly_rows` for any stages."""
    monday = week_of(today).start
    keys = tuple(metric.key for metric in stages)
    # Only these weeks' days: each week's sum then walks 8 weeks of days, not all history.
    first = monday - timedelta(weeks=weeks - 1)
    totals = {day: counts for day, counts in totals.items() if day >= first}
    rows: list[tuple[date, Funnel]] = []
    for back in range(weeks):
        start = monday - timedelta(weeks=back)
        span = DateRange(start, start + timedelta(days=6))
        rows.append((start, Funnel(sum_range(totals, span, keys), stages)))
    return rows


# -- heatmap ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One day of the heatmap. Cells after today have `day` None, count 0, level 0."""

    day: date | None
    count: int
    level: int
    """0 = nothing (0 or below); 1-4 by the count's rank among the grid's counts above 0."""
    working: bool
    """Whether the day is a working day; False for cells after today."""


@dataclass(frozen=True, slots=True)
class LegendStep:
    """One heatmap level and the smallest and largest count in the grid that has it."""

    level: int
    low: int
    high: int

    def text(self) -> str:
        """`0`, `3`, `4–7`."""
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True, slots=True)
class Heatmap:
    """A contributions grid: `rows[weekday][column]`, weekday 0 = Monday ... 6 = Sunday.

    Columns are weeks, oldest first; the last column holds today. `month_labels`
    lists (column, "Jan") for each column holding the 1st of a month (up to
    today). `legend` lists level 0 and every level the grid uses, lowest first.
    """

    metric: str
    start: date
    """The Monday of the first column."""
    today: date
    rows: tuple[tuple[HeatCell, ...], ...]
    month_labels: list[tuple[int, str]]
    legend: tuple[LegendStep, ...]

    @property
    def weeks(self) -> int:
        """How many columns (weeks) the grid has."""
        return len(self.rows[0])

    @property
    def span(self) -> DateRange:
        """The real days the grid shows: the first Monday to today."""
        return DateRange(self.start, self.today)

    def column(self, index: int) -> tuple[HeatCell, ...]:
        """One week, Monday first."""
        return tuple(row[index] for row in self.rows)

    @property
    def total(self) -> int:
        """The sum of every cell's count."""
        return sum(cell.count for row in self.rows for cell in row)


def heat_level(count: int, positive_counts: list[int]) -> int:
    """The level of `count` among `positive_counts` (the grid's counts above 0, sorted).

    0 for a count of 0 or below. Otherwise ceil(4 * rank / n), where rank is how
    many of the n positive counts are <= `count`: quartiles of the percentile rank,
    so each level holds about a quarter of the active days, ties share the higher
    level and the grid's highest count is always level 4.
    """
    if count <= 0 or not positive_counts:
        return 0
    rank = bisect_right(positive_counts, count)
    return max(1, math.ceil(HEATMAP_LEVELS * rank / len(positive_counts)))


def heatmap(
    totals: DayTotals,
    today: date,
    metric: str,
    calendar: WorkCalendar,
    weeks: int = 53,
) -> Heatmap:
    """The last `weeks` Monday-to-Sunday weeks of `metric` as a contributions grid.

    The last column is today's week; its days after today are empty cells
    (`day` None). Levels follow `heat_level`. Raises ValueError when `weeks` < 1.
    """
    if weeks < 1:
        raise ValueError("heatmap needs weeks >= 1")
    start = week_of(today).start - timedelta(weeks=weeks - 1)
    days: list[list[date | None]] = [
        [
            day if (day := start + timedelta(days=7 * column + weekday)) <= today else None
            for column in range(weeks)
        ]
        for weekday in range(7)
    ]
    counts = {
        day: totals.get(day, {}).get(metric, 0) for row in days for day in row if day is not None
    }
    positive = sorted(count for count in counts.values() if count > 0)
    rows = tuple(
        tuple(
            HeatCell(None, 0, 0, False)
            if day is None
            else HeatCell(
                day, counts[day], heat_level(counts[day], positive), calendar.is_working(day)
            )
            for day in row
        )
        for row in days
    )
    month_labels: list[tuple[int, str]] = []
    for column in range(weeks):
        for weekday in range(7):
            cell_day = days[weekday][column]
            if cell_day is not None and cell_day.day == 1:
                month_labels.append((column, MONTH_ABBREVIATIONS[cell_day.month - 1]))
    by_level: dict[int, list[int]] = {}
    for count in positive:
        by_level.setdefault(heat_level(count, positive), []).append(count)
    legend = (LegendStep(0, 0, 0),) + tuple(
        LegendStep(level, min(values), max(values)) for level, values in sorted(by_level.items())
    )
    return Heatmap(metric, start, today, rows, month_labels, legend)
