"""`salestui metric` (your own metrics: add, list, hide, show) and `salestui preset` (the
metrics and funnel for one kind of user, in one command).

The catalog (`salestui.domain.catalog`) decides what is accepted and words every refusal;
these commands read it from the database, hand it the app's own keys, and write the
settings it returns in one transaction, or nothing at all.
"""

from __future__ import annotations

from collections.abc import Mapping

import click

from salestui.cli.common import (
    WideHelpGroup,
    change_catalog,
    echo_json,
    fail_input,
    json_option,
    reading_store,
)
from salestui.domain.catalog import PRESETS, Catalog, SettingChanges
from salestui.domain.metrics import Metric
from salestui.domain.text import visible


@click.group(cls=WideHelpGroup, invoke_without_command=True)
@click.pass_context
def metric(ctx: click.Context) -> None:
    """Your own metrics beside calls, meetings and sales (alone: the list)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(metric_list)


@metric.command("add")
@click.argument("key")
@click.option("--singular", metavar="S", help="One of them, for `log` and messages (email).")
@click.option(
    "--letter",
    metavar="L",
    help="Its key in the app (default: the first free letter of KEY); Shift+L takes one away.",
)
@click.option("--label", metavar="TEXT", help="Its name on screen (default: Key).")
@click.pass_context
def metric_add(
    ctx: click.Context,
    key: str,
    singular: str | None,
    letter: str | None,
    label: str | None,
) -> None:
    """Count KEY from now on: a lowercase plural such as emails, referrals or cards.

    \b
    Examples:  salestui metric add emails            (on e)
               salestui metric add cards --letter b --label "Business cards"
    """

    def add(catalog: Catalog, reserved: Mapping[str, str]) -> SettingChanges:
        return catalog.add_metric(
            key, singular=singular, letter=letter, label=label, reserved=reserved
        )

    added = change_catalog(ctx, add).entry(key.strip()).metric
    click.echo(
        visible(
            f"Counting {added.key} on {added.letter} (Shift+{added.letter.upper()} takes one "
            f"away). Log one with `salestui log {added.singular}`."
        )
    )


@metric.command("list")
@json_option
@click.pass_context
def metric_list(ctx: click.Context, as_json: bool) -> None:
    """Every metric in display order (built-ins first), its letter and whether it is hidden."""
    catalog = reading_store(ctx).catalog()
    if as_json:
        echo_json(
            {
                "metrics": [
                    {
                        "key": entry.key,
                        "singular": entry.metric.singular,
                        "letter": entry.metric.letter,
                        "label": entry.metric.label,
                        "hidden": entry.hidden,
                    }
                    for entry in catalog.entries
                ]
            }
        )
        return
    rows = [
        (entry.key, entry.metric.singular, entry.metric.letter, entry.metric.label, entry.hidden)
        for entry in catalog.entries
    ]
    key_width = max(len(row[0]) for row in rows)
    singular_width = max(len(row[1]) for row in rows)
    for key, singular, letter, label, hidden in rows:
        line = f"{letter}  {key:<{key_width}}  {singular:<{singular_width}}  {label}"
        click.echo(visible(line + ("   (hidden)" if hidden else "")))


@metric.command("hide")
@click.argument("key")
@click.pass_context
def metric_hide(ctx: click.Context, key: str) -> None:
    """Take KEY off Today and its key (its history is kept; `metric show` brings it back)."""
    hidden = change_catalog(ctx, lambda catalog, _reserved: catalog.hide(key)).entry(key)
    click.echo(
        visible(
            f"{hidden.key} is hidden; its history is kept. "
            f"`salestui metric show {hidden.key}` brings it back."
        )
    )


@metric.command("show")
@click.argument("key")
@click.option(
    "--letter",
    metavar="L",
    help="Its key from now on (needed when it has none, or another metric took it).",
)
@click.pass_context
def metric_show(ctx: click.Context, key: str, letter: str | None) -> None:
    """Bring a hidden metric back to Today, its key and `log`, with its history."""
    shown = change_catalog(
        ctx, lambda catalog, reserved: catalog.show(key, letter=letter, reserved=reserved)
    ).entry(key)
    click.echo(visible(f"{shown.key} is shown again, on {shown.metric.letter}."))


@click.command()
@click.argument("name", required=False)
@click.option("--list", "listing", is_flag=True, help="List the presets (as with no NAME).")
@click.pass_context
def preset(ctx: click.Context, name: str | None, listing: bool) -> None:
    """Start counting for one kind of work: its metrics and funnel, made active.

    \b
    Alone (or with --list): the presets and what each counts.
    Example:  salestui preset jobs   (applications, interviews, offers)
    """
    if name is None or listing:
        if name is not None:
            fail_input("give a preset NAME or --list, not both")
        width = max(len(each) for each in PRESETS)
        for each in PRESETS.values():
            click.echo(f"{each.name:<{width}}  {each.description}")
        click.echo("Use one with `salestui preset NAME`.")
        return
    chosen = PRESETS.get(name.strip().lower())
    if chosen is None:
        fail_input(f"no preset {name!r}; presets: {', '.join(PRESETS)}")

    def apply(catalog: Catalog, reserved: Mapping[str, str]) -> SettingChanges:
        try:
            return catalog.apply_preset(chosen.name, reserved)
        except ValueError as error:
            # A preset's letters are not the user's to pick: say what is in the way.
            message = str(error).removesuffix("; pick another")
            if "nothing was changed" not in message:
                message += "; nothing was changed"
            raise ValueError(f"preset {chosen.name}: {message}") from None

    catalog = change_catalog(ctx, apply)
    counted: list[Metric] = [catalog.entry(stage).metric for stage in chosen.funnel.stages]
    counted += [
        catalog.entry(each.key).metric
        for each in chosen.metrics
        if each.key not in chosen.funnel.stages
    ]
    names = ", ".join(f"{metric.key} ({metric.letter})" for metric in counted)
    click.echo(
        visible(
            f"Counting {names}; funnel {chosen.funnel.name} is active. Next: salestui goal set N"
        )
    )
    if not chosen.builtins:
        click.echo(
            "Calls, meetings and sales are hidden (their history is kept; "
            "`salestui preset sales` brings them back)."
        )
