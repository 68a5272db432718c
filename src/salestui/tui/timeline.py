"""What the large Today layout shows under the panels: today's tallies in order with
their notes, this week against its target, the funnel's rates in use. Plain text,
worked out from the store's records and the plan (no widgets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from salestui.domain.counts import MetricSummary
from salestui.domain.metrics import Metric
from salestui.domain.periods import DateRange, week_of
from salestui.domain.rates import format_percent
from salestui.tui.layouts import fit

if TYPE_CHECKING:
    from salestui.domain.planner import Plan
    from salestui.store.events import Event

SOURCES = {"history": "90-day history", "set": "set by you", "flag": "given"}
"""Where a rate comes from, in words (the Goals tab's words)."""


def timeline(events: Iterable[Event], words: Callable[[str], Metric]) -> list[tuple[str, str]]:
    """Today's tallies still in force, oldest first: (`09:12 +1 call`, its notes)."""
    events = list(events)
    cancelled = {event.cancels for event in events if event.cancels}
    notes: dict[str, list[str]] = {}
    for event in events:
        if event.about and event.note:
            notes.setdefault(event.about, []).append(event.note)
    rows: list[tuple[str, str]] = []
    for event in events:
        if event.cancels or event.about or not event.delta or event.id in cancelled:
            continue
        said = [event.note] if event.note else []
        said += notes.get(event.id, [])
        change = words(event.metric).change(event.delta)
        rows.append((f"{event.local_time:%H:%M} {change}", " · ".join(said)))
    return rows


def timeline_lines(rows: list[tuple[str, str]], width: int, height: int) -> list[str]:
    """The newest rows that fit `height` lines, each cut to `width` at a word (a note
    that does not fit is shortened word by word, never mid-word)."""
    if height <= 0:
        return []
    lines = [f"Today's timeline ({len(rows)})" if rows else "Today's timeline: nothing yet"]
    shown = rows[-(height - 1) :] if height > 1 else []
    if len(rows) > len(shown) and shown:
        shown = shown[1:]
        lines.append(f"… {len(rows) - len(shown)} earlier")
    for what, note in shown:
        parts = [(0, what), *((1 + i, word) for i, word in enumerate(note.split()))]
        lines.append(fit(parts, width, " "))
    return lines


def week_lines(plan: Plan | None, summary: Mapping[str, MetricSummary], width: int) -> list[str]:
    """`This week` per funnel stage: done against the week's working days at the plan's
    daily pace (`118 / 240 calls ▓▓▓░░ 49%`)."""
    if plan is None:
        return ["This week: set a goal (g) to see it against a target"]
    week = week_of(plan.today)
    span = DateRange(week.start, week.start + timedelta(days=6))
    days = plan.calendar.working_days(span)
    lines = [f"This week ({days} working days)"]
    for stage in plan.stages:
        figures = summary.get(stage.key)
        done = figures.week if figures is not None else 0
        target = plan.per_day.get(stage.key, 0) * days
        parts = [(0, f"{done:,} / {target:,} {stage.key}")]
        if target:
            filled = min(10, 10 * done // target)
            parts.append((1, "▓" * filled + "░" * (10 - filled)))
            parts.append((2, format_percent(_share(done, target), 0)))
        lines.append(fit(parts, width, " "))
    return lines


def rate_lines(plan: Plan | None, width: int) -> list[str]:
    """The funnel's rates the plan uses, each with where it comes from."""
    if plan is None:
        return []
    lines = ["Rates in use"]
    for before, after in zip(plan.stages, plan.stages[1:], strict=False):
        rate = plan.rates.get(after.key)
        if rate is None:
            continue
        source = SOURCES.get(plan.rates_source.get(after.key, ""), "")
        parts = [(0, f"{before.key} → {after.key} {format_percent(rate, 1)}"), (1, f"({source})")]
        lines.append(fit(parts, width, " "))
    return lines


def _share(done: int, target: int) -> Fraction:
    return Fraction(max(done, 0), target)
