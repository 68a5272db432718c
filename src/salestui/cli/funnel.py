"""`salestui funnel`: counts and conversion rates for a period."""

from __future__ import annotations

import click

from salestui.cli.common import echo_json, json_option, parse_or_fail, period_option, reading_store
from salestui.domain.metrics import METRICS
from salestui.domain.periods import parse_period
from salestui.figures import load_funnel


@click.command()
@period_option(default="month")
@json_option
@click.pass_context
def funnel(ctx: click.Context, period_text: str, as_json: bool) -> None:
    """Counts and conversion rates for a period (default: this month)."""
    today_date = ctx.obj["clock"]().date()
    period = parse_or_fail(lambda text: parse_period(text, today_date), period_text)
    view = load_funnel(reading_store(ctx), period)
    if as_json:
        echo_json(view.to_json())
        return
    span = f"{view.span.start} to {view.span.end}" if view.span else "no events yet"
    click.echo(f"{period.label} · {span}")
    # Worded by the domain, as in the Funnel tab and the report: `33.3%?` + footnote.
    result = view.funnel
    for index, metric in enumerate(METRICS):
        click.echo(f"  {metric.label:<9} {result.counts[metric.key]:>7,}")
        if index + 1 < len(METRICS):
            stage = METRICS[index + 1].key
            click.echo(f"  {'':<9}   ↓ {result.rate_text(stage)}  ({result.rate_words(stage)})")
    closing = "" if result.overall is None else " of calls close"
    click.echo(f"  Overall {result.overall_text()}{closing}  ({result.overall_words()})")
    for note in result.notes():
        click.echo(f"  {note}")
