from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

import pytest

from salestui.domain.funnel import (
    UNCERTAIN_BELOW,
    Funnel,
    format_rate,
    funnel_for,
    monthly_rates,
    uncertain_note,
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


# -- one way to say a rate (issue 8, item 5) ---------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "places", "expected"),
    [
        (3, 20, 1, "15%"),
        (19, 1000, 1, "1.9%"),
        (19, 1000, 0, "2%"),  # to nearest, never floored to 1%
        (6999, 10000, 0, "70%"),  # never 69%
        (25, 200, 0, "13%"),  # 12.5% rounds half up
        (1, 3, 1, "33.3%?"),  # fewer than 20 at the denominator: the one mark
        (19, 19, 1, "100%?"),
        (20, 20, 1, "100%"),
        (0, 5, 1, "0%?"),
        (4, 2, 1, "200%?"),  # odd data shown as it is
        (1, 3000, 1, "<0.1%"),
        (0, 0, 1, "—"),
    ],
)
def test_format_rate_is_the_one_way_to_say_a_rate(
    successes: int, trials: int, places: int, expected: str
) -> None:
    assert format_rate(successes, trials, places) == expected


def test_uncertain_note_gives_the_likely_range_rounded_to_nearest() -> None:
    assert uncertain_note(3, 20, "calls", "meetings") is None
    assert uncertain_note(0, 0, "calls", "meetings") is None
    assert uncertain_note(1, 3, "meetings", "sales") == (
        "? meetings → sales rests on 3 meetings (fewer than 20): uncertain, likely 6%–79%"
    )
    assert uncertain_note(2, 12, "calls", "meetings", within="Last week") == (
        "? Last week, calls → meetings rests on 12 calls (fewer than 20): uncertain, likely 5%–45%"
    )
    assert uncertain_note(1, 1, "calls", "meetings") == (
        "? calls → meetings rests on 1 call (fewer than 20): uncertain, likely 21%–100%"
    )
    # More meetings than calls is no sample: the warning without a range.
    assert uncertain_note(4, 2, "calls", "meetings") == (
        "? calls → meetings rests on 2 calls (fewer than 20): uncertain"
    )


def test_uncertain_note_range_rounds_half_up_not_half_even(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`f"{0.125:.0%}"` is `12%` (half to even); the footnote says 13%, as everywhere."""
    import salestui.domain.funnel as funnel_module

    monkeypatch.setattr(funnel_module, "wilson_interval", lambda s, t: (0.125, 0.625))
    note = uncertain_note(1, 4, "calls", "meetings")
    assert note is not None and note.endswith("likely 13%–63%")


def test_funnel_words_and_notes() -> None:
    funnel = Funnel({"calls": 5, "meetings": 0, "sales": 0})
    assert funnel.rate_text("meetings") == "0%?"
    assert funnel.rate_words("meetings") == "no meetings from 5 calls"
    assert funnel.rate_text("sales") == "—"
    assert funnel.rate_words("sales") == "no meetings to convert"
    assert funnel.overall_text() == "0%?"
    assert funnel.overall_words() == "no sales from 5 calls"
    assert funnel.notes() == [
        "? calls → meetings rests on 5 calls (fewer than 20): uncertain, likely 0%–43%",
        "? calls → sales rests on 5 calls (fewer than 20): uncertain, likely 0%–43%",
    ]
    assert funnel.notes(overall=False) == funnel.notes()[:1]
    big = Funnel({"calls": 40, "meetings": 6, "sales": 2})
    assert big.rate_text("meetings") == "15%"
    assert big.rate_words("meetings") == "1 meeting per 6.7 calls"
    assert big.overall_text() == "5%"
    assert big.notes() == [
        "? meetings → sales rests on 6 meetings (fewer than 20): uncertain, likely 10%–70%"
    ]


SAME_NOTE = "? meetings → sales rests on 3 meetings (fewer than 20): uncertain, likely 6%–79%"


def _seed_small_week(db_path, clock) -> None:  # type: ignore[no-untyped-def]
    from salestui.store import Store
    from tests.conftest import local

    with Store(db_path, clock=clock) as store:
        store.log("calls", 20, at=local("2026-11-23T09:00"))
        store.log("meetings", 3, at=local("2026-11-24T09:00"))
        store.log("sales", 1, at=local("2026-11-25T09:00"))


def test_cli_funnel_marks_and_footnotes_as_the_app_does(run, db_path, clock) -> None:
    _seed_small_week(db_path, clock)
    out = run("funnel", "-p", "week").out
    assert "↓ 15%  (1 meeting per 6.7 calls)" in out
    assert "↓ 33.3%?  (1 sale per 3 meetings)" in out
    assert "Overall 5% of calls close  (1 sale per 20 calls)" in out
    assert f"  {SAME_NOTE}\n" in out
    assert "!" not in out


def test_cli_funnel_without_calls_says_so(run) -> None:
    out = run("funnel", "-p", "week").out
    assert "↓ —  (no calls to convert)" in out
    assert "Overall —  (no calls to convert)" in out


def test_same_mark_and_note_in_cli_funnel_tab_history_and_report(run, db_path, clock) -> None:
    from rich.console import Console

    from salestui.domain.history import weekly_rows
    from salestui.domain.periods import parse_period
    from salestui.figures import FunnelView
    from salestui.tui.funnel import funnel_text
    from salestui.tui.history import week_table

    _seed_small_week(db_path, clock)
    cli_out = run("funnel", "-p", "week").out
    report_out = run("report", "-p", "week").out

    counts = {"calls": 20, "meetings": 3, "sales": 1}
    period = parse_period("week", date(2026, 11, 27))
    tab = funnel_text(FunnelView(period, period.range, Funnel(counts))).plain

    console = Console(width=100, record=True)
    console.print(week_table(weekly_rows({date(2026, 11, 23): counts}, date(2026, 11, 27), 2)))
    history = console.export_text()

    for shown in (cli_out, report_out, tab, history):
        assert "33.3%?" in shown
    for shown in (cli_out, tab):
        assert SAME_NOTE in shown
    assert SAME_NOTE.replace("? ", "? This week, ", 1) in report_out
    assert "? rests on fewer than 20 calls (or meetings): uncertain" in history
