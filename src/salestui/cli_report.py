"""`salestui report`: a weekly, monthly or any-period review as text, Markdown or JSON.

`register(cli)` adds the command; imports stay inside it so the quick commands
do not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # typing only
    from datetime import date

    from salestui.domain.history import Streaks
    from salestui.domain.planner import Plan
    from salestui.figures import PlanInputs
    from salestui.store.events import Store

STREAK_WINDOW_DAYS = 64
"""The first window of history read for the current streak; doubled while the streak fills it."""

FORMATS = ("text", "markdown", "json")


def _plan_or_none(inputs: PlanInputs) -> Plan | None:
    """The plan, or None when there is no goal, no usable rate or no working day."""
    try:
        return inputs.plan()
    except ValueError:  # NoGoalError, MissingRateError, a month without working days
        return None


def current_streak(store: Store, today: date, inputs: PlanInputs) -> Streaks:
    """The current streak, read in growing windows (64, 128, ... days) until it is whole.

    Each working day is judged by the call target it started with (when a goal covered
    it), so the streak never shrinks because more work was logged. Never more history
    than the streak needs, plus one window (and the 90 days before it, for the rates).
    """
    from datetime import date, timedelta

    from salestui.domain.history import Streaks, streak_may_reach_before, streaks
    from salestui.domain.periods import DateRange
    from salestui.domain.planner import HISTORY_DAYS, call_targets
    from salestui.figures import goal_book

    calendar = inputs.calendar
    book = goal_book(store)

    bounds = store.bounds()
    if bounds is None or bounds.start > today:
        return Streaks(0, 0, None)
    days = STREAK_WINDOW_DAYS
    while True:
        # Never further back than the first event: doubling must not run off the calendar.
        back = min(days - 1, (today - bounds.start).days)
        window = DateRange(today - timedelta(days=back), today)
        earliest = date.fromordinal(max(1, window.start.toordinal() - HISTORY_DAYS))
        read = store.day_totals(DateRange(earliest, today))
        in_window = {day: counts for day, counts in read.items() if day in window}
        targets = call_targets(read, window, calendar, book, inputs.stored_rates)
        result = streaks(in_window, today, calendar, targets)
        if window.start <= bounds.start or not streak_may_reach_before(
            result, window.start, today, calendar
        ):
            return result
        days *= 2


def register(cli: click.Group) -> None:
    """Add `report` to the `salestui` command group."""

    @cli.command("report", short_help="A review of a period: totals, rates, change, pace, streak.")
    @click.option(
        "--period",
        "-p",
        "period_text",
        default="week",
        show_default=True,
        help="week, month, quarter, year, today, all, Nd, YYYY-MM or FROM..TO.",
    )
    @click.option(
        "--format",
        "-f",
        "output_format",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text, markdown (for an email or wiki) or json.",
    )
    @click.pass_context
    def report(ctx: click.Context, period_text: str, output_format: str) -> None:
        """A review of a period: totals, rates, change, target, pace, best day, streak.

        \b
        The change is against the period before: last week for `week`, last month
        for `month`, the same number of days right before for Nd and FROM..TO.
        """
        from salestui.cli import _echo_json, _parse_or_fail, _reading_store
        from salestui.domain.periods import DateRange, parse_period
        from salestui.domain.report import (
            build_report,
            previous_range,
            to_json,
            to_markdown,
            to_text,
        )
        from salestui.figures import load_plan_inputs

        today = ctx.obj["clock"]().date()
        period = _parse_or_fail(lambda text: parse_period(text, today), period_text)
        store = _reading_store(ctx)
        span = period.range if period.range is not None else store.bounds()
        previous = previous_range(period, span)
        totals = {}
        if span is not None:
            first = previous.start if previous is not None else span.start
            totals = store.day_totals(DateRange(first, span.end))

        inputs = load_plan_inputs(store, today)
        current_plan = _plan_or_none(inputs)
        period_plan = current_plan
        if span is not None and span != inputs.month and _is_month(period.spec):
            period_plan = _plan_or_none(load_plan_inputs(store, today, span))
        # The call target today started with (fixed for the day); each past day of the
        # streak is judged by its own.
        daily_call_target = (
            current_plan.today_target["calls"] or None if current_plan is not None else None
        )
        streak = current_streak(store, today, inputs)

        result = build_report(
            period,
            span,
            totals,
            today,
            inputs.calendar,
            plan=period_plan,
            streak=streak,
            daily_call_target=daily_call_target,
        )
        if output_format == "json":
            _echo_json(to_json(result))
        elif output_format == "markdown":
            click.echo(to_markdown(result), nl=False)
        else:
            click.echo(to_text(result))


def _is_month(spec: str) -> bool:
    """`month` or `YYYY-MM`: periods planned by their own month's plan."""
    import re

    return spec == "month" or re.fullmatch(r"[0-9]{4}-[0-9]{2}", spec) is not None
