"""`salestui report`: a weekly, monthly or any-period review as text, Markdown or JSON,
and the current streak it shows (read back from today only as far as it goes)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date

import click

from salestui.cli.common import echo_json, parse_or_fail, period_option, reading_store
from salestui.domain.counts import Counts, DayTotals
from salestui.domain.history import Streaks, day_counted, streak_may_reach_before, streaks
from salestui.domain.periods import DateRange, parse_period
from salestui.domain.planner import HISTORY_DAYS, Plan, call_targets
from salestui.domain.report import build_report, previous_range, to_json, to_markdown, to_text
from salestui.domain.workdays import WorkCalendar
from salestui.figures import PlanInputs, goal_book, load_plan_inputs
from salestui.store.events import Store

STREAK_WINDOW_DAYS = 64
"""The first window of history read for the current streak; doubled while the streak fills it."""

FORMATS = ("text", "markdown", "json")


def _plan_or_none(inputs: PlanInputs) -> Plan | None:
    """The plan, or None when there is no goal, no usable rate or no working day."""
    try:
        return inputs.plan()
    except ValueError:  # NoGoalError, MissingRateError, a month without working days
        return None


def current_streak(
    store: Store, today: date, inputs: PlanInputs, history: DayTotals | None = None
) -> Streaks:
    """The current streak, read back from today only as far as it goes.

    Each working day is judged by the call target it started with (when a goal covered
    it), so the streak never shrinks because more work was logged. Days before the
    first goal have no target (any tally counts): that part of the run comes from the
    days with activity, decided inside SQLite (`Store.active_days`), so a run years
    long costs milliseconds. Days from the first goal on are read in growing windows
    (64, 128, ... days, each with the 90 days before it, for the rates) while the
    streak fills them; each day's target is computed once.

    `history`, when the caller has read every day's totals already (`report --period
    all`), stands in for `Store.active_days`. `longest` and `longest_end` describe the
    current run too: the report shows only the current streak (the History tab finds
    the longest over all history).
    """

    bounds = store.bounds()
    if bounds is None or bounds.start > today:
        return Streaks(0, 0, None)
    calendar = inputs.calendar
    book = goal_book(store)
    months = sorted([*book.standing, *book.only])
    # planner.call_targets gives no target before the first month a goal covers.
    planned_from = date.fromisoformat(f"{months[0]}-01") if months else None
    if planned_from is not None and planned_from <= today:
        first = max(planned_from, bounds.start)
        planned, counted_today = _planned_streak(store, today, first, inputs)
        run, start = planned.current, planned.current_start
        if first > bounds.start and streak_may_reach_before(planned, first, today, calendar):
            active = _active_days_before(store, first, bounds.start, history)
            before, earliest = _run_of_active_days(active, first, calendar)
            run, start = run + before, earliest or start
    else:
        active = _active_days_before(store, _back(today, -1), bounds.start, history)
        newest = next(active, None)
        counted_today = newest == today and calendar.is_working(today)
        if newest is not None and newest != today:
            active = itertools.chain((newest,), active)
        run, start = _run_of_active_days(active, today, calendar)
        run, start = run + counted_today, today if counted_today and not run else start
    if run == 0 or start is None:
        return Streaks(0, 0, None)
    # The run's last day: today when it counted, else the last working day before it.
    end = today
    if not counted_today:
        end = _back(end, 1)
        while end > start and not calendar.is_working(end):
            end = _back(end, 1)
    return Streaks(run, run, end, start)


def _span(first: date, last: date) -> DateRange:
    return DateRange(first, last)


def _back(day: date, days: int) -> date:
    """`day - days`, staying inside the calendar (years 1 to 9999)."""
    return date.fromordinal(min(max(1, day.toordinal() - days), date.max.toordinal()))


def _planned_streak(
    store: Store, today: date, first: date, inputs: PlanInputs
) -> tuple[Streaks, bool]:
    """`streaks` from `first` (no earlier than the first goal) to today, each working day
    judged by its own call target, and whether today counted. Read back in growing
    windows only while the streak may reach further."""
    calendar = inputs.calendar
    book = goal_book(store)
    read: dict[date, Counts] = {}
    targets: dict[date, int | None] = {}
    end = today
    days = STREAK_WINDOW_DAYS
    while True:
        start = max(first, _back(today, days - 1))
        chunk = _span(start, end)
        # The chunk's days and the 90 before them (rates, the month so far); days an
        # earlier window read are read again only where those 90 days overlap it.
        read.update(store.day_totals(_span(_back(start, HISTORY_DAYS), end)))
        targets.update(call_targets(read, chunk, calendar, book, inputs.stored_rates))
        window = _span(start, today)
        in_window = {day: counts for day, counts in read.items() if day in window}
        result = streaks(in_window, today, calendar, targets)
        if start <= first or not streak_may_reach_before(result, start, today, calendar):
            counted_today = calendar.is_working(today) and day_counted(
                read.get(today, {}), targets.get(today)
            )
            return result, counted_today
        end = _back(start, 1)
        days *= 2


def _active_days_before(
    store: Store, day: date, first: date, history: DayTotals | None
) -> Iterator[date]:
    """The days with any tally before `day` and from `first` (the first event day) on,
    newest first: from `history` when given, else read in growing windows only as far
    as the caller goes on asking."""
    if history is not None:
        found = [
            each
            for each, counts in history.items()
            if first <= each < day and max(counts.values(), default=0) > 0
        ]
        found.sort(reverse=True)
        yield from found
        return
    high = day.toordinal() - 1
    days = STREAK_WINDOW_DAYS
    while high >= first.toordinal():
        low = max(first.toordinal(), high - days + 1)
        yield from store.active_days(_span(date.fromordinal(low), date.fromordinal(high)))
        high = low - 1
        days *= 2


def _run_of_active_days(
    active: Iterator[date], day: date, calendar: WorkCalendar
) -> tuple[int, date | None]:
    """The run of working days that each had a tally, ending the day before `day`: its
    length and first day. `active` gives the days with a tally, newest first; a
    working day missing from it ends the run."""
    run, start = 0, None
    settled = day.toordinal()  # from here to the day before `day`: all in the run
    for active_day in active:
        ordinal = active_day.toordinal()
        # Quiet days between this one and the run (none, mostly) must all be days off.
        if ordinal + 1 < settled and _has_working_day(calendar, ordinal + 1, settled - 1):
            break
        if calendar.is_working(active_day):
            run, start = run + 1, active_day
        settled = ordinal
    return run, start


def _has_working_day(calendar: WorkCalendar, first: int, last: int) -> bool:
    """Whether a working day lies between two day ordinals (both included)."""
    return any(calendar.is_working(date.fromordinal(day)) for day in range(first, last + 1))


@click.command("report", short_help="A review of a period: totals, rates, change, pace, streak.")
@period_option(
    default="week", help="week, month, quarter, year, today, all, Nd, YYYY-MM or FROM..TO."
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text, markdown (for an email or wiki) or json.",
)
@click.pass_context
def report(ctx: click.Context, period_text: str, output_format: str) -> None:
    """A review of a period: totals, rates, change, target, pace, best day, streak.

    \b
    The change is against the period before: last week for `week`, last month
    for `month`, the same number of days right before for Nd and FROM..TO.
    """
    today = ctx.obj["clock"]().date()
    period = parse_or_fail(lambda text: parse_period(text, today), period_text)
    store = reading_store(ctx)
    span = period.range if period.range is not None else store.bounds()
    previous = previous_range(period, span)
    totals = {}
    if span is not None:
        first = previous.start if previous is not None else span.start
        totals = store.day_totals(DateRange(first, span.end))

    inputs = load_plan_inputs(store, today)
    current_plan = _plan_or_none(inputs)
    period_plan = current_plan
    if span is not None and span != inputs.month and _is_month(period.spec):
        period_plan = _plan_or_none(load_plan_inputs(store, today, span))
    # The call target today started with (fixed for the day); each past day of the
    # streak is judged by its own.
    daily_call_target = (
        current_plan.today_target["calls"] or None if current_plan is not None else None
    )
    # For `all` every day's totals are read already: the streak needs no more reads
    # for the days with activity.
    everything = period.range is None and span is not None
    streak = current_streak(store, today, inputs, totals if everything else None)

    result = build_report(
        period,
        span,
        totals,
        today,
        inputs.calendar,
        plan=period_plan,
        streak=streak,
        daily_call_target=daily_call_target,
    )
    if output_format == "json":
        echo_json(to_json(result))
    elif output_format == "markdown":
        click.echo(to_markdown(result), nl=False)
    else:
        click.echo(to_text(result))


def _is_month(spec: str) -> bool:
    """`month` or `YYYY-MM`: periods planned by their own month's plan."""
    return spec == "month" or re.fullmatch(r"[0-9]{4}-[0-9]{2}", spec) is not None
