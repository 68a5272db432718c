"""The metrics a user tallies, in funnel order."""

from __future__ import annotations

import re

from salestui.domain.record import Record

METRIC_KEY = re.compile(r"[a-z][a-z0-9_]{1,29}")
"""The shape of a metric's stored (plural) name: `calls`, `emails`, `applications`."""


class Metric(Record):
    """One tallied metric: `calls`, `meetings` or `sales` (immutable)."""

    __match_args__ = ("key", "singular", "letter", "label")
    __slots__ = __match_args__
    key: str
    """The plural name used in the database, JSON and CLI output."""
    singular: str
    letter: str
    label: str

    def __init__(self, key: str, singular: str, letter: str, label: str) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "singular", singular)
        object.__setattr__(self, "letter", letter)
        object.__setattr__(self, "label", label)

    def amount(self, count: int) -> str:
        """`1 call`, `3 calls`."""
        return f"{count:,} {self.singular if abs(count) == 1 else self.key}"

    def change(self, delta: int) -> str:
        """A tally as shown to the user: `+1 call`, `−3 calls`."""
        return f"{'+' if delta > 0 else '−'}{self.amount(abs(delta))}"


CALLS = Metric("calls", "call", "c", "Calls")
MEETINGS = Metric("meetings", "meeting", "m", "Meetings")
SALES = Metric("sales", "sale", "s", "Sales")

METRICS: tuple[Metric, ...] = (CALLS, MEETINGS, SALES)
"""Built-in metrics in funnel order: each stage converts into the next."""

METRIC_KEYS: tuple[str, ...] = tuple(metric.key for metric in METRICS)

MAX_COUNT = 10_000
"""The largest change one event may make (|delta|): COUNT, corrections, imported deltas.
Bounded so that a day's total can never overflow SQLite's 64-bit integers."""

_BY_NAME: dict[str, Metric] = {}
for _metric in METRICS:
    for _name in (_metric.key, _metric.singular, _metric.letter):
        _BY_NAME[_name] = _metric


def known_metrics_text() -> str:
    """The accepted spellings, for error messages."""
    return ", ".join(f"{m.key} ({m.singular}, {m.letter})" for m in METRICS)


def parse_metric(text: str) -> Metric:
    """Return the metric named by its plural, singular or one-letter key.

    Raises ValueError naming the known metrics when the text names none.
    """
    metric = _BY_NAME.get(text.strip().lower())
    if metric is None:
        raise ValueError(f"unknown metric {text!r}; known metrics: {known_metrics_text()}")
    return metric


def metric_by_key(key: str) -> Metric:
    """The metric stored under `key` (plural form). Raises KeyError for others."""
    for metric in METRICS:
        if metric.key == key:
            return metric
    raise KeyError(key)
