from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest

from salestui.domain.funnel import (
    UNCERTAIN_BELOW,
    Funnel,
    funnel_for,
    monthly_rates,
    wilson_interval,
)
from salestui.domain.periods import DateRange


def test_rates_are_named_by_the_stage_they_convert_into() -> None:
    funnel = Funnel({"calls": 40, "meetings": 6, "sales": 2})
    assert funnel.rates == {"meetings": Fraction(3, 20), "sales": Fraction(1, 3)}
    assert funnel.overall == Fraction(1, 20)


def test_missing_metrics_count_as_zero_and_unknown_ones_are_dropped() -> None:
    funnel = Funnel({"calls": 5, "emails": 9})
    assert funnel.counts == {"calls": 5, "meetings": 0, "sales": 0}
    assert funnel.rates == {"meetings": Fraction(0), "sales": None}
    assert funnel.overall == Fraction(0)


def test_zero_denominator_gives_none_never_an_error() -> None:
    funnel = Funnel({"calls": 0, "meetings": 0, "sales": 0})
    assert funnel.rates == {"meetings": None, "sales": None}
    assert funnel.overall is None
    assert funnel.interval("meetings") is None
    assert funnel.uncertain("meetings") is True


def test_odd_data_keeps_the_exact_rate_unclamped() -> None:
    funnel = Funnel({"calls": 2, "meetings": 4, "sales": 1})
    assert funnel.rates["meetings"] == Fraction(2)
    assert funnel.interval("meetings") is None  # not a binomial sample
    assert funnel.interval("sales") is not None


def test_uncertain_below_twenty_at_the_denominator() -> None:
    assert UNCERTAIN_BELOW == 20
    funnel = Funnel({"calls": 20, "meetings": 19, "sales": 3})
    assert funnel.uncertain("meetings") is False
    assert funnel.uncertain("sales") is True


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(6, 40)
    assert low == pytest.approx(0.0706, abs=1e-4)
    assert high == pytest.approx(0.2907, abs=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4)
    assert high == 1.0
    with pytest.raises(ValueError):
        wilson_interval(3, 0)


def test_interval_contains_the_rate() -> None:
    funnel = Funnel({"calls": 40, "meetings": 6, "sales": 2})
    interval = funnel.interval("meetings")
    assert interval is not None
    assert interval[0] < 0.15 < interval[1]


def test_to_json_contract_shape() -> None:
    funnel = Funnel({"calls": 5, "meetings": 2, "sales": 1})
    data = funnel.to_json(date(2026, 11, 1), date(2026, 11, 30))
    assert data == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "counts": {"calls": 5, "meetings": 2, "sales": 1},
        "rates": {"meetings": 0.4, "sales": 0.5},
        "overall": 0.2,
    }
    json.dumps(data)


def test_to_json_empty_all_period() -> None:
    data = Funnel({}).to_json(None, None)
    assert data == {
        "from": None,
        "to": None,
        "counts": {"calls": 0, "meetings": 0, "sales": 0},
        "rates": {"meetings": None, "sales": None},
        "overall": None,
    }


def test_funnel_for_sums_only_the_span() -> None:
    totals = {
        date(2026, 10, 31): {"calls": 100},
        date(2026, 11, 1): {"calls": 10, "meetings": 2},
        date(2026, 11, 30): {"calls": 10, "meetings": 1, "sales": 1},
        date(2026, 12, 1): {"sales": 7},
    }
    funnel = funnel_for(totals, DateRange(date(2026, 11, 1), date(2026, 11, 30)))
    assert funnel.counts == {"calls": 20, "meetings": 3, "sales": 1}


def test_monthly_rates_oldest_first_across_a_year_end() -> None:
    totals = {
        date(2025, 11, 30): {"calls": 50},  # outside the 3 months
        date(2025, 12, 5): {"calls": 10, "meetings": 5},
        date(2026, 2, 1): {"calls": 4, "meetings": 1, "sales": 1},
        date(2026, 2, 20): {"calls": 4},
    }
    result = monthly_rates(totals, date(2026, 2, 10), months=3)
    assert [label for label, _ in result] == ["2025-12", "2026-01", "2026-02"]
    december, january, february = (funnel for _, funnel in result)
    assert december.rates["meetings"] == Fraction(1, 2)
    assert january.counts == {"calls": 0, "meetings": 0, "sales": 0}
    assert january.rates == {"meetings": None, "sales": None}
    assert february.counts == {"calls": 8, "meetings": 1, "sales": 1}


def test_monthly_rates_defaults_to_twelve_months() -> None:
    result = monthly_rates({}, date(2026, 11, 27))
    assert len(result) == 12
    assert result[0][0] == "2025-12"
    assert result[-1][0] == "2026-11"
    with pytest.raises(ValueError):
        monthly_rates({}, date(2026, 11, 27), months=0)
