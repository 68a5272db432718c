"""Figures for the Funnel, Goals and History tabs, computed on a worker thread.

Imported only by the worker, after the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.message import Message

from salestui.clock import Clock
from salestui.domain.counts import DayTotals
from salestui.domain.funnel import monthly_rates
from salestui.domain.goals import GoalBook
from salestui.domain.history import best_day, best_week, heatmap, streaks, weekly_rows
from salestui.domain.metrics import METRIC_KEYS
from salestui.domain.periods import DateRange, parse_period
from salestui.domain.planner import call_targets
from salestui.figures import PlanInputs, goal_book, load_funnel, load_plan_inputs
from salestui.store.events import Store
from salestui.tui.funnel import FunnelFigures
from salestui.tui.history import HistoryFigures

TREND_MONTHS = 12
HEATMAP_WEEKS = 53


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the Funnel, Goals and History tabs (and Today's targets) show."""

    inputs: PlanInputs
    funnel: FunnelFigures
    history: HistoryFigures


class FiguresLoaded(Message):
    """Posted by the figures worker once a read is done."""

    def __init__(self, figures: Figures) -> None:
        super().__init__()
        self.figures = figures


def load_figures(db_path: Path, clock: Clock, funnel_spec: str) -> Figures:
    """Read on this thread's own connection: a few thousand rollup rows at most, even
    for years of history. Raises StoreError."""
    today = clock().date()
    try:
        period = parse_period(funnel_spec, today)
    except ValueError:
        period = parse_period("month", today)
    with Store(db_path, clock=clock) as reader:
        inputs = load_plan_inputs(reader, today)
        book = goal_book(reader)
        view = load_funnel(reader, period)
        bounds = reader.bounds()
        totals = (
            reader.day_totals(DateRange(bounds.start, max(bounds.end, today))) if bounds else {}
        )
    trend = monthly_rates(totals, today, TREND_MONTHS)
    return Figures(inputs, FunnelFigures(view, trend), history_figures(totals, today, inputs, book))


def history_figures(
    totals: DayTotals, today: date, inputs: PlanInputs, book: GoalBook
) -> HistoryFigures:
    """Heatmaps, streaks, bests and weekly rows from per-day totals.

    Each day of a streak is judged by the call target it started with, so a record
    never drops because more work was logged later."""
    targets: dict[date, int | None] = {}
    if totals:
        span = DateRange(min(totals), max(max(totals), today))
        targets = call_targets(totals, span, inputs.calendar, book, inputs.stored_rates)
    today_target = targets.get(today)
    if any(target is not None for target in targets.values()):
        today_words = f"; today {today_target:,} calls" if today_target else ""
        rule = f"days that met their call target{today_words}; days off do not break it"
    else:
        rule = "working days with any tally; days off do not break it"
    return HistoryFigures(
        heatmaps={
            key: heatmap(totals, today, key, inputs.calendar, weeks=HEATMAP_WEEKS)
            for key in METRIC_KEYS
        },
        streaks=streaks(totals, today, inputs.calendar, targets),
        streak_rule=rule,
        best_day={key: best_day(totals, key) for key in METRIC_KEYS},
        best_week={key: best_week(totals, key) for key in METRIC_KEYS},
        weeks=weekly_rows(totals, today, weeks=8),
    )
