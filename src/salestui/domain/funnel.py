"""The funnel: counts per stage and the conversion rates between stages.

A rate is named by the stage it converts INTO: `rates["meetings"]` is
meetings / calls, `rates["sales"]` is sales / meetings. `overall` is sales / calls.

Rates are exact fractions and are never clamped: odd data (more meetings than
calls, say from inbound meetings) gives a rate above 1, shown as it is. For a
monotone funnel (calls >= meetings >= sales >= 0) every rate lies in [0, 1].

One way to say a rate, used by the CLI, the Funnel and History tabs and the report:

- `format_rate(successes, trials)`: `14.9%`, rounded to nearest (half up); `33.3%?`
  when it rests on fewer than 20 events at its denominator; `—` when there is none;
- `uncertain_note(...)`: the footnote for a `?`, with its likely (Wilson 95%) range:
  `? meetings → sales rests on 3 meetings (fewer than 20): uncertain, likely 6%–79%`;
- `UNCERTAIN_LEGEND`: the one-line key under a table of marked rates;
- `rate_words(...)`: the rate in words, `1 meeting per 6.7 calls` or `no meetings
  from 5 calls`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from salestui.domain.counts import Counts, DayTotals, sum_range, zero_counts
from salestui.domain.metrics import METRICS, Metric, metric_by_key
from salestui.domain.periods import DateRange, month_of, month_range
from salestui.domain.rates import (
    format_percent,
    format_percent_range,
    format_rate_words,
    previous_stage,
)

UNCERTAIN_BELOW = 20
"""A rate from fewer events than this at its denominator is flagged as uncertain."""

WILSON_Z = 1.959963984540054
"""The normal quantile for a two-sided 95% interval."""

UNCERTAIN_MARK = "?"
"""The one mark, right after the percent, of a rate from fewer than 20 events."""

UNCERTAIN_LEGEND = (
    f"{UNCERTAIN_MARK} rests on fewer than {UNCERTAIN_BELOW} calls (or meetings): uncertain"
)
"""The key under a table whose cells may carry the mark (too many cells for a range each)."""


def _rate(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator > 0 else None


def _float_or_none(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Funnel:
    """Counts for a span and the rates derived from them.

    `Funnel(counts)` fills `rates` and `overall`; a rate whose denominator is 0
    (or below, in corrupt data) is None.
    """

    counts: Counts
    stages: tuple[Metric, ...] = METRICS
    """The funnel's stages, top first (the built-in calls → meetings → sales by default)."""
    rates: dict[str, Fraction | None] = field(init=False)
    overall: Fraction | None = field(init=False)

    def __post_init__(self) -> None:
        counts = zero_counts(self.keys)
        for key, value in self.counts.items():
            if key in counts:
                counts[key] = int(value)
        rates = {stage: _rate(counts[stage], counts[self.before(stage)]) for stage in self.keys[1:]}
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "rates", rates)
        object.__setattr__(self, "overall", _rate(counts[self.keys[-1]], counts[self.keys[0]]))

    @property
    def keys(self) -> tuple[str, ...]:
        """The stages' metric keys, top first."""
        return tuple(metric.key for metric in self.stages)

    def before(self, stage: str) -> str:
        """The stage that converts into `stage` (KeyError for the first or an unknown one)."""
        return previous_stage(stage, self.keys)

    def metric(self, key: str) -> Metric:
        """The stage's Metric (its names for wording)."""
        for metric in self.stages:
            if metric.key == key:
                return metric
        raise KeyError(key)

    def denominator(self, stage: str) -> int:
        """The count the rate into `stage` is taken from: calls for meetings, meetings for sales."""
        return self.counts[self.before(stage)]

    def uncertain(self, stage: str) -> bool:
        """True when the rate into `stage` rests on fewer than 20 events (0 included)."""
        return self.denominator(stage) < UNCERTAIN_BELOW

    def interval(self, stage: str) -> tuple[float, float] | None:
        """The Wilson 95% interval for the rate into `stage`.

        None when there is no rate, or when the counts are not a binomial sample
        (more conversions than attempts, or a negative count).
        """
        trials = self.denominator(stage)
        successes = self.counts[stage]
        if trials <= 0 or not 0 <= successes <= trials:
            return None
        return wilson_interval(successes, trials)

    def rate_text(self, stage: str, places: int = 1) -> str:
        """The rate into `stage` as shown everywhere: `14.9%`, `33.3%?`, `—`."""
        return format_rate(self.counts[stage], self.denominator(stage), places)

    def rate_words(self, stage: str) -> str:
        """The rate into `stage` in words: `1 meeting per 6.7 calls`, `no meetings from 5 calls`."""
        before = self.before(stage)
        return rate_words(
            self.counts[stage], self.counts[before], self.metric(before), self.metric(stage)
        )

    def overall_text(self, places: int = 1) -> str:
        """Sales over calls as shown everywhere: `5%`, `5%?` from fewer than 20 calls, `—`."""
        return format_rate(self.counts[self.keys[-1]], self.counts[self.keys[0]], places)

    def overall_words(self) -> str:
        """Sales over calls in words: `1 sale per 20 calls`, `no sales from 5 calls`."""
        first, last = self.stages[0], self.stages[-1]
        return rate_words(self.counts[last.key], self.counts[first.key], first, last)

    def notes(self, overall: bool = True, within: str = "") -> list[str]:
        """A footnote for each rate marked `?`: each step, then (unless `overall` is False)
        the overall rate. `within` names the column when a table shows two periods."""
        pairs = [(self.metric(self.before(stage)), self.metric(stage)) for stage in self.keys[1:]]
        if overall:
            pairs.append((self.stages[0], self.stages[-1]))
        notes: list[str] = []
        for before, stage in pairs:
            note = uncertain_note(
                self.counts[stage.key], self.counts[before.key], before, stage, within
            )
            if note is not None:
                notes.append(note)
        return notes

    def to_json(self, from_day: date | None, to_day: date | None) -> dict[str, object]:
        """The `funnel --json` shape: from, to, counts, rates (floats or null), overall."""
        return {
            "from": None if from_day is None else from_day.isoformat(),
            "to": None if to_day is None else to_day.isoformat(),
            "counts": dict(self.counts),
            "rates": {stage: _float_or_none(rate) for stage, rate in self.rates.items()},
            "overall": _float_or_none(self.overall),
        }


def wilson_interval(successes: int, trials: int, z: float = WILSON_Z) -> tuple[float, float]:
    """The Wilson score interval for `successes` out of `trials`, as floats in [0, 1].

    Needs trials >= 1 and 0 <= successes <= trials; raises ValueError otherwise.
    """
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}")
    p = successes / trials
    z2 = z * z
    scale = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / scale
    half = z / scale * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def is_uncertain(trials: int) -> bool:
    """True when a rate rests on fewer than 20 events at its denominator (and at least 1)."""
    return 0 < trials < UNCERTAIN_BELOW


def format_rate(successes: int, trials: int, places: int = 1) -> str:
    """`successes / trials` as a percent: `14.9%`, `33.3%?` from fewer than 20, `—` for none.

    Rounded to nearest, half up, by `format_percent` (never `0%` for a rate above 0,
    nor `100%` for one below 1). Rates above 1 in odd data are shown as they are.
    """
    if trials <= 0:
        return "—"
    mark = UNCERTAIN_MARK if is_uncertain(trials) else ""
    return format_percent(Fraction(successes, trials), places) + mark


def rate_words(
    successes: int, trials: int, from_metric: Metric | str, to_metric: Metric | str
) -> str:
    """The rate in words: `1 meeting per 6.7 calls`; `no meetings from 5 calls` for none;
    `no calls to convert` when there is nothing to divide by."""
    source = from_metric if isinstance(from_metric, Metric) else metric_by_key(from_metric)
    target = to_metric if isinstance(to_metric, Metric) else metric_by_key(to_metric)
    if trials <= 0:
        return f"no {source.key} to convert"
    if successes == 0:
        return f"no {target.key} from {source.amount(trials)}"
    return format_rate_words(Fraction(successes, trials), source, target)


def uncertain_note(
    successes: int,
    trials: int,
    from_metric: Metric | str,
    to_metric: Metric | str,
    within: str = "",
) -> str | None:
    """The footnote of a rate marked `?`, None for a rate that is not marked.

    `? calls → meetings rests on 12 calls (fewer than 20): uncertain, likely 9%–23%`;
    with `within="Last week"`: `? Last week, calls → meetings rests on …`. The likely
    range is the Wilson 95% interval, its ends rounded to nearest. Odd data (more
    conversions than attempts) has no range, only the warning.
    """
    if not is_uncertain(trials):
        return None
    source = from_metric if isinstance(from_metric, Metric) else metric_by_key(from_metric)
    target = to_metric if isinstance(to_metric, Metric) else metric_by_key(to_metric)
    where = f"{within}, " if within else ""
    note = (
        f"{UNCERTAIN_MARK} {where}{source.key} → {target.key} rests on "
        f"{source.amount(trials)} (fewer than {UNCERTAIN_BELOW}): uncertain"
    )
    if 0 <= successes <= trials:
        low, high = wilson_interval(successes, trials)
        note += f", likely {format_percent_range(low, high)}"
    return note


def months_back(today: date, months: int) -> list[DateRange]:
    """The last `months` calendar months up to today's, oldest first."""
    ranges: list[DateRange] = []
    year, month = today.year, today.month
    for _ in range(months):
        ranges.append(month_range(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    ranges.reverse()
    return ranges


def monthly_rates(
    totals: DayTotals, today: date, months: int = 12, stages: tuple[Metric, ...] = METRICS
) -> list[tuple[str, Funnel]]:
    """One funnel of `stages` per calendar month, the last `months` months up to today's,
    oldest first.

    Labels are `YYYY-MM`; today's month counts what is there so far. Raises
    ValueError when `months` < 1.
    """
    if months < 1:
        raise ValueError("monthly_rates needs months >= 1")
    spans = months_back(today, months)
    first, last = spans[0].start, month_of(today).end
    keys = tuple(metric.key for metric in stages)
    buckets: dict[str, Counts] = {_label(span): zero_counts(keys) for span in spans}
    for day, by_metric in totals.items():
        if not first <= day <= last:
            continue
        bucket = buckets[f"{day.year:04d}-{day.month:02d}"]
        for metric, count in by_metric.items():
            if metric in bucket:
                bucket[metric] += count
    return [(label, Funnel(counts, stages)) for label, counts in buckets.items()]


def _label(span: DateRange) -> str:
    return f"{span.start.year:04d}-{span.start.month:02d}"


def funnel_for(totals: DayTotals, span: DateRange, stages: tuple[Metric, ...] = METRICS) -> Funnel:
    """The funnel of `stages` (the built-in one by default) over the per-day totals
    inside `span`."""
    return Funnel(sum_range(totals, span, tuple(metric.key for metric in stages)), stages)
