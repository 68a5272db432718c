from __future__ import annotations

from datetime import date, timedelta

from salestui.domain.counts import (
    counts_from_rows,
    summarize_today,
    summary_span,
    zero_counts,
)

TODAY = date(2026, 11, 2)  # a Monday, early in the month


def test_zero_counts_lists_every_metric() -> None:
    assert zero_counts() == {"calls": 0, "meetings": 0, "sales": 0}


def test_counts_from_rows_ignores_unknown_metrics() -> None:
    assert counts_from_rows([("calls", 3), ("emails", 9), ("calls", 2)]) == {
        "calls": 5,
        "meetings": 0,
        "sales": 0,
    }


def test_summary_span_covers_week_month_and_sparkline() -> None:
    span = summary_span(TODAY)
    assert span.end == TODAY
    assert span.start == TODAY - timedelta(days=13)
    assert summary_span(date(2026, 11, 30)).start == date(2026, 11, 1)


def test_summarize_today() -> None:
    totals = {
        date(2026, 10, 30): {"calls": 4},  # last week, last month, inside 14 days
        date(2026, 11, 1): {"calls": 2, "meetings": 1},  # Sunday: last week, this month
        date(2026, 11, 2): {"calls": 5, "sales": 1},
        date(2026, 10, 1): {"calls": 100},  # outside everything
    }
    summary = summarize_today(totals, TODAY)
    calls = summary["calls"]
    assert (calls.today, calls.week, calls.month) == (5, 5, 7)
    assert len(calls.last_days) == 14
    assert (
        calls.last_days[-1] == 5
        and calls.last_days[-4] == 4
        and calls.last_days[-3] == 0
        and calls.last_days[-2] == 2
    )
    assert summary["meetings"].month == 1 and summary["meetings"].today == 0
    assert summary["sales"].today == 1
