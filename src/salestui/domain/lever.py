"""Which rate to improve: how much the top of the funnel shrinks per stage.

The idea salestui is built on: "if 50 calls a day sounds terrible, improve the rate that
is weakest". For a plan (a target at the bottom of a funnel and one rate per stage) this
module works out, exactly, how many fewer top-of-funnel events the month needs when one
stage's rate rises by a few points, and names the cheapest lever: the stage where
getting back to your own best month of the last twelve saves the most. A stage already
at or above its best month has no proven room, so it is not the lever; when no stage
has room, the lever is the stage whose +5 points saves the most.

Pure and exact: rates are `Fraction`s; required counts round up once, from the target,
as in the planner (`required_top`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

STEPS_POINTS: tuple[int, ...] = (5, 10)
"""The improvements shown for every stage, in percentage points."""


def required_top(target: int, rates: Mapping[str, Fraction], stages: Sequence[str]) -> int:
    """How many of the first stage reach `target` of the last: ceil(target / product of
    the rates into every later stage)."""
    product = Fraction(1)
    for stage in stages[1:]:
        product *= rates[stage]
    return math.ceil(target / product)


def improved(rate: Fraction, points: int) -> Fraction:
    """`rate` raised by `points` percentage points, never above 100%."""
    return min(Fraction(1), rate + Fraction(points, 100))


@dataclass(frozen=True, slots=True)
class StageLever:
    """What improving the rate into one stage would save at the top of the funnel."""

    stage: str
    """The stage the rate converts into (`meetings` is calls → meetings)."""
    rate: Fraction
    savings: dict[int, int]
    """Points of improvement -> fewer top-of-funnel events needed (0 when already 100%)."""
    best: Fraction | None
    """The best monthly rate of the last twelve months (None: no month had data)."""
    to_best: int
    """Fewer top events if the rate came back to `best` (0 when at or above it)."""

    @property
    def has_room(self) -> bool:
        """True when the user has done better than this before (a proven lever)."""
        return self.best is not None and self.best > self.rate


@dataclass(frozen=True, slots=True)
class Levers:
    """Every stage's lever and the one to pull first."""

    top: int
    """The top-of-funnel events the plan needs as it stands."""
    stages: tuple[StageLever, ...]
    cheapest: StageLever | None
    """The stage to improve first (None for a funnel whose rates are all 100%)."""
    reason: str
    """Why it is the cheapest, in a few words."""


def levers(
    target: int,
    rates: Mapping[str, Fraction],
    stages: Sequence[str],
    monthly: Mapping[str, Sequence[Fraction | None]] | None = None,
) -> Levers:
    """The savings of improving each stage's rate by 5 and 10 points, and the cheapest lever.

    `stages` is the funnel, top first; `rates[stage]` converts into `stage` (every stage
    but the first). `monthly[stage]` holds that stage's monthly rates of the last twelve
    months (None for a month with nothing at the denominator).
    """
    if len(stages) < 2:
        raise ValueError("a funnel needs at least two stages")
    top = required_top(target, rates, stages)
    found: list[StageLever] = []
    for stage in stages[1:]:
        rate = rates[stage]
        savings = {}
        for points in STEPS_POINTS:
            better = dict(rates)
            better[stage] = improved(rate, points)
            savings[points] = top - required_top(target, better, stages)
        months = [value for value in (monthly or {}).get(stage, ()) if value is not None]
        best = max(months) if months else None
        to_best = 0
        if best is not None and best > rate:
            back = dict(rates)
            back[stage] = min(Fraction(1), best)
            to_best = top - required_top(target, back, stages)
        found.append(StageLever(stage, rate, savings, best, to_best))
    with_room = [lever for lever in found if lever.has_room and lever.to_best > 0]
    if with_room:
        cheapest = max(with_room, key=lambda lever: (lever.to_best, -stages.index(lever.stage)))
        reason = "your best month of the last twelve shows it can be done"
    else:
        movable = [lever for lever in found if lever.savings[STEPS_POINTS[0]] > 0]
        if not movable:
            return Levers(top, tuple(found), None, "every rate is already 100%")
        cheapest = max(
            movable,
            key=lambda lever: (lever.savings[STEPS_POINTS[0]], -stages.index(lever.stage)),
        )
        reason = f"+{STEPS_POINTS[0]} points there saves the most"
    return Levers(top, tuple(found), cheapest, reason)
