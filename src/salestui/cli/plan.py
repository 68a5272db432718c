"""`salestui plan`, `goal` and `rate`: what this month needs, the monthly target, and
the starting rates the plan uses until there is history enough."""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

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
from salestui.domain.catalog import BUILTIN_FUNNEL, Catalog, FunnelDef
from salestui.domain.goals import GoalBook, Start, parse_target
from salestui.domain.lever import STEPS_POINTS, Levers
from salestui.domain.metrics import Metric
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
    format_percent,
    format_rate_input,
    format_rate_words,
    parse_rate,
    previous_stage,
)
from salestui.figures import (
    SOURCE_WORDS,
    NoGoalError,
    clear_goal,
    funnel_stages,
    goal_book,
    load_plan_inputs,
    month_label,
    plan_levers,
    rate_key,
    save_goal,
    save_rate,
    set_goal,
    stored_rates,
)
from salestui.store.events import Store

F = TypeVar("F", bound=Callable[..., Any])

LINE_WIDTH = 100
"""Lines of `plan` fit a 100-column terminal."""
TEXT_COLUMN = 20
"""Where the text of `plan`'s labelled lines starts (`  Today you need    ...`)."""


def funnel_option(function: F) -> F:
    """`--funnel NAME` (passed as `funnel_name`; None: the active funnel)."""
    return click.option(
        "--funnel",
        "funnel_name",
        metavar="NAME",
        help="Another funnel than the active one (`salestui funnel list` names them).",
    )(function)


def _chosen_funnel(store: Store, name: str | None) -> tuple[Catalog, FunnelDef]:
    """The catalog and the funnel meant: `name`, else the active one; exit 2 naming the
    funnels when there is no such funnel."""
    catalog = store.catalog()
    try:
        return catalog, catalog.funnel(name)
    except ValueError as error:
        fail_input(str(error))


def _either(words: list[str]) -> str:
    """`meetings or sales`, `a, b or c`."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _example_rate(funnel: FunnelDef, stage: str) -> str:
    """A rate to show in a hint: 1/3 into the last stage, 15% into the others (as the
    built-in funnel's hints always said: meetings=15%, sales=1/3)."""
    return "1/3" if stage == funnel.stages[-1] and len(funnel.stages) > 2 else "15%"


def _funnel_flag(catalog: Catalog, funnel: FunnelDef) -> str:
    """` --funnel NAME` for a hint about a funnel that is not the active one, else ``:
    without it the command would act on the active funnel."""
    return "" if funnel.name == catalog.active_name else f" --funnel {funnel.name}"


def _stage_parser(catalog: Catalog, funnel: FunnelDef) -> Callable[[str], str]:
    """Reads the stage a rate converts into, in `funnel` (plural, singular or letter):
    ValueError naming the stages accepted for an unknown name, a metric outside the
    funnel or its first stage (nothing converts into it)."""
    accepted = f"rates name the stage they convert into: {_either(list(funnel.rate_stages))}"

    def parse(text: str) -> str:
        try:
            key = catalog.entry(text).key
        except ValueError:
            raise ValueError(f"unknown stage {text.strip()!r}; {accepted}") from None
        if key not in funnel.stages:
            raise ValueError(f"{key} is not a stage of the {funnel.name} funnel; {accepted}")
        if key == funnel.stages[0]:
            raise ValueError(f"{key} is the first stage; {accepted}")
        return key

    return parse


def _assignment_parser(
    catalog: Catalog, funnel: FunnelDef
) -> Callable[[str], tuple[str, Fraction]]:
    """Reads `STAGE=VALUE` for `funnel` (`interviews=20%`), or ValueError in one line."""
    parse_stage = _stage_parser(catalog, funnel)
    first, last = funnel.rate_stages[0], funnel.rate_stages[-1]
    example = f"{first}={_example_rate(funnel, first)}"
    if last != first:
        example += f" or {last}={_example_rate(funnel, last)}"

    def parse(text: str) -> tuple[str, Fraction]:
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"bad rate {text!r}: use STAGE=VALUE, e.g. {example}")
        return parse_stage(name), parse_rate(value)

    return parse


def _target_parser(unit: str) -> Callable[[str], int]:
    """`parse_target`, its message in the words of what the goal counts (offers, deals)."""

    def parse(text: str) -> int:
        try:
            return parse_target(text)
        except ValueError as error:
            raise ValueError(str(error).replace("number of sales", f"number of {unit}")) from None

    return parse


@click.command(
    short_help="What this month needs per day: calls, meetings, sales, or your funnel's stages."
)
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
@funnel_option
@json_option
@click.pass_context
def plan(
    ctx: click.Context,
    target_text: str | None,
    month_text: str | None,
    rate_texts: tuple[str, ...],
    working_days_text: str | None,
    funnel_name: str | None,
    as_json: bool,
) -> None:
    """What this month needs per day: calls, meetings, sales, or your funnel's stages.

    Today's figures too; the active funnel unless --funnel names another
    (`salestui funnel use` changes which one is active)."""
    today_date = ctx.obj["clock"]().date()
    store = reading_store(ctx)
    # The funnel decides the words and the stages a --rate may name.
    catalog, chosen = _chosen_funnel(store, funnel_name)
    unit = chosen.stages[-1]
    target = None
    if target_text is not None:
        target = parse_or_fail(_target_parser(unit), target_text)
    month = parse_or_fail(parse_month, month_text) if month_text is not None else None
    parse_assignment = _assignment_parser(catalog, chosen)
    flags = dict(parse_or_fail(parse_assignment, text) for text in rate_texts)
    working_days = None
    if working_days_text is not None:
        working_days = parse_or_fail(_parse_working_days, working_days_text)
    inputs = load_plan_inputs(store, today_date, month, chosen.name, catalog)
    try:
        result = inputs.plan(target=target, rate_flags=flags, working_days=working_days)
    except NoGoalError:
        fail_input(
            f"no {unit} goal for {month_label(inputs.month)}: pass --target N or store one "
            f"with `salestui goal set N{_funnel_flag(catalog, chosen)}`"
        )
    except MissingRateError as error:
        fail_input(_missing_rate_message(error, catalog, chosen))
    except ValueError as error:  # a month without working days in the calendar
        fail_input(str(error))
    found = plan_levers(store, inputs, result)
    if as_json:
        payload = result.to_json()
        payload["funnel"] = chosen.name
        payload["levers"] = levers_json(found)
        echo_json(payload)
        return
    for line in plan_lines(result, found):
        click.echo(line)


def _missing_rate_message(error: MissingRateError, catalog: Catalog, funnel: FunnelDef) -> str:
    """The planner's line for a missing rate; its `rate set` hint names the funnel when
    it is not the active one (else the rate would be stored for the active funnel)."""
    flag = _funnel_flag(catalog, funnel)
    if not flag:
        return str(error)
    example = f"{error.stage}={_example_rate(funnel, error.stage)}"
    why = f" ({error.reason})" if error.reason else ""
    return (
        f"no rate for {error.stage} yet{why}: pass --rate {example} "
        f"or store one with `salestui rate set {example}{flag}`"
    )


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


def plan_lines(result: Plan, levers: Levers | None = None) -> list[str]:
    """The plan as a few lines of text (shared by `plan` and its tests), in the words of
    the funnel planned; with `levers`, what improving each rate would save."""
    stages = result.stages
    top, goal_metric = stages[0], stages[-1]
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
    lines = [f"{month_name} · goal {goal_metric.amount(result.target)}{started} · {days}"]
    needed = [metric.amount(result.today_needed[metric.key]) for metric in stages]
    if result.not_started:
        first = result.first_working_day()
        when = f"{first:%a %-d %b}" if first is not None else "its first day"
        lines.extend(_row(f"  On {when} you need   ", needed))
    else:
        lines.extend(_row("  Today you need    ", needed))
    so_far = [f"{result.done[m.key]:,} / {result.required[m.key]:,} {m.key}" for m in stages]
    lines.extend(_row("  Month so far      ", so_far))
    per_day = [metric.amount(result.per_day[metric.key]) for metric in stages]
    lines.extend(_row("  Per working day   ", per_day))
    lines.append(f"  Pace              {describe_pace(result.pace(top.key), top)}")
    keys = result.keys
    width = _label_width(keys)
    for stage, rate in result.rates.items():
        index = keys.index(stage)
        before = stages[index - 1]
        words = format_rate_words(rate, before, stages[index])
        source = SOURCE_WORDS.get(result.rates_source.get(stage, ""), "")
        label = f"{before.key} → {stage}"
        line = f"  Rate {label:<{width}} {format_percent(rate):>6}  ({words}; {source})"
        lines.extend(_fitted(line))
    if levers is not None:
        lines.extend(lever_lines(levers, stages))
    return lines


def _label_width(keys: tuple[str, ...]) -> int:
    """The width of the `calls → meetings` column: 18, or the longest label of the funnel."""
    return max(18, *(len(f"{before} → {stage}") for before, stage in itertools.pairwise(keys)))


def _row(head: str, items: list[str]) -> list[str]:
    """`head` and `items` three spaces apart, continued under the first item where a line
    would pass 100 columns (a funnel of many stages or long names)."""
    lines, line = [], head + items[0]
    for item in items[1:]:
        if len(line) + 3 + len(item) > LINE_WIDTH:
            lines.append(line)
            line = " " * len(head) + item
        else:
            line += "   " + item
    lines.append(line)
    return lines


def _fitted(line: str) -> list[str]:
    """`line`, or wrapped under the text column when it would pass 100 columns."""
    if len(line) <= LINE_WIDTH:
        return [line]
    return textwrap.wrap(
        line,
        width=LINE_WIDTH,
        subsequent_indent=" " * TEXT_COLUMN,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _step(keys: tuple[str, ...], stage: str) -> str:
    """A stage's conversion in the metrics' words: `calls→meetings`."""
    return f"{previous_stage(stage, keys)}→{stage}"


def _fewer(count: int, metric: Metric) -> str:
    """`250 fewer calls`, `1 fewer call`."""
    return f"{count:,} fewer {metric.singular if count == 1 else metric.key}"


def _labelled(label: str, choices: list[str]) -> list[str]:
    """`  Label             text`: the first of `choices` that fits on one line, else the
    last wrapped under the text column."""
    head = f"  {label:<{TEXT_COLUMN - 2}}"
    for text in choices:
        if len(head) + len(text) <= LINE_WIDTH:
            return [head + text]
    return textwrap.wrap(
        choices[-1],
        width=LINE_WIDTH,
        initial_indent=head,
        subsequent_indent=" " * len(head),
        break_long_words=False,
        break_on_hyphens=False,
    )


def lever_lines(found: Levers, stages: tuple[Metric, ...]) -> list[str]:
    """Which lever to pull, as lines under the plan's rates: each stage's savings at the
    top of the funnel for +5 and +10 points, then the stage to improve first and why."""
    keys = tuple(metric.key for metric in stages)
    top = stages[0]
    lines: list[str] = []
    first, *more = STEPS_POINTS
    for index, lever in enumerate(found.stages):
        label = "Lever" if index == 0 else ""
        step = _step(keys, lever.stage)
        if lever.rate >= 1:
            lines.extend(_labelled(label, [f"{step} is at 100% already"]))
            continue
        head = f"+{first} points {step}: {_fewer(lever.savings[first], top)}"
        tail = "".join(f"; +{points}: {lever.savings[points]:,} fewer" for points in more)
        lines.extend(_labelled(label, [f"{head} this month{tail}", f"{head}{tail}"]))
    if found.cheapest is None:
        lines.extend(_labelled("Pull first", [f"nothing: {found.reason}"]))
    else:
        pull = f"{_step(keys, found.cheapest.stage)} ({found.reason})"
        lines.extend(_labelled("Pull first", [pull]))
    return lines


def levers_json(found: Levers) -> dict[str, object]:
    """The `levers` object of `plan --json`: per stage its rate, the top-of-funnel events
    saved at +5 and +10 points (`plus_5`, `plus_10`), the best month of the last twelve
    (null: none with enough data) and what getting back to it saves; the cheapest lever."""
    return {
        "top": found.top,
        "stages": {
            lever.stage: {
                "rate": float(lever.rate),
                **{f"plus_{points}": lever.savings[points] for points in STEPS_POINTS},
                "best_month": None if lever.best is None else float(lever.best),
                "to_best": lever.to_best,
            }
            for lever in found.stages
        },
        "cheapest": None if found.cheapest is None else found.cheapest.stage,
        "reason": found.reason,
    }


@click.group(cls=WideHelpGroup, invoke_without_command=True)
@click.pass_context
def goal(ctx: click.Context) -> None:
    """The monthly goal: sales, or your funnel's last stage (alone: the goal in force)."""
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
@funnel_option
@click.pass_context
def goal_set(
    ctx: click.Context,
    target_text: str,
    month_text: str | None,
    start: str | None,
    funnel_name: str | None,
) -> None:
    """Store the monthly sales target N (for another funnel: what its last stage counts).

    \b
    Set after the month's first working day, with no goal for the month yet, the goal
    starts today: this month gets its share of the working days left (pro-rated), or
    all of N with --full, or nothing with --next-month. Pace counts from today.
    """
    # Everything is checked before the database is opened for writing: bad input
    # creates nothing.
    _catalog, chosen = _chosen_funnel(reading_store(ctx), funnel_name)
    unit = chosen.stages[-1]
    target = parse_or_fail(_target_parser(unit), target_text)
    if month_text is not None and start is not None:
        fail_input(f"--{start} is for a goal from this month on; leave out --month")
    span = parse_or_fail(parse_month, month_text) if month_text is not None else None
    store = open_store(ctx)
    if span is None:
        chosen_start = Start(start) if start is not None else None
        saved = set_goal(
            store,
            ctx.obj["clock"]().date(),
            target,
            chosen_start,
            funnel=chosen.name,
            unit=unit,
        )
        click.echo(saved.message)
        if saved.start.mid_month and chosen_start is None:
            click.echo("  (--full plans all of it this month; --next-month starts it on the 1st)")
    else:
        month = month_label(span)
        save_goal(store, month, target, only=True, funnel=chosen.name)
        click.echo(f"Goal: {target:,} {unit} in {month}.")


@goal.command("show")
@month_option(help="Another month than this one.")
@funnel_option
@click.pass_context
def goal_show(ctx: click.Context, month_text: str | None, funnel_name: str | None) -> None:
    """Print the target in force for a month (default: this month) and later changes."""
    span = (
        parse_or_fail(parse_month, month_text)
        if month_text is not None
        else month_of(ctx.obj["clock"]().date())
    )
    month = month_label(span)
    store = reading_store(ctx)
    catalog, chosen = _chosen_funnel(store, funnel_name)
    unit = chosen.stages[-1]
    book = goal_book(store, chosen.name)
    target = book.target_for(month)
    if target is None:
        hint = f"salestui goal set N{_funnel_flag(catalog, chosen)}"
        click.echo(f"No goal for {month}. Set one with `{hint}`.")
    else:
        click.echo(f"{month}: {target:,} {unit} ({_goal_origin(book, month)})")
    later = sorted(m for m in {*book.standing, *book.only} if m > month)
    if later:
        click.echo("Later:")
    for changed in later:
        if changed in book.only:
            click.echo(f"  {changed}: {book.only[changed]:,} {unit} (that month only)")
        if changed in book.standing:
            click.echo(f"  {changed} on: {book.standing[changed]:,} {unit} a month")


def _goal_origin(book: GoalBook, month: str) -> str:
    """Where `month`'s target comes from, in a few words."""
    if month in book.only:
        return "for that month only"
    start = max(m for m in book.standing if m <= month)
    return f"the goal from {start} on"


@goal.command("clear")
@month_option(help="Clear only that month's one-month goal (set with `goal set N --month`).")
@funnel_option
@click.pass_context
def goal_clear(ctx: click.Context, month_text: str | None, funnel_name: str | None) -> None:
    """Clear every goal from this month on (earlier months keep theirs)."""
    only = month_text is not None
    span = (
        parse_or_fail(parse_month, month_text)
        if month_text is not None
        else month_of(ctx.obj["clock"]().date())
    )
    month = month_label(span)
    path: Path = ctx.obj["db"]
    catalog, chosen = _chosen_funnel(reading_store(ctx), funnel_name)
    unit = chosen.stages[-1]
    # Nothing was ever stored here: clearing must not create the file.
    cleared = path.exists() and clear_goal(open_store(ctx), month, only=only, funnel=chosen.name)
    if not cleared:
        what = f"no one-month goal for {month}" if only else f"no goal from {month} on"
        click.echo(f"Nothing to clear: {what}.")
    elif not only:
        click.echo(f"Goal cleared from {month} on; earlier months keep theirs.")
    else:
        click.echo(f"One-month goal for {month} cleared.")
    if only and path.exists():
        book = goal_book(reading_store(ctx), chosen.name)
        target = book.target_for(month)
        if target is not None:  # a standing goal covers the month: say so
            click.echo(
                f"{month} now has {target:,} {unit} ({_goal_origin(book, month)}); "
                f"`salestui goal clear{_funnel_flag(catalog, chosen)}` clears that from "
                "this month on."
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
@funnel_option
@json_option
@click.pass_context
def rate_show(ctx: click.Context, funnel_name: str | None, as_json: bool) -> None:
    """The starting rates stored, and the rate the plan uses today for each stage."""
    today_date = ctx.obj["clock"]().date()
    store = reading_store(ctx)
    catalog, chosen = _chosen_funnel(store, funnel_name)
    stages = funnel_stages(catalog, chosen)
    rate_stages = chosen.rate_stages
    stored = stored_rates(store, chosen)
    span = history_span(today_date)
    history = store.counts(span, chosen.stages)
    rates: dict[str, Fraction | None] = {}
    sources: dict[str, str] = {}
    for stage in rate_stages:
        from_history = history_rate(history, stage, stages)
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
                    for stage in rate_stages
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
                "funnel": chosen.name,
            }
        )
        return
    kept = ", ".join(
        f"{stage} {format_rate_input(stored[stage])}" if stage in stored else f"{stage} none"
        for stage in rate_stages
    )
    click.echo(f"Starting rates stored: {kept}")
    click.echo("The plan today uses:")
    last_days = f"your last {HISTORY_DAYS} days"
    flag = _funnel_flag(catalog, chosen)
    width = _label_width(chosen.stages)
    for index, stage in enumerate(rate_stages, start=1):
        before, into = stages[index - 1], stages[index]
        label = f"{before.key} → {stage}"
        rate = rates[stage]
        base = before.amount(history.get(before.key, 0))
        had = f"{history.get(stage, 0):,} {stage} from {base}"
        if rate is None:
            why = f"{had} in {last_days}"
            if history.get(before.key, 0) < HISTORY_MIN_DENOMINATOR:
                why = f"{base} in {last_days}, {HISTORY_MIN_DENOMINATOR} needed"
            example = _example_rate(chosen, stage)
            click.echo(
                f"  {label:<{width}} {'—':>6}  (missing: {why}; "
                f"store one with `salestui rate set {stage}={example}{flag}`)"
            )
            continue
        words = format_rate_words(rate, before, into)
        source = SOURCE_WORDS[sources[stage]]
        if sources[stage] == "history":
            source = f"{source}, {span.start} to {span.end}: {had}"
        click.echo(f"  {label:<{width}} {format_percent(rate):>6}  ({words}; {source})")


def _in_funnel(funnel: FunnelDef) -> str:
    """` in the jobs funnel` after a rate stored for a funnel of the user's, else ``."""
    return "" if funnel.name == BUILTIN_FUNNEL else f" in the {funnel.name} funnel"


@rate.command("set")
@click.argument("assignment", metavar="STAGE=VALUE")
@funnel_option
@click.pass_context
def rate_set(ctx: click.Context, assignment: str, funnel_name: str | None) -> None:
    """Store a starting rate, e.g. meetings=15% or sales=1/3 (STAGE: a stage of the
    active funnel, or of --funnel, but its first)."""
    catalog, chosen = _chosen_funnel(reading_store(ctx), funnel_name)
    stage, value = parse_or_fail(_assignment_parser(catalog, chosen), assignment)
    save_rate(open_store(ctx), stage, value, funnel=chosen.name)
    click.echo(
        f"Rate into {stage}{_in_funnel(chosen)}: {format_rate_input(value)} "
        f"({format_percent(value)})."
    )


@rate.command("clear")
@click.argument("stage_text", metavar="STAGE")
@funnel_option
@click.pass_context
def rate_clear(ctx: click.Context, stage_text: str, funnel_name: str | None) -> None:
    """Forget a stored starting rate."""
    store = reading_store(ctx)
    catalog, chosen = _chosen_funnel(store, funnel_name)
    stage = parse_or_fail(_stage_parser(catalog, chosen), stage_text)
    path: Path = ctx.obj["db"]
    # Nothing stored, nothing to write: clearing must not create the database either.
    if not path.exists() or store.setting(rate_key(stage, chosen.name)) is None:
        click.echo(
            f"Nothing to clear: no starting rate into {stage}{_in_funnel(chosen)} is stored."
        )
        return
    save_rate(open_store(ctx), stage, None, funnel=chosen.name)
    click.echo(f"Rate into {stage}{_in_funnel(chosen)} cleared.")
