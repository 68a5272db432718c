"""`salestui log`, `undo` and `today`: the quick commands a key binding runs.

They must stay fast: this module imports only click, the store and the few domain
modules these three need (no figures, no Textual). The common `salestui log METRIC
[COUNT]` does not even come here: `salestui.quick_log` records it without click, through
the same `count_or_none` and `record` this `log` uses for every other form.
"""

from __future__ import annotations

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
from salestui.domain.metrics import MAX_COUNT, metric_by_key, parse_metric
from salestui.domain.periods import DateRange
from salestui.domain.text import shown, visible
from salestui.domain.when import parse_at
from salestui.quick_log import count_or_none, record
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
@click.pass_context
def log(ctx: click.Context, metric: str, count: str, at_text: str | None, note: str | None) -> None:
    """Record one tally of COUNT (default 1) calls, meetings or sales.

    \b
    METRIC is calls, meetings or sales (or call / c, meeting / m, sale / s).
    Examples:  salestui log call
               salestui log sale --at yesterday
               salestui log meetings 2 --at 2026-11-26 --note "Acme, Globex"
    """
    try:
        chosen = parse_metric(metric)
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
    click.echo(record(open_store(ctx), chosen, amount, now, at=at, note=note))


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
        change = metric_by_key(cancelled.metric).change(cancelled.delta)
    except KeyError:  # a metric this version does not know (from a newer one, by import)
        change = f"{cancelled.delta:+,} {cancelled.metric}"
    click.echo(visible(f"Undid {change} from {cancelled.day}."))


@click.command()
@json_option
@click.pass_context
def today(ctx: click.Context, as_json: bool) -> None:
    """Today's counts."""
    day = ctx.obj["clock"]().date()
    counts = reading_store(ctx).counts(DateRange(day, day))
    if as_json:
        echo_json({"day": day.isoformat(), "counts": counts})
        return
    click.echo(day.strftime("%a %d %b %Y"))
    for key, value in counts.items():
        click.echo(f"  {metric_by_key(key).label:<9} {value:>5}")
