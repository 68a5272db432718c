"""The `salestui` command line.

Quick commands (`log`, `undo`, `today`, `where`) must stay fast: they do not import
Textual. The TUI is imported only when it is opened.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from salestui.clock import Clock, local_now
from salestui.domain.text import visible
from salestui.paths import resolve_db_path
from salestui.store.events import StoreError

if TYPE_CHECKING:  # typing only, without the import cost
    from salestui.store.events import Store


T = TypeVar("T")


class InputError(click.UsageError):
    """Bad input: exit 2 with one line."""


def _fail_input(message: str) -> NoReturn:
    raise InputError(message)


def _open_store(ctx: click.Context) -> Store:
    from salestui.store.events import Store

    store = Store(ctx.obj["db"], clock=ctx.obj["clock"])
    ctx.call_on_close(store.close)
    return store


def _reading_store(ctx: click.Context) -> Store:
    """A store for a command that only reads: a missing database is empty, not created."""
    from salestui.store.events import Store

    store = Store.for_reading(ctx.obj["db"], clock=ctx.obj["clock"])
    ctx.call_on_close(store.close)
    return store


def _echo_json(payload: dict[str, Any]) -> None:
    import json

    click.echo(json.dumps(payload, ensure_ascii=False))


class _Group(click.Group):
    """A command group whose `--help` lists each command's whole first sentence.

    Click cuts short help at the terminal width with "..."; here it wraps instead.
    """

    group_class = type  # `goal`, `rate`: the same listing

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_option",
    metavar="PATH",
    help="Database file (default: $SALESTUI_DB, else the user data folder).",
)
@click.version_option(package_name="salestui", message="salestui %(version)s")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None) -> None:
    """Tally cold calls, meetings and sales; with no command, open the app.

    \b
    Keys in the app: c/m/s +1 call/meeting/sale, C/M/S -1, u undo, ? help, q quit.
    """
    ctx.ensure_object(dict)
    ctx.obj.setdefault("clock", local_now)
    if db_option is not None:
        from salestui.paths import check_db_option

        _parse_or_fail(check_db_option, db_option)
    ctx.obj["db"] = resolve_db_path(db_option)
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj["db"], ctx.obj["clock"])


def _run_tui(db: Path, clock: Clock) -> None:
    from salestui.launch import run_tui

    code = run_tui(db, clock)
    if code:
        sys.exit(code)


@cli.command()
@click.pass_context
def where(ctx: click.Context) -> None:
    """Print the database path in use and its size (first line: `database: PATH`)."""
    path: Path = ctx.obj["db"]
    click.echo(f"database: {visible(str(path))}")
    if path.exists():
        click.echo(f"size: {_size_on_disk(path)}")
    else:
        click.echo("status: not created yet (opening the app or the first change creates it)")
    from salestui.store.backup import backups_folder

    click.echo(f"backups: {visible(str(backups_folder(path)))}")


def _size_on_disk(path: Path) -> str:
    """The database's bytes, its -wal file's included: recent tallies can sit in the WAL
    (SQLite moves them into the main file only now and then), so the file alone can read
    4,096 bytes on a database holding a day's work."""
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    try:
        wal_size = wal.stat().st_size
    except OSError:  # no -wal: every closed connection folded it into the file
        wal_size = 0
    if wal_size == 0:
        return f"{size:,} bytes"
    return (
        f"{size + wal_size:,} bytes ({size:,} in {visible(path.name)} "
        f"+ {wal_size:,} in {visible(wal.name)})"
    )


def parse_count(text: str) -> int:
    """COUNT: a whole number from 1 to MAX_COUNT (10,000)."""
    import re

    from salestui.domain.metrics import MAX_COUNT
    from salestui.domain.periods import shown

    digits = text.strip()
    # Plain decimal digits only (int() would also take "1_000" and other scripts' digits),
    # and few enough for int(): Python refuses int() of 4,300+ digits.
    if re.fullmatch(r"\+?[0-9]{1,12}", digits) is None or not 1 <= int(digits) <= MAX_COUNT:
        _fail_input(f"COUNT must be a whole number from 1 to {MAX_COUNT:,}, not {shown(text)}")
    return int(digits)


def _check_note(note: str | None) -> str | None:
    """The note as given, or exit 2 when it is not text that can be stored."""
    if note is None:
        return None
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        # argv bytes that are not UTF-8 arrive as lone surrogates; storing them would
        # either fail in SQLite or keep bytes no other program can read back.
        _fail_input("the note is not valid UTF-8 text; write it in UTF-8 (check your terminal)")
    return note


def _complete_metric(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Metric names for shell completion: calls, meetings, sales (and their short forms)."""
    from click.shell_completion import CompletionItem

    from salestui.domain.metrics import METRICS

    return [
        CompletionItem(name, help=metric.label)
        for metric in METRICS
        for name in (metric.key, metric.singular)
        if name.startswith(incomplete.lower())
    ]


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("metric", shell_complete=_complete_metric)
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
    from salestui.domain.metrics import parse_metric
    from salestui.domain.when import parse_at

    try:
        chosen = parse_metric(metric)
    except ValueError as error:
        _fail_input(str(error))
    amount = parse_count(count)
    note = _check_note(note)
    now = ctx.obj["clock"]()
    at = None
    if at_text is not None:
        try:
            at = parse_at(at_text, now)
        except ValueError as error:
            _fail_input(str(error))
    store = _open_store(ctx)
    event = store.log(chosen.key, amount, at=at, note=note, source="cli")
    when = "" if event.day == now.date().isoformat() else f" on {event.day}"
    click.echo(f"+{chosen.amount(amount)}{when}")


@cli.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Cancel the most recent tally made on this database."""
    from salestui.domain.metrics import metric_by_key
    from salestui.store.events import BelowZeroError

    path: Path = ctx.obj["db"]
    if not path.exists():  # nothing was ever tallied here; undo must not create the file
        click.echo("Nothing to undo.")
        return
    store = _open_store(ctx)
    try:
        cancelled = store.undo(source="cli")
    except BelowZeroError as error:
        _fail_input(f"cannot undo: {error}")
    if cancelled is None:
        click.echo("Nothing to undo.")
        return
    try:
        change = metric_by_key(cancelled.metric).change(cancelled.delta)
    except KeyError:  # a metric this version does not know (from a newer one, by import)
        change = f"{cancelled.delta:+,} {cancelled.metric}"
    click.echo(visible(f"Undid {change} from {cancelled.day}."))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def today(ctx: click.Context, as_json: bool) -> None:
    """Today's counts."""
    from salestui.domain.metrics import metric_by_key
    from salestui.domain.periods import DateRange

    day = ctx.obj["clock"]().date()
    counts = _reading_store(ctx).counts(DateRange(day, day))
    if as_json:
        _echo_json({"day": day.isoformat(), "counts": counts})
        return
    click.echo(day.strftime("%a %d %b %Y"))
    for key, value in counts.items():
        click.echo(f"  {metric_by_key(key).label:<9} {value:>5}")


# -- funnel, plan, goal, rate, calendar -------------------------------------------------


def _parse_or_fail(parser: Callable[[str], T], text: str) -> T:
    try:
        return parser(text)
    except ValueError as error:
        _fail_input(str(error))


@cli.command()
@click.option(
    "--period",
    "-p",
    "period_text",
    default="month",
    show_default=True,
    help="today, week, month, quarter, year, all, Nd, YYYY-MM or FROM..TO.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def funnel(ctx: click.Context, period_text: str, as_json: bool) -> None:
    """Counts and conversion rates for a period (default: this month)."""
    from salestui.domain.metrics import METRICS
    from salestui.domain.periods import parse_period
    from salestui.figures import load_funnel

    today_date = ctx.obj["clock"]().date()
    period = _parse_or_fail(lambda text: parse_period(text, today_date), period_text)
    view = load_funnel(_reading_store(ctx), period)
    if as_json:
        _echo_json(view.to_json())
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


@cli.command(short_help="What this month needs: calls, meetings and sales per day.")
@click.option("--target", "target_text", metavar="N", help="Sales to close this month.")
@click.option("--month", "month_text", metavar="YYYY-MM", help="Plan another month.")
@click.option(
    "--rate",
    "rate_texts",
    metavar="STAGE=VALUE",
    multiple=True,
    help="A rate for this plan, e.g. meetings=15% or sales=1/3.",
)
@click.option(
    "--working-days",
    "working_days_text",
    metavar="N",
    help="Working days in the month, instead of the calendar's count.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def plan(
    ctx: click.Context,
    target_text: str | None,
    month_text: str | None,
    rate_texts: tuple[str, ...],
    working_days_text: str | None,
    as_json: bool,
) -> None:
    """What this month needs: calls, meetings and sales, per day and today."""
    from salestui.domain.goals import parse_target
    from salestui.domain.periods import parse_month
    from salestui.domain.planner import MissingRateError
    from salestui.domain.rates import parse_rate_assignment
    from salestui.figures import NoGoalError, build_plan

    target = _parse_or_fail(parse_target, target_text) if target_text is not None else None
    month = _parse_or_fail(parse_month, month_text) if month_text is not None else None
    flags = dict(_parse_or_fail(parse_rate_assignment, text) for text in rate_texts)
    working_days = None
    if working_days_text is not None:
        working_days = _parse_or_fail(_parse_working_days, working_days_text)
    today_date = ctx.obj["clock"]().date()
    store = _reading_store(ctx)
    try:
        result = build_plan(
            store,
            today_date,
            month=month,
            target=target,
            rate_flags=flags,
            working_days=working_days,
        )
    except (NoGoalError, MissingRateError) as error:
        _fail_input(str(error))
    if as_json:
        _echo_json(result.to_json())
        return
    for line in plan_lines(result):
        click.echo(line)


MAX_WORKING_DAYS = 31
"""A month has at most 31 days to work."""


def _parse_working_days(text: str) -> int:
    import re

    from salestui.domain.periods import shown

    digits = text.strip()
    if re.fullmatch(r"\+?[0-9]{1,6}", digits) is None or not 1 <= int(digits) <= MAX_WORKING_DAYS:
        raise ValueError(
            f"--working-days must be a whole number from 1 to {MAX_WORKING_DAYS}, not {shown(text)}"
        )
    return int(digits)


def plan_lines(result: Any) -> list[str]:
    """The plan as a few lines of text (shared by `plan` and its tests)."""
    from salestui.domain.metrics import METRICS, metric_by_key
    from salestui.domain.planner import describe_pace
    from salestui.domain.rates import format_percent, format_rate_words
    from salestui.figures import SOURCE_WORDS

    month_name = result.span.start.strftime("%B %Y")
    started = ""
    if result.start is not None:
        started = f" (set on {result.start:%-d %b}; counted from then)"
    if result.not_started:
        days = f"{result.working_days} working days; it has not started yet"
    else:
        days = (
            f"{result.working_days} working days, {result.planned_days_left} left (today included)"
        )
    lines = [f"{month_name} · goal {result.target:,} sales{started} · {days}"]
    needed = "   ".join(metric.amount(result.today_needed[metric.key]) for metric in METRICS)
    if result.not_started:
        first = result.first_working_day()
        when = f"{first:%a %-d %b}" if first is not None else "its first day"
        lines.append(f"  On {when} you need   {needed}")
    else:
        lines.append(f"  Today you need    {needed}")
    so_far = "   ".join(
        f"{result.done[m.key]:,} / {result.required[m.key]:,} {m.key}" for m in METRICS
    )
    lines.append(f"  Month so far      {so_far}")
    per_day = "   ".join(metric.amount(result.per_day[metric.key]) for metric in METRICS)
    lines.append(f"  Per working day   {per_day}")
    lines.append(f"  Pace              {describe_pace(result.pace('calls'), METRICS[0])}")
    for stage, rate in result.rates.items():
        before = METRICS[[m.key for m in METRICS].index(stage) - 1]
        words = format_rate_words(rate, before, metric_by_key(stage))
        source = SOURCE_WORDS.get(result.rates_source.get(stage, ""), "")
        label = f"{before.key} → {stage}"
        lines.append(f"  Rate {label:<18} {format_percent(rate):>6}  ({words}; {source})")
    return lines


@cli.group(invoke_without_command=True)
@click.pass_context
def goal(ctx: click.Context) -> None:
    """The monthly sales target (alone: the goal in force and later ones)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(goal_show)


@goal.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("target_text", metavar="N")
@click.option(
    "--month",
    "month_text",
    metavar="YYYY-MM",
    help="Set it for this one month only (default: from this month on).",
)
@click.option(
    "--full",
    "start",
    flag_value="full",
    help="Set during a month: plan all N this month, from today (default: pro-rated).",
)
@click.option(
    "--next-month",
    "start",
    flag_value="next-month",
    help="Set during a month: start on the 1st of next month (default: pro-rated).",
)
@click.pass_context
def goal_set(
    ctx: click.Context, target_text: str, month_text: str | None, start: str | None
) -> None:
    """Store the monthly sales target N.

    \b
    Set after the month's first working day, with no goal for the month yet, the goal
    starts today: this month gets its share of the working days left (pro-rated), or
    all of N with --full, or nothing with --next-month. Pace counts from today.
    """
    from salestui.domain.goals import Start, parse_target
    from salestui.domain.periods import parse_month
    from salestui.figures import month_label, save_goal, set_goal

    target = _parse_or_fail(parse_target, target_text)
    if month_text is not None and start is not None:
        _fail_input(f"--{start} is for a goal from this month on; leave out --month")
    store = _open_store(ctx.find_root())
    if month_text is None:
        chosen = Start(start) if start is not None else None
        saved = set_goal(store, ctx.obj["clock"]().date(), target, chosen)
        click.echo(saved.message)
        if saved.start.mid_month and chosen is None:
            click.echo("  (--full plans all of it this month; --next-month starts it on the 1st)")
    else:
        month = month_label(_parse_or_fail(parse_month, month_text))
        save_goal(store, month, target, only=True)
        click.echo(f"Goal: {target:,} sales in {month}.")


@goal.command("show")
@click.option("--month", "month_text", metavar="YYYY-MM", help="Another month than this one.")
@click.pass_context
def goal_show(ctx: click.Context, month_text: str | None) -> None:
    """Print the target in force for a month (default: this month) and later changes."""
    from salestui.domain.periods import month_of, parse_month
    from salestui.figures import goal_book, month_label

    span = (
        _parse_or_fail(parse_month, month_text)
        if month_text is not None
        else month_of(ctx.obj["clock"]().date())
    )
    month = month_label(span)
    book = goal_book(_reading_store(ctx.find_root()))
    target = book.target_for(month)
    if target is None:
        click.echo(f"No goal for {month}. Set one with `salestui goal set N`.")
    else:
        click.echo(f"{month}: {target:,} sales ({_goal_origin(book, month)})")
    later = sorted(m for m in {*book.standing, *book.only} if m > month)
    if later:
        click.echo("Later:")
    for changed in later:
        if changed in book.only:
            click.echo(f"  {changed}: {book.only[changed]:,} sales (that month only)")
        if changed in book.standing:
            click.echo(f"  {changed} on: {book.standing[changed]:,} sales a month")


def _goal_origin(book: Any, month: str) -> str:
    """Where `month`'s target comes from, in a few words."""
    if month in book.only:
        return "for that month only"
    start = max(m for m in book.standing if m <= month)
    return f"the goal from {start} on"


@goal.command("clear")
@click.option(
    "--month",
    "month_text",
    metavar="YYYY-MM",
    help="Clear only that month's one-month goal (set with `goal set N --month`).",
)
@click.pass_context
def goal_clear(ctx: click.Context, month_text: str | None) -> None:
    """Clear every goal from this month on (earlier months keep theirs)."""
    from salestui.domain.periods import month_of, parse_month
    from salestui.figures import clear_goal, goal_book, month_label

    root = ctx.find_root()
    only = month_text is not None
    span = (
        _parse_or_fail(parse_month, month_text)
        if month_text is not None
        else month_of(ctx.obj["clock"]().date())
    )
    month = month_label(span)
    path: Path = ctx.obj["db"]
    # Nothing was ever stored here: clearing must not create the file.
    cleared = path.exists() and clear_goal(_open_store(root), month, only=only)
    if not cleared:
        what = f"no one-month goal for {month}" if only else f"no goal from {month} on"
        click.echo(f"Nothing to clear: {what}.")
    elif not only:
        click.echo(f"Goal cleared from {month} on; earlier months keep theirs.")
    else:
        click.echo(f"One-month goal for {month} cleared.")
    if only and path.exists():
        book = goal_book(_reading_store(root))
        target = book.target_for(month)
        if target is not None:  # a standing goal covers the month: say so
            click.echo(
                f"{month} now has {target:,} sales ({_goal_origin(book, month)}); "
                "`salestui goal clear` clears that from this month on."
            )


@cli.group(
    invoke_without_command=True,
    short_help="Starting rates, used until your own history is large enough (alone: show).",
)
@click.pass_context
def rate(ctx: click.Context) -> None:
    """Starting rates, used until your own 90 days of history are large enough
    (alone: what `rate show` prints)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(rate_show)


@rate.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def rate_show(ctx: click.Context, as_json: bool) -> None:
    """The starting rates stored, and the rate the plan uses today for each stage."""
    from salestui.domain.metrics import metric_by_key
    from salestui.domain.planner import (
        HISTORY_DAYS,
        HISTORY_MIN_DENOMINATOR,
        history_rate,
        history_span,
    )
    from salestui.domain.rates import (
        RATE_STAGES,
        format_percent,
        format_rate_input,
        format_rate_words,
        previous_stage,
    )
    from salestui.figures import SOURCE_WORDS, stored_rates

    today_date = ctx.obj["clock"]().date()
    store = _reading_store(ctx.find_root())
    stored = stored_rates(store)
    span = history_span(today_date)
    history = store.counts(span)
    rates: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for stage in RATE_STAGES:
        from_history = history_rate(history, stage)
        if from_history is not None:
            rates[stage], sources[stage] = from_history, "history"
        elif stage in stored:
            rates[stage], sources[stage] = stored[stage], "set"
        else:
            rates[stage], sources[stage] = None, "missing"
    if as_json:
        _echo_json(
            {
                "day": today_date.isoformat(),
                "stored": {
                    stage: format_rate_input(stored[stage]) if stage in stored else None
                    for stage in RATE_STAGES
                },
                "rates": {
                    stage: None if rate is None else float(rate) for stage, rate in rates.items()
                },
                "rates_source": sources,
                "history": {
                    "from": span.start.isoformat(),
                    "to": span.end.isoformat(),
                    "counts": history,
                },
            }
        )
        return
    kept = ", ".join(
        f"{stage} {format_rate_input(stored[stage])}" if stage in stored else f"{stage} none"
        for stage in RATE_STAGES
    )
    click.echo(f"Starting rates stored: {kept}")
    click.echo("The plan today uses:")
    last_days = f"your last {HISTORY_DAYS} days"
    for stage in RATE_STAGES:
        before = metric_by_key(previous_stage(stage))
        label = f"{before.key} → {stage}"
        rate = rates[stage]
        base = before.amount(history.get(before.key, 0))
        had = f"{history.get(stage, 0):,} {stage} from {base}"
        if rate is None:
            why = f"{had} in {last_days}"
            if history.get(before.key, 0) < HISTORY_MIN_DENOMINATOR:
                why = f"{base} in {last_days}, {HISTORY_MIN_DENOMINATOR} needed"
            example = {"meetings": "15%", "sales": "1/3"}.get(stage, "15%")
            click.echo(
                f"  {label:<18} {'—':>6}  (missing: {why}; "
                f"store one with `salestui rate set {stage}={example}`)"
            )
            continue
        words = format_rate_words(rate, before, metric_by_key(stage))
        source = SOURCE_WORDS[sources[stage]]
        if sources[stage] == "history":
            source = f"{source}, {span.start} to {span.end}: {had}"
        click.echo(f"  {label:<18} {format_percent(rate):>6}  ({words}; {source})")


@rate.command("set")
@click.argument("assignment", metavar="STAGE=VALUE")
@click.pass_context
def rate_set(ctx: click.Context, assignment: str) -> None:
    """Store a starting rate, e.g. meetings=15% or sales=1/3."""
    from salestui.domain.rates import format_percent, format_rate_input, parse_rate_assignment
    from salestui.figures import save_rate

    stage, value = _parse_or_fail(parse_rate_assignment, assignment)
    save_rate(_open_store(ctx.find_root()), stage, value)
    click.echo(f"Rate into {stage}: {format_rate_input(value)} ({format_percent(value)}).")


@rate.command("clear")
@click.argument("stage_text", metavar="STAGE")
@click.pass_context
def rate_clear(ctx: click.Context, stage_text: str) -> None:
    """Forget a stored starting rate."""
    from salestui.domain.rates import parse_stage
    from salestui.figures import rate_key, save_rate

    stage = _parse_or_fail(parse_stage, stage_text)
    path: Path = ctx.obj["db"]
    # Nothing stored, nothing to write: clearing must not create the database either.
    if not path.exists() or _reading_store(ctx.find_root()).setting(rate_key(stage)) is None:
        click.echo(f"Nothing to clear: no starting rate into {stage} is stored.")
        return
    save_rate(_open_store(ctx.find_root()), stage, None)
    click.echo(f"Rate into {stage} cleared.")


@cli.command("calendar")
@click.option(
    "--weekdays",
    "weekdays_text",
    metavar="DAYS",
    help="Working weekdays, e.g. mon-fri, sun-thu or mon,tue,thu.",
)
@click.option(
    "--off",
    "off_texts",
    metavar="YYYY-MM-DD",
    multiple=True,
    help="Add a day off (holiday); repeatable.",
)
@click.option(
    "--on", "on_texts", metavar="YYYY-MM-DD", multiple=True, help="Remove a day off; repeatable."
)
@click.pass_context
def calendar_command(
    ctx: click.Context,
    weekdays_text: str | None,
    off_texts: tuple[str, ...],
    on_texts: tuple[str, ...],
) -> None:
    """Show or change the working-day calendar used by the plan."""
    from datetime import date

    from salestui.domain.workdays import format_weekdays, parse_weekdays
    from salestui.figures import calendar, calendar_changes

    def parse_day(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD)") from None

    weekdays = _parse_or_fail(parse_weekdays, weekdays_text) if weekdays_text else None
    off = {_parse_or_fail(parse_day, text) for text in off_texts}
    on = {_parse_or_fail(parse_day, text) for text in on_texts}
    both = sorted(off & on)
    if both:
        _fail_input(f"{both[0]} is given both as --off and --on; choose one")
    changes = calendar_changes(weekdays, off=off, on=on)
    if changes:
        store = _open_store(ctx)
        # Only the named changes are written (one setting each), so that concurrent
        # `calendar --off` runs for different days all keep theirs.
        store.set_settings(changes)
    else:  # showing the calendar creates nothing
        store = _reading_store(ctx)
    current = calendar(store)
    click.echo(f"Working weekdays: {format_weekdays(current.weekdays)}")
    days_off = ", ".join(day.isoformat() for day in sorted(current.holidays)) or "none"
    click.echo(f"Days off: {days_off}")


from salestui.cli_data import register as register_data  # noqa: E402
from salestui.cli_report import register as register_report  # noqa: E402

register_data(cli)
register_report(cli)


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> NoReturn:
    """Entry point: one line on stderr for every failure, never a traceback.

    `clock` replaces the wall clock (tests).
    """
    obj = {"clock": clock} if clock is not None else {}
    try:
        code = cli.main(args=argv, prog_name="salestui", standalone_mode=False, obj=obj)
    except click.UsageError as error:
        # Click's own usage errors come with a usage block; one line is the contract.
        message = error.format_message()
        if not isinstance(error, InputError) and error.ctx is not None:
            message = _first_line(message) + f" (see: {error.ctx.command_path} --help)"
        _say(message)
        sys.exit(2)
    except click.ClickException as error:
        _say(error.format_message())
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except StoreError as error:
        _say(str(error))
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader of our output went away (`salestui export | head`): nothing to say
        # to anyone; keep Python from complaining about the unflushed pipe at exit.
        _silence_stdout()
        sys.exit(1)
    except OSError as error:
        if error.filename is not None:
            _say(f"{error.filename}: {error.strerror or error}")
        else:
            _say(str(error))
        sys.exit(1)
    except Exception as error:  # a bug: still one line, never a traceback (DESIGN)
        _say(f"unexpected error ({type(error).__name__}: {error}); please report it")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text.strip() else text.strip()


def _say(message: str) -> None:
    """One line on stderr, whatever the message holds (control characters made visible)."""
    click.echo(f"salestui: {visible(_first_line(message))}", err=True)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (tests): nothing to flush
        pass
