"""Figures for the Funnel, Goals and History tabs, computed on a worker thread.

Imported only by the worker, after the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

from textual.message import Message

from salestui.clock import Clock
from salestui.domain.catalog import Catalog
from salestui.domain.counts import DayTotals
from salestui.domain.funnel import monthly_rates
from salestui.domain.goals import GoalBook
from salestui.domain.history import best_days, best_weeks, heatmap, streaks, week_funnels
from salestui.domain.periods import DateRange, Period, parse_period
from salestui.domain.planner import call_targets
from salestui.figures import (
    PlanInputs,
    funnel_stages,
    goal_book,
    load_funnel,
    load_plan_inputs,
    plan_levers,
)
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
    best_months: dict[str, Fraction | None] = field(default_factory=dict)
    """Per rate stage of the active funnel, its best month of the last twelve
    (figures.plan_levers; None: no month had enough to say): the Goals tab works out
    the lever for the plan, and for any what-if, from these."""


class FiguresLoaded(Message):
    """Posted by the figures worker once a read is done."""

    def __init__(self, figures: Figures) -> None:
        super().__init__()
        self.figures = figures


def _period(spec: str, today: date) -> Period:
    try:
        return parse_period(spec, today)
    except ValueError:
        return parse_period("month", today)


def _all_day_totals(reader: Store, today: date) -> DayTotals:
    bounds = reader.bounds()
    return reader.day_totals(DateRange(bounds.start, max(bounds.end, today))) if bounds else {}


def load_figures(
    db_path: Path,
    clock: Clock,
    funnel_spec: str,
    funnel: str | None = None,
    catalog: Catalog | None = None,
) -> Figures:
    """Read on this thread's own connection: a few thousand rollup rows at most, even
    for years of history. Goals plans the active funnel; the Funnel tab shows `funnel`
    (default: the active one too; an unknown name falls back to it). The catalog is
    read with the rest unless given. Raises StoreError."""
    today = clock().date()
    period = _period(funnel_spec, today)
    with Store(db_path, clock=clock) as reader:
        catalog = catalog if catalog is not None else reader.catalog()
        inputs = load_plan_inputs(reader, today, catalog=catalog)
        book = goal_book(reader, inputs.funnel)
        shown = funnel if funnel in {each.name for each in catalog.funnels} else None
        view = load_funnel(reader, period, shown, catalog)
        totals = _all_day_totals(reader, today)
        best_months = _best_months(reader, inputs, totals)
    stages = view.funnel.stages
    trend = monthly_rates(totals, today, TREND_MONTHS, stages)
    name = catalog.funnel(shown).name
    return Figures(
        inputs,
        FunnelFigures(view, trend, name),
        history_figures(totals, today, inputs, book, catalog),
        best_months,
    )


def load_funnel_figures(
    db_path: Path, clock: Clock, funnel_spec: str, funnel: str
) -> FunnelFigures:
    """The Funnel tab's figures for one funnel (one the app's read did not cover).
    Raises StoreError, or ValueError naming the funnels when `funnel` is gone."""
    today = clock().date()
    period = _period(funnel_spec, today)
    with Store(db_path, clock=clock) as reader:
        catalog = reader.catalog()
        chosen = catalog.funnel(funnel)
        view = load_funnel(reader, period, chosen.name, catalog)
        totals = _all_day_totals(reader, today)
    trend = monthly_rates(totals, today, TREND_MONTHS, funnel_stages(catalog, chosen))
    return FunnelFigures(view, trend, chosen.name)


def _best_months(
    reader: Store, inputs: PlanInputs, totals: DayTotals
) -> dict[str, Fraction | None]:
    """Each rate stage's best month of the last twelve, by figures.plan_levers.

    The best months do not depend on the target: with no goal stored yet a plan for 1
    is asked for, so a goal typed as a what-if shows its lever too. Without a rate for
    every stage there is no plan, and no lever to show."""
    try:
        plan = inputs.plan(target=inputs.goal or 1)
    except ValueError:
        return {}
    found = plan_levers(reader, inputs, plan, totals)  # every day is read already
    return {lever.stage: lever.best for lever in found.stages}


def history_figures(
    totals: DayTotals,
    today: date,
    inputs: PlanInputs,
    book: GoalBook,
    catalog: Catalog | None = None,
) -> HistoryFigures:
    """Heatmaps, streaks, bests and weekly rows from per-day totals.

    Every metric of the catalog gets a heatmap and bests (hidden ones too: their history
    is kept); the week table shows the active funnel's stages. Each day of a streak is
    judged by the target of the funnel's first stage it started with, so a record never
    drops because more work was logged later."""
    catalog = catalog if catalog is not None else Catalog.builtin()
    stages = inputs.stages
    top = stages[0]
    targets: dict[date, int | None] = {}
    if totals:
        span = DateRange(min(totals), max(max(totals), today))
        targets = call_targets(totals, span, inputs.calendar, book, inputs.stored_rates, stages)
    today_target = targets.get(today)
    if any(target is not None for target in targets.values()):
        today_words = f"; today {today_target:,} {top.key}" if today_target else ""
        rule = f"days that met their {top.singular} target{today_words}; days off do not break it"
    else:
        rule = "working days with any tally; days off do not break it"
    metrics = {entry.key: entry.metric for entry in catalog.entries}
    return HistoryFigures(
        heatmaps={
            key: heatmap(totals, today, key, inputs.calendar, weeks=HEATMAP_WEEKS)
            for key in metrics
        },
        streaks=streaks(totals, today, inputs.calendar, targets, top.key),
        streak_rule=rule,
        best_day=best_days(totals, tuple(metrics)),
        best_week=best_weeks(totals, tuple(metrics)),
        weeks=week_funnels(totals, today, stages),
        metrics=metrics,
        hidden=tuple(entry.key for entry in catalog.entries if entry.hidden),
    )
