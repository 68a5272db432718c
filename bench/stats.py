"""Medians, summaries and the rotation that interleaves the sides of every ratio."""

from __future__ import annotations

import statistics
from typing import Any, TypeVar

T = TypeVar("T")


def median(values: list[float]) -> float:
    """The median, or NaN for no samples (a row then reads n/a)."""
    return statistics.median(values) if values else float("nan")


def summary(values: list[float]) -> dict[str, Any]:
    """Median, min, quartiles and the raw samples."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
    middle = statistics.median(ordered)
    return {
        "n": len(ordered),
        "median": middle,
        "min": ordered[0],
        "max": ordered[-1],
        "p25": q[0],
        "p75": q[2],
        "iqr_pct": 100 * (q[2] - q[0]) / middle if middle else None,
        "samples": values,
    }


def rotate(items: list[T], by: int) -> list[T]:
    """`items` started at position `by`: each repetition starts with another side."""
    by %= len(items)
    return items[by:] + items[:by]


def ms(values: list[float]) -> list[float]:
    """Seconds to milliseconds."""
    return [1000 * v for v in values]
