"""`salestui funnel`: counts and conversion rates of a funnel for a period, and the
funnels themselves (define, list, use, remove).

`funnel` alone (with its options on the group: `funnel -p week --json`) shows the active
funnel, or the one `--name` picks; option values are read before any subcommand name, so
`funnel -p list` is the period `list` (refused as a period), never the `list` command.
"""

from __future__ import annotations

from collections.abc import Mapping

import click
from click.core import ParameterSource

from salestui.cli.common import (
    WideHelpGroup,
    change_catalog,
    echo_json,
    fail_input,
    json_option,
    parse_or_fail,
    period_option,
    reading_store,
)
from salestui.domain.catalog import Catalog, SettingChanges
from salestui.domain.periods import parse_period
from salestui.domain.text import visible
from salestui.figures import load_funnel


@click.group(cls=WideHelpGroup, invoke_without_command=True)
@click.option(
    "--name", "funnel_name", metavar="NAME", help="Which funnel (default: the active one)."
)
@period_option(default="month")
@json_option
@click.pass_context
def funnel(ctx: click.Context, funnel_name: str | None, period_text: str, as_json: bool) -> None:
    """Counts and conversion rates of a funnel for a period (default: this month).

    \b
    Alone: the active funnel (`--name` picks another); its JSON keys are its stages.
    Your own funnels: `funnel define jobs applications interviews offers`, then
    `funnel use jobs` to plan it on Goals.
    """
    if ctx.invoked_subcommand is not None:
        given = [
            param.opts[0]
            for param in ctx.command.params
            if ctx.get_parameter_source(str(param.name)) is ParameterSource.COMMANDLINE
        ]
        if given:
            fail_input(
                f"{given[0]} goes with `salestui funnel` alone, not with "
                f"`funnel {ctx.invoked_subcommand}`"
            )
        return
    today_date = ctx.obj["clock"]().date()
    period = parse_or_fail(lambda text: parse_period(text, today_date), period_text)
    store = reading_store(ctx)
    try:
        view = load_funnel(store, period, funnel_name)
    except ValueError as error:  # no such funnel: the line names the funnels there are
        fail_input(str(error))
    if as_json:
        echo_json(view.to_json())
        return
    span = f"{view.span.start} to {view.span.end}" if view.span else "no events yet"
    click.echo(f"{period.label} · {span}")
    # Worded by the domain, as in the Funnel tab and the report: `33.3%?` + footnote.
    result = view.funnel
    stages = result.stages
    width = max([9, *(len(metric.label) for metric in stages)])
    for index, metric in enumerate(stages):
        click.echo(visible(f"  {metric.label:<{width}} {result.counts[metric.key]:>7,}"))
        if index + 1 < len(stages):
            stage = stages[index + 1].key
            click.echo(
                visible(
                    f"  {'':<{width}}   ↓ {result.rate_text(stage)}  ({result.rate_words(stage)})"
                )
            )
    if result.overall is None:
        closing = ""
    elif result.keys == ("calls", "meetings", "sales"):
        closing = " of calls close"
    else:
        closing = f" of {stages[0].key} become {stages[-1].key}"
    click.echo(visible(f"  Overall {result.overall_text()}{closing}  ({result.overall_words()})"))
    for note in result.notes():
        click.echo(visible(f"  {note}"))


@funnel.command("define")
@click.argument("name")
@click.argument("stages", nargs=-1, metavar="STAGE STAGE...")
@click.pass_context
def funnel_define(ctx: click.Context, name: str, stages: tuple[str, ...]) -> None:
    """Define funnel NAME: 2 to 6 metrics, top first (each converts into the next).

    \b
    Example:  salestui funnel define jobs applications interviews offers
    """
    catalog = change_catalog(ctx, lambda catalog, _reserved: catalog.define_funnel(name, stages))
    defined = catalog.funnel(name)
    click.echo(
        visible(
            f"Funnel {defined.name}: {' → '.join(defined.stages)}. "
            f"Plan it on Goals with `salestui funnel use {defined.name}`."
        )
    )


@funnel.command("list")
@json_option
@click.pass_context
def funnel_list(ctx: click.Context, as_json: bool) -> None:
    """Every funnel, its stages, and which one is active (the one Goals plans)."""
    catalog = reading_store(ctx).catalog()
    if as_json:
        echo_json(
            {
                "funnels": [
                    {
                        "name": each.name,
                        "stages": list(each.stages),
                        "active": each.name == catalog.active_name,
                    }
                    for each in catalog.funnels
                ]
            }
        )
        return
    width = max(len(each.name) for each in catalog.funnels)
    for each in catalog.funnels:
        mark = "   (active)" if each.name == catalog.active_name else ""
        click.echo(visible(f"{each.name:<{width}}  {' → '.join(each.stages)}{mark}"))


@funnel.command("use")
@click.argument("name")
@click.pass_context
def funnel_use(ctx: click.Context, name: str) -> None:
    """Make NAME the active funnel: the one Goals plans and Today's targets follow."""
    catalog = change_catalog(ctx, lambda catalog, _reserved: catalog.use_funnel(name))
    active = catalog.active
    click.echo(
        visible(
            f"Funnel {active.name} is active: {' → '.join(active.stages)}. "
            f"Set its goal with `salestui goal set N`."
        )
    )


@funnel.command("remove")
@click.argument("name")
@click.pass_context
def funnel_remove(ctx: click.Context, name: str) -> None:
    """Remove funnel NAME (not the active one, not the built-in sales funnel); its metrics
    and their history stay."""

    removed: list[str] = []

    def remove(catalog: Catalog, _reserved: Mapping[str, str]) -> SettingChanges:
        removed.append(catalog.funnel(name).name)
        return catalog.remove_funnel(name)

    change_catalog(ctx, remove)
    click.echo(visible(f"Funnel {removed[0]} removed; its metrics and their history stay."))
