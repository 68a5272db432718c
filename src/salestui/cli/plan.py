"""`salestui plan`, `goal` and `rate`: what this month needs, the monthly target, and
the starting rates the plan uses until there is history enough."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import click

from salestui.cli.common import (
    WideHelpGroup,
    echo_json,
    fail_input,
    json_option,
    month_option,
    open_store,
    parse_or_fail,
    reading_store,
)
from salestui.domain.goals import GoalBook, Start, parse_target
from salestui.domain.metrics import METRICS, metric_by_key
from salestui.domain.periods import month_of, parse_month, shown
from salestui.domain.planner import (
    HISTORY_DAYS,
    HISTORY_MIN_DENOMINATOR,
    MissingRateError,
    Plan,
    describe_pace,
    history_rate,
    history_span,
)
from salestui.domain.rates import (
    RATE_STAGES,
    format_percent,
    format_rate_input,
    format_rate_words,
    parse_rate_assignment,
    parse_stage,
    previous_stage,
)
from salestui.figures import (
    SOURCE_WORDS,
    NoGoalError,
    build_plan,
    clear_goal,
    goal_book,
    month_label,
    rate_key,
    save_goal,
    save_rate,
    set_goal,
    stored_rates,
)


@click.command(short_help="What this month needs: calls, meetings and sales per day.")
@click.option("--target", "target_text", metavar="N", help="Sales to close this month.")
@month_option(help="Plan another month.")
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
@json_option
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
    target = parse_or_fail(parse_target, target_text) if target_text is not None else None
    month = parse_or_fail(parse_month, month_text) if month_text is not None else None
    flags = dict(parse_or_fail(parse_rate_assignment, text) for text in rate_texts)
    working_days = None
    if working_days_text is not None:
        working_days = parse_or_fail(_parse_working_days, working_days_text)
    today_date = ctx.obj["clock"]().date()
    store = reading_store(ctx)
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
        fail_input(str(error))
    if as_json:
        echo_json(result.to_json())
        return
    for line in plan_lines(result):
        click.echo(line)


MAX_WORKING_DAYS = 31
"""A month has at most 31 days to work."""


def _parse_working_days(text: str) -> int:
    """`--working-days N`: a whole number from 1 to 31, or ValueError saying so."""
    digits = text.strip()
    if re.fullmatch(r"\+?[0-9]{1,6}", digits) is None or not 1 <= int(digits) <= MAX_WORKING_DAYS:
        raise ValueError(
            f"--working-days must be a whole number from 1 to {MAX_WORKING_DAYS}, not {shown(text)}"
        )
    return int(digits)


def plan_lines(result: Plan) -> list[str]:
    """The plan as a few lines of text (shared by `plan` and its tests)."""
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


@click.group(cls=WideHelpGroup, invoke_without_command=True)
@click.pass_context
def goal(ctx: click.Context) -> None:
    """The monthly sales target (alone: the goal in force and later ones)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(goal_show)


@goal.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("target_text", metavar="N")
@month_option(help="Set it for this one month only (default: from this month on).")
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
    target = parse_or_fail(parse_target, target_text)
    if month_text is not None and start is not None:
        fail_input(f"--{start} is for a goal from this month on; leave out --month")
    store = open_store(ctx)
    if month_text is None:
        chosen = Start(start) if start is not None else None
        saved = set_goal(store, ctx.obj["clock"]().date(), target, chosen)
        click.echo(saved.message)
        if saved.start.mid_month and chosen is None:
            click.echo("  (--full plans all of it this month; --next-month starts it on the 1st)")
    else:
        month = month_label(parse_or_fail(parse_month, month_text))
        save_goal(store, month, target, only=True)
        click.echo(f"Goal: {target:,} sales in {month}.")


@goal.command("show")
@month_option(help="Another month than this one.")
@click.pass_context
def goal_show(ctx: click.Context, month_text: str | None) -> None:
    """Print the target in force for a month (default: this month) and later changes."""
    span = (
        parse_or_fail(parse_month, month_text)
        if month_text is not None
        else month_of(ctx.obj["clock"]().date())
    )
    month = month_label(span)
    book = goal_book(reading_store(ctx))
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


def _goal_origin(book: GoalBook, month: str) -> str:
    """Where `month`'s target comes from, in a few words."""
    if month in book.only:
        return "for that month only"
    start = max(m for m in book.standing if m <= month)
    return f"the goal from {start} on"


@goal.command("clear")
@month_option(help="Clear only that month's one-month goal (set with `goal set N --month`).")
@click.pass_context
def goal_clear(ctx: click.Context, month_text: str | None) -> None:
    """Clear every goal from this month on (earlier months keep theirs)."""
    only = month_text is not None
    span = (
        parse_or_fail(parse_month, month_text)
        if month_text is not None
        else month_of(ctx.obj["clock"]().date())
    )
    month = month_label(span)
    path: Path = ctx.obj["db"]
    # Nothing was ever stored here: clearing must not create the file.
    cleared = path.exists() and clear_goal(open_store(ctx), month, only=only)
    if not cleared:
        what = f"no one-month goal for {month}" if only else f"no goal from {month} on"
        click.echo(f"Nothing to clear: {what}.")
    elif not only:
        click.echo(f"Goal cleared from {month} on; earlier months keep theirs.")
    else:
        click.echo(f"One-month goal for {month} cleared.")
    if only and path.exists():
        book = goal_book(reading_store(ctx))
        target = book.target_for(month)
        if target is not None:  # a standing goal covers the month: say so
            click.echo(
                f"{month} now has {target:,} sales ({_goal_origin(book, month)}); "
                "`salestui goal clear` clears that from this month on."
            )


@click.group(
    cls=WideHelpGroup,
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
@json_option
@click.pass_context
def rate_show(ctx: click.Context, as_json: bool) -> None:
    """The starting rates stored, and the rate the plan uses today for each stage."""
    today_date = ctx.obj["clock"]().date()
    store = reading_store(ctx)
    stored = stored_rates(store)
    span = history_span(today_date)
    history = store.counts(span)
    rates: dict[str, Fraction | None] = {}
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
        echo_json(
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
    stage, value = parse_or_fail(parse_rate_assignment, assignment)
    save_rate(open_store(ctx), stage, value)
    click.echo(f"Rate into {stage}: {format_rate_input(value)} ({format_percent(value)}).")


@rate.command("clear")
@click.argument("stage_text", metavar="STAGE")
@click.pass_context
def rate_clear(ctx: click.Context, stage_text: str) -> None:
    """Forget a stored starting rate."""
    stage = parse_or_fail(parse_stage, stage_text)
    path: Path = ctx.obj["db"]
    # Nothing stored, nothing to write: clearing must not create the database either.
    if not path.exists() or reading_store(ctx).setting(rate_key(stage)) is None:
        click.echo(f"Nothing to clear: no starting rate into {stage} is stored.")
        return
    save_rate(open_store(ctx), stage, None)
    click.echo(f"Rate into {stage} cleared.")
