"""`salestui report`: a weekly, monthly or any-period review as text, Markdown or JSON,
of the active funnel (and a line of totals for every other visible metric)."""

from __future__ import annotations

import re

import click

from salestui.cli.common import echo_json, parse_or_fail, period_option, reading_store
from salestui.domain.periods import FIRST_DAY, LAST_DAY, DateRange, parse_period
from salestui.domain.planner import Plan
from salestui.domain.prospect_stats import stats_json, stats_lines
from salestui.domain.report import build_report, previous_range, to_json, to_markdown, to_text
from salestui.domain.text import visible
from salestui.domain.timers import TimeFigures, figures_json, figures_lines
from salestui.figures import PlanInputs, load_plan_inputs, report_streak
from salestui.store.events import Store
from salestui.store.prospects import has_prospects, load_stats

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
    # Prospects (when there are any): the period's closes, due follow-ups, stalled ones.
    prospects = None
    if has_prospects(store):
        closed = span if span is not None else DateRange(FIRST_DAY, LAST_DAY)
        stats = load_stats(store, closed, today)
        prospects = stats_json(stats, closed), stats_lines(stats)
    # Time on non-sales work (where any was tracked in the period).
    time = _time_figures(store, span, stages[0].key if stages else "calls")
    if output_format == "json":
        echo_json(
            {
                **to_json(result),
                **({"prospects": prospects[0]} if prospects else {}),
                **({"time": figures_json(time)} if time is not None else {}),
            }
        )
    elif output_format == "markdown":
        click.echo(to_markdown(result), nl=False)
        if prospects:
            click.echo(
                "\n### Prospects\n\n" + "".join(f"- {line.strip()}\n" for line in prospects[1])
            )
        if time is not None:
            click.echo("\n### Time on non-sales work\n\n" + "\n".join(_time_lines(time, "- ")))
    else:
        click.echo(to_text(result))
        if prospects:
            click.echo("Prospects\n" + "\n".join(f"  {line}" for line in prospects[1]))
        if time is not None:
            click.echo("Time on non-sales work\n" + "\n".join(_time_lines(time, "  ")))


def _time_figures(store: Store, span: DateRange | None, activity: str) -> TimeFigures | None:
    """Time on non-sales work over the period (None when none was tracked in it)."""
    from salestui.store.timers import has_time, time_figures

    if span is None or not has_time(store):
        return None
    figures = time_figures(store, span.start, span.end, activity)
    return figures if figures.tracked else None


def _time_lines(figures: TimeFigures, indent: str) -> list[str]:
    return [indent + visible(line) for line in figures_lines(figures, figures.activity)]


def _is_month(spec: str) -> bool:
    """`month` or `YYYY-MM`: periods planned by their own month's plan."""
    return spec == "month" or re.fullmatch(r"[0-9]{4}-[0-9]{2}", spec) is not None
