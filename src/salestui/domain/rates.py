"""Conversion rates: parsing `15%`, `0.15`, `1/7` and showing them back.

A rate is an exact `Fraction` in (0, 1]. It is named by the stage it converts INTO:
`meetings=15%` is calls -> meetings, `sales=1/3` is meetings -> sales.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from salestui.domain.metrics import METRIC_KEYS, METRICS, Metric, metric_by_key, parse_metric

RATE_STAGES: tuple[str, ...] = tuple(metric.key for metric in METRICS[1:])
"""Stages a rate can name: every metric that has a previous stage (meetings, sales)."""

RATE_HELP = (
    "a percentage (15%, 12.5%), a decimal (0.15) or a fraction (1/7), above 0 and at most 100%"
)
STAGE_HELP = "rates name the stage they convert into: " + " or ".join(RATE_STAGES)

_PERCENT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*%")
_DECIMAL = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")


def previous_stage(stage: str, stages: Sequence[str] = METRIC_KEYS) -> str:
    """The stage that converts into `stage` in the funnel `stages` (the built-in one by
    default): `calls` for `meetings`, `meetings` for `sales`.

    Raises KeyError for the first stage or an unknown key.
    """
    keys = list(stages)
    index = keys.index(stage) if stage in keys else -1
    if index < 1:
        raise KeyError(stage)
    return keys[index - 1]


def parse_rate(text: str) -> Fraction:
    """Read a rate exactly: `15%` -> 3/20, `12.5%` -> 1/8, `0.15` -> 3/20, `1/7` -> 1/7.

    Raises ValueError with a one-line message saying what is accepted unless
    0 < rate <= 1.
    """
    raw = text.strip()
    rate: Fraction | None = None
    if match := _PERCENT.fullmatch(raw):
        rate = Fraction(match.group(1)) / 100
    elif _DECIMAL.fullmatch(raw):
        rate = Fraction(raw)
    elif match := _FRACTION.fullmatch(raw):
        denominator = int(match.group(2))
        if denominator == 0:
            raise ValueError(f"bad rate {text!r}: division by zero; use {RATE_HELP}")
        rate = Fraction(int(match.group(1)), denominator)
    if rate is None:
        raise ValueError(f"bad rate {text!r}; use {RATE_HELP}")
    if rate <= 0:
        raise ValueError(f"bad rate {text!r}: a rate must be above 0; use {RATE_HELP}")
    if rate > 1:
        hint = f" (did you mean {raw}%?)" if _DECIMAL.fullmatch(raw) and rate <= 100 else ""
        raise ValueError(f"bad rate {text!r}: a rate is at most 100%{hint}; use {RATE_HELP}")
    return rate


def parse_stage(text: str) -> str:
    """The key of the stage a rate converts into (`meetings`, `m`, `meeting` -> `meetings`).

    Raises ValueError for `calls` (the first stage) and for unknown names.
    """
    try:
        metric = parse_metric(text)
    except ValueError:
        raise ValueError(f"unknown stage {text.strip()!r}; {STAGE_HELP}") from None
    if metric.key not in RATE_STAGES:
        raise ValueError(f"{metric.key} is the first stage; {STAGE_HELP}")
    return metric.key


def parse_rate_assignment(text: str) -> tuple[str, Fraction]:
    """Read `STAGE=VALUE`, e.g. `meetings=15%` -> ("meetings", 3/20), `s=1/3` -> ("sales", 1/3).

    Raises ValueError with a one-line message for a missing `=`, an unknown or
    first stage (`calls`), or a bad value.
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ValueError(f"bad rate {text!r}: use STAGE=VALUE, e.g. meetings=15% or sales=1/3")
    return parse_stage(name), parse_rate(value)


def _round_half_up(value: Fraction, places: int) -> Fraction:
    """`value` rounded to `places` decimals, halves away from zero (exact)."""
    scale = 10**places
    magnitude = Fraction((abs(value) * scale * 2 + 1) // 2, scale)
    return magnitude if value >= 0 else -magnitude


def _decimal_text(value: Fraction, places: int) -> str:
    """A rounded decimal without trailing zeros: 6.7, 3, 1,000 (thousands separated)."""
    rounded = _round_half_up(value, places)
    scale = 10**places
    scaled = int(rounded * scale)
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), scale)
    text = f"{whole:,}"
    if places > 0 and part:
        text += "." + f"{part:0{places}d}".rstrip("0")
    return sign + text


def format_percent(rate: Fraction, places: int = 1) -> str:
    """`14.9%`, `15%` when whole; halves round up.

    A rate above 0 too small to show is `<0.1%`, one just under 1 is `>99.9%`,
    so a rounded figure never claims 0% or 100% when it is not.
    """
    percent = rate * 100
    text = _decimal_text(percent, places)
    step = Fraction(1, 10**places)
    smallest = _decimal_text(step, places)
    if rate > 0 and _round_half_up(percent, places) == 0:
        return f"<{smallest}%"
    if rate < 1 and _round_half_up(percent, places) == 100:
        return f">{_decimal_text(100 - step, places)}%"
    return f"{text}%"


def format_percent_range(low: Fraction | float, high: Fraction | float, places: int = 0) -> str:
    """A likely range, `9%–23%`: each end through `format_percent`, so rounded to nearest.

    Floats (a Wilson interval) are read exactly as the binary value they hold, then
    rounded half up; `f"{x:.0%}"` would round half to even and drift on binary floats.
    """
    return f"{format_percent(Fraction(low), places)}–{format_percent(Fraction(high), places)}"


def _metric(value: Metric | str) -> Metric:
    return value if isinstance(value, Metric) else metric_by_key(value)


def format_rate_words(rate: Fraction, from_metric: Metric | str, to_metric: Metric | str) -> str:
    """The rate in words: `1 meeting per 6.7 calls`, `1 sale per 3 meetings`, `1 meeting per call`.

    Rates above 1 (more meetings than calls in odd data) read `2 meetings per call`;
    a zero rate reads `0 meetings per call`.
    """
    source = _metric(from_metric)
    target = _metric(to_metric)
    if rate <= 0:
        return f"0 {target.key} per {source.singular}"
    if rate > 1:
        many = _decimal_text(rate, 1)
        noun = target.singular if many == "1" else target.key
        return f"{many} {noun} per {source.singular}"
    per = _decimal_text(1 / rate, 1)
    if per == "1":
        return f"1 {target.singular} per {source.singular}"
    return f"1 {target.singular} per {per} {source.key}"


def format_rate_input(rate: Fraction, max_places: int = 6) -> str:
    """A rate as the user would type it, so `parse_rate` gives back the same Fraction.

    `15%`, `12.5%` when the percentage is a short exact decimal, else `1/3`.
    """
    percent = rate * 100
    for places in range(max_places + 1):
        if (percent * 10**places).denominator == 1:
            return f"{_decimal_text(percent, places).replace(',', '')}%"
    return f"{rate.numerator}/{rate.denominator}"
