"""Figures the CLI and the app both show, read from the store and computed by the domain.

Settings live in the store, one key per fact so that concurrent changes to different
facts never overwrite each other (and two machines merge per key, the later change
winning): `goal.from.YYYY-MM` (a standing target from that month on), `goal.only.YYYY-MM`
(that month alone), `goal.start.YYYY-MM` (the day a goal set during that month began),
`calendar.weekdays` (e.g. `mon-fri`), `calendar.off.YYYY-MM-DD`
(a day off), `rate.meetings` / `rate.sales` (a rate as typed, e.g. `15%`).

Those keys are the built-in `sales` funnel's. Every other funnel (DESIGN: "Your own
metrics and funnels") has its own goals and rates under `goal/NAME.` and `rate/NAME.`
(`goal/jobs.from.2026-12`, `rate/jobs.interviews`): a prefix no built-in key starts
with, so reading one funnel's settings never sees another's.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from salestui.domain.catalog import BUILTIN_FUNNEL, BUILTIN_FUNNELS, Catalog, FunnelDef
from salestui.domain.counts import Counts, DayTotals, zero_counts
from salestui.domain.funnel import Funnel
from salestui.domain.goals import GoalBook, GoalStart, Start, start_choices
from salestui.domain.history import Streaks, day_counted
from salestui.domain.lever import Levers
from salestui.domain.metrics import METRICS, Metric
from salestui.domain.periods import DateRange, Period, month_of
from salestui.domain.planner import (
    HISTORY_DAYS,
    HISTORY_MIN_DENOMINATOR,
    Plan,
    choose_rates,
    day_target,
    history_rate,
    history_span,
    make_plan,
)
from salestui.domain.rates import format_rate_input, parse_rate, previous_stage
from salestui.domain.workdays import WorkCalendar, format_weekdays, parse_weekdays
from salestui.store.events import Store

GOAL_FROM = "goal.from."
GOAL_ONLY = "goal.only."
GOAL_START = "goal.start."


class GoalKeys:
    """Where one funnel's goals live: `goal.from.M` for the built-in funnel,
    `goal/NAME.from.M` for the funnel NAME (and `only.`, `start.` the same way)."""

    __slots__ = ("prefix", "standing", "only", "start")

    def __init__(self, funnel: str = BUILTIN_FUNNEL) -> None:
        self.prefix = "goal." if funnel == BUILTIN_FUNNEL else f"goal/{funnel}."
        self.standing = self.prefix + "from."
        self.only = self.prefix + "only."
        self.start = self.prefix + "start."


WEEKDAYS_KEY = "calendar.weekdays"
DAY_OFF = "calendar.off."

SOURCE_WORDS = {
    "history": "your last 90 days",
    "set": "set by you",
    "flag": "--rate",
    "what-if": "what-if",
}
"""How each `rates_source` reads to a person."""


def rate_key(stage: str, funnel: str = BUILTIN_FUNNEL) -> str:
    """The setting holding the starting rate into `stage` of `funnel`."""
    return f"rate.{stage}" if funnel == BUILTIN_FUNNEL else f"rate/{funnel}.{stage}"


def funnel_stages(catalog: Catalog, funnel: FunnelDef) -> tuple[Metric, ...]:
    """A funnel's stages as metrics, top first."""
    return tuple(catalog.entry(stage).metric for stage in funnel.stages)


class NoGoalError(ValueError):
    """No target was given and none is stored for the month."""


def _targets(settings: Mapping[str, str], prefix: str) -> dict[str, int]:
    """Month -> target from `goal.*` settings; unreadable values are skipped."""
    targets: dict[str, int] = {}
    for key, value in settings.items():
        month = key[len(prefix) :]
        try:
            date.fromisoformat(f"{month}-01")
            target = int(value)
        except ValueError:
            continue
        if target >= 1:
            targets[month] = target
    return targets


def goal_book(store: Store, funnel: str = BUILTIN_FUNNEL) -> GoalBook:
    """The goals of `funnel` (the built-in one by default), month by month."""
    keys = GoalKeys(funnel)
    settings = store.settings_like(keys.prefix)
    standing = {k: v for k, v in settings.items() if k.startswith(keys.standing)}
    only = {k: v for k, v in settings.items() if k.startswith(keys.only)}
    starts: dict[str, date] = {}
    for key, value in settings.items():
        if key.startswith(keys.start):
            with contextlib.suppress(ValueError):
                starts[key[len(keys.start) :]] = date.fromisoformat(value)
    return GoalBook(_targets(standing, keys.standing), _targets(only, keys.only), starts)


def calendar(store: Store) -> WorkCalendar:
    """The working-day calendar; unreadable values fall back to the defaults."""
    settings = store.settings_like("calendar.")
    weekdays = WorkCalendar().weekdays
    if WEEKDAYS_KEY in settings:
        with contextlib.suppress(ValueError):
            weekdays = parse_weekdays(settings[WEEKDAYS_KEY])
    holidays: set[date] = set()
    for key in settings:
        if key.startswith(DAY_OFF):
            try:
                holidays.add(date.fromisoformat(key[len(DAY_OFF) :]))
            except ValueError:
                continue
    return WorkCalendar(weekdays=weekdays, holidays=frozenset(holidays))


def stored_rates(store: Store, funnel: FunnelDef = BUILTIN_FUNNELS[0]) -> dict[str, Fraction]:
    """The starting rates stored for `funnel`'s stages; unreadable values are skipped."""
    rates: dict[str, Fraction] = {}
    for stage in funnel.rate_stages:
        text = store.setting(rate_key(stage, funnel.name))
        if text:
            try:
                rates[stage] = parse_rate(text)
            except ValueError:
                continue
    return rates


def save_goal(
    store: Store,
    month: str,
    target: int,
    *,
    only: bool = False,
    source: str = "cli",
    funnel: str = BUILTIN_FUNNEL,
) -> None:
    """Store `target` (of `funnel`'s last stage) from `month` ("YYYY-MM") on, or with
    `only` for that month.

    A standing goal replaces the one-month goals from `month` on (GoalBook.with_standing).
    """
    keys = GoalKeys(funnel)
    if only:
        store.set_settings({f"{keys.only}{month}": str(target)}, source=source)
        return
    changes: dict[str, str | None] = {f"{keys.standing}{month}": str(target)}
    for key in store.settings_like(keys.only):
        if key[len(keys.only) :] >= month:
            changes[key] = None
    store.set_settings(changes, source=source)


@dataclass(frozen=True, slots=True)
class GoalSaved:
    """What `set_goal` stored, in words for the person who set it."""

    message: str
    start: GoalStart


def set_goal(
    store: Store,
    today: date,
    target: int,
    start: Start | None = None,
    *,
    source: str = "cli",
    funnel: str = BUILTIN_FUNNEL,
    unit: str = "sales",
) -> GoalSaved:
    """Set a standing goal of `target` sales a month, from this month on.

    Set during a month no goal covered yet (working days already passed), the month is
    handled as `start` says: PRORATE (the default) plans this month's share of the
    working days left, FULL the whole target, both from today on; NEXT_MONTH leaves
    this month without a goal. Pace then counts from today, not from the 1st.
    """
    keys = GoalKeys(funnel)
    month = month_of(today)
    label = month_label(month)
    book = goal_book(store, funnel)
    # A goal that itself started mid-month keeps its first day when it is set again
    # (say, pro-rated yesterday and in full today): the month is still a late start.
    began = book.start_for(label)
    covered = book.target_for(label) is not None and began is None
    choice = start_choices(month, began or today, calendar(store), covered=covered)
    today = began or today
    next_label = month_label(month_of(month.end + timedelta(days=1)))
    if not choice.mid_month:
        save_goal(store, label, target, source=source, funnel=funnel)
        return GoalSaved(f"Goal: {target:,} {unit} a month from {label} on.", choice)
    start = start or Start.PRORATE
    changes: dict[str, str | None] = {f"{keys.standing}{next_label}": str(target)}
    for key in store.settings_like(keys.only):
        if key[len(keys.only) :] >= next_label:
            changes[key] = None
    days = f"{choice.days_left} of {choice.working_days} working days left"
    if start is Start.NEXT_MONTH:
        changes[f"{keys.only}{label}"] = None
        message = f"Goal: {target:,} {unit} a month from {next_label} on; none for {label}."
    else:
        this_month = choice.prorated(target) if start is Start.PRORATE else target
        changes[f"{keys.only}{label}"] = str(this_month)
        changes[f"{keys.start}{label}"] = today.isoformat()
        how = "pro-rated" if start is Start.PRORATE else "in full"
        message = (
            f"Goal: {target:,} {unit} a month from {next_label} on; {label} ({days}) gets "
            f"{this_month:,} {how}, counted from today."
        )
    store.set_settings(changes, source=source)
    return GoalSaved(message, choice)


def clear_goal(
    store: Store,
    month: str,
    *,
    only: bool = False,
    source: str = "cli",
    funnel: str = BUILTIN_FUNNEL,
) -> bool:
    """Remove every goal from `month` ("YYYY-MM") on, or with `only` that month's
    one-month goal (and what belongs to it). Returns False when nothing was stored.

    Months before `month` keep the targets they had (past plans, pace and streaks are
    judged by them). A standing goal cannot be told to stop at a month, so one set
    before `month` is pinned as a one-month goal for each month it covered before
    `month`, then removed: one transaction, so no reader sees it half done.
    """
    keys = GoalKeys(funnel)
    settings = store.settings_like(keys.prefix)
    changes: dict[str, str | None] = {}
    for key in settings:
        kind, _, key_month = key[len(keys.prefix) :].partition(".")
        if only and key_month == month and f"{keys.prefix}{kind}." != keys.standing:
            changes[key] = None  # goal.only.M, and any other fact about M's own goal
        elif not only and key_month >= month:
            changes[key] = None
    if not only:
        book = goal_book(store, funnel)
        earlier = sorted(m for m in book.standing if m < month)
        if earlier:
            for covered in _months(earlier[0], month):
                target = book.target_for(covered)
                if covered not in book.only and target is not None:
                    changes[f"{keys.only}{covered}"] = str(target)
            for key in settings:
                if key.startswith(keys.standing):
                    changes[key] = None
    store.set_settings(changes, source=source)
    return bool(changes)


def _months(first: str, stop: str) -> Iterable[str]:
    """Each "YYYY-MM" from `first` up to, not including, `stop`."""
    year, month = int(first[:4]), int(first[5:7])
    while (label := f"{year:04d}-{month:02d}") < stop:
        yield label
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def save_rate(
    store: Store,
    stage: str,
    rate: Fraction | None,
    *,
    source: str = "cli",
    funnel: str = BUILTIN_FUNNEL,
) -> None:
    """Store (or with None, forget) the starting rate into `stage` of `funnel`."""
    value = None if rate is None else format_rate_input(rate)
    store.set_setting(rate_key(stage, funnel), value, source=source)


def calendar_changes(
    weekdays: frozenset[int] | None = None,
    off: Iterable[date] = (),
    on: Iterable[date] = (),
) -> dict[str, str | None]:
    """The settings that change the calendar: only what is named, so that two people
    adding different days off at once both keep theirs."""
    changes: dict[str, str | None] = {}
    if weekdays is not None:
        changes[WEEKDAYS_KEY] = format_weekdays(weekdays)
    for day in on:
        changes[f"{DAY_OFF}{day.isoformat()}"] = None
    for day in off:
        changes[f"{DAY_OFF}{day.isoformat()}"] = "off"
    return changes


def save_calendar(store: Store, work_calendar: WorkCalendar, *, source: str = "cli") -> None:
    """Store the working weekdays and days off (only the differences are written)."""
    current = calendar(store)
    store.set_settings(
        calendar_changes(
            work_calendar.weekdays if work_calendar.weekdays != current.weekdays else None,
            off=work_calendar.holidays - current.holidays,
            on=current.holidays - work_calendar.holidays,
        ),
        source=source,
    )


def month_label(span: DateRange) -> str:
    return f"{span.start.year:04d}-{span.start.month:02d}"


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """Everything a month's plan is computed from, read once; plans from it are pure."""

    today: date
    month: DateRange
    goal_start: date | None
    """The day this month's goal started, when it was set during the month."""
    goal: int | None
    stored_rates: dict[str, Fraction]
    history: Counts
    calendar: WorkCalendar
    done_before_today: Counts
    done_today: Counts
    stages: tuple[Metric, ...] = METRICS
    """The funnel planned, top first: its last stage is what the goal counts."""
    funnel: str = BUILTIN_FUNNEL

    @property
    def rate_stages(self) -> tuple[str, ...]:
        """The stages a rate converts into (all but the first)."""
        return tuple(metric.key for metric in self.stages[1:])

    @property
    def goal_metric(self) -> Metric:
        """What the goal counts (sales, offers, deals)."""
        return self.stages[-1]

    def rates_in_use(self) -> dict[str, Fraction]:
        """Each stage's rate as a plan would pick it (history, else stored); gaps left out."""
        rates: dict[str, Fraction] = {}
        for stage in self.rate_stages:
            rate = history_rate(self.history, stage, self.stages) or self.stored_rates.get(stage)
            if rate is not None:
                rates[stage] = rate
        return rates

    def plan(
        self,
        *,
        target: int | None = None,
        rate_flags: Mapping[str, Fraction] | None = None,
        working_days: int | None = None,
    ) -> Plan:
        """The plan, with optional overrides (CLI flags, or the Goals tab's what-if).

        Raises NoGoalError without a target, MissingRateError without a usable rate.
        """
        target = target if target is not None else self.goal
        if target is None:
            funnel = "" if self.funnel == BUILTIN_FUNNEL else f" --funnel {self.funnel}"
            raise NoGoalError(
                f"no {self.goal_metric.key} goal for {month_label(self.month)}: pass "
                f"--target N or store one with `salestui goal set N{funnel}`"
            )
        rates, sources = choose_rates(
            rate_flags or {}, self.history, self.stored_rates, self.stages
        )
        return make_plan(
            target,
            self.month,
            self.today,
            self.calendar,
            rates,
            sources,
            self.done_before_today,
            self.done_today,
            working_days_override=working_days,
            start=self.goal_start,
            stages=self.stages,
        )


def load_plan_inputs(
    store: Store,
    today: date,
    month: DateRange | None = None,
    funnel: str | None = None,
    catalog: Catalog | None = None,
) -> PlanInputs:
    """Read goal, rates, calendar and the counts a plan needs (a few rollup queries),
    for `funnel` (default: the active one; ValueError naming the funnels when unknown).

    A goal that started during the month counts what was done from its start on."""
    catalog = catalog if catalog is not None else store.catalog()
    chosen = catalog.funnel(funnel)
    stages = funnel_stages(catalog, chosen)
    keys = chosen.stages
    span = month or month_of(today)
    book = goal_book(store, chosen.name)
    start = book.start_for(month_label(span))
    counted = DateRange(start, span.end) if start is not None and start in span else span
    if today in counted:
        before = (
            store.counts(DateRange(counted.start, today - timedelta(days=1)), keys)
            if today > counted.start
            else zero_counts(keys)
        )
        during = store.counts(DateRange(today, today), keys)
    else:
        before = store.counts(counted, keys) if today > counted.end else zero_counts(keys)
        during = zero_counts(keys)
    return PlanInputs(
        today=today,
        month=span,
        goal_start=counted.start if counted is not span else None,
        goal=book.target_for(month_label(span)),
        stored_rates=stored_rates(store, chosen),
        history=store.counts(history_span(today), keys),
        calendar=calendar(store),
        done_before_today=before,
        done_today=during,
        stages=stages,
        funnel=chosen.name,
    )


def build_plan(
    store: Store,
    today: date,
    *,
    month: DateRange | None = None,
    target: int | None = None,
    rate_flags: Mapping[str, Fraction] | None = None,
    working_days: int | None = None,
    funnel: str | None = None,
) -> Plan:
    """The plan for `month` (default: this month) from stored goal, rates and calendar,
    for `funnel` (default: the active one)."""
    inputs = load_plan_inputs(store, today, month, funnel)
    return inputs.plan(target=target, rate_flags=rate_flags, working_days=working_days)


@dataclass(frozen=True, slots=True)
class FunnelView:
    """A funnel for a resolved period: `span` is None for an empty `all`."""

    period: Period
    span: DateRange | None
    funnel: Funnel

    def to_json(self) -> dict[str, object]:
        start = self.span.start if self.span else None
        end = self.span.end if self.span else None
        return self.funnel.to_json(start, end)


def load_funnel(
    store: Store, period: Period, funnel: str | None = None, catalog: Catalog | None = None
) -> FunnelView:
    """Counts and rates of `funnel` (default: the active one) for a period; `all` spans
    the first to the last event day. ValueError naming the funnels when `funnel` is unknown."""
    catalog = catalog if catalog is not None else store.catalog()
    chosen = catalog.funnel(funnel)
    stages = funnel_stages(catalog, chosen)
    span = period.range if period.range is not None else store.bounds()
    counts = store.counts(span, chosen.stages) if span is not None else zero_counts(chosen.stages)
    return FunnelView(period, span, Funnel(counts, stages))


def plan_levers(
    store: Store, inputs: PlanInputs, plan: Plan, totals: DayTotals | None = None
) -> Levers:
    """Which rate to improve for `plan` (domain.lever): each stage's savings at +5 and
    +10 points, and the cheapest lever measured against the best of the last twelve
    months (today's month left out: it is not over). One read of a year of day totals,
    unless the caller read them already (`totals`: any span covering that year)."""
    from salestui.domain.funnel import monthly_rates, months_back
    from salestui.domain.lever import levers

    today = inputs.today
    last_month_end = month_of(today).start - timedelta(days=1)
    span = DateRange(months_back(last_month_end, 12)[0].start, last_month_end)
    if totals is None:
        totals = store.day_totals(span)
    monthly: dict[str, list[Fraction | None]] = {stage: [] for stage in inputs.rate_stages}
    keys = [metric.key for metric in inputs.stages]
    for _label, month_funnel in monthly_rates(totals, last_month_end, 12, inputs.stages):
        for stage in inputs.rate_stages:
            # A month with few events at the denominator proves nothing (2 of 3 is not a
            # 67% rate to get back to): the same minimum as a rate from history.
            enough = month_funnel.counts[previous_stage(stage, keys)] >= HISTORY_MIN_DENOMINATOR
            monthly[stage].append(month_funnel.rates.get(stage) if enough else None)
    return levers(plan.target, plan.rates, [m.key for m in inputs.stages], monthly)


# -- the report's current streak ---------------------------------------------------------

STREAK_WINDOW_DAYS = 64
"""The first window of history read for the current streak; doubled while the streak fills it."""


def report_streak(
    store: Store, today: date, inputs: PlanInputs, history: DayTotals | None = None
) -> Streaks:
    """The current streak for `salestui report`, read back from today only as far as it goes.

    Each working day is judged by the call target it started with when a goal covered
    it (`planner.call_targets`' rule), so the streak never shrinks because more work
    was logged. Days from the first goal on are walked back from today one at a time,
    each day's target worked out in integers from running sums (the 90 days before it,
    its month so far), and read in growing windows (64, 128, ... days) only while the
    run goes on: a ten-year run costs milliseconds, not a plan per day. Days before the
    first goal have no target (any tally counts): that part of the run comes from the
    days with activity, decided inside SQLite (`Store.active_days`).

    `history`, when the caller has read every day's totals already (`report --period
    all`), stands in for `Store.day_totals` and `Store.active_days`. `longest` and
    `longest_end` describe the current run too: the report shows only the current
    streak (the History tab finds the longest over all history).
    """
    bounds = store.bounds()
    if bounds is None or bounds.start > today:
        return Streaks(0, 0, None)
    calendar = inputs.calendar
    # Inputs made by hand (tests, older callers) may not name a funnel: the built-in one.
    funnel = getattr(inputs, "funnel", BUILTIN_FUNNEL)
    stages: tuple[Metric, ...] = getattr(inputs, "stages", METRICS)
    book = goal_book(store, funnel)
    months = sorted([*book.standing, *book.only])
    # call_targets gives no target before the first month a goal covers.
    planned_from = date.fromisoformat(f"{months[0]}-01") if months else None
    if planned_from is not None and planned_from <= today:
        first = max(planned_from, bounds.start)
        walk = _TargetWalk(
            store, today, first, calendar, book, inputs.stored_rates, history, stages
        )
        run, start, counted_today, reached_first = walk.run()
        if first > bounds.start and reached_first:
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


class _TargetWalk:
    """Walks back from today over the days from `first` on, judging each working day by
    the call target it started with: the same figures as `planner.call_targets` (rates
    from the 90 days before the day, the month's goal, the month's calls before the day,
    its working days left), each a difference of two running sums."""

    def __init__(
        self,
        store: Store,
        today: date,
        first: date,
        calendar: WorkCalendar,
        book: GoalBook,
        stored_rates: Mapping[str, Fraction],
        history: DayTotals | None = None,
        stages: tuple[Metric, ...] = METRICS,
    ) -> None:
        self.store, self.today, self.first = store, today.toordinal(), first
        self.history = history  # every day's totals, when the caller read them already
        self.calendar, self.book = calendar, book
        # A stored rate outside (0, 1] makes choose_rates refuse: no target then.
        self.stored = {
            stage: (rate.numerator, rate.denominator) if 0 < rate <= 1 else None
            for stage, rate in stored_rates.items()
        }
        self.days: dict[int, Mapping[str, int]] = {}  # day ordinal -> totals, as read
        self.floor = _back(first, HISTORY_DAYS).toordinal()  # nothing older is needed
        self.read_from = self.today + 1  # every day from here to today is read
        self.window = STREAK_WINDOW_DAYS + HISTORY_DAYS
        # Running sums back from today: sums[metric][k] = the metric over the k days
        # ending today, so any day range's total is one subtraction.
        keys = tuple(metric.key for metric in stages)
        self.top = keys[0]
        self.sums: dict[str, list[int]] = {key: [0] for key in keys}
        # Per stage: the sums of the stage and of the one before it, and the stored rate.
        self.stages = [
            (self.sums[stage], self.sums[previous_stage(stage, keys)], self.stored.get(stage))
            for stage in keys[1:]
        ]

    def run(self) -> tuple[int, date | None, bool, bool]:
        """(run length, its first day, whether today counted, whether the run reaches
        back to `first` unbroken, so the days before it decide)."""
        run, start, counted_today = 0, None, False
        today = self.today
        # Names bound once: this loop runs once a day of the streak (thousands of times).
        is_working, days = self.calendar.is_working, self.days
        top = self.top
        calls, stages = self.sums[top], self.stages
        empty: Counts = {}
        month = DateRange(date.max, date.max)
        goal: int | None = None
        first, left = 0, dict[int, int]()
        for ordinal in range(today, self.first.toordinal() - 1, -1):
            day = date.fromordinal(ordinal)
            if not is_working(day):
                continue
            since = max(1, ordinal - HISTORY_DAYS)  # the 90 days before the day
            if since < self.read_from:
                self._read_back_to(since)
            if day < month.start:
                month = month_of(day)
                goal, first, left = self._month(day, month)
            # The call target the day started with (planner.call_targets' rule), or None.
            target = None
            if goal is not None and ordinal >= first and ordinal != 1:
                # Totals over since..ordinal-1 from the sums back from today.
                high, low = today - since + 1, today - ordinal + 1
                numerator = denominator = 1  # the product of the rates into later stages
                for ups, downs, stored in stages:
                    # planner.history_rate: 30 at the denominator, and a rate in (0, 1]
                    down, up = downs[high] - downs[low], ups[high] - ups[low]
                    if down >= HISTORY_MIN_DENOMINATOR and 0 < up <= down:
                        numerator, denominator = numerator * up, denominator * down
                    elif stored is not None:
                        numerator, denominator = numerator * stored[0], denominator * stored[1]
                    else:  # no rate, or a stored one choose_rates refuses: no plan
                        numerator = 0
                        break
                if numerator:
                    required = -(-goal * denominator // numerator)  # ceil(goal / product)
                    done = calls[today - first + 1] - calls[low]  # the month's, before the day
                    found = day_target(required, done, left[ordinal], day_off=False)
                    target = found if found >= 1 else None
            if day_counted(days.get(ordinal, empty), target, top):
                run, start = run + 1, day
                counted_today = counted_today or ordinal == today
            elif ordinal != today:
                return run, start, counted_today, False
        return run, start, counted_today, True

    def _read_back_to(self, ordinal: int) -> None:
        """Read windows of older days (each twice the last) until `ordinal` is read."""
        empty: Counts = {}
        while ordinal < self.read_from and self.read_from > self.floor:
            low = max(self.floor, self.read_from - self.window)
            span = DateRange(date.fromordinal(low), date.fromordinal(self.read_from - 1))
            days = self.days
            found: Mapping[date, Mapping[str, int]]
            if self.history is not None:  # `report --period all` read them: no second read
                found = {day: self.history[day] for day in span.days() if day in self.history}
            else:
                found = self.store.day_totals(span)
            for day, counts in found.items():
                days[day.toordinal()] = counts
            newest_first = [
                days.get(each, empty) for each in range(self.read_from - 1, low - 1, -1)
            ]
            for key, sums in self.sums.items():
                column = (int(counts.get(key, 0)) for counts in newest_first)
                sums.extend(itertools.accumulate(column, initial=sums.pop()))
            self.read_from = low
            self.window *= 2

    def _month(self, day: date, month: DateRange) -> tuple[int | None, int, dict[int, int]]:
        """The month's goal, its first counted day and its working days left by day (the
        figures make_plan uses, worked out once a month)."""
        label = f"{day.year:04d}-{day.month:02d}"
        start = self.book.start_for(label)
        first = start if start is not None and month.start < start <= month.end else month.start
        working = [
            each.toordinal()
            for each in DateRange(first, month.end).days()
            if self.calendar.is_working(each)
        ]
        left = {ordinal: len(working) - index for index, ordinal in enumerate(working)}
        return self.book.target_for(label), first.toordinal(), left


def _back(day: date, days: int) -> date:
    """`day - days`, staying inside the calendar (years 1 to 9999)."""
    return date.fromordinal(min(max(1, day.toordinal() - days), date.max.toordinal()))


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
        yield from store.active_days(DateRange(date.fromordinal(low), date.fromordinal(high)))
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
        if ordinal + 1 < settled and any(
            calendar.is_working(date.fromordinal(each)) for each in range(ordinal + 1, settled)
        ):
            break
        if calendar.is_working(active_day):
            run, start = run + 1, active_day
        settled = ordinal
    return run, start
