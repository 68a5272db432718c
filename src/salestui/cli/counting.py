"""`salestui log`, `undo` and `today`: the quick commands a key binding runs.

They must stay fast: this module imports only click, the store and the few domain
modules these three need (no figures, no Textual). The common `salestui log METRIC
[COUNT]` does not even come here: `salestui.quick_log` records it without click, through
the same `metric_to_log`, `count_or_none` and `record` this `log` uses for every other form.
Every metric the catalog knows works here as a built-in does: `log emails`, `today`
counting each visible metric, `undo` wording a tally of any of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from salestui.cli.common import (
    complete_metric,
    echo_json,
    fail_input,
    json_option,
    open_store,
    reading_store,
)
from salestui.domain.metrics import MAX_COUNT, parse_metric
from salestui.domain.periods import DateRange
from salestui.domain.text import shown, visible
from salestui.domain.when import parse_at
from salestui.quick_log import count_or_none, metric_to_log, record, record_touch
from salestui.store.events import BelowZeroError


def parse_count(text: str) -> int:
    """COUNT: a whole number from 1 to MAX_COUNT (10,000)."""
    count = count_or_none(text)
    if count is None:
        fail_input(f"COUNT must be a whole number from 1 to {MAX_COUNT:,}, not {shown(text)}")
    return count


def check_note(note: str | None) -> str | None:
    """The note as given, or exit 2 when it is not text that can be stored."""
    if note is None:
        return None
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        # argv bytes that are not UTF-8 arrive as lone surrogates; storing them would
        # either fail in SQLite or keep bytes no other program can read back.
        fail_input("the note is not valid UTF-8 text; write it in UTF-8 (check your terminal)")
    return note


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("metric", shell_complete=complete_metric)
@click.argument("count", required=False, default="1")
@click.option(
    "--at",
    "at_text",
    metavar="WHEN",
    help=(
        "When it happened (default: now): today, yesterday, a weekday (mon or monday: "
        "the last one before today, so `fri` on a Friday is a week ago), -Nd (N days "
        "ago), a date YYYY-MM-DD, or a time YYYY-MM-DDTHH:MM (local unless it has an "
        "offset like +01:00). Case does not matter."
    ),
)
@click.option("--note", metavar="TEXT", help="A note kept with the tally.")
@click.option(
    "--prospect",
    "prospect_name",
    metavar="NAME",
    help="Link the tally to a prospect (its name, or a unique start of it).",
)
@click.pass_context
def log(
    ctx: click.Context,
    metric: str,
    count: str,
    at_text: str | None,
    note: str | None,
    prospect_name: str | None,
) -> None:
    """Record one tally of COUNT (default 1) calls, meetings, sales or your own metrics.

    \b
    METRIC is calls, meetings or sales (or call / c, meeting / m, sale / s), or
    one of your own metrics by name, singular or letter (`salestui metric list`).
    Examples:  salestui log call
               salestui log sale --at yesterday
               salestui log meetings 2 --at 2026-11-26 --note "Acme, Globex"
               salestui log meeting --prospect acme
    """
    # A database that does not exist yet knows only the built-ins, and is created only
    # once the tally is known to be good.
    store = open_store(ctx) if os.path.exists(ctx.obj["db"]) else None
    try:
        chosen = parse_metric(metric) if store is None else metric_to_log(store, metric)
    except ValueError as error:
        fail_input(str(error))
    amount = parse_count(count)
    note = check_note(note)
    now = ctx.obj["clock"]()
    at = None
    if at_text is not None:
        try:
            at = parse_at(at_text, now)
        except ValueError as error:
            fail_input(str(error))
    if prospect_name is not None:
        # Nobody to link to on a database that does not exist: refused, nothing created.
        from salestui.domain.prospects import NoMatch
        from salestui.store.prospects import find_prospect

        try:
            if store is None:
                raise NoMatch(prospect_name)
            linked = find_prospect(store, prospect_name)
        except ValueError as error:
            fail_input(str(error))
        click.echo(record_touch(store, chosen, amount, now, linked, at=at, note=note))
        return
    store = store if store is not None else open_store(ctx)
    click.echo(record(store, chosen, amount, now, at=at, note=note))


@click.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Cancel the most recent tally made on this database."""
    path: Path = ctx.obj["db"]
    if not path.exists():  # nothing was ever tallied here; undo must not create the file
        click.echo("Nothing to undo.")
        return
    store = open_store(ctx)
    try:
        cancelled = store.undo(source="cli")
    except BelowZeroError as error:
        fail_input(f"cannot undo: {error}")
    if cancelled is None:
        click.echo("Nothing to undo.")
        return
    try:
        entry = store.catalog().entry(cancelled.metric)  # hidden ones too
    except ValueError:
        entry = None
    if entry is not None and entry.key == cancelled.metric:
        change = entry.metric.change(cancelled.delta)
    else:  # a metric nobody defined here (imported events of another machine's metric)
        change = f"{cancelled.delta:+,} {cancelled.metric}"
    click.echo(visible(f"Undid {change} from {cancelled.day}."))


@click.command()
@json_option
@click.pass_context
def today(ctx: click.Context, as_json: bool) -> None:
    """Today's counts."""
    day = ctx.obj["clock"]().date()
    store = reading_store(ctx)
    shown_metrics = store.catalog().visible  # every visible metric, in display order
    counts = store.counts(DateRange(day, day), [metric.key for metric in shown_metrics])
    if as_json:
        echo_json({"day": day.isoformat(), "counts": counts})
        return
    click.echo(day.strftime("%a %d %b %Y"))
    # Nine columns fit the built-ins' labels; a longer label of the user's widens them all.
    width = max([9, *(len(metric.label) for metric in shown_metrics)])
    for metric in shown_metrics:
        click.echo(visible(f"  {metric.label:<{width}} {counts[metric.key]:>5}"))
