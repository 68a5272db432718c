"""Time on non-sales work in the app: `t` picks a category and starts a timer, `t` again
stops it; the running timer shows in the top bar (the strip's line in a short pane)
and ticks once per minute of its own, never on an interval; Today gets a line of
today's time, the Funnel tab a small section of weekly figures.

The writes go through the app's write queue like a tally's; another process's timer
arrives through the watcher (`DatabaseChanged`), which calls `Timekeeper.follow`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from salestui.clock import Clock
from salestui.domain.text import visible
from salestui.domain.timers import (
    SELLING,
    Interval,
    clock_text,
    cut_message,
    day_minutes,
    figures_lines,
    label,
    non_sales_share,
    on_day,
    percent,
)
from salestui.store.events import Store, StoreError
from salestui.tui import writer
from salestui.tui.layouts import Part
from salestui.tui.writer import Write, WriteQueue


def badge(running: Sequence[Interval], now: datetime) -> str:
    """`⏱ admin 0:42` for the running timer ("" when none; two after a merge: both)."""
    shown = []
    for interval in running:
        elapsed = max(timedelta(0), now - interval.start) // timedelta(minutes=1)
        shown.append(f"{label(interval.category)} {clock_text(elapsed)}")
    return "⏱ " + " + ".join(shown) if shown else ""


def seconds_to_next_minute(running: Sequence[Interval], now: datetime) -> float:
    """Until the first running timer's shown minute changes (at least a tenth of a
    second): the badge is redrawn then, and at no other time."""
    waits = []
    for interval in running:
        elapsed = (now - interval.start).total_seconds()
        waits.append(60 - elapsed % 60 if elapsed >= 0 else -elapsed)
    return max(0.1, min(waits, default=60.0))


def time_parts(minutes: Mapping[str, Fraction]) -> list[Part]:
    """Today's time as parts of `Time: selling 2:10 · admin 0:45 — non-sales 36%`
    (see `time_line_fitted`): the share is kept longest, the smallest categories go
    first. Part 0 is the share; the others are categories, selling first."""
    share = non_sales_share(minutes)
    if share is None:
        return []
    ordered = sorted(minutes.items(), key=lambda item: (item[0] != SELLING, -item[1], item[0]))
    parts: list[Part] = [(0, f"non-sales {percent(share)}%")]
    parts += [
        (1 + index, f"{label(name)} {clock_text(value)}")
        for index, (name, value) in enumerate(ordered)
    ]
    return parts


def time_line_fitted(parts: Sequence[Part], width: int) -> str:
    """The time line in `width` cells: the smallest categories dropped whole first."""
    share, categories = parts[0][1], list(parts[1:])
    while True:
        shown = " · ".join(text for _, text in categories)
        line = f"Time: {shown} — {share}" if shown else f"Time: {share}"
        if cell_len(line) <= width or not categories:
            return line if cell_len(line) <= width else ""
        categories.pop()


class CategoryScreen(ModalScreen[str | None]):
    """Pick a timer's category: type to filter, arrows to move, Enter picks, Escape
    cancels. Returns the category's key."""

    DEFAULT_CSS = """
    CategoryScreen {
        align: center middle;
    }
    CategoryScreen > Vertical {
        width: 40;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    CategoryScreen OptionList {
        height: auto;
        max-height: 12;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="timer.cancel"),
        Binding("down", "move(1)", show=False, id="timer.down"),
        Binding("up", "move(-1)", show=False, id="timer.up"),
    ]

    def __init__(self, categories: Sequence[str]) -> None:
        super().__init__()
        self.categories = tuple(categories)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Start a timer"
            box.border_subtitle = "enter to start · esc to cancel"
            yield Input(placeholder="type to filter", id="timer-filter")
            yield OptionList(*self._options(""), id="timer-categories")

    def _options(self, text: str) -> list[Option]:
        wanted = text.strip().lower()
        return [
            Option(visible(label(name)), id=name)
            for name in self.categories
            if wanted in name or wanted in label(name)
        ]

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        options.highlighted = 0 if options.option_count else None

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            now = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(options.option_count - 1, now + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class Timekeeper:
    """The app's timer: what runs (read from the store), the badge and Today's line
    (`show(badge, parts)`), the minute tick, and `t` (start or stop, through the queue).
    All of it on the UI thread; each read is a few rows of one day."""

    def __init__(
        self,
        app: App[Any],
        store: Store,
        clock: Clock,
        writes: WriteQueue,
        show: Callable[[str, list[Part]], None],
        say: Callable[[str], None],
    ) -> None:
        self.app = app
        self.store = store
        self.clock = clock
        self.writes = writes
        self.show = show
        self.say = say
        self.running: list[Interval] = []
        self._tick: Timer | None = None
        self._shown: tuple[str, tuple[Part, ...]] = ("", ())
        self._closing = False

    def follow(self) -> None:
        """Read what runs and today's time, show it, and set the next tick (another
        process's start or stop, the app's own, a new minute, midnight)."""
        from salestui.store.timers import intervals, running

        now = self.clock()
        today = now.date()
        try:
            self.running = running(self.store)
            found = on_day(intervals(self.store, today, today, now), today)
            open_past_midnight = any(i.cut for i in found) or self._cut_yesterday(now)
        except StoreError:
            return  # the counts' read says what is wrong with the file
        parts = time_parts(day_minutes(found, today))
        shown = (badge(self.running, now), tuple(parts))
        if shown != self._shown:
            self._shown = shown
            self.show(shown[0], parts)
        self._schedule(now)
        if open_past_midnight:
            self.close_past_midnight()

    def _cut_yesterday(self, now: datetime) -> bool:
        """Whether a start with no stop is older than today's midnight (to be closed)."""
        from salestui.store.timers import intervals

        yesterday = now.date() - timedelta(days=1)
        return any(i.cut for i in intervals(self.store, yesterday, yesterday, now))

    def _schedule(self, now: datetime) -> None:
        if self._tick is not None:
            self._tick.stop()
            self._tick = None
        if self.running:
            delay = seconds_to_next_minute(self.running, now)
            self._tick = self.app.set_timer(delay, self.follow, name="timer-tick")

    def stop_ticking(self) -> None:
        if self._tick is not None:
            self._tick.stop()
            self._tick = None

    def close_past_midnight(self) -> None:
        """Write the stop at midnight of a timer left running past it, and say so once
        (another process may have written it first: then it says nothing)."""
        if self._closing:
            return
        self._closing = True
        from salestui.store.timers import close_past_midnight

        def landed(cut: object) -> None:
            self._closing = False
            today = self.clock().date()
            for interval in cut if isinstance(cut, list) else []:
                self.app.notify(cut_message(interval, today), timeout=12, markup=False)
            self.follow()

        def failed(error: Exception) -> None:
            self._closing = False

        save = writer.using_store(lambda store: close_past_midnight(store, origin="tui"))
        self.writes.submit(Write("timer", save, landed=landed, failed=failed))

    def toggle(self, categories: Callable[[], Sequence[str]]) -> None:
        """`t`: stop what runs, else pick a category and start it."""
        self.follow()
        if self.running:
            self._write_stop()
            return
        try:
            names = categories()
        except StoreError as error:
            self.app.notify(f"Cannot read the categories: {error.cause}", severity="error")
            return

        def picked(category: str | None) -> None:
            if category is not None:
                self._write_start(category)

        self.app.push_screen(CategoryScreen(names), picked)

    def _failed(self, what: str) -> Callable[[Exception], None]:
        def failed(error: Exception) -> None:
            cause = error.cause if isinstance(error, StoreError) else str(error)
            self.app.notify(f"Not saved ({what}): {cause}", severity="error", markup=False)

        return failed

    def _write_start(self, category: str) -> None:
        from salestui.store.timers import start_timer

        def landed(stopped: object) -> None:
            self.say(f"Started {label(category)} at {self.clock():%H:%M} (t stops it)")
            self.follow()

        save = writer.using_store(lambda store: start_timer(store, category, origin="tui"))
        self.writes.submit(Write("timer", save, landed=landed, failed=self._failed("timer")))

    def _write_stop(self) -> None:
        from salestui.store.timers import stop_timers

        def landed(stopped: object) -> None:
            done = stopped if isinstance(stopped, list) else []
            words = " and ".join(f"{label(i.category)} after {clock_text(i.minutes)}" for i in done)
            if words:
                self.say(f"Stopped {words}")
            self.follow()

        save = writer.using_store(lambda store: stop_timers(store, origin="tui"))
        self.writes.submit(Write("timer", save, landed=landed, failed=self._failed("timer")))


class TimeSection(Static):
    """The Funnel tab's time section: the non-sales share per week (last 8 weeks) and
    calls per selling hour; hidden while no time was tracked in those weeks."""

    WEEKS = 8

    DEFAULT_CSS = """
    TimeSection {
        margin-top: 1;
        padding: 0 1;
        display: none;
    }
    """

    def __init__(self, clock: Clock, db_path: Path | None) -> None:
        super().__init__("", id="funnel-time")
        self.clock = clock
        self.db_path = db_path

    def load(self) -> None:
        """Read the figures again (on a worker thread)."""
        if self.db_path is not None:
            self._read(self.db_path)

    @work(thread=True, exclusive=True, group="time-figures")
    def _read(self, db_path: Path) -> None:
        from salestui.store.timers import has_time, time_figures

        today = self.clock().date()
        first = today - timedelta(days=today.weekday() + 7 * (self.WEEKS - 1))
        try:
            with Store.for_reading(db_path, self.clock) as store:
                if not has_time(store):
                    lines: list[str] = []
                else:
                    stages = store.catalog().active.stages
                    key = stages[0] if stages else "calls"
                    lines = figures_lines(time_figures(store, first, today, key), key)
        except StoreError:
            return
        with contextlib.suppress(RuntimeError):
            self.app.call_from_thread(self._show, lines)

    def _show(self, lines: list[str]) -> None:
        from rich.text import Text

        self.display = bool(lines)
        if lines:
            title = ("Time on non-sales work", "bold")
            shown = "\n".join(visible(line) for line in lines)
            self.update(Text.assemble(title, " (last 8 weeks)\n", shown))
