"""Tiny text charts: a sparkline and a progress bar as plain strings (cheap to draw)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

SPARK_CHARS = "▁▂▃▄▅▆▇█"


def count_spark(counts: Sequence[int]) -> str:
    """One cell per value: `▁` for nothing, `▂`…`█` scaled to the largest."""
    top = max(counts, default=0)
    if top <= 0:
        return SPARK_CHARS[0] * len(counts)
    cells = len(SPARK_CHARS) - 2
    return "".join(
        SPARK_CHARS[0] if count <= 0 else SPARK_CHARS[1 + round(cells * count / top)]
        for count in counts
    )


def rate_spark(values: Sequence[Fraction | None]) -> str:
    """One cell per rate between the lowest and highest; a blank where there is none."""
    known = [value for value in values if value is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    chars = []
    for value in values:
        if value is None:
            chars.append(" ")
        elif high == low:
            chars.append(SPARK_CHARS[3])
        else:
            step = (value - low) / (high - low) * (len(SPARK_CHARS) - 1)
            chars.append(SPARK_CHARS[round(step)])
    return "".join(chars)


def progress_bar(done: int, target: int, width: int = 14) -> str:
    """`███████░░░░░░░  50%`; full (and over 100%) once the target is met."""
    if target <= 0:
        return ""
    filled = min(width, width * max(done, 0) // target)
    percent = 100 * max(done, 0) // target
    return "█" * filled + "░" * (width - filled) + f" {percent:>3}%"
