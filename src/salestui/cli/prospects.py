"""`salestui prospect …` and `salestui due`: the people you are working, their follow-ups
and the sales-cycle figures (DESIGN: "Prospects, follow-ups and the sales cycle").

A NAME is found by its whole name or a unique prefix, case-insensitively; nobody or
several: exit 2 with one line (close names, or the matches). Every change is one write
transaction that a refusal leaves unwritten. `due` and `log … --prospect` are usually
answered by `salestui.quick_log` without click; this module gives the same output for
every other form through the same functions.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import click

from salestui.cli.common import (
    WideHelpGroup,
    complete_metric,
    echo_json,
    fail_input,
    json_option,
    open_store,
    parse_or_fail,
    period_option,
    reading_store,
)
from salestui.domain.periods import FIRST_DAY, LAST_DAY, DateRange, parse_period
from salestui.domain.prospect_stats import stats_json, stats_lines
from salestui.domain.prospects import (
    FOLLOW_UP_HELP,
    SOURCES,
    NoMatch,
    Prospect,
    check_name,
    check_source,
    parse_follow_up,
)
from salestui.domain.text import visible
from salestui.quick_log import due_output
from salestui.store import prospects as store_prospects
from salestui.store.events import Store

SOURCE_HELP = f"Where it came from: {', '.join(SOURCES)} (default cold)."


def _existing_store(ctx: click.Context) -> Store | None:
    """The store when the database exists (a refusal on a missing one creates nothing)."""
    return open_store(ctx) if ctx.obj["db"].exists() else None


def find(ctx: click.Context, name: str, *, writing: bool = True) -> tuple[Store, Prospect]:
    """The store and the prospect NAME names, or exit 2 saying who matched. Not
    `writing`: a store that only reads (a read-only database still answers)."""
    store = _existing_store(ctx) if writing else reading_store(ctx)
    if store is None:
        fail_input(str(NoMatch(name)))
    try:
        return store, store_prospects.find_prospect(store, name)
    except ValueError as error:
        fail_input(str(error))


def _change(action: Any) -> Any:
    """Run a store change; its ValueError is exit 2 with its one line."""
    try:
        return action()
    except ValueError as error:
        fail_input(str(error))


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def prospect_json(prospect: Prospect) -> dict[str, Any]:
    """A prospect as `prospect list --json` shows it (DESIGN)."""
    return {
        "id": prospect.id,
        "name": prospect.name,
        "company": prospect.company,
        "source": prospect.source,
        "status": prospect.status,
        "touches": prospect.touches,
        "first_touch": _day(prospect.first_touch),
        "last_touch": _day(prospect.last_touch),
        "follow_up": _day(prospect.follow_up),
    }


@click.group("prospect", cls=WideHelpGroup, short_help=(
    "The people you are working: add, list, follow up, won or lost, and figures."
))  # fmt: skip
def prospect() -> None:
    """The people you are working: add, list, follow up, won or lost, and figures.

    \b
    NAME is a prospect's name, or the start of it when only one starts so
    (case does not matter).
    Examples:  salestui prospect add "Dana Ng" --company Acme --source referral
               salestui log meeting --prospect dana
               salestui prospect follow-up dana --on +3d
               salestui prospect won dana
    """


@prospect.command("add")
@click.argument("name")
@click.option("--company", metavar="C", help="The company, if any.")
@click.option("--source", default="cold", metavar="S", help=SOURCE_HELP)
@click.pass_context
def add(ctx: click.Context, name: str, company: str | None, source: str) -> None:
    """Add an open prospect and print its id."""
    # Checked before the database is opened (or created).
    parse_or_fail(check_name, name)
    if company is not None:
        parse_or_fail(lambda text: check_name(text, "company"), company)
    parse_or_fail(check_source, source)
    store = open_store(ctx)
    added = _change(
        lambda: store_prospects.add_prospect(store, name, company=company, source=source)
    )
    click.echo(added.id)


@prospect.command("list")
@click.option("--open", "which", flag_value="open", default=True, help="Open ones (default).")
@click.option("--all", "which", flag_value="all", help="Every prospect, won and lost too.")
@click.option("--won", "which", flag_value="won", help="Won ones.")
@click.option("--lost", "which", flag_value="lost", help="Lost ones.")
@json_option
@click.pass_context
def list_command(ctx: click.Context, which: str, as_json: bool) -> None:
    """The prospects by name, with touches and follow-ups (overdue ones marked)."""
    store = reading_store(ctx)
    today = ctx.obj["clock"]().date()
    status = None if which == "all" else which
    found = store_prospects.list_prospects(store, status=status)
    if as_json:
        echo_json({"prospects": [prospect_json(p) for p in found]})
        return
    if not found:
        click.echo("No prospects yet." if which == "all" else f"No {which} prospects.")
        return
    rows = [
        (
            p.name,
            p.company or "",
            p.source,
            p.status,
            str(p.touches),
            _day(p.last_touch) or "-",
            _follow_up_cell(p, today),
        )
        for p in found
    ]
    header = ("name", "company", "source", "status", "touches", "last touch", "follow-up")
    # Made visible before measuring, and measured in terminal cells (山田 takes four):
    # the columns line up whatever the names hold.
    table = [tuple(visible(cell) for cell in row) for row in (header, *rows)]
    widths = [min(max(_cells(row[i]) for row in table), 30) for i in range(len(header))]
    for row in table:
        cells = [_fit(cell, widths[i]) for i, cell in enumerate(row)]
        cells[4] = " " * (widths[4] - _cells(row[4])) + row[4]
        click.echo("  ".join(cells).rstrip())


def _char_cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _cells(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian) characters two, combining marks none."""
    return sum(_char_cells(char) for char in text)


def _fit(text: str, width: int) -> str:
    """`text` cut (with …) or padded to exactly `width` cells."""
    used = _cells(text)
    if used > width:
        kept, used = [], 0
        for char in text:
            if used + _char_cells(char) > width - 1:
                break
            kept.append(char)
            used += _char_cells(char)
        text, used = "".join(kept) + "…", used + 1
    return text + " " * (width - used)


def _follow_up_cell(prospect: Prospect, today: date) -> str:
    if prospect.follow_up is None:
        return "-"
    late = (today - prospect.follow_up).days
    if late > 0:
        return f"{prospect.follow_up.isoformat()} ! {late}d overdue"
    return prospect.follow_up.isoformat() + (" (today)" if late == 0 else "")


@prospect.command("won")
@click.argument("name")
@click.pass_context
def won_command(ctx: click.Context, name: str) -> None:
    """Close a prospect as won (this does not tally a sale: `salestui log sale`)."""
    store, found = find(ctx, name)
    _change(lambda: store_prospects.won(store, found.id))
    click.echo(visible(f"{found.name}: won."))


@prospect.command("lost")
@click.argument("name")
@click.option("--reason", metavar="TEXT", help="Why it was lost.")
@click.pass_context
def lost_command(ctx: click.Context, name: str, reason: str | None) -> None:
    """Close a prospect as lost, with an optional reason."""
    store, found = find(ctx, name)
    _change(lambda: store_prospects.lost(store, found.id, reason))
    click.echo(visible(f"{found.name}: lost."))


@prospect.command("reopen")
@click.argument("name")
@click.pass_context
def reopen_command(ctx: click.Context, name: str) -> None:
    """Open a won or lost prospect again."""
    store, found = find(ctx, name)
    _change(lambda: store_prospects.reopen(store, found.id))
    click.echo(visible(f"{found.name}: open again."))


@prospect.command("follow-up")
@click.argument("name")
@click.option(
    "--on",
    "on_text",
    required=True,
    metavar="WHEN",
    help=FOLLOW_UP_HELP[0].upper() + FOLLOW_UP_HELP[1:] + ".",
)
@click.pass_context
def follow_up_command(ctx: click.Context, name: str, on_text: str) -> None:
    """Set the next follow-up of a prospect."""
    today = ctx.obj["clock"]().date()
    store, found = find(ctx, name)
    calendar = store_prospects.work_calendar(store)
    day = parse_or_fail(lambda text: parse_follow_up(text, today, calendar), on_text)
    _change(lambda: store_prospects.set_follow_up(store, found.id, day))
    click.echo(visible(f"{found.name}: follow up on {day:%a %d %b %Y}."))


@prospect.command("done")
@click.argument("name")
@click.pass_context
def done_command(ctx: click.Context, name: str) -> None:
    """Clear a prospect's follow-up (you followed up)."""
    store, found = find(ctx, name)
    changed = _change(lambda: store_prospects.set_follow_up(store, found.id, None))
    click.echo(
        visible(
            f"{found.name}: follow-up cleared."
            if changed
            else f"{found.name}: no follow-up was set."
        )
    )


@prospect.command("rename")
@click.argument("name")
@click.argument("new_name", metavar="NEW")
@click.pass_context
def rename_command(ctx: click.Context, name: str, new_name: str) -> None:
    """Correct a prospect's name (its history keeps the old one)."""
    parse_or_fail(check_name, new_name)
    store, found = find(ctx, name)
    _change(lambda: store_prospects.rename(store, found.id, new_name))
    click.echo(visible(f"{found.name} is now {check_name(new_name)}."))


@prospect.command("edit")
@click.argument("name")
@click.option("--company", metavar="C", help="The company (an empty one clears it).")
@click.option("--source", metavar="S", help=SOURCE_HELP)
@click.pass_context
def edit_command(ctx: click.Context, name: str, company: str | None, source: str | None) -> None:
    """Change a prospect's company or source."""
    store, found = find(ctx, name)
    fields: dict[str, Any] = {}
    if company is not None:
        fields["company"] = company
    if source is not None:
        fields["source"] = source
    if not fields:
        fail_input("nothing to change: give --company or --source")
    changed = _change(lambda: store_prospects.edit(store, found.id, **fields))
    click.echo(visible(f"{found.name}: {'changed' if changed else 'unchanged'}."))


@prospect.command("show")
@click.argument("name")
@json_option
@click.pass_context
def show_command(ctx: click.Context, name: str, as_json: bool) -> None:
    """A prospect: its fields, its touches (newest first) and its history."""
    store, found = find(ctx, name, writing=False)
    touches = store_prospects.timeline(store, found.id)
    changes = store_prospects.history(store, found.id)
    if as_json:
        payload = prospect_json(found)
        payload.update(
            reason=found.reason,
            created_on=_day(found.created_on),
            closed_on=_day(found.closed_on),
            timeline=[
                {"ts": t.ts, "day": t.day.isoformat(), "metric": t.metric, "delta": t.delta,
                 "note": t.note, "event": t.event_id}
                for t in touches
            ],
            history=[
                {"ts": c.ts, "day": c.day.isoformat(), "field": c.field, "value": c.value}
                for c in changes
            ],
        )  # fmt: skip
        echo_json(payload)
        return
    lines = [found.name + (f" ({found.company})" if found.company else "")]
    status = found.status + (f" on {_day(found.closed_on)}" if found.closed_on else "")
    if found.reason:
        status += f": {found.reason}"
    lines.append(f"  status     {status}")
    lines.append(f"  source     {found.source}")
    lines.append(f"  added      {_day(found.created_on) or '-'}")
    lines.append(f"  follow-up  {_day(found.follow_up) or '-'}")
    lines.append(f"  touches    {found.touches}")
    catalog = store.catalog()
    for touch in touches:
        note = f"  {touch.note}" if touch.note else ""
        try:
            tally = catalog.entry(touch.metric).metric.change(touch.delta)
        except ValueError:  # a metric nobody defined here (another machine's)
            tally = f"{touch.delta:+,} {touch.metric}"
        lines.append(f"    {touch.day.isoformat()}  {tally}{note}")
    old_names = [c.value for c in changes if c.field == "name" and c.value != found.name]
    if old_names:
        lines.append(f"  formerly   {', '.join(v for v in old_names if v)}")
    lines.append("  history")
    for change in changes:
        lines.append(f"    {change.day.isoformat()}  {change.field} = {change.value or '(none)'}")
    for line in lines:
        click.echo(visible(line))


def period_span(store: Store, text: str, today: date) -> DateRange:
    """The days `--period` names; `all` is every day."""
    period = parse_or_fail(lambda value: parse_period(value, today), text)
    return period.range if period.range is not None else DateRange(FIRST_DAY, LAST_DAY)


@prospect.command("stats")
@period_option(default="month")
@json_option
@click.pass_context
def stats_command(ctx: click.Context, period_text: str, as_json: bool) -> None:
    """Won and lost, sales cycle, touches before a win and win rate by source, over the
    prospects closed in a period (default: this month)."""
    today = ctx.obj["clock"]().date()
    store = reading_store(ctx)
    span = period_span(store, period_text, today)
    stats = store_prospects.load_stats(store, span, today)
    if as_json:
        echo_json(stats_json(stats, span))
        return
    click.echo(f"Prospects closed {span.compact() if period_text != 'all' else 'ever'}")
    for line in stats_lines(stats):
        click.echo(visible(line))


@prospect.command("follow-up-rule")
@click.argument("metric", shell_complete=complete_metric)
@click.argument("days", metavar="N")
@click.pass_context
def follow_up_rule(ctx: click.Context, metric: str, days: str) -> None:
    """A touch of METRIC sets the follow-up N working days later (0 or off: no rule).

    \b
    Example:  salestui prospect follow-up-rule meetings 3
    A later follow-up already set is kept.
    """
    from salestui.quick_log import metric_to_log

    word = days.strip().lower()
    if word in ("off", "0"):
        working_days = 0
    elif word.isascii() and word.isdigit() and 1 <= int(word) <= 365:
        working_days = int(word)
    else:
        fail_input(f"N must be a number of working days from 1 to 365, or 0/off, not {days!r}")
    reading = reading_store(ctx)
    chosen = parse_or_fail(lambda text: metric_to_log(reading, text), metric)
    store = open_store(ctx)
    key = store_prospects.FOLLOW_UP_RULE + chosen.key
    store.set_setting(key, str(working_days) if working_days else None)
    if working_days:
        click.echo(f"A touch of {chosen.key} sets the follow-up {working_days} working days later.")
    else:
        click.echo(f"No follow-up rule for {chosen.key}.")


@prospect.command("stalled-after")
@click.argument("days", metavar="N")
@click.pass_context
def stalled_after(ctx: click.Context, days: str) -> None:
    """An open prospect with no touch for N days (default 14) counts as stalled."""
    word = days.strip()
    if not (word.isascii() and word.isdigit() and 1 <= int(word) <= 3650):
        fail_input(f"N must be a number of days from 1 to 3650, not {days!r}")
    open_store(ctx).set_setting(store_prospects.STALLED_DAYS, str(int(word)))
    click.echo(f"Stalled: open prospects with no touch for {int(word)} days or more.")


@click.command("due")
@json_option
@click.pass_context
def due(ctx: click.Context, as_json: bool) -> None:
    """Follow-ups due today or overdue (silent when none: made for a shell prompt)."""
    today = ctx.obj["clock"]().date()
    store = reading_store(ctx) if ctx.obj["db"].exists() else None
    click.echo(due_output(store, today, as_json), nl=False)
