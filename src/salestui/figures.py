"""Figures the CLI and the app both show, read from the store and computed by the domain.

Settings live in the store's `settings` table: `goals` (GoalBook JSON), `calendar`
(WorkCalendar JSON), `rate.meetings` / `rate.sales` (a rate as typed, e.g. `15%`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from salestui.domain.counts import Counts, zero_counts
from salestui.domain.funnel import Funnel
from salestui.domain.goals import GoalBook
from salestui.domain.periods import DateRange, Period, month_of
from salestui.domain.planner import Plan, choose_rates, history_rate, history_span, make_plan
from salestui.domain.rates import RATE_STAGES, format_rate_input, parse_rate
from salestui.domain.workdays import WorkCalendar
from salestui.store.events import Store

GOALS_KEY = "goals"
CALENDAR_KEY = "calendar"

SOURCE_WORDS = {
    "history": "your last 90 days",
    "set": "set by you",
    "flag": "--rate",
    "what-if": "what-if",
}
"""How each `rates_source` reads to a person."""


def rate_key(stage: str) -> str:
    return f"rate.{stage}"


class NoGoalError(ValueError):
    """No target was given and none is stored for the month."""


def goal_book(store: Store) -> GoalBook:
    return GoalBook.from_json(store.setting(GOALS_KEY))


def calendar(store: Store) -> WorkCalendar:
    text = store.setting(CALENDAR_KEY)
    if not text:
        return WorkCalendar()
    try:
        return WorkCalendar.from_json(text)
    except ValueError:
        return WorkCalendar()


def stored_rates(store: Store) -> dict[str, Fraction]:
    rates: dict[str, Fraction] = {}
    for stage in RATE_STAGES:
        text = store.setting(rate_key(stage))
        if text:
            try:
                rates[stage] = parse_rate(text)
            except ValueError:
                continue
    return rates


def save_goal(store: Store, month: str, target: int, *, only: bool = False) -> None:
    """Store `target` sales from `month` ("YYYY-MM") on, or with `only` for that month."""
    book = goal_book(store)
    if not only and book.target_for(month) == target and month in book.standing:
        return
    book = book.with_only(month, target) if only else book.with_standing(month, target)
    store.set_setting(GOALS_KEY, book.to_json())


def save_rate(store: Store, stage: str, rate: Fraction | None) -> None:
    """Store (or with None, forget) the starting rate into `stage`."""
    store.set_setting(rate_key(stage), None if rate is None else format_rate_input(rate))


def save_calendar(store: Store, work_calendar: WorkCalendar) -> None:
    """Store the working weekdays and days off."""
    store.set_setting(CALENDAR_KEY, work_calendar.to_json())


def month_label(span: DateRange) -> str:
    return f"{span.start.year:04d}-{span.start.month:02d}"


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Everything a month's plan is computed from, read once; plans from it are pure."""

    today: date
    month: DateRange
    goal: int | None
    stored_rates: dict[str, Fraction]
    history: Counts
    calendar: WorkCalendar
    done_before_today: Counts
    done_today: Counts

    def rates_in_use(self) -> dict[str, Fraction]:
        """Each stage's rate as a plan would pick it (history, else stored); gaps left out."""
        rates: dict[str, Fraction] = {}
        for stage in RATE_STAGES:
            rate = history_rate(self.history, stage) or self.stored_rates.get(stage)
            if rate is not None:
                rates[stage] = rate
        return rates

    def plan(
        self,
        *,
        target: int | None = None,
        rate_flags: Mapping[str, Fraction] | None = None,
        working_days: int | None = None,
    ) -> Plan:
        """The plan, with optional overrides (CLI flags, or the Goals tab's what-if).

        Raises NoGoalError without a target, MissingRateError without a usable rate.
        """
        target = target if target is not None else self.goal
        if target is None:
            raise NoGoalError(
                f"no sales goal for {month_label(self.month)}: pass --target N "
                "or store one with `salestui goal set N`"
            )
        rates, sources = choose_rates(rate_flags or {}, self.history, self.stored_rates)
        return make_plan(
            target,
            self.month,
            self.today,
            self.calendar,
            rates,
            sources,
            self.done_before_today,
            self.done_today,
            working_days_override=working_days,
        )


def load_plan_inputs(store: Store, today: date, month: DateRange | None = None) -> PlanInputs:
    """Read goal, rates, calendar and the counts a plan needs (a few rollup queries)."""
    span = month or month_of(today)
    if today in span:
        before = (
            store.counts(DateRange(span.start, today - timedelta(days=1)))
            if today > span.start
            else zero_counts()
        )
        during = store.counts(DateRange(today, today))
    else:
        before = store.counts(span) if today > span.end else zero_counts()
        during = zero_counts()
    return PlanInputs(
        today=today,
        month=span,
        goal=goal_book(store).target_for(month_label(span)),
        stored_rates=stored_rates(store),
        history=store.counts(history_span(today)),
        calendar=calendar(store),
        done_before_today=before,
        done_today=during,
    )


def build_plan(
    store: Store,
    today: date,
    *,
    month: DateRange | None = None,
    target: int | None = None,
    rate_flags: Mapping[str, Fraction] | None = None,
    working_days: int | None = None,
) -> Plan:
    """The plan for `month` (default: this month) from stored goal, rates and calendar."""
    inputs = load_plan_inputs(store, today, month)
    return inputs.plan(target=target, rate_flags=rate_flags, working_days=working_days)


@dataclass(frozen=True, slots=True)
class FunnelView:
    """A funnel for a resolved period: `span` is None for an empty `all`."""

    period: Period
    span: DateRange | None
    funnel: Funnel

    def to_json(self) -> dict[str, object]:
        start = self.span.start if self.span else None
        end = self.span.end if self.span else None
        return self.funnel.to_json(start, end)


def load_funnel(store: Store, period: Period) -> FunnelView:
    """Counts and rates for a period; `all` spans the first to the last event day."""
    span = period.range if period.range is not None else store.bounds()
    counts = store.counts(span) if span is not None else zero_counts()
    return FunnelView(period, span, Funnel(counts))
