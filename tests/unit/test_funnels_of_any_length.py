"""The planner and the funnel for any funnel of 2-6 stages (issue 10's domain side)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from salestui.domain.catalog import PRESETS
from salestui.domain.funnel import Funnel, funnel_for, monthly_rates
from salestui.domain.goals import GoalBook
from salestui.domain.metrics import Metric
from salestui.domain.periods import DateRange, parse_month
from salestui.domain.planner import (
    MissingRateError,
    call_targets,
    choose_rates,
    make_plan,
    required_counts,
    what_if,
)
from salestui.domain.workdays import WorkCalendar

JOBS = PRESETS["jobs"].metrics  # applications -> interviews -> offers
NOVEMBER = parse_month("2026-11")
FRIDAY_27 = date(2026, 11, 27)


def test_a_job_seeker_needs_4_applications_a_day() -> None:
    # 4 offers at 1/5 interviews per application and 1/5 offers per interview: exactly 100
    # applications; December 2026 has 23 working days (Mon-Fri), so 5 a day (ceil 100/23),
    # and on its first day, with nothing done, 100/23 rounds up to 5.
    december = parse_month("2026-12")
    plan = make_plan(
        4,
        december,
        date(2026, 12, 1),
        WorkCalendar(),
        {"interviews": Fraction(1, 5), "offers": Fraction(1, 5)},
        {"interviews": "set", "offers": "set"},
        {},
        {},
        stages=JOBS,
    )
    assert plan.required == {"applications": 100, "interviews": 20, "offers": 4}
    assert plan.working_days == 23
    assert plan.per_day["applications"] == 5
    assert plan.today_target["applications"] == 5
    data = plan.to_json()
    assert set(data["required"]) == {"applications", "interviews", "offers"}
    assert set(data["rates"]) == {"interviews", "offers"}
    # The what-if keeps the funnel: 1/4 interviews per application -> 80 applications.
    assert what_if(plan, "interviews", Fraction(1, 4)).required["applications"] == 80


def test_with_4_a_day_in_a_20_day_window() -> None:
    # "Today you need 4 applications": 80 applications over 20 working days.
    plan = make_plan(
        4,
        NOVEMBER,
        date(2026, 11, 2),
        WorkCalendar(),
        {"interviews": Fraction(1, 4), "offers": Fraction(1, 5)},
        {},
        {},
        {},
        working_days_override=20,
        stages=JOBS,
    )
    assert plan.required["applications"] == 80
    assert plan.today_needed["applications"] == 4


def test_two_and_six_stage_funnels_round_up_once() -> None:
    a, b = Metric("demos", "demo", "d", "Demos"), Metric("deals", "deal", "k", "Deals")
    assert required_counts(3, {"deals": Fraction(1, 7)}, ("demos", "deals")) == {
        "demos": 21,
        "deals": 3,
    }
    six = tuple(Metric(f"s{i}s", f"s{i}", chr(ord("a") + i), f"S{i}") for i in range(6))
    keys = tuple(metric.key for metric in six)
    rates = {key: Fraction(1, 2) for key in keys[1:]}
    # 1 at the bottom needs 2, 4, 8, 16, 32 going up: each from the target, exact.
    assert required_counts(1, rates, keys) == dict(zip(keys, (32, 16, 8, 4, 2, 1), strict=True))
    plan = make_plan(1, NOVEMBER, FRIDAY_27, WorkCalendar(), rates, {}, {}, {}, stages=six)
    assert plan.required[keys[0]] == 32
    assert make_plan(
        3, NOVEMBER, FRIDAY_27, WorkCalendar(), {"deals": Fraction(1, 7)}, {}, {}, {}, stages=(a, b)
    ).required == {"demos": 21, "deals": 3}


def test_rates_come_from_history_for_any_funnel() -> None:
    history = {"applications": 60, "interviews": 12, "offers": 1}
    rates, sources = choose_rates({}, history, {"offers": Fraction(1, 6)}, JOBS)
    assert rates == {"interviews": Fraction(1, 5), "offers": Fraction(1, 6)}
    assert sources == {"interviews": "history", "offers": "set"}
    with pytest.raises(MissingRateError, match="no rate for offers yet .*12 interviews; 30"):
        choose_rates({}, history, {}, JOBS)


def test_the_funnel_of_custom_stages_speaks_their_words() -> None:
    funnel = Funnel({"applications": 40, "interviews": 8, "offers": 1, "calls": 99}, JOBS)
    assert funnel.counts == {"applications": 40, "interviews": 8, "offers": 1}
    assert funnel.rates == {"interviews": Fraction(1, 5), "offers": Fraction(1, 8)}
    assert funnel.overall == Fraction(1, 40)
    assert funnel.rate_words("interviews") == "1 interview per 5 applications"
    assert funnel.overall_words() == "1 offer per 40 applications"
    notes = funnel.notes()
    assert any("interviews → offers rests on 8 interviews" in note for note in notes)
    json = funnel.to_json(None, None)
    assert json["rates"] == {"interviews": 0.2, "offers": 0.125}


def test_funnel_for_and_monthly_rates_take_the_stages() -> None:
    totals = {FRIDAY_27: {"applications": 10, "interviews": 2, "calls": 5}}
    funnel = funnel_for(totals, NOVEMBER, JOBS)
    assert funnel.counts == {"applications": 10, "interviews": 2, "offers": 0}
    months = monthly_rates(totals, FRIDAY_27, 2, JOBS)
    assert [label for label, _ in months] == ["2026-10", "2026-11"]
    assert months[1][1].rates["interviews"] == Fraction(1, 5)


def test_streak_targets_follow_the_funnels_first_stage() -> None:
    # 4 offers a month at stored rates 1/5 and 1/5: 100 applications; Monday 2 Nov 2026
    # with 21 working days left -> ceil(100/21) = 5 applications that day.
    span = DateRange(date(2026, 11, 2), date(2026, 11, 3))
    goals = GoalBook(standing={"2026-11": 4})
    stored = {"interviews": Fraction(1, 5), "offers": Fraction(1, 5)}
    totals = {date(2026, 11, 2): {"applications": 7}}
    targets = call_targets(totals, span, WorkCalendar(), goals, stored, JOBS)
    assert targets[date(2026, 11, 2)] == 5
    # Tuesday: 93 left over 20 days -> 5.
    assert targets[date(2026, 11, 2) + timedelta(days=1)] == 5
