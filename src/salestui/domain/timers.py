"""Time on non-sales work: categories, durations, and timers folded into intervals.

Pure: no I/O. Timers are stored as changes (`salestui.store.time_schema`): a `start`
(its own id is the timer), a `stop` naming the start it ends, and a `log` (a finished
stretch given afterwards: its start and its minutes). `fold` turns them into
`Interval`s; `day_minutes` turns intervals into minutes per category for one day.

Rules (the issue's contract):
- Minutes are real elapsed minutes, from the UTC instants, so a DST day of 23 or 25
  hours counts what really passed; each minute belongs to the local day it fell in
  (an interval crossing midnight is split there).
- A timer with no stop runs until now, but never past the local midnight after its
  start: left running overnight it is cut there (`Interval.cut`), and the user is told.
- Overlapping intervals (two machines' timers merged by import, or a log over a timer)
  count wall-clock time once. "Total tracked" is the union of the intervals; each
  stretch where k intervals overlap is apportioned evenly, 1/k to each interval's
  category, so the categories always add up to the total. Overlaps are also listed
  (`overlaps`), so they are shown as such rather than hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

SELLING = "selling"
"""The category for selling time; every other one is non-sales time."""

BUILTIN_CATEGORIES: tuple[str, ...] = (
    "admin",
    "reports",
    "internal",
    "travel",
    "training",
    SELLING,
)
"""The categories every database has, in the picker's order (the user's come first)."""

LABELS: Mapping[str, str] = {"internal": "internal meetings"}
"""How a category is written for people where its key is terser."""

ALIASES: Mapping[str, str] = {
    "internal meetings": "internal",
    "internal-meetings": "internal",
    "internal_meetings": "internal",
    "meetings-internal": "internal",
    "internal meeting": "internal",
    "sales": SELLING,
}
"""Spelled-out forms accepted for a category key."""

CATEGORY_SETTING = "time.category."
"""Settings `time.category.NAME` hold the user's own categories (value: the name)."""

MAX_MINUTES = 24 * 60
"""The longest stretch `time log` takes (one day)."""

_NAME = re.compile(r"[a-z][a-z0-9-]{0,23}")
_DURATION = re.compile(r"(?:([0-9]{1,4})h)?(?:([0-9]{1,5})m)?")


def label(category: str) -> str:
    """How `category` is written for people (`internal meetings` for `internal`)."""
    return LABELS.get(category, category)


def check_new_category(text: str, known: Iterable[str]) -> str:
    """The key of a category the user adds: one word of lowercase letters, digits and
    dashes (1-24, starting with a letter), not one that exists. Raises ValueError."""
    name = " ".join(text.split()).lower()
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"a category is one word of letters, digits and dashes (up to 24), not {text!r}"
        )
    if name in ALIASES or name in set(known):
        raise ValueError(f"the category {label(ALIASES.get(name, name))!r} exists already")
    return name


def parse_category(text: str, known: Sequence[str]) -> str:
    """The category key `text` names among `known` (case-insensitive; `internal
    meetings` and its spellings name `internal`). Raises ValueError naming them all."""
    name = " ".join(text.split()).lower()
    name = ALIASES.get(name, name)
    if name in known:
        return name
    choices = ", ".join(label(category) for category in known)
    if not name:
        raise ValueError(f"say which category: {choices}")
    return _unknown(text, choices)


def _unknown(text: str, choices: str) -> str:
    raise ValueError(
        f"unknown category {text!r}; use one of: {choices} (or add yours: time category add NAME)"
    )


def parse_duration(text: str) -> int:
    """Minutes from `45m`, `1h30m`, `2h` (from 1 minute to 24 hours). Raises ValueError."""
    raw = text.strip().lower().replace(" ", "")
    match = _DURATION.fullmatch(raw)
    if not raw or match is None:
        raise ValueError(f"not a duration: {text!r}; write it like 45m, 1h30m or 2h")
    hours, minutes = match.group(1), match.group(2)
    if hours and minutes and int(minutes) >= 60:
        # `1h60m` is most likely a typo for 1h06m or 1h50m: never guessed as 2h.
        raise ValueError(
            f"not a duration: {text!r}; minutes after hours go up to 59 (1h30m, or 90m alone)"
        )
    total = int(hours or 0) * 60 + int(minutes or 0)
    if total < 1:
        raise ValueError(f"a duration of {text!r} is no time at all; write it like 45m or 2h")
    if total > MAX_MINUTES:
        raise ValueError(f"{text!r} is longer than a day; log at most 24h at a time")
    return total


def clock_text(minutes: Fraction | int) -> str:
    """`0:42`, `2:10`: whole minutes (rounded down) as hours and minutes."""
    whole = int(minutes)
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True, slots=True)
class TimeChange:
    """One stored change (a row of `time_changes`)."""

    id: str
    kind: str
    """start, stop or log."""
    timer: str
    category: str | None
    at: datetime
    """Aware: when it started (start, log) or stopped (stop)."""
    minutes: int | None = None
    """A log's length."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of tracked time."""

    timer: str
    category: str
    start: datetime
    end: datetime
    running: bool = False
    """A timer with no stop, still before its midnight: it ends at "now"."""
    cut: bool = False
    """A timer with no stop whose midnight has passed: it ends at that midnight."""
    logged: bool = False
    """Given afterwards with `time log`."""

    @property
    def minutes(self) -> Fraction:
        """Real elapsed minutes (from the UTC instants)."""
        return _minutes(self.start, self.end)


def _minutes(start: datetime, end: datetime) -> Fraction:
    elapsed = end.astimezone(UTC) - start.astimezone(UTC)
    return Fraction(elapsed // timedelta(microseconds=1), 60_000_000)


def local_midnight_after(instant: datetime) -> datetime:
    """The local midnight that ends the local day of `instant` (aware, in the system's
    zone: right across DST changes)."""
    day = instant.astimezone().date()
    return day_start(day + timedelta(days=1))


def day_start(day: date) -> datetime:
    """The first instant of local `day` (aware)."""
    return datetime.combine(day, time(0)).astimezone()


def fold(changes: Iterable[TimeChange], now: datetime) -> list[Interval]:
    """The intervals the changes describe, by start. A start's earliest stop ends it
    (a stop before its start, from a skewed clock, ends it at its start); a start with
    no stop runs until `now`, or is cut at its midnight once that has passed."""
    starts: dict[str, TimeChange] = {}
    stops: dict[str, datetime] = {}
    intervals: list[Interval] = []
    for change in changes:
        if change.kind == "start" and change.category:
            starts[change.timer] = change
        elif change.kind == "stop":
            earlier = stops.get(change.timer)
            if earlier is None or change.at < earlier:
                stops[change.timer] = change.at
        elif change.kind == "log" and change.category and change.minutes:
            end = change.at + timedelta(minutes=change.minutes)
            intervals.append(Interval(change.timer, change.category, change.at, end, logged=True))
    for timer, start in starts.items():
        midnight = local_midnight_after(start.at)
        stop = stops.get(timer)
        assert start.category is not None
        if stop is not None:
            end = max(start.at, stop)
            intervals.append(Interval(timer, start.category, start.at, end))
        elif now >= midnight:
            intervals.append(Interval(timer, start.category, start.at, midnight, cut=True))
        else:
            intervals.append(
                Interval(timer, start.category, start.at, max(start.at, now), running=True)
            )
    intervals.sort(key=lambda interval: (interval.start.astimezone(UTC), interval.timer))
    return intervals


def on_day(intervals: Iterable[Interval], day: date) -> list[Interval]:
    """The parts of `intervals` that fall in local `day` (cut at its midnights)."""
    first, last = day_start(day), day_start(day + timedelta(days=1))
    parts = []
    for interval in intervals:
        start, end = max(interval.start, first), min(interval.end, last)
        if start < end:
            parts.append(
                Interval(
                    interval.timer,
                    interval.category,
                    start,
                    end,
                    interval.running,
                    interval.cut,
                    interval.logged,
                )
            )
    return parts


def apportion(intervals: Iterable[Interval]) -> dict[str, Fraction]:
    """Minutes per category, wall-clock time counted once: where k intervals overlap,
    each gets 1/k of that stretch. The values add up to `union_minutes`."""
    edges: list[tuple[datetime, int, str]] = []
    for interval in intervals:
        if interval.end > interval.start:
            edges.append((interval.start.astimezone(UTC), 1, interval.category))
            edges.append((interval.end.astimezone(UTC), -1, interval.category))
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    minutes: dict[str, Fraction] = {}
    active: dict[str, int] = {}
    previous: datetime | None = None
    for instant, step, category in edges:
        open_count = sum(active.values())
        if previous is not None and open_count and instant > previous:
            stretch = _minutes(previous, instant)
            for name, count in active.items():
                if count:
                    share = stretch * count / open_count
                    minutes[name] = minutes.get(name, Fraction(0)) + share
        active[category] = active.get(category, 0) + step
        previous = instant
    return {name: value for name, value in minutes.items() if value}


def union_minutes(intervals: Iterable[Interval]) -> Fraction:
    """Wall-clock minutes covered by at least one interval (overlaps counted once)."""
    return sum(apportion(intervals).values(), Fraction(0))


def overlaps(intervals: Sequence[Interval]) -> list[tuple[Interval, Interval]]:
    """Every pair of intervals that share some time, in start order."""
    ordered = sorted(intervals, key=lambda interval: interval.start.astimezone(UTC))
    pairs = []
    for index, one in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other.start >= one.end:
                break
            if other.end > one.start and other.start < one.end:
                pairs.append((one, other))
    return pairs


@dataclass(frozen=True, slots=True)
class Overlap:
    """A stretch during which two or more intervals ran at once (as long as it lasts:
    one line for six stretches logged over each other, not fifteen pairs)."""

    start: datetime
    end: datetime
    intervals: tuple[Interval, ...]
    """Every interval that runs during some of it, by start."""

    @property
    def categories(self) -> list[str]:
        """The intervals' categories, by start (a category twice when two of its
        timers overlap)."""
        return [interval.category for interval in self.intervals]


def overlap_spans(intervals: Iterable[Interval]) -> list[Overlap]:
    """The stretches where at least two intervals run at once, each as long as that
    lasts, by start. Intervals that only touch (one ends as the next starts) do not
    overlap. A sweep over the start and end instants: n log n, whatever the overlaps."""
    edges: list[tuple[datetime, int, int]] = []
    found = [interval for interval in intervals if interval.end > interval.start]
    for index, interval in enumerate(found):
        edges.append((interval.start.astimezone(UTC), 1, index))
        edges.append((interval.end.astimezone(UTC), -1, index))
    edges.sort(key=lambda edge: (edge[0], edge[1]))  # ends before starts at one instant
    spans: list[Overlap] = []
    active: set[int] = set()
    members: dict[int, None] = {}  # the current span's intervals, in order of joining
    begun: datetime | None = None
    for instant, step, index in edges:
        if step > 0:
            active.add(index)
            if len(active) == 2:
                begun, members = instant, dict.fromkeys(sorted(active))
            elif begun is not None:
                members[index] = None
        else:
            active.discard(index)
            if len(active) == 1 and begun is not None:
                if instant > begun:
                    ordered = sorted(members, key=lambda i: (found[i].start, found[i].timer))
                    spans.append(Overlap(begun, instant, tuple(found[i] for i in ordered)))
                begun, members = None, {}
    return spans


def day_minutes(intervals: Iterable[Interval], day: date) -> dict[str, Fraction]:
    """Minutes per category on local `day` (apportioned where intervals overlap)."""
    return apportion(on_day(intervals, day))


def non_sales_share(minutes: Mapping[str, Fraction]) -> Fraction | None:
    """The part of the tracked time that was not selling (None when nothing tracked)."""
    total = sum(minutes.values(), Fraction(0))
    if not total:
        return None
    return (total - minutes.get(SELLING, Fraction(0))) / total


def per_selling_hour(count: int, selling_minutes: Fraction) -> Fraction | None:
    """`count` (calls) per hour of selling time (None without selling time)."""
    if selling_minutes <= 0:
        return None
    return Fraction(count) / (selling_minutes / 60)


def whole_minutes(minutes: Mapping[str, Fraction]) -> dict[str, int]:
    """Minutes rounded to whole ones (half up), by category, largest first."""
    rounded = {name: int(value + Fraction(1, 2)) for name, value in minutes.items()}
    return dict(sorted(rounded.items(), key=lambda item: (-item[1], item[0])))


def percent(share: Fraction) -> int:
    """A share as a whole percentage (half up)."""
    return int(share * 100 + Fraction(1, 2))


def time_line(minutes: Mapping[str, Fraction]) -> str:
    """`Time: selling 2:10 · admin 0:45 — non-sales 36%` ("" when nothing tracked)."""
    share = non_sales_share(minutes)
    if share is None:
        return ""
    ordered = sorted(minutes.items(), key=lambda item: (item[0] != SELLING, -item[1], item[0]))
    parts = " · ".join(f"{label(name)} {clock_text(value)}" for name, value in ordered)
    return f"Time: {parts} — non-sales {percent(share)}%"


def cut_message(interval: Interval, today: date) -> str:
    """What the user is told once about a timer cut at midnight."""
    started = interval.start.astimezone().date()
    yesterday = started == today - timedelta(days=1)
    when = "Yesterday's" if yesterday else f"{started:%a %-d %b}'s"
    return (
        f"{when} {label(interval.category)} timer ran past midnight: counted until 00:00; "
        "correct it with `time log`"
    )


def by_day(
    intervals: Sequence[Interval], first: date, last: date
) -> dict[date, dict[str, Fraction]]:
    """Minutes per category for each local day from `first` to `last` that has any."""
    days: dict[date, dict[str, Fraction]] = {}
    day = first
    while day <= last:
        minutes = day_minutes(intervals, day)
        if minutes:
            days[day] = minutes
        day += timedelta(days=1)
    return days


def added(days: Iterable[Mapping[str, Fraction]]) -> dict[str, Fraction]:
    """Minutes per category over several days."""
    total: dict[str, Fraction] = {}
    for minutes in days:
        for name, value in minutes.items():
            total[name] = total.get(name, Fraction(0)) + value
    return total


@dataclass(frozen=True, slots=True)
class TimeFigures:
    """Time on non-sales work over some days: what the Funnel tab and the report show.

    `per_selling_hour` is `activity` (the active funnel's first stage: calls) per hour
    of selling time, over the days where selling time was tracked only (a day without
    a selling timer says nothing about how long its calls took)."""

    minutes: dict[str, Fraction]
    weeks: list[tuple[date, Fraction | None]]
    """(Monday, non-sales share of that week; None: nothing tracked)."""
    activity: str
    activity_count: int
    selling_minutes: Fraction

    @property
    def tracked(self) -> bool:
        return bool(self.minutes)

    @property
    def non_sales_share(self) -> Fraction | None:
        return non_sales_share(self.minutes)

    @property
    def per_selling_hour(self) -> Fraction | None:
        return per_selling_hour(self.activity_count, self.selling_minutes)


def time_figures(
    days: Mapping[date, Mapping[str, Fraction]],
    first: date,
    last: date,
    activity: str,
    activity_by_day: Mapping[date, int],
) -> TimeFigures:
    """The figures from minutes per category by day (`by_day`) and the activity's count
    by day, for the weeks (Monday to Sunday) touching `first`..`last`."""
    weeks = []
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        week = [days[d] for d in days if monday <= d < monday + timedelta(days=7)]
        weeks.append((monday, non_sales_share(added(week))))
        monday += timedelta(days=7)
    selling_days = [d for d, minutes in days.items() if minutes.get(SELLING, 0) > 0]
    return TimeFigures(
        minutes=added(days.values()),
        weeks=weeks,
        activity=activity,
        activity_count=sum(activity_by_day.get(d, 0) for d in selling_days),
        selling_minutes=sum((days[d][SELLING] for d in selling_days), Fraction(0)),
    )


def figures_lines(figures: TimeFigures, label_of_activity: str) -> list[str]:
    """The figures as lines of text ([] when nothing was tracked)."""
    if not figures.tracked:
        return []
    lines = []
    share = figures.non_sales_share
    if share is not None:
        lines.append(f"Non-sales time: {percent(share)}% of {clock_text(union(figures))} tracked")
    weeks = [
        f"{monday:%d %b} {percent(share)}%" for monday, share in figures.weeks if share is not None
    ]
    if len(weeks) > 1:
        lines.append("By week: " + " · ".join(weeks))
    rate = figures.per_selling_hour
    if rate is not None:
        lines.append(
            f"{label_of_activity.capitalize()} per selling hour: {float(rate):.1f}"
            f" ({figures.activity_count:,} in {clock_text(figures.selling_minutes)} of selling)"
        )
    return lines


def union(figures: TimeFigures) -> Fraction:
    """All the time tracked (each category's apportioned minutes added up)."""
    return sum(figures.minutes.values(), Fraction(0))


def figures_json(figures: TimeFigures) -> dict[str, object]:
    """The figures as JSON-ready data (minutes whole, shares and rates as floats)."""
    share = figures.non_sales_share
    rate = figures.per_selling_hour
    return {
        "minutes": whole_minutes(figures.minutes),
        "tracked_minutes": int(union(figures) + Fraction(1, 2)),
        "non_sales_share": round(float(share), 4) if share is not None else None,
        "weeks": [
            {"week": monday.isoformat(), "non_sales_share": round(float(s), 4) if s else s}
            for monday, s in figures.weeks
        ],
        "activity": figures.activity,
        "per_selling_hour": round(float(rate), 4) if rate is not None else None,
        "selling_minutes": int(figures.selling_minutes + Fraction(1, 2)),
    }
