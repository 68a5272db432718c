"""The month plan: from a sales target and conversion rates to calls per working day.

Everything is exact until the last step. Rates are `Fraction`s, and each required
count rounds up once, straight from the target:

    required[stage] = ceil(target / product of the rates after that stage)
    per_day[stage]  = ceil(required[stage] / working_days)

so `meetings=15%`, `sales=1/3` and a target of 50 need exactly 1,000 calls.

Today:

    today_target = ceil(max(0, required - done_before_today) / working_days_left)

with `working_days_left` counting today only when today is worked. On a day off
inside the month `today_target` is 0, unless no working day is left in the month:
then it is the whole remainder `max(0, required - done_before_today)`. The same
"nothing left" rule covers a month that is already over. For a month that has not
started, `working_days_left` is the whole month, so `today_target` is the even
share of the month. `today_needed = max(0, today_target - done_today)`.

A goal set during the month (`start`) plans only the days from `start` on: the
month's working days, the days elapsed (pace) and what was done all count from that
day, so a goal set on the 27th is not "886 calls behind pace" on its first day.

`--working-days N` replaces the month's working days everywhere: per day, pace and the
days left (`planned_days_left = max(0, N - working days elapsed)`). The JSON field
`working_days_left` keeps the calendar's count, as the contract says.

What-if: a plan is cheap to make, so the what-if is `make_plan` again with one rate
changed; `what_if(plan, stage, rate)` does exactly that with the plan's own inputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from salestui.domain.counts import Counts, zero_counts
from salestui.domain.goals import GoalBook
from salestui.domain.metrics import METRIC_KEYS, METRICS, Metric
from salestui.domain.periods import DateRange, last_days
from salestui.domain.rates import previous_stage
from salestui.domain.workdays import WorkCalendar

HISTORY_DAYS = 90
"""Your own rates come from the 90 days ending yesterday: nothing done today moves them,
so today's target holds still all day (calls come before the meetings they lead to)."""

HISTORY_MIN_DENOMINATOR = 30
"""History gives a stage's rate only when at least this many events sit at its denominator."""

SOURCE_FLAG = "flag"
SOURCE_HISTORY = "history"
SOURCE_SET = "set"
SOURCE_WHAT_IF = "what-if"
"""Sources of a rate: a `--rate` flag, your history, a stored `rate set`, or a what-if."""

_EXAMPLE_RATES = {"meetings": "15%", "sales": "1/3"}


class MissingRateError(ValueError):
    """No flag, no history large enough and no stored rate for a stage."""

    def __init__(self, stage: str, reason: str | None = None) -> None:
        self.stage = stage
        self.reason = reason
        example = f"{stage}={_EXAMPLE_RATES.get(stage, '15%')}"
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"no rate for {stage} yet{why}: pass --rate {example} "
            f"or store one with `salestui rate set {example}`"
        )


def history_span(today: date) -> DateRange:
    """The 90 days ending yesterday that history rates are taken from."""
    return last_days(today - timedelta(days=1), HISTORY_DAYS)


def _check_rate(stage: str, rate: Fraction, origin: str) -> Fraction:
    if not 0 < rate <= 1:
        raise ValueError(f"{origin} rate for {stage} must be above 0 and at most 100%, got {rate}")
    return Fraction(rate)


def _keys(stages: tuple[Metric, ...]) -> tuple[str, ...]:
    return tuple(metric.key for metric in stages)


def history_rate(
    history: Mapping[str, int], stage: str, stages: tuple[Metric, ...] = METRICS
) -> Fraction | None:
    """The rate into `stage` from history counts, or None when it cannot be used.

    Usable means: at least 30 events at the denominator, and a rate above 0 and at
    most 1 (0 meetings from 40 calls cannot plan anything, and more meetings than
    calls is not a conversion rate). Unusable history falls through to a stored rate.
    """
    denominator = int(history.get(previous_stage(stage, _keys(stages)), 0))
    numerator = int(history.get(stage, 0))
    if denominator < HISTORY_MIN_DENOMINATOR or not 0 < numerator <= denominator:
        return None
    return Fraction(numerator, denominator)


def _history_shortfall(
    history: Mapping[str, int], stage: str, stages: tuple[Metric, ...] = METRICS
) -> str:
    """Why history gave no rate into `stage`, in a few words."""
    keys = _keys(stages)
    before = previous_stage(stage, keys)
    denominator = int(history.get(before, 0))
    numerator = int(history.get(stage, 0))
    if denominator < HISTORY_MIN_DENOMINATOR:
        return (
            f"your last {HISTORY_DAYS} days have "
            f"{stages[keys.index(before)].amount(denominator)}; "
            f"{HISTORY_MIN_DENOMINATOR} are needed"
        )
    if numerator <= 0:
        return f"your last {HISTORY_DAYS} days have no {stage} from {denominator} {before}"
    return f"your last {HISTORY_DAYS} days have more {stage} than {before}"


def choose_rates(
    flags: Mapping[str, Fraction],
    history: Mapping[str, int],
    stored: Mapping[str, Fraction],
    stages: tuple[Metric, ...] = METRICS,
) -> tuple[dict[str, Fraction], dict[str, str]]:
    """Pick each stage's rate: a flag, else history (see `history_rate`), else a stored rate.

    `history` is the counts of the 90 days ending yesterday. Returns the
    rates and their sources ("flag" | "history" | "set"), keyed by stage
    (meetings, sales; every stage of `stages` but the first). Raises MissingRateError for
    the first stage with none, and ValueError for a flag or stored rate outside (0, 1].
    """
    rates: dict[str, Fraction] = {}
    sources: dict[str, str] = {}
    for stage in _keys(stages)[1:]:
        from_history = history_rate(history, stage, stages)
        if stage in flags:
            rates[stage], sources[stage] = _check_rate(stage, flags[stage], "--rate"), SOURCE_FLAG
        elif from_history is not None:
            rates[stage], sources[stage] = from_history, SOURCE_HISTORY
        elif stage in stored:
            rates[stage], sources[stage] = _check_rate(stage, stored[stage], "stored"), SOURCE_SET
        else:
            raise MissingRateError(stage, _history_shortfall(history, stage, stages))
    return rates, sources


def required_counts(
    target: int, rates: Mapping[str, Fraction], keys: tuple[str, ...] = METRIC_KEYS
) -> Counts:
    """How many of each stage reach `target` of the last: ceil(target / product of later
    rates). `keys` is the funnel, top first (the built-in one by default).

    Each stage rounds up once, from the target, never from a rounded later stage.
    """
    required: Counts = {}
    product = Fraction(1)
    for index in range(len(keys) - 1, -1, -1):
        stage = keys[index]
        required[stage] = math.ceil(target / product)
        if index > 0:
            product *= rates[stage]
    return {stage: required[stage] for stage in keys}


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _full(counts: Mapping[str, int], keys: tuple[str, ...] = METRIC_KEYS) -> Counts:
    full = zero_counts(keys)
    for key in full:
        full[key] = int(counts.get(key, 0))
    return full


@dataclass(frozen=True)
class Plan:
    """A month's plan. Dicts are keyed by metric (calls, meetings, sales); rates by stage.

    Pace: `expected_by_now[stage] = ceil(required * working_days_elapsed / working_days)`,
    where `working_days_elapsed` is the month's working days strictly before today
    (from the calendar, capped at `working_days`). It is what an even pace would
    have done by the start of today; `pace(stage) = done - expected_by_now`, so work
    done today counts towards catching up.
    """

    month: str
    span: DateRange
    target: int
    working_days: int
    working_days_left: int
    working_days_elapsed: int
    rates: dict[str, Fraction]
    rates_source: dict[str, str]
    required: Counts
    per_day: Counts
    done_before_today: Counts
    done_today: Counts
    done: Counts
    today_target: Counts
    today_needed: Counts
    expected_by_now: Counts
    today: date = field(compare=False)
    calendar: WorkCalendar = field(compare=False)
    working_days_override: int | None = field(default=None, compare=False)
    planned_days_left: int = 0
    """Working days left in the plan, today included when worked: the calendar's, or
    with `--working-days N`, N minus the working days already elapsed."""
    start: date | None = field(default=None, compare=False)
    """The day a goal set during the month started (None: the whole month)."""
    stages: tuple[Metric, ...] = field(default=METRICS, compare=False)
    """The funnel planned, top first (the built-in calls → meetings → sales by default)."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The stages' metric keys, top first."""
        return _keys(self.stages)

    @property
    def window(self) -> DateRange:
        """The days this plan covers: the month, or from the goal's start on."""
        if self.start is not None and self.span.start < self.start <= self.span.end:
            return DateRange(self.start, self.span.end)
        return self.span

    @property
    def not_started(self) -> bool:
        """True when the plan's first day is still to come (a future month)."""
        return self.today < self.window.start

    def first_working_day(self) -> date | None:
        """The plan's first working day (for a month that has not started)."""
        for day in self.window.days():
            if self.calendar.is_working(day):
                return day
        return None

    def pace(self, stage: str) -> int:
        """Done this month minus the even-pace expectation: > 0 ahead, < 0 behind, by N."""
        return self.done[stage] - self.expected_by_now[stage]

    def remaining(self, stage: str) -> int:
        """What is still missing for the month: max(0, required - done)."""
        return max(0, self.required[stage] - self.done[stage])

    def to_json(self) -> dict[str, object]:
        """The `plan --json` shape; rates as floats, plus `expected_by_now` and `pace`."""
        return {
            "month": self.month,
            "target": self.target,
            "working_days": self.working_days,
            "working_days_left": self.working_days_left,
            "rates": {stage: float(rate) for stage, rate in self.rates.items()},
            "rates_source": dict(self.rates_source),
            "required": dict(self.required),
            "per_day": dict(self.per_day),
            "done": dict(self.done),
            "today_target": dict(self.today_target),
            "today_needed": dict(self.today_needed),
            "working_days_elapsed": self.working_days_elapsed,
            "expected_by_now": dict(self.expected_by_now),
            "pace": {stage: self.pace(stage) for stage in self.keys},
            "planned_days_left": self.planned_days_left,
            "starts": self.window.start.isoformat(),
        }


def make_plan(
    target: int,
    month: DateRange,
    today: date,
    calendar: WorkCalendar,
    rates: Mapping[str, Fraction],
    rates_source: Mapping[str, str],
    done_before_today: Mapping[str, int],
    done_today: Mapping[str, int],
    working_days_override: int | None = None,
    start: date | None = None,
    stages: tuple[Metric, ...] = METRICS,
) -> Plan:
    """Plan `month` to close `target` sales at `rates` (see the module docstring for the math).

    `done_before_today` is the plan's counts before today (from `start` when given),
    `done_today` today's (pass zeros when today is outside the month).
    `working_days_override` replaces the month's working days (per_day, pace, the days
    left in `planned_days_left`); the JSON `working_days_left` stays the calendar's.
    `start` is the day a goal set during the month began; `stages` the funnel (top first;
    the target counts its last stage). Raises ValueError for a target below 1, an
    override below 1, a month with no working days, or a missing or out-of-range rate.
    """
    if isinstance(target, bool) or not isinstance(target, int) or target < 1:
        raise ValueError(f"the target must be a whole number of sales >= 1, got {target!r}")
    month_label = f"{month.start.year:04d}-{month.start.month:02d}"
    window = (
        DateRange(start, month.end)
        if start is not None and month.start < start <= month.end
        else month
    )
    if working_days_override is not None:
        if working_days_override < 1:
            raise ValueError(f"--working-days must be at least 1, got {working_days_override}")
        working_days = working_days_override
    else:
        working_days = calendar.working_days(window)
        if working_days < 1:
            raise ValueError(
                f"{month_label} has no working days in your calendar; pass --working-days N"
            )
    keys = _keys(stages)
    if len(keys) < 2:
        raise ValueError("a funnel needs at least two stages")
    checked: dict[str, Fraction] = {}
    for stage in keys[1:]:
        if stage not in rates:
            raise MissingRateError(stage)
        checked[stage] = _check_rate(stage, rates[stage], "the")

    required = required_counts(target, checked, keys)
    per_day = {stage: _ceil_div(required[stage], working_days) for stage in keys}
    before = _full(done_before_today, keys)
    during = _full(done_today, keys)
    done = {stage: before[stage] + during[stage] for stage in keys}

    calendar_left = calendar.working_days_left(window, today)
    elapsed = min(calendar.working_days_before(window, today), working_days)
    if working_days_override is not None and today <= month.end:
        days_left = max(0, working_days - elapsed)
    else:
        days_left = calendar_left
    day_off_in_month = today in window and not calendar.is_working(today)
    today_target = {
        stage: day_target(required[stage], before[stage], days_left, day_off=day_off_in_month)
        for stage in keys
    }
    today_needed = {stage: max(0, today_target[stage] - during[stage]) for stage in keys}

    expected = {stage: _ceil_div(required[stage] * elapsed, working_days) for stage in keys}

    return Plan(
        month=month_label,
        span=month,
        target=target,
        working_days=working_days,
        working_days_left=calendar_left,
        working_days_elapsed=elapsed,
        rates=checked,
        rates_source={stage: str(rates_source.get(stage, "")) for stage in keys[1:]},
        required=required,
        per_day=per_day,
        done_before_today=before,
        done_today=during,
        done=done,
        today_target=today_target,
        today_needed=today_needed,
        expected_by_now=expected,
        today=today,
        calendar=calendar,
        working_days_override=working_days_override,
        planned_days_left=days_left,
        start=window.start if window is not month else None,
        stages=tuple(stages),
    )


def what_if(plan: Plan, stage: str, rate: Fraction, target: int | None = None) -> Plan:
    """The same plan with the rate into `stage` changed (source "what-if").

    15% -> 20% meetings per call turns 1,000 required calls into 750.
    """
    rates = dict(plan.rates)
    sources = dict(plan.rates_source)
    if stage not in rates:
        raise ValueError(f"no rate into {stage!r}; rates are for {', '.join(plan.keys[1:])}")
    rates[stage] = rate
    sources[stage] = SOURCE_WHAT_IF
    return make_plan(
        plan.target if target is None else target,
        plan.span,
        plan.today,
        plan.calendar,
        rates,
        sources,
        plan.done_before_today,
        plan.done_today,
        plan.working_days_override,
        plan.start,
        plan.stages,
    )


def describe_pace(pace: int, metric: Metric) -> str:
    """`14 calls behind pace`, `3 calls ahead of pace` or `calls on pace`."""
    if pace < 0:
        return f"{metric.amount(-pace)} behind pace"
    if pace > 0:
        return f"{metric.amount(pace)} ahead of pace"
    return f"{metric.key} on pace"


def day_target(required: int, done_before: int, days_left: int, *, day_off: bool) -> int:
    """A day's target, fixed at its start: the remainder spread over the working days
    left (today included); the whole remainder when none is left; 0 on a day off."""
    remainder = max(0, required - done_before)
    if days_left == 0:
        return remainder
    if day_off:
        return 0
    return _ceil_div(remainder, days_left)


class _RunningTotals:
    """Sums of per-day totals over any day range, in O(1) after one pass (prefix sums)."""

    def __init__(
        self,
        totals: Mapping[date, Mapping[str, int]],
        span: DateRange,
        keys: tuple[str, ...] = METRIC_KEYS,
    ) -> None:
        self.start = span.start
        self.keys = keys
        self.prefix: dict[str, list[int]] = {key: [0] for key in keys}
        for day in span.days():
            by_metric = totals.get(day, {})
            for key in keys:
                column = self.prefix[key]
                column.append(column[-1] + int(by_metric.get(key, 0)))

    def counts(self, first: date, last: date) -> Counts:
        """Sums over first..last inclusive (empty when last < first)."""
        if last < first:
            return zero_counts(self.keys)
        low = max(0, (first - self.start).days)
        high = (last - self.start).days + 1
        return {key: column[high] - column[low] for key, column in self.prefix.items()}


def call_targets(
    totals: Mapping[date, Mapping[str, int]],
    span: DateRange,
    calendar: WorkCalendar,
    goals: GoalBook,
    stored_rates: Mapping[str, Fraction],
    stages: tuple[Metric, ...] = METRICS,
) -> dict[date, int | None]:
    """Each day's call target (the funnel's first stage) as it stood at the start of that day.

    That is the day's `today_target` of its month's plan, from the goal in force for
    that month, rates from the 90 days before the day, and what was done before it.
    A streak judged against these never changes when more work is logged later, and a
    record never shrinks because today's plan differs. None where no plan existed
    (no goal yet, no rate, the goal not started) or the target was 0: then any tally
    counts. Uses today's calendar and stored rates (their past values are not kept).
    """
    keys = _keys(stages)
    top = keys[0]
    running = _RunningTotals(totals, DateRange(_back(span.start, HISTORY_DAYS), span.end), keys)
    targets: dict[date, int | None] = {}
    # Per month: its goal, the day it counts from, and its working days from then on
    # (the same figures make_plan uses, worked out once a month instead of once a day).
    months: dict[str, tuple[int | None, date, list[date]]] = {}
    for day in span.days():
        targets[day] = None
        if day == date.min or not calendar.is_working(day):
            continue
        label = f"{day.year:04d}-{day.month:02d}"
        if label not in months:
            month = DateRange(date(day.year, day.month, 1), _month_end(day))
            start = goals.start_for(label)
            first = start if start is not None and month.start < start <= month.end else month.start
            working = [each for each in DateRange(first, month.end).days()
                       if calendar.is_working(each)]  # fmt: skip
            months[label] = (goals.target_for(label), first, working)
        goal, first, working = months[label]
        if goal is None or day < first:
            continue
        history = running.counts(_back(day, HISTORY_DAYS), day - timedelta(days=1))
        try:
            rates, _sources = choose_rates({}, history, stored_rates, stages)
        except ValueError:
            continue
        required = required_counts(goal, rates, keys)[top]
        done_before = running.counts(first, day - timedelta(days=1))[top]
        days_left = len(working) - working.index(day)
        target = day_target(required, done_before, days_left, day_off=False)
        targets[day] = target if target >= 1 else None
    return targets


def _back(day: date, days: int) -> date:
    """`day - days`, stopping at the first day of the calendar."""
    return date.fromordinal(max(1, day.toordinal() - days))


def _month_end(day: date) -> date:
    if day.month == 12:
        return date(day.year, 12, 31)
    return date(day.year, day.month + 1, 1) - timedelta(days=1)
