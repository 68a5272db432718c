"""The prospect figures (pure; no I/O): sales cycle time, touches before a win, win rate
by source, referrals per month and stalled prospects.

Days are local calendar dates, stored with each event and change at the moment it
happened, so a cycle is a difference of dates: a daylight-saving change (a 23- or
25-hour day) cannot shift it by one, whatever `TZ` the reader runs under.

Quantiles (median, p25, p75) use linear interpolation between the closest ranks: the
"type 7" method of Hyndman and Fan (1996), the default of R, NumPy and spreadsheets'
PERCENTILE.INC. For sorted values x[0..n-1] the q-quantile sits at h = (n-1)q and is
x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h]). Exact `Fraction`s throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from salestui.domain.periods import DateRange
from salestui.domain.prospects import SOURCES
from salestui.domain.text import visible


@dataclass(frozen=True, slots=True)
class Closed:
    """One prospect closed (won or lost) in the period, as the figures need it.

    `first_touch` and `touches` count only touches on or before `closed_on`."""

    source: str
    won: bool
    created_on: date | None
    closed_on: date
    first_touch: date | None
    touches: int

    @property
    def cycle_days(self) -> int | None:
        """Calendar days from the first touch to the close (`closed_on - first_touch`);
        a prospect never touched counts from the day it was added (`created_on`);
        None when neither is known. Never below 0."""
        start = self.first_touch if self.first_touch is not None else self.created_on
        if start is None:
            return None
        return max(0, (self.closed_on - start).days)


def quantile(values: Sequence[int | Fraction], q: Fraction) -> Fraction | None:
    """The q-quantile (0 <= q <= 1) of `values` by linear interpolation (type 7, see the
    module docstring); None for no values."""
    if not values:
        return None
    if not 0 <= q <= 1:
        raise ValueError(f"a quantile is between 0 and 1, not {q}")
    ordered = sorted(Fraction(value) for value in values)
    h = (len(ordered) - 1) * q
    low = h.numerator // h.denominator
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and middle half (p25, p75) of some days or counts; None when no values."""

    median: Fraction | None
    p25: Fraction | None
    p75: Fraction | None

    @classmethod
    def of(cls, values: Sequence[int]) -> Spread:
        return cls(
            quantile(values, Fraction(1, 2)),
            quantile(values, Fraction(1, 4)),
            quantile(values, Fraction(3, 4)),
        )


def win_rate(won: int, closed: int) -> Fraction | None:
    """won / closed, exact; None when none closed."""
    return Fraction(won, closed) if closed else None


@dataclass(frozen=True, slots=True)
class SourceFigures:
    """The prospects of one source closed in the period."""

    closed: int
    won: int
    win_rate: Fraction | None
    cycle_days: Spread


@dataclass(frozen=True, slots=True)
class ReferralMonth:
    """Referrals received (added with source `referral`) in one month, and how they did
    so far: win rate = won / closed among them, None while none is closed."""

    month: str
    received: int
    won: int
    lost: int
    win_rate: Fraction | None


@dataclass(frozen=True, slots=True)
class ProspectStats:
    """The prospect figures of a period."""

    won: int
    lost: int
    cycle_days: Spread
    """First touch to won, in calendar days (won prospects only)."""
    touches_to_win: Spread
    """Touches on or before the day it was won (won prospects only)."""
    by_source: dict[str, SourceFigures]
    referrals: list[ReferralMonth]
    stalled: int
    stalled_days: int
    due: int = 0
    sources_seen: tuple[str, ...] = field(default=())

    @property
    def closed(self) -> int:
        return self.won + self.lost


def prospect_stats(
    closed: Iterable[Closed],
    referrals: Iterable[tuple[date, str]] = (),
    *,
    stalled: int = 0,
    stalled_days: int = 14,
    due: int = 0,
) -> ProspectStats:
    """The figures from the prospects closed in the period, the referrals added in it
    (their day added and status now), and the counts of stalled and due prospects."""
    closed = list(closed)
    wins = [each for each in closed if each.won]
    cycles = [days for days in (each.cycle_days for each in wins) if days is not None]
    sources = list(SOURCES) + sorted({each.source for each in closed} - set(SOURCES))
    by_source: dict[str, SourceFigures] = {}
    for source in sources:
        mine = [each for each in closed if each.source == source]
        mine_won = [each for each in mine if each.won]
        by_source[source] = SourceFigures(
            closed=len(mine),
            won=len(mine_won),
            win_rate=win_rate(len(mine_won), len(mine)),
            cycle_days=Spread.of(
                [d for d in (each.cycle_days for each in mine_won) if d is not None]
            ),
        )
    months: dict[str, list[str]] = {}
    for day, status in referrals:
        months.setdefault(f"{day.year:04d}-{day.month:02d}", []).append(status)
    referral_months = [
        ReferralMonth(
            month=month,
            received=len(statuses),
            won=statuses.count("won"),
            lost=statuses.count("lost"),
            win_rate=win_rate(
                statuses.count("won"), statuses.count("won") + statuses.count("lost")
            ),
        )
        for month, statuses in sorted(months.items())
    ]
    return ProspectStats(
        won=len(wins),
        lost=len(closed) - len(wins),
        cycle_days=Spread.of(cycles),
        touches_to_win=Spread.of([each.touches for each in wins]),
        by_source=by_source,
        referrals=referral_months,
        stalled=stalled,
        stalled_days=stalled_days,
        due=due,
        sources_seen=tuple(sorted({each.source for each in closed})),
    )


def number(value: Fraction | None) -> int | float | None:
    """A figure for JSON: a whole number as int, else a float; None stays None."""
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


# -- as the command line and the report show them ------------------------------------------


def spread_json(spread: Spread) -> dict[str, int | float | None]:
    return {
        "median": number(spread.median),
        "p25": number(spread.p25),
        "p75": number(spread.p75),
    }


def stats_json(stats: ProspectStats, span: DateRange | None) -> dict[str, Any]:
    """`prospect stats --json` (DESIGN), with referrals per month, stalled and due."""
    return {
        "from": span.start.isoformat() if span is not None else None,
        "to": span.end.isoformat() if span is not None else None,
        "won": stats.won,
        "lost": stats.lost,
        "cycle_days": spread_json(stats.cycle_days),
        "touches_to_win": spread_json(stats.touches_to_win),
        "by_source": {
            source: {
                "prospects": figures.closed,
                "won": figures.won,
                "win_rate": _rate(figures.win_rate),
                "cycle_days": spread_json(figures.cycle_days),
            }
            for source, figures in stats.by_source.items()
        },
        "referrals": [
            {
                "month": month.month,
                "received": month.received,
                "won": month.won,
                "lost": month.lost,
                "win_rate": _rate(month.win_rate),
            }
            for month in stats.referrals
        ],
        "stalled": stats.stalled,
        "stalled_days": stats.stalled_days,
        "due": stats.due,
    }


def _rate(value: Any) -> float | None:
    """A rate for JSON as `funnel --json` gives one: a float, or null."""
    return float(value) if value is not None else None


def _figure(value: Any, unit: str = "") -> str:
    shown = number(value)
    if shown is None:
        return "-"
    return (f"{shown:g}" if isinstance(shown, float) else str(shown)) + unit


def _percent(value: Any) -> str:
    return "-" if value is None else f"{float(value):.0%}"


def stats_lines(stats: ProspectStats) -> list[str]:
    """`prospect stats` as text (also the report's section body), control characters
    made visible."""
    cycle = stats.cycle_days
    lines = [
        f"Won {stats.won}, lost {stats.lost}"
        + (f" (win rate {_percent(stats.won / stats.closed)})" if stats.closed else ""),
        f"Sales cycle: median {_figure(cycle.median, ' days')}"
        + (
            f" (middle half {_figure(cycle.p25)}–{_figure(cycle.p75)} days)"
            if cycle.median is not None
            else ""
        ),
        f"Touches before a win: median {_figure(stats.touches_to_win.median)}",
    ]
    shown = [(s, f) for s, f in stats.by_source.items() if f.closed]
    if shown:
        lines.append("By source:")
        for source, figures in shown:
            lines.append(
                f"  {source:<9} {figures.won}/{figures.closed} won ({_percent(figures.win_rate)}),"
                f" cycle median {_figure(figures.cycle_days.median, ' days')}"
            )
    for month in stats.referrals:
        lines.append(
            f"Referrals {month.month}: {month.received} received, {month.won} won"
            f" ({_percent(month.win_rate)} of those closed)"
        )
    lines.append(f"Stalled (no touch for {stats.stalled_days}+ days): {stats.stalled}")
    lines.append(f"Follow-ups due: {stats.due}")
    return [visible(line) for line in lines]  # source names may come from an import
