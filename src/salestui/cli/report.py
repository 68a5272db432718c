"""`salestui report`: a weekly, monthly or any-period review as text, Markdown or JSON,
of the active funnel (and a line of totals for every other visible metric)."""

from __future__ import annotations

import re

import click

from salestui.cli.common import echo_json, parse_or_fail, period_option, reading_store
from salestui.domain.periods import DateRange, parse_period
from salestui.domain.planner import Plan
from salestui.domain.report import build_report, previous_range, to_json, to_markdown, to_text
from salestui.figures import PlanInputs, load_plan_inputs, report_streak

FORMATS = ("text", "markdown", "json")


def _plan_or_none(inputs: PlanInputs) -> Plan | None:
    """The plan, or None when there is no goal, no usable rate or no working day."""
    try:
        return inputs.plan()
    except ValueError:  # NoGoalError, MissingRateError, a month without working days
        return None


@click.command("report", short_help="A review of a period: totals, rates, change, pace, streak.")
@period_option(
    default="week", help="week, month, quarter, year, today, all, Nd, YYYY-MM or FROM..TO."
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
    today = ctx.obj["clock"]().date()
    period = parse_or_fail(lambda text: parse_period(text, today), period_text)
    store = reading_store(ctx)
    span = period.range if period.range is not None else store.bounds()
    previous = previous_range(period, span)
    totals = {}
    if span is not None:
        first = previous.start if previous is not None else span.start
        totals = store.day_totals(DateRange(first, span.end))

    # The active funnel is reported on; the other visible metrics get a line of totals.
    catalog = store.catalog()
    inputs = load_plan_inputs(store, today, catalog=catalog)
    stages = inputs.stages
    keys = {metric.key for metric in stages}
    also = tuple(metric for metric in catalog.visible if metric.key not in keys)
    current_plan = _plan_or_none(inputs)
    period_plan = current_plan
    if span is not None and span != inputs.month and _is_month(period.spec):
        period_plan = _plan_or_none(load_plan_inputs(store, today, span, catalog=catalog))
    # The call target (the funnel's first stage) today started with, fixed for the day;
    # each past day of the streak is judged by its own.
    daily_call_target = (
        current_plan.today_target[stages[0].key] or None if current_plan is not None else None
    )
    # For `all` every day's totals are read already: the streak needs no more reads
    # for the days with activity.
    everything = period.range is None and span is not None
    streak = report_streak(store, today, inputs, totals if everything else None)

    result = build_report(
        period,
        span,
        totals,
        today,
        inputs.calendar,
        plan=period_plan,
        streak=streak,
        daily_call_target=daily_call_target,
        stages=stages,
        also=also,
    )
    if output_format == "json":
        echo_json(to_json(result))
    elif output_format == "markdown":
        click.echo(to_markdown(result), nl=False)
    else:
        click.echo(to_text(result))


def _is_month(spec: str) -> bool:
    """`month` or `YYYY-MM`: periods planned by their own month's plan."""
    return spec == "month" or re.fullmatch(r"[0-9]{4}-[0-9]{2}", spec) is not None
