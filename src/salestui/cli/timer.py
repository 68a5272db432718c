"""`salestui time`: timers on non-sales work (start, stop, log, status, categories).

A timer is a `start` with no `stop` on disk (see `salestui.store.timers`): it survives
a crash or a restart, and one left running past midnight is cut there; the next
`time status` or `time start` says so once (and writes the stop at midnight).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import click

from salestui.cli.common import (
    WideHelpGroup,
    echo_json,
    fail_input,
    json_option,
    open_store,
    reading_store,
)
from salestui.domain.text import visible
from salestui.domain.timers import (
    Interval,
    clock_text,
    cut_message,
    day_minutes,
    label,
    non_sales_share,
    on_day,
    overlap_spans,
    parse_category,
    parse_duration,
    time_line,
    whole_minutes,
)
from salestui.domain.when import AT_HELP, is_date_only, parse_at
from salestui.store.events import Store
from salestui.store.timers import (
    add_category,
    categories,
    close_past_midnight,
    intervals,
    log_time,
    running,
    start_timer,
    stop_timers,
)


@click.group(cls=WideHelpGroup)
def time_group() -> None:
    """Time on non-sales work: start or stop a timer, log time, see today's.

    \b
    Categories: selling (selling time), admin, reports, internal meetings (internal),
    travel, training, and your own (`salestui time category add NAME`).
    Examples:  salestui time start admin
               salestui time stop
               salestui time log 1h30m reports --at yesterday
    """


def _store_if_exists(ctx: click.Context) -> Store:
    """A writing store on an existing database, else an empty reading one."""
    return open_store(ctx) if os.path.exists(ctx.obj["db"]) else reading_store(ctx)


def _say_cut(store: Store) -> None:
    """Tell the user once about timers left running past midnight (writing their stop)."""
    if store.readonly or not os.path.exists(store.path):
        return
    today = store.clock().date()
    for interval in close_past_midnight(store):
        click.echo(visible(cut_message(interval, today)))


def _category(store: Store, words: tuple[str, ...]) -> str:
    try:
        return parse_category(" ".join(words), categories(store))
    except ValueError as error:
        fail_input(visible(str(error)))


def _stopped_line(interval: Interval) -> str:
    return visible(f"Stopped {label(interval.category)} after {clock_text(interval.minutes)}.")


@time_group.command("start")
@click.argument("category", nargs=-1)
@click.pass_context
def start(ctx: click.Context, category: tuple[str, ...]) -> None:
    """Start a timer on CATEGORY now (a running one is stopped first)."""
    chosen = _category(reading_store(ctx), category)
    store = open_store(ctx)
    _say_cut(store)
    for interval in start_timer(store, chosen):
        click.echo(_stopped_line(interval))
    click.echo(visible(f"Started {label(chosen)} at {store.clock():%H:%M}."))


@time_group.command("stop")
@click.pass_context
def stop(ctx: click.Context) -> None:
    """Stop the running timer."""
    store = _store_if_exists(ctx)
    _say_cut(store)
    if not running(store):
        fail_input("no timer is running (start one: salestui time start CATEGORY)")
    for interval in stop_timers(store):
        click.echo(_stopped_line(interval))


@time_group.command("log", context_settings={"ignore_unknown_options": True})
@click.argument("duration")
@click.argument("category", nargs=-1)
@click.option(
    "--at",
    "at_text",
    metavar="WHEN",
    help="When it started (default: it ends now); " + AT_HELP + ".",
)
@click.pass_context
def log(ctx: click.Context, duration: str, category: tuple[str, ...], at_text: str | None) -> None:
    """Log DURATION (45m, 1h30m, 2h) of CATEGORY that is over already.

    \b
    Examples:  salestui time log 45m admin
               salestui time log 1h30m reports --at 2026-11-26T14:00
    """
    try:
        minutes = parse_duration(duration)
    except ValueError as error:
        fail_input(visible(str(error)))
    chosen = _category(reading_store(ctx), category)
    now: datetime = ctx.obj["clock"]()
    length = timedelta(minutes=minutes)
    begin = now - length
    if at_text is not None:
        try:
            at = parse_at(at_text, now)
        except ValueError as error:
            fail_input(visible(str(error)))
        if at != now:  # `--at today` means "ending now", like no --at
            begin = at
            if is_date_only(at):  # a day alone: from noon that day
                begin = at.replace(microsecond=0)
    if begin + length > now:
        fail_input(
            f"{duration.strip()} from {begin:%H:%M} would run into the future; "
            f"now is {now:%Y-%m-%d %H:%M}"
        )
    store = open_store(ctx)
    log_time(store, chosen, begin, minutes)
    end = begin + length
    click.echo(
        visible(
            f"Logged {clock_text(minutes)} of {label(chosen)} "
            f"({begin:%a %-d %b %H:%M}–{end:%H:%M})."
        )
    )


@time_group.command("status")
@json_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """The running timer and today's time per category."""
    # Only reads, but writes the midnight cut's stop where it can (`_say_cut`): a
    # database that cannot be written (a read-only mount) still answers.
    store = reading_store(ctx)
    _say_cut(store)
    now = store.clock()
    today = now.date()
    live = running(store)
    found = on_day(intervals(store, today, today, now), today)
    minutes = day_minutes(found, today)
    share = non_sales_share(minutes)
    spans = overlap_spans(found)
    if as_json:
        shown = [{"category": i.category, "since": i.start.isoformat()} for i in live]
        echo_json(
            {
                "running": shown[-1] if shown else None,
                "running_all": shown,
                "today": whole_minutes(minutes),
                "total_minutes": sum(whole_minutes(minutes).values()),
                "non_sales_share": round(float(share), 4) if share is not None else None,
                "overlaps": [
                    {
                        "categories": span.categories,
                        "from": span.start.astimezone().isoformat(),
                        "to": span.end.astimezone().isoformat(),
                    }
                    for span in spans
                ],
            }
        )
        return
    for interval in live:
        click.echo(
            visible(
                f"Running: {label(interval.category)} since {interval.start.astimezone():%H:%M} "
                f"({clock_text(interval.minutes)})"
            )
        )
    if len(live) > 1:
        click.echo("These timers overlap (two machines'?): their shared time is counted once.")
    if not live:
        click.echo("No timer running.")
    line = time_line(minutes)
    click.echo(visible(line) if line else "Nothing tracked today.")
    for span in spans:
        if not all(interval.running for interval in span.intervals):
            click.echo(
                visible(
                    f"Overlap: {_together(span.categories)} from "
                    f"{span.start.astimezone():%H:%M} to {span.end.astimezone():%H:%M}"
                    " (counted once, shared between them)"
                )
            )


def _together(categories: list[str]) -> str:
    """`admin and reports`, `admin (3 timers), reports and selling`."""
    counts: dict[str, int] = {}
    for category in categories:
        counts[category] = counts.get(category, 0) + 1
    names = [
        label(name) + (f" ({count} timers)" if count > 1 else "") for name, count in counts.items()
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@time_group.group("category", cls=WideHelpGroup)
def category_group() -> None:
    """Your own categories beside the built-in ones."""


@category_group.command("add")
@click.argument("name")
@click.pass_context
def category_add(ctx: click.Context, name: str) -> None:
    """Add a category of your own (one word: letters, digits, dashes)."""
    from salestui.domain.timers import check_new_category

    try:
        check_new_category(name, categories(reading_store(ctx)))
        key = add_category(open_store(ctx), name)
    except ValueError as error:
        fail_input(visible(str(error)))
    click.echo(visible(f"Added the category {key}: salestui time start {key}"))


@category_group.command("list")
@json_option
@click.pass_context
def category_list(ctx: click.Context, as_json: bool) -> None:
    """Every category, yours first; `selling` is selling time, the rest non-sales."""
    names = categories(reading_store(ctx))
    if as_json:
        echo_json({"categories": names})
        return
    for name in names:
        click.echo(visible(label(name) if label(name) == name else f"{name} ({label(name)})"))
