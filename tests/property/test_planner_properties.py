from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from salestui.domain.funnel import Funnel
from salestui.domain.periods import DateRange, month_range
from salestui.domain.planner import Plan, make_plan, required_counts
from salestui.domain.rates import format_rate_input, parse_rate
from salestui.domain.workdays import WorkCalendar, format_weekdays, parse_weekdays

SETTINGS = settings(max_examples=150, deadline=None)

rates_st = st.fractions(min_value=Fraction(1, 1000), max_value=1, max_denominator=1000).filter(
    lambda rate: rate > 0
)
targets = st.integers(min_value=1, max_value=500)
weekday_sets = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)
months = st.builds(month_range, st.integers(2020, 2030), st.integers(1, 12))


@st.composite
def monotone_counts(draw: st.DrawFn) -> dict[str, int]:
    calls = draw(st.integers(min_value=0, max_value=10_000))
    meetings = draw(st.integers(min_value=0, max_value=calls))
    sales = draw(st.integers(min_value=0, max_value=meetings))
    return {"calls": calls, "meetings": meetings, "sales": sales}


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    month: DateRange = draw(months)
    calendar = WorkCalendar(
        weekdays=draw(weekday_sets),
        holidays=frozenset(draw(st.lists(st.sampled_from(list(month.days())), max_size=5))),
    )
    today = month.start + timedelta(days=draw(st.integers(-5, len(month) + 5)))
    override = draw(st.none() | st.integers(1, 31))
    if override is None and calendar.working_days(month) == 0:
        override = 1
    counts = st.fixed_dictionaries(
        {key: st.integers(0, 2_000) for key in ("calls", "meetings", "sales")}
    )
    return make_plan(
        draw(targets),
        month,
        today,
        calendar,
        {"meetings": draw(rates_st), "sales": draw(rates_st)},
        {"meetings": "flag", "sales": "set"},
        draw(counts),
        draw(counts),
        working_days_override=override,
    )


@SETTINGS
@given(monotone_counts())
def test_rates_stay_in_unit_interval_for_monotone_funnels(counts: dict[str, int]) -> None:
    funnel = Funnel(counts)
    for rate in [*funnel.rates.values(), funnel.overall]:
        assert rate is None or 0 <= rate <= 1
    for stage in ("meetings", "sales"):
        interval = funnel.interval(stage)
        rate = funnel.rates[stage]
        if rate is None:
            assert interval is None
        else:
            assert interval is not None
            assert 0.0 <= interval[0] <= float(rate) + 1e-12
            assert float(rate) - 1e-12 <= interval[1] <= 1.0


@SETTINGS
@given(targets, rates_st, rates_st)
def test_required_reaches_the_target_and_is_the_least_that_does(
    target: int, meetings: Fraction, sales: Fraction
) -> None:
    required = required_counts(target, {"meetings": meetings, "sales": sales})
    assert required["sales"] == target
    assert required["calls"] * meetings * sales >= target
    assert (required["calls"] - 1) * meetings * sales < target
    assert required["meetings"] * sales >= target
    assert (required["meetings"] - 1) * sales < target


@SETTINGS
@given(targets, st.integers(1, 100), rates_st, rates_st, rates_st)
def test_required_never_drops_when_target_rises_or_a_rate_falls(
    target: int, more: int, meetings: Fraction, sales: Fraction, lower: Fraction
) -> None:
    base = required_counts(target, {"meetings": meetings, "sales": sales})
    bigger = required_counts(target + more, {"meetings": meetings, "sales": sales})
    slower_meetings = required_counts(target, {"meetings": min(lower, meetings), "sales": sales})
    slower_sales = required_counts(target, {"meetings": meetings, "sales": min(lower, sales)})
    for stage in base:
        assert bigger[stage] >= base[stage]
        assert slower_meetings[stage] >= base[stage]
        assert slower_sales[stage] >= base[stage]


@SETTINGS
@given(plans())
def test_plan_invariants(plan: Plan) -> None:
    product = plan.rates["meetings"] * plan.rates["sales"]
    assert plan.required["calls"] * product >= plan.target
    for stage in ("calls", "meetings", "sales"):
        assert 0 <= plan.today_needed[stage] <= plan.today_target[stage]
        assert plan.per_day[stage] * plan.working_days >= plan.required[stage]
        assert (plan.per_day[stage] - 1) * plan.working_days < plan.required[stage]
        assert plan.done[stage] == plan.done_before_today[stage] + plan.done_today[stage]
        assert 0 <= plan.expected_by_now[stage] <= plan.required[stage]
        remainder = max(0, plan.required[stage] - plan.done_before_today[stage])
        assert plan.today_target[stage] <= remainder
        # The days left that the plan divides by: the calendar's, or with an override,
        # the overridden month minus the working days elapsed (one rule everywhere).
        left = plan.planned_days_left
        if left == 0:
            assert plan.today_target[stage] == remainder
        elif plan.today in plan.span and not plan.calendar.is_working(plan.today):
            assert plan.today_target[stage] == 0
        else:
            # Hitting today's target on every day left reaches the month's requirement.
            assert plan.today_target[stage] * left >= remainder
            assert plan.today_target[stage] == math.ceil(Fraction(remainder, left))
    assert plan.working_days_left == plan.calendar.working_days_left(plan.span, plan.today)
    if plan.working_days_override is None:
        assert plan.planned_days_left == plan.working_days_left
    elif plan.today <= plan.span.end:
        assert plan.planned_days_left == max(0, plan.working_days - plan.working_days_elapsed)


@SETTINGS
@given(rates_st)
def test_rate_input_round_trips(rate: Fraction) -> None:
    assert parse_rate(format_rate_input(rate)) == rate


@SETTINGS
@given(weekday_sets)
def test_weekdays_round_trip(weekdays: frozenset[int]) -> None:
    assert parse_weekdays(format_weekdays(weekdays)) == weekdays


@SETTINGS
@given(weekday_sets, st.frozensets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=5))
def test_calendar_json_round_trips(weekdays: frozenset[int], holidays: frozenset[date]) -> None:
    calendar = WorkCalendar(weekdays=weekdays, holidays=holidays)
    assert WorkCalendar.from_json(calendar.to_json()) == calendar


@SETTINGS
@given(weekday_sets, months, st.integers(-3, 34))
def test_working_days_split_at_today(
    weekdays: frozenset[int], month: DateRange, shift: int
) -> None:
    calendar = WorkCalendar(weekdays=weekdays)
    today = month.start + timedelta(days=shift)
    before = calendar.working_days_before(month, today)
    left = calendar.working_days_left(month, today)
    assert before + left == calendar.working_days(month)


def one_metric_a_day(most: int, days: int = 120) -> st.SearchStrategy[list[int]]:
    """`days` counts in 0..most, drawn as one block of bytes: hypothesis draws a block in
    one step where 120 separate integers take 120 (most of this test's time went there).
    Shrinking a byte towards 0 shrinks its count towards 0, as with integers."""
    return st.binary(min_size=days, max_size=days).map(
        lambda block: [byte % (most + 1) for byte in block]
    )


@SETTINGS
@given(
    st.builds(
        lambda calls, meetings, sales: list(zip(calls, meetings, sales, strict=True)),
        one_metric_a_day(80),
        one_metric_a_day(12),
        one_metric_a_day(4),
    ),
    st.integers(1, 60),
    st.sampled_from([None, 5, 17]),
)
def test_call_targets_are_each_days_plan_at_its_start(
    days: list[tuple[int, int, int]], goal: int, start_day: int | None
) -> None:
    """call_targets (worked out a month at a time) equals a full plan made on each day."""
    from datetime import timedelta

    from salestui.domain.goals import GoalBook
    from salestui.domain.periods import DateRange, month_range
    from salestui.domain.planner import call_targets, choose_rates, make_plan

    first = date(2026, 8, 1)
    totals = {
        first + timedelta(days=index): {"calls": c, "meetings": m, "sales": s}
        for index, (c, m, s) in enumerate(days)
    }
    # The same days as columns, so that "the sum over these days" is a slice's sum (the
    # oracle stays the plain definition, only summed at C speed). Index i is first + i.
    keys = ("calls", "meetings", "sales")
    columns = {key: [counts[n] for counts in days] for n, key in enumerate(keys)}

    def summed(since: date, until: date) -> dict[str, int]:
        """Each metric summed over the days since <= day < until."""
        start, end = max(0, (since - first).days), (until - first).days
        return {key: sum(columns[key][start:end]) for key in keys}

    starts = {"2026-10": date(2026, 10, start_day)} if start_day else {}
    book = GoalBook({"2026-09": goal}, {}, starts)
    stored = {"meetings": Fraction(15, 100), "sales": Fraction(1, 3)}
    calendar = WorkCalendar()
    span = DateRange(date(2026, 9, 1), date(2026, 11, 28))
    targets = call_targets(totals, span, calendar, book, stored)
    for day in span.days():
        expected = None
        label = f"{day.year:04d}-{day.month:02d}"
        start = book.start_for(label)
        month = month_range(day.year, day.month)
        counted_from = start if start and start > month.start else month.start
        if calendar.is_working(day) and day >= counted_from:
            history = summed(day - timedelta(days=90), day)  # the 90 days before
            before = summed(counted_from, day)  # this month's, before today
            rates, sources = choose_rates({}, history, stored)
            plan = make_plan(goal, month, day, calendar, rates, sources, before,
                             {"calls": 0, "meetings": 0, "sales": 0}, start=start)  # fmt: skip
            expected = plan.today_target["calls"] or None
        assert targets[day] == expected, day
