from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from fractions import Fraction

import pytest

from salestui.domain.periods import DateRange, parse_month
from salestui.domain.planner import (
    HISTORY_DAYS,
    HISTORY_MIN_DENOMINATOR,
    MissingRateError,
    Plan,
    choose_rates,
    history_rate,
    history_span,
    make_plan,
    required_counts,
    what_if,
)
from salestui.domain.rates import parse_rate
from salestui.domain.workdays import WorkCalendar

NOVEMBER = parse_month("2026-11")
RATES = {"meetings": parse_rate("15%"), "sales": parse_rate("1/3")}
SOURCES = {"meetings": "set", "sales": "set"}
ZERO = {"calls": 0, "meetings": 0, "sales": 0}


def plan(
    *,
    target: int = 50,
    month: DateRange = NOVEMBER,
    today: date = date(2026, 11, 2),
    calendar: WorkCalendar | None = None,
    rates: Mapping[str, Fraction] = RATES,
    before: Mapping[str, int] = ZERO,
    during: Mapping[str, int] = ZERO,
    override: int | None = None,
) -> Plan:
    return make_plan(
        target,
        month,
        today,
        calendar or WorkCalendar(),
        rates,
        SOURCES,
        before,
        during,
        working_days_override=override,
    )


# --- required and per day -------------------------------------------------------------------


def test_fifty_sales_need_exactly_a_thousand_calls() -> None:
    assert required_counts(50, RATES) == {"calls": 1000, "meetings": 150, "sales": 50}
    result = plan()
    assert result.required == {"calls": 1000, "meetings": 150, "sales": 50}
    assert result.working_days == 21
    assert result.per_day == {"calls": 48, "meetings": 8, "sales": 3}


def test_what_if_twenty_percent_meetings_turns_1000_calls_into_750() -> None:
    faster = plan(rates={"meetings": parse_rate("20%"), "sales": parse_rate("1/3")})
    assert faster.required["calls"] == 750
    assert faster.per_day["calls"] == 36
    changed = what_if(plan(), "meetings", parse_rate("20%"))
    assert changed.required["calls"] == 750
    assert changed.per_day["calls"] == 36
    assert changed.rates_source == {"meetings": "what-if", "sales": "set"}
    with pytest.raises(ValueError):
        what_if(plan(), "calls", parse_rate("20%"))


def test_each_stage_rounds_up_once_from_the_target() -> None:
    # 1/7 then 1/3: meetings = ceil(10 * 3) = 30; calls = ceil(10 * 21) = 210.
    rates = {"meetings": Fraction(1, 7), "sales": Fraction(1, 3)}
    assert required_counts(10, rates) == {"calls": 210, "meetings": 30, "sales": 10}
    # 2/7 meetings, 1/3 sales: calls = ceil(7 * 3 / 2) = 11 (not ceil(ceil(3 * 1) / (2/7)))
    rates = {"meetings": Fraction(2, 7), "sales": Fraction(1, 3)}
    assert required_counts(1, rates) == {"calls": 11, "meetings": 3, "sales": 1}


def test_working_days_override_changes_per_day_not_days_left() -> None:
    result = plan(today=date(2026, 11, 27), override=20)
    assert result.working_days == 20
    assert result.per_day == {"calls": 50, "meetings": 8, "sales": 3}
    assert result.working_days_left == 2


# --- today ---------------------------------------------------------------------------------


def test_friday_27_november() -> None:
    result = plan(
        today=date(2026, 11, 27),
        before={"calls": 900, "meetings": 140, "sales": 45},
        during={"calls": 5},
    )
    assert result.month == "2026-11"
    assert result.working_days_left == 2
    assert result.done == {"calls": 905, "meetings": 140, "sales": 45}
    assert result.today_target == {"calls": 50, "meetings": 5, "sales": 3}
    assert result.today_needed == {"calls": 45, "meetings": 5, "sales": 3}
    # Pace: 19 working days before the 27th; expected = ceil(required * 19 / 21).
    assert result.working_days_elapsed == 19
    assert result.expected_by_now == {"calls": 905, "meetings": 136, "sales": 46}
    assert (result.pace("calls"), result.pace("meetings"), result.pace("sales")) == (0, 4, -1)
    assert result.remaining("calls") == 95


def test_today_target_is_fixed_for_the_day_and_each_call_lowers_needed() -> None:
    morning = plan(today=date(2026, 11, 2), before=ZERO)
    assert morning.working_days_left == 21
    assert morning.today_target["calls"] == 48
    later = plan(today=date(2026, 11, 2), before=ZERO, during={"calls": 10})
    assert later.today_target["calls"] == 48
    assert later.today_needed["calls"] == 38
    done = plan(today=date(2026, 11, 2), before=ZERO, during={"calls": 60})
    assert done.today_needed["calls"] == 0


def test_already_past_required_means_nothing_to_do() -> None:
    result = plan(today=date(2026, 11, 27), before={"calls": 1200, "meetings": 150, "sales": 60})
    assert result.today_target == {"calls": 0, "meetings": 0, "sales": 0}
    assert result.today_needed == {"calls": 0, "meetings": 0, "sales": 0}
    assert result.remaining("sales") == 0


def test_day_off_with_working_days_left_has_no_target() -> None:
    result = plan(today=date(2026, 11, 28), before={"calls": 900, "meetings": 140, "sales": 45})
    assert result.working_days_left == 1
    assert result.today_target == {"calls": 0, "meetings": 0, "sales": 0}
    assert result.today_needed == {"calls": 0, "meetings": 0, "sales": 0}


def test_day_off_with_no_working_day_left_takes_the_whole_remainder() -> None:
    calendar = WorkCalendar(holidays=frozenset({date(2026, 11, 30)}))
    result = plan(
        today=date(2026, 11, 28),
        calendar=calendar,
        before={"calls": 900, "meetings": 140, "sales": 45},
        during={"calls": 30},
    )
    assert result.working_days_left == 0
    assert result.today_target == {"calls": 100, "meetings": 10, "sales": 5}
    assert result.today_needed == {"calls": 70, "meetings": 10, "sales": 5}


def test_last_working_day_takes_the_whole_remainder() -> None:
    result = plan(today=date(2026, 11, 30), before={"calls": 900, "meetings": 140, "sales": 45})
    assert result.working_days_left == 1
    assert result.today_target == {"calls": 100, "meetings": 10, "sales": 5}


def test_holiday_today_is_a_day_off() -> None:
    calendar = WorkCalendar(holidays=frozenset({date(2026, 11, 26)}))
    result = plan(today=date(2026, 11, 26), calendar=calendar)
    assert result.working_days == 20
    assert result.working_days_left == 2
    assert result.today_target["calls"] == 0


def test_month_not_started_shares_it_evenly() -> None:
    result = plan(today=date(2026, 10, 15))
    assert result.working_days_left == 21
    assert result.working_days_elapsed == 0
    assert result.today_target == {"calls": 48, "meetings": 8, "sales": 3}
    assert result.expected_by_now == ZERO


def test_month_over_leaves_the_whole_remainder() -> None:
    result = plan(today=date(2026, 12, 3), before={"calls": 990, "meetings": 150, "sales": 49})
    assert result.working_days_left == 0
    assert result.working_days_elapsed == 21
    assert result.today_target == {"calls": 10, "meetings": 0, "sales": 1}
    assert result.expected_by_now == {"calls": 1000, "meetings": 150, "sales": 50}


def test_elapsed_is_capped_by_the_override() -> None:
    result = plan(today=date(2026, 11, 27), override=10)
    assert result.working_days_elapsed == 10
    assert result.expected_by_now == {"calls": 1000, "meetings": 150, "sales": 50}


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [0, -1])
def test_target_must_be_at_least_one(target: int) -> None:
    with pytest.raises(ValueError, match="target"):
        plan(target=target)


def test_override_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="--working-days"):
        plan(override=0)


def test_month_without_working_days_is_refused() -> None:
    holidays = frozenset(NOVEMBER.days())
    with pytest.raises(ValueError, match="no working days"):
        plan(calendar=WorkCalendar(holidays=holidays))
    assert plan(calendar=WorkCalendar(holidays=holidays), override=5).per_day["calls"] == 200


def test_rates_must_be_complete_and_in_range() -> None:
    with pytest.raises(MissingRateError):
        plan(rates={"meetings": Fraction(1, 5)})
    with pytest.raises(ValueError):
        plan(rates={"meetings": Fraction(0), "sales": Fraction(1, 3)})
    with pytest.raises(ValueError):
        plan(rates={"meetings": Fraction(3, 2), "sales": Fraction(1, 3)})


# --- JSON ----------------------------------------------------------------------------------


def test_to_json_contract_shape() -> None:
    result = plan(
        today=date(2026, 11, 27),
        before={"calls": 900, "meetings": 140, "sales": 45},
        during={"calls": 5},
    )
    data = result.to_json()
    json.dumps(data)
    assert data["month"] == "2026-11"
    assert data["target"] == 50
    assert data["working_days"] == 21
    assert data["working_days_left"] == 2
    assert data["rates"] == {"meetings": 0.15, "sales": pytest.approx(1 / 3)}
    assert data["rates_source"] == {"meetings": "set", "sales": "set"}
    assert data["required"] == {"calls": 1000, "meetings": 150, "sales": 50}
    assert data["per_day"] == {"calls": 48, "meetings": 8, "sales": 3}
    assert data["done"] == {"calls": 905, "meetings": 140, "sales": 45}
    assert data["today_target"] == {"calls": 50, "meetings": 5, "sales": 3}
    assert data["today_needed"] == {"calls": 45, "meetings": 5, "sales": 3}
    assert data["pace"] == {"calls": 0, "meetings": 4, "sales": -1}


# --- choosing rates ------------------------------------------------------------------------


def test_flag_beats_history_beats_stored() -> None:
    history = {"calls": 100, "meetings": 20, "sales": 4}
    stored = {"meetings": Fraction(1, 10), "sales": Fraction(1, 2)}
    flags = {"sales": Fraction(1, 3)}
    rates, sources = choose_rates(flags, history, stored)
    assert rates == {"meetings": Fraction(1, 5), "sales": Fraction(1, 3)}
    assert sources == {"meetings": "history", "sales": "flag"}


def test_history_needs_thirty_at_the_denominator() -> None:
    assert HISTORY_MIN_DENOMINATOR == 30
    stored = {"meetings": Fraction(1, 10), "sales": Fraction(1, 2)}
    rates, sources = choose_rates({}, {"calls": 30, "meetings": 29, "sales": 10}, stored)
    assert rates == {"meetings": Fraction(29, 30), "sales": Fraction(1, 2)}
    assert sources == {"meetings": "history", "sales": "set"}


def test_unusable_history_falls_through_to_stored() -> None:
    assert history_rate({"calls": 40, "meetings": 0}, "meetings") is None
    assert history_rate({"calls": 40, "meetings": 50}, "meetings") is None
    assert history_rate({"calls": 40, "meetings": 4}, "meetings") == Fraction(1, 10)
    rates, sources = choose_rates(
        {}, {"calls": 40}, {"meetings": Fraction(1, 5), "sales": Fraction(1)}
    )
    assert sources == {"meetings": "set", "sales": "set"}
    assert rates["meetings"] == Fraction(1, 5)


def test_missing_rate_names_the_stage_and_the_flag() -> None:
    with pytest.raises(MissingRateError) as caught:
        choose_rates({}, {"calls": 12, "meetings": 3, "sales": 1}, {})
    assert caught.value.stage == "meetings"
    assert str(caught.value) == (
        "no rate for meetings yet (your last 90 days have 12 calls; 30 are needed): "
        "pass --rate meetings=15% or store one with `salestui rate set meetings=15%`"
    )
    with pytest.raises(MissingRateError) as caught:
        choose_rates({"meetings": Fraction(1, 5)}, {"calls": 12, "meetings": 1}, {})
    assert caught.value.stage == "sales"
    assert "--rate sales=" in str(caught.value)
    assert "1 meeting;" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_out_of_range_flag_is_refused() -> None:
    with pytest.raises(ValueError):
        choose_rates({"meetings": Fraction(2)}, {}, {"sales": Fraction(1, 3)})


def test_history_span_is_the_ninety_days_ending_yesterday() -> None:
    assert HISTORY_DAYS == 90
    span = history_span(date(2026, 11, 27))
    assert span.end == date(2026, 11, 26)
    assert span.start == date(2026, 8, 29)
    assert len(span) == 90


def test_describe_pace() -> None:
    from salestui.domain.metrics import CALLS, SALES
    from salestui.domain.planner import describe_pace

    assert describe_pace(-14, CALLS) == "14 calls behind pace"
    assert describe_pace(1, SALES) == "1 sale ahead of pace"
    assert describe_pace(0, CALLS) == "calls on pace"
