"""Counts per metric, summed from per-day totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from salestui.domain.metrics import METRIC_KEYS
from salestui.domain.periods import DateRange, month_of, week_of

Counts = dict[str, int]
"""Metric key -> count; every built-in metric present, 0 included."""

DayTotals = Mapping[date, Mapping[str, int]]
"""Per-day totals: day -> metric key -> net count."""


def zero_counts(keys: Sequence[str] = METRIC_KEYS) -> Counts:
    """A count of 0 for every metric in `keys` (the built-ins by default), in that order."""
    return dict.fromkeys(keys, 0)


def counts_from_rows(rows: Iterable[tuple[str, int]], keys: Sequence[str] = METRIC_KEYS) -> Counts:
    """(metric, count) rows -> Counts with every metric of `keys` present. Other metrics
    are dropped."""
    counts = zero_counts(keys)
    for metric, count in rows:
        if metric in counts:
            counts[metric] += int(count)
    return counts


def daily_series(totals: DayTotals, span: DateRange, metric: str) -> list[int]:
    """One count per day of `span` for `metric`, oldest first; days without events are 0."""
    return [totals.get(day, {}).get(metric, 0) for day in span.days()]


def sum_range(totals: DayTotals, span: DateRange, keys: Sequence[str] = METRIC_KEYS) -> Counts:
    """Sum the per-day totals that fall inside `span`, for the metrics in `keys`."""
    counts = zero_counts(keys)
    for day, by_metric in totals.items():
        if day in span:
            for metric, count in by_metric.items():
                if metric in counts:
                    counts[metric] += count
    return counts


SPARK_DAYS = 14


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """What the Today tab shows for one metric."""

    today: int
    week: int
    month: int
    last_days: tuple[int, ...]
    """Daily counts for the last SPARK_DAYS days, today last."""


def summary_span(today: date) -> DateRange:
    """The days `summarize_today` needs: this week, this month and the sparkline window."""
    start = min(week_of(today).start, month_of(today).start, today - timedelta(SPARK_DAYS - 1))
    return DateRange(start, today)


def summarize_today(
    totals: DayTotals, today: date, keys: Sequence[str] = METRIC_KEYS
) -> dict[str, MetricSummary]:
    """Today, week-to-date, month-to-date and the last 14 days for each metric of `keys`
    (the built-ins by default)."""
    week = sum_range(totals, DateRange(week_of(today).start, today), keys)
    month = sum_range(totals, DateRange(month_of(today).start, today), keys)
    spark = DateRange(today - timedelta(SPARK_DAYS - 1), today)
    summary: dict[str, MetricSummary] = {}
    for key in keys:
        series = daily_series(totals, spark, key)
        summary[key] = MetricSummary(series[-1], week[key], month[key], tuple(series))
    return summary
