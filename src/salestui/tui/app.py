"""The salestui app: one screen of tabs over the event store."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from textual import work
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tabs

from salestui.clock import Clock, local_now
from salestui.domain.counts import summarize_today, summary_span
from salestui.domain.metrics import METRIC_KEYS, metric_by_key
from salestui.domain.text import visible
from salestui.store.events import BUSY_TIMEOUT_MS, BelowZeroError, Event, Store, StoreError
from salestui.tui import writer
from salestui.tui.commands import BINDINGS, COMMANDS
from salestui.tui.help import HelpScreen
from salestui.tui.today import TodayView
from salestui.tui.writer import UndoResult, Write, WriteDone, Writer

# Everything the other tabs need is imported after the first paint (startup time).
if TYPE_CHECKING:
    from salestui.figures import PlanInputs
    from salestui.tui.funnel import FunnelFigures, FunnelTab
    from salestui.tui.goals import GoalsTab
    from salestui.tui.history import HeatmapGrid, HistoryFigures
    from salestui.tui.watcher import ChangeWatcher

POLL_SECONDS = 1.0
"""How often other processes' tallies and the date are checked (PRAGMA data_version)."""

DECORATION_DELAY = 0.03
"""The flash and status lines of a tally follow its count by this much."""

OTHER_TABS = ("funnel", "goals", "history")
OTHER_TABS_DELAY = 0.5
"""Funnel, Goals and History are built no sooner than this after the first screen, one
at a time, each once the keys have been quiet for QUIET_SECONDS (or at once when one
of those tabs is asked for)."""

QUIET_SECONDS = 0.8
"""Start-up work (building the other tabs, loading the figures) waits until no tally or
undo key has been pressed for this long: a person who opens the app and counts at once
gets the same quick key presses as later, the work is done in the first pause."""

TAB_STEP_GAP = 0.05
"""Between the steps that build the other tabs (one tab each), so keys get in between."""

FIGURES_DELAY = QUIET_SECONDS
"""After a tally, the funnel and plan are reloaded this much later (once per burst). On
a large history that read holds the interpreter for a good part of a second: it waits
for a pause in the typing rather than slowing the next presses down."""

PENDING_DELAY = 0.15
"""A write not on disk after this long is shown as waiting (normally one lands in a few
ms: a burst of quick presses never flickers "waiting")."""

WAITING = "waiting for the database (another program is writing)…"


def error_text(error: Exception) -> str:
    """The one-line cause of a failed read or write, safe to show."""
    return visible(error.cause if isinstance(error, StoreError) else str(error))


class SalesApp(App[None]):
    """Tally calls, meetings and sales; every figure comes from the event store."""

    CSS_PATH = "app.tcss"
    TITLE = "salestui"
    BINDINGS = BINDINGS

    def __init__(self, store: Store, clock: Clock = local_now) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.day: date = clock().date()
        self._data_version = -1
        self.funnel_spec = "month"
        self._figures_timer: Timer | None = None
        self._watcher: ChangeWatcher | None = None
        self._tabs_mounting = False
        self._tabs_asked = False
        """A tab key asked for the other tabs: build them at once, not in pauses."""
        self._last_key = 0.0
        """time.monotonic() of the last tally or undo key (start-up work waits for quiet)."""
        self._last_tally: Event | None = None
        """The tally the status line's "Last: …" names (kept true when it is undone)."""
        self._last_said_day = ""
        """The day the "Last: …" line was last worded for (it names another day's date)."""
        self.tabs_ready = asyncio.Event()
        """Set once the Funnel, Goals and History tabs exist (tests wait on it)."""
        self._own_tallies: tuple[str, ...] = ()
        """Ids of this window's own tallies still to undo, newest last, as of the last
        write that landed (the writer thread keeps the list; `n` reads this copy)."""
        self._writer: Writer | None = None
        self._pending: list[Write] = []
        """Writes queued or under way, oldest first: not on disk yet."""
        self._pending_check: asyncio.TimerHandle | None = None
        self._pending_shown = False
        self._quit_when_saved = False
        self._reloads = 0
        """Counts reads of today's figures: a tally that landed with no read since it was
        queued is added to the screen as it is; otherwise it is read back (that read may
        already hold it)."""
        self._status_said = 0
        """Counts what the status line was told, so a tally's delayed "Last:" line never
        covers a newer outcome (an undo that landed right after it)."""
        self.startup_error: StoreError | None = None
        """Set when the very first read fails: the app closes and `run` exits 1."""
        self._focus_on_open: tuple[str, str | None] | None = None
        """A tab just opened and what to focus in it (None: its first control), kept
        until that is done (the tab may not be built yet)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="top-bar")
        with TabbedContent(initial="today"):
            with TabPane("1 Today", id="today"):
                yield TodayView()
            # Filled after the first paint: today's counts show first, at the speed of a bare app.
            yield TabPane("2 Funnel", id="funnel")
            yield TabPane("3 Goals", id="goals")
            yield TabPane("4 History", id="history")
        yield Footer()

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Run the app. A database that cannot be read at all (a malformed row) ends it
        like a bad file before launch: one line on stderr and exit status 1; so does a
        crash (Textual has printed what happened)."""
        result = super().run(*args, **kwargs)
        if self.startup_error is not None:
            print(f"salestui: {visible(str(self.startup_error))}", file=sys.stderr)
        if self.return_code:
            raise SystemExit(self.return_code)
        return result

    def on_mount(self) -> None:
        saved_theme = self._read_setting("theme")
        if saved_theme and saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, self._save_theme)
        self._writer = Writer(self.store.path, self.clock, self._deliver)
        self._writer.start()
        self.reload(figures=False)
        if self.startup_error is not None:
            return
        self._start_watcher()
        # The other tabs are built once the first screen is out and the keys are quiet
        # (or at once when asked for).
        self.set_timer(OTHER_TABS_DELAY, self._build_tabs_step)

    def _quiet_left(self) -> float:
        """Seconds until the keys have been quiet for QUIET_SECONDS (0: quiet now)."""
        return max(0.0, self._last_key + QUIET_SECONDS - time.monotonic())

    async def _build_tabs_step(self) -> None:
        """At start-up: build one of the other tabs in a pause of the typing, then the
        next a moment later, so no key press waits behind more than one short step (a
        timer callback, never a long wait: the app's messages wait while it runs)."""
        if self.tabs_ready.is_set() or self._tabs_mounting:
            return
        left = 0.0 if self._tabs_asked else self._quiet_left()
        if left > 0:
            self.set_timer(left, self._build_tabs_step)
            return
        await self._mount_tabs(all_of_them=False)
        if not self.tabs_ready.is_set():
            self.set_timer(TAB_STEP_GAP, self._build_tabs_step)

    async def _mount_other_tabs(self) -> None:
        """Build whatever is left of Funnel, Goals and History at once (a tab was asked for)."""
        self._tabs_asked = True
        await self._mount_tabs(all_of_them=True)

    async def _mount_tabs(self, *, all_of_them: bool) -> None:
        if self._tabs_mounting or self.tabs_ready.is_set():
            return
        self._tabs_mounting = True
        try:
            from salestui.tui.funnel import FunnelTab
            from salestui.tui.goals import GoalsTab
            from salestui.tui.history import HistoryTab

            builders = (FunnelTab, GoalsTab, HistoryTab)
            for pane_id, build in zip(OTHER_TABS, builders, strict=True):
                try:
                    pane = self.query_one(f"#{pane_id}", TabPane)
                except NoMatches:
                    return  # the app is closing
                if pane.children:
                    continue  # built in an earlier step
                await pane.mount(build())
                if not (all_of_them or self._tabs_asked):
                    return  # the next step comes in the next pause
        finally:
            self._tabs_mounting = False
        self.call_after_refresh(self._focus_wanted)  # a tab opened before it was there
        # Everything built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, which otherwise pause a key press for ~50 ms now and then.
        gc.freeze()
        self.tabs_ready.set()
        self._load_figures_when_quiet()

    def _load_figures_when_quiet(self) -> None:
        """The first figures and the daily backup, in a pause of the typing (unless a tab
        is waiting for them)."""
        left = 0.0 if self._tabs_asked else self._quiet_left()
        if left > 0:
            self.set_timer(left, self._load_figures_when_quiet)
            return
        self.load_figures()
        self.daily_backup()

    @work(thread=True, exclusive=True, group="backup")
    def daily_backup(self) -> None:
        """Once a day, a verified copy of the database beside it (the last 7 are kept)."""
        from salestui.store.backup import ensure_daily_backup

        try:
            ensure_daily_backup(self.store.path, self.clock().date())
        except (StoreError, OSError) as error:
            message = error.cause if isinstance(error, StoreError) else str(error)
            self.call_from_thread(
                self.notify, f"Daily backup failed: {message}", severity="warning"
            )

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self._writer is not None:
            # Writes already queued still go to disk (they may wait for the lock).
            self._writer.close(timeout=BUSY_TIMEOUT_MS / 1000 + 5)
        self.store.close()

    def _deliver(self, done: WriteDone) -> None:
        """On the writer thread: hand a finished write to the UI thread."""
        with contextlib.suppress(RuntimeError):  # the app (and its loop) already closed
            self.post_message(done)

    def _start_watcher(self) -> None:
        from salestui.tui.watcher import ChangeWatcher

        loop = asyncio.get_running_loop()
        # The app's context (active app), so that poll may set timers like any handler.
        context = contextvars.copy_context()

        def changed() -> None:  # on the watcher thread
            if self.is_running:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(self.poll, context=context)

        self._watcher = ChangeWatcher(self.store.path, self.clock, changed, POLL_SECONDS)
        self._watcher.start()

    # -- data --------------------------------------------------------------------

    def reload(self, *, figures: bool = True, counts_only: bool = False) -> None:
        """Read today's figures from disk (a few rows from the per-day rollup).

        `counts_only` (after this window's own write): redraw only the counters that
        changed; the pace line follows with the tally's other decorations."""
        day = self.clock().date()
        self._reloads += 1
        try:
            self._data_version = self.store.data_version()
            totals = self.store.day_totals(summary_span(day))
        except StoreError as error:
            self._read_failed(error)
            return
        view = self.query_one(TodayView)
        summary = summarize_today(totals, day)
        if counts_only and view.day == day and view.summary is not None:
            view.show_counts(summary)
        else:
            if view.day != day:
                week = day.isocalendar().week
                self.query_one("#top-bar", Static).update(
                    top_bar(f"{day:%a %d %b %Y} · week {week}")
                )
            self.day = view.day = day
            view.summary = summary
            self._check_last_tally()
        if figures:
            self.load_figures()

    def _check_last_tally(self) -> None:
        """Keep the "Last: …" line true when its tally was undone elsewhere (another
        window, `salestui undo`): say so, and what `u` would undo now."""
        last = self._last_tally
        if last is None:
            return
        today = self.clock().date().isoformat()
        try:
            if not self.store.is_cancelled(last.id):
                if last.day != today and self._last_said_day != today:
                    # Past midnight "at 23:58" would read as today's: name the day.
                    self._say(f"Last: {self._tally_words(last)}  (u to undo)")
                    self._last_tally, self._last_said_day = last, today
                return
            self._last_tally = None
            successor = None
            for event_id in reversed(self._own_tallies):
                if event_id != last.id and not self.store.is_cancelled(event_id):
                    successor = self.store.event(event_id)
                    break
        except StoreError:
            return  # the next read says what failed
        sentence = f"{self._tally_words(last)} was undone elsewhere."
        if successor is not None:
            sentence += f"  u undoes {self._tally_words(successor)}."
        self._say(sentence)

    def _tally_words(self, event: Event) -> str:
        """`+1 meeting at 10:42`, or `+1 meeting from Thu 26 Nov` on another day."""
        change = metric_by_key(event.metric).change(event.delta)
        if event.day == self.clock().date().isoformat():
            return f"{change} at {event.local_time:%H:%M}"
        return f"{change} from {date.fromisoformat(event.day):%a %-d %b}"

    def _read_failed(self, error: StoreError) -> None:
        """One sentence, and the app keeps running; when nothing could be read at all,
        it closes and `salestui` exits 1 with the error (see `run`)."""
        if self.query_one(TodayView).summary is None:
            self.startup_error = error
            self.exit(return_code=1)
            return
        self.notify(
            f"Cannot read the database: {error_text(error)}",
            severity="error",
            timeout=8,
            markup=False,
        )

    def _figures_soon(self) -> None:
        """Reload the figures once a burst of key presses is over, off the key's path."""
        if self._figures_timer is not None:
            self._figures_timer.stop()
        self._figures_timer = self.set_timer(FIGURES_DELAY, self.load_figures)

    @work(thread=True, exclusive=True, group="figures")
    def load_figures(self) -> None:
        """Funnel, trend, plan inputs and history, read on a worker thread."""
        from salestui.tui.background import load_figures

        try:
            figures = load_figures(self.store.path, self.clock, self.funnel_spec)
        except StoreError as error:
            self.call_from_thread(
                self.notify,
                f"Cannot read the database: {error_text(error)}",
                severity="error",
                markup=False,
            )
            return
        self.call_from_thread(self._show_figures, *figures)

    def _show_figures(
        self, inputs: PlanInputs, funnel: FunnelFigures, history: HistoryFigures
    ) -> None:
        if self._closing:
            return  # a result that arrives while the app closes has nowhere to go
        try:
            self._apply_figures(inputs, funnel, history)
        except (NoMatches, ScreenStackError):
            return  # the tabs are being torn down

    def _apply_figures(
        self, inputs: PlanInputs, funnel: FunnelFigures, history: HistoryFigures
    ) -> None:
        from salestui.domain.planner import MissingRateError
        from salestui.figures import NoGoalError
        from salestui.tui.funnel import FunnelTab
        from salestui.tui.goals import GoalsTab
        from salestui.tui.history import HistoryTab

        for history_tab in self.query(HistoryTab):
            history_tab.figures = history
        for funnel_tab in self.query(FunnelTab):
            funnel_tab.figures = funnel
        for goals_tab in self.query(GoalsTab):
            goals_tab.inputs = inputs
        today_view = self.query_one(TodayView)
        try:
            today_view.plan = inputs.plan()
        except NoGoalError:
            today_view.plan = None
            today_view.plan_hint = "Press g to set a monthly goal and see today's targets here."
        except MissingRateError as error:
            today_view.plan = None
            today_view.plan_hint = (
                f"Add a starting {error.stage} rate on the Goals tab (3) to see today's targets."
            )

    def poll(self) -> None:
        """Pick up other processes' tallies and roll over at midnight."""
        try:
            changed = self.store.data_version() != self._data_version
        except StoreError:
            changed = True
        if changed or self.clock().date() != self.day:
            # This window's own writes count as changes too (the writer has its own
            # connection): the counts are checked at once, the figures once a burst is over.
            self.reload(figures=False)
            self._figures_soon()

    def _read_setting(self, key: str) -> str | None:
        try:
            return self.store.setting(key)
        except StoreError:
            return None

    def _save_theme(self, theme: object) -> None:
        name = self.theme

        def failed(error: Exception) -> None:
            self.notify(
                f"Theme not remembered: {error_text(error)}", severity="warning", markup=False
            )

        self._submit(
            Write(
                "theme",
                writer.using_store(lambda store: store.set_setting("theme", name, source="tui")),
                landed=_nothing,
                failed=failed,
            )
        )

    # -- writes (all on the writer thread, in order) -------------------------------

    @property
    def waiting_writes(self) -> int:
        """How many writes are queued or under way (not on disk yet)."""
        return len(self._pending)

    def _submit(self, write: Write) -> None:
        """Queue a write; it shows as pending if it is not on disk within PENDING_DELAY."""
        assert self._writer is not None
        write.queued_at = time.monotonic()
        self._pending.append(write)
        self._writer.submit(write)
        if self._pending_shown:
            self._show_pending()
        elif self._pending_check is None:
            self._check_pending_later(PENDING_DELAY)

    def _check_pending_later(self, delay: float) -> None:
        # A bare loop callback, not a Textual timer: it costs nothing on the key's path.
        loop = asyncio.get_running_loop()
        self._pending_check = loop.call_later(max(delay, 0.0), self._check_pending)

    def _check_pending(self) -> None:
        self._pending_check = None
        if not self._pending or self._closing:
            return
        overdue = time.monotonic() - self._pending[0].queued_at
        if overdue >= PENDING_DELAY:
            self._pending_shown = True
            self._show_pending()
        else:
            self._check_pending_later(PENDING_DELAY - overdue)

    def _show_pending(self) -> None:
        """Mark the counters of waiting tallies, and say what waits, on Today and in an
        open day view; with nothing waiting, clear the marks."""
        marks: dict[str, int] = {}
        labels: list[str] = []
        for write in self._pending:
            if write.metric is not None:
                marks[write.metric] = marks.get(write.metric, 0) + write.delta
            elif write.label not in labels:
                labels.append(write.label)
        line = ""
        if self._pending:
            tallies = [
                metric_by_key(key).change(marks[key]) for key in METRIC_KEYS if marks.get(key)
            ]
            line = f"{', '.join(tallies + labels) or 'changes'} {WAITING}"
        pending_keys = {write.metric for write in self._pending if write.metric is not None}
        shown = {key: marks.get(key, 0) for key in pending_keys}
        with contextlib.suppress(NoMatches):
            self.query_one(TodayView).show_pending(shown, line)
        for screen in self._day_screens():
            screen.show_pending(line)

    def on_write_done(self, message: WriteDone) -> None:
        """A write landed or failed: unmark it, then show what it did."""
        write = message.write
        self._own_tallies = message.own_tallies
        if write in self._pending:
            self._pending.remove(write)
        if self._pending_shown:
            if not self._pending:
                self._pending_shown = False
            self._show_pending()
        elif self._pending and self._pending_check is None:
            self._check_pending_later(PENDING_DELAY - (time.monotonic() - write.queued_at))
        if message.error is None:
            write.landed(message.result)
        else:
            write.failed(message.error)
        for screen in self._day_screens():
            screen.show_day()
        if self._quit_when_saved and not self._pending:
            self.exit()

    def _day_screens(self) -> list[Any]:
        """Open day views (none before the day view's module is first imported)."""
        day_module = sys.modules.get("salestui.tui.day")
        if day_module is None:
            return []
        return [screen for screen in self.screen_stack if isinstance(screen, day_module.DayScreen)]

    async def action_quit(self) -> None:
        """Quit; with writes still waiting for the lock, once they are saved (q again:
        at once, the writes still get up to the busy timeout to land)."""
        if self._pending and not self._quit_when_saved:
            self._quit_when_saved = True
            self.notify(
                "Closing as soon as the waiting changes are saved (q again to close now).",
                severity="warning",
            )
            return
        self.exit()

    # -- actions -----------------------------------------------------------------

    def action_tally(self, metric_key: str, delta: int) -> None:
        """Queue one tally; the counter shows it once it is on disk (the screen never runs
        ahead of the disk), marked as waiting meanwhile if the database is busy."""
        self._last_key = time.monotonic()
        reloads = self._reloads
        self._tally(metric_key, delta, lambda event: self._tally_landed(event, reloads))

    def _tally_landed(self, event: Event, reloads_when_queued: int) -> None:
        metric = metric_by_key(event.metric)
        view = self.query_one(TodayView)
        if (
            reloads_when_queued == self._reloads
            and view.summary is not None
            and event.day == view.day.isoformat() == self.clock().date().isoformat()
        ):
            view.add(event.metric, event.delta)  # on disk; nothing read since it was queued
        else:
            self.reload(figures=False, counts_only=True)  # a read meanwhile may hold it
        self._figures_soon()
        last = f"Last: {metric.change(event.delta)} at {event.local_time:%H:%M}  (u to undo)"
        self._status_said += 1
        # The new count goes out alone; the flash, pace and status lines a moment later, so
        # their work does not hold up the frame that writes the count.
        self.set_timer(DECORATION_DELAY, partial(self._after_tally, event, last, self._status_said))

    def _after_tally(self, event: Event, last_action: str, said: int) -> None:
        view = self.query_one(TodayView)
        view.flash(event.metric)
        if said == self._status_said:
            self._last_tally = event
            # One repaint for the pace and the last action (set_reactive: no second one).
            view.set_reactive(TodayView.last_action, last_action)
        view.show_pace()

    def _say(self, sentence: str) -> None:
        """Put an outcome on the status line (under the counters)."""
        self._status_said += 1
        self._last_tally = None
        self.query_one(TodayView).last_action = sentence

    def tally_on(self, day: date, metric_key: str, delta: int) -> bool:
        """Backdate a tally to `day` (the History tab's day view); True when queued (the
        day view shows it once it is on disk)."""
        from salestui.domain.when import parse_at

        now = self.clock()
        try:
            at = parse_at(day.isoformat(), now)
        except ValueError as error:
            self.notify(f"Not saved: {visible(str(error))}", severity="error", markup=False)
            return False
        self._tally(metric_key, delta, lambda event: self.reload(), day=day, at=at)
        return True

    def _tally(
        self,
        metric_key: str,
        delta: int,
        landed: Callable[[Event], None],
        *,
        day: date | None = None,
        at: datetime | None = None,
    ) -> None:
        """Queue one tally of this window (undoable with `u`), today or backdated."""
        metric = metric_by_key(metric_key)

        def failed(error: Exception) -> None:
            day_text = "today" if day is None or day == self.day else f"on {day:%-d %b}"
            if isinstance(error, BelowZeroError):
                self.notify(f"No {metric_key} {day_text} to take back.", severity="warning")
                return
            sentence = f"{metric.change(delta)} {day_text} not saved: {error_text(error)}"
            self.notify(sentence, severity="error", timeout=8, markup=False)
            self._say(sentence)

        self._submit(
            Write(
                metric.change(delta),
                writer.tally(metric_key, delta, at),
                landed=landed,
                failed=failed,
                metric=metric_key,
                delta=delta,
            )
        )

    def on_heatmap_grid_day_chosen(self, message: HeatmapGrid.DayChosen) -> None:
        from salestui.tui.day import DayScreen

        self.push_screen(DayScreen(message.day))

    def action_undo(self) -> None:
        """Undo this window's newest tally still in force (queued behind the tallies
        before it); with none left, do nothing."""

        def failed(error: Exception) -> None:
            self.notify(
                f"Not undone: {error_text(error)}", severity="error", timeout=8, markup=False
            )

        self._last_key = time.monotonic()
        self._submit(Write("undo", writer.undo_newest, landed=self._undo_landed, failed=failed))

    def _undo_landed(self, result: UndoResult) -> None:
        view = self.query_one(TodayView)
        undone = None if result.refused else result.tally
        if undone is not None:
            self.reload(figures=False)
            self._figures_soon()
            view.flash(undone.metric)
            sentence = f"Undid {self._tally_words(undone)}"
            self._say(sentence)
            if undone.day != self.clock().date().isoformat():
                # Not today's: worth more than the status line's glance.
                self.notify(f"{sentence} (not today).", severity="warning")
        elif result.refused:
            refused = result.tally
            what = (
                metric_by_key(refused.metric).change(refused.delta)
                if refused is not None
                else "That tally"
            )
            sentence = f"{what} was already taken back elsewhere; nothing undone."
            self._say(sentence)
            self.notify(sentence, severity="warning")
        else:
            self._say("Nothing left to undo in this window.")

    def on_funnel_tab_period_chosen(self, message: FunnelTab.PeriodChosen) -> None:
        from salestui.domain.periods import parse_period

        try:
            parse_period(message.spec, self.clock().date())
        except ValueError as error:
            from salestui.tui.funnel import FunnelTab

            self.query_one(FunnelTab).show_error(str(error))
            return
        self.funnel_spec = message.spec
        self.load_figures()

    def on_goals_tab_save_requested(self, message: GoalsTab.SaveRequested) -> None:
        """Store what the Goals tab holds: calendar, rates, and an edited goal (from this
        month on, started as the user chose when the month is under way)."""
        from salestui.domain.periods import month_of
        from salestui.figures import month_label, save_calendar, save_goal, save_rate, set_goal

        today = self.clock().date()
        month = month_label(month_of(today))
        goal, rates, calendar = message.goal, message.rates, message.calendar
        start, only_this_month = message.start, message.only_this_month

        def save(store: Store) -> str:  # on the writer thread
            # The calendar first: a goal set mid-month is pro-rated by the days it leaves.
            if calendar is not None:
                save_calendar(store, calendar, source="tui")
            for stage, rate in rates.items():
                save_rate(store, stage, rate, source="tui")
            if goal is None:
                return "Saved."
            if only_this_month:
                # This month's goal started mid-month: the number is this month's alone;
                # the goal set with it for later months stays.
                save_goal(store, month, goal, only=True, source="tui")
                return f"Saved. Goal for {month}: {goal:,} sales."
            return "Saved. " + set_goal(store, today, goal, start, source="tui").message

        note = ""
        if any(self._history_decides(stage) for stage in rates):
            note = " Your own 90-day history is used while it is large enough (30+)."

        def landed(result: object) -> None:
            self.notify(f"{result}{note}")
            self.load_figures()

        def failed(error: Exception) -> None:
            self.notify(
                f"Not saved: {error_text(error)}", severity="error", timeout=8, markup=False
            )

        # Out of the field, onto the tab itself: letter keys tally again, focus still shows.
        self._focus_first("goals")
        self._submit(Write("goals", writer.using_store(save), landed=landed, failed=failed))

    def _history_decides(self, stage: str) -> bool:
        from salestui.domain.planner import history_rate
        from salestui.tui.goals import GoalsTab

        inputs = self.query_one(GoalsTab).inputs
        return inputs is not None and history_rate(inputs.history, stage) is not None

    def action_leave_field(self) -> None:
        """Escape leaves a text field for its tab's first control, so letter keys tally
        again and focus stays visible."""
        pane = _pane_of(self.focused)
        if pane is not None and pane.id is not None:
            self._focus_first(pane.id)
        else:
            self.set_focus(None)

    def action_note(self) -> None:
        """Ask for a note about this window's newest tally still in force."""
        if self._pending:
            self.notify(
                "The last change is still waiting for the database; press n once it is saved."
            )
            return
        tally = None
        for event_id in reversed(self._own_tallies):
            try:
                if not self.store.is_cancelled(event_id):
                    tally = self.store.event(event_id)
                    break
            except StoreError:
                break
        if tally is None:
            self.notify("Tally something first: n adds a note to this window's last tally.")
            return
        metric = metric_by_key(tally.metric)
        about = f"{metric.change(tally.delta)} at {tally.local_time:%H:%M}"

        def save(text: str | None) -> None:
            if text is None or tally is None:
                return

            def landed(note: Event) -> None:
                self._say(f"Note on {about}: {visible(note.note or '')}")

            def failed(error: Exception) -> None:
                self.notify(
                    f"Note not saved: {error_text(error)}",
                    severity="error",
                    timeout=8,
                    markup=False,
                )

            self._submit(Write("note", writer.note(tally.id, text), landed=landed, failed=failed))

        from salestui.tui.note import NoteScreen

        self.push_screen(NoteScreen(about), save)

    async def action_edit_goal(self) -> None:
        """Straight to the goal field on the Goals tab."""
        self._open_tab("goals", "#goal-input")
        await self._mount_other_tabs()
        await self.tabs_ready.wait()
        self.call_after_refresh(self._focus_wanted)

    def action_show_tab(self, tab_id: str) -> None:
        """Show a tab with focus on its first control, whatever had focus before."""
        self._open_tab(tab_id)

    def _open_tab(self, tab_id: str, focus: str | None = None) -> None:
        tabbed = self.query_one(TabbedContent)
        screen = tabbed.screen
        pane = _pane_of(screen.focused)
        if pane is not None and pane.id != tab_id:
            # A focused widget in the pane being hidden would pass its focus to a sibling
            # (Textual's blur on hide), and a pane whose widget takes focus becomes the
            # active tab again: the switch bounced back.
            screen.set_focus(None)
        self._focus_on_open = (tab_id, focus)
        if tabbed.active == tab_id:
            self.call_after_refresh(self._focus_wanted)
        else:
            tabbed.active = tab_id

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id or ""
        wanted = self._focus_on_open
        if wanted is None or wanted[0] != pane_id:
            # Arrows or clicks on the tab bar leave focus there; otherwise the tab opens
            # on its first control.
            on_tab_bar = isinstance(event.tabbed_content.screen.focused, Tabs)
            self._focus_on_open = None if on_tab_bar else (pane_id, None)
        if pane_id != "today":
            await self._mount_other_tabs()  # asked for before they were built
        self.call_after_refresh(self._focus_wanted)  # once the pane is visible

    def _focus_wanted(self) -> None:
        """Focus what the tab just opened wants, once it is built and showing."""
        if self._focus_on_open is None:
            return
        pane_id, selector = self._focus_on_open
        try:
            if self.query_one(TabbedContent).active == pane_id:
                self._focus_first(pane_id, selector)
        except NoMatches:
            return  # not built yet: tried again once it is
        self._focus_on_open = None

    def _focus_first(self, pane_id: str, selector: str | None = None) -> None:
        """Focus `selector` in a tab, or its first useful control: the tab bar on Today,
        the period picker on Funnel, the Goals tab itself (not the goal field, where
        letters would type instead of tallying), the day grid on History. Raises
        NoMatches while the tab is not built."""
        tabbed = self.query_one(TabbedContent)
        pane = tabbed.get_pane(pane_id)
        if selector is not None:
            pane.query_one(selector).focus()
        elif pane_id == "today":
            tabbed.query_one(Tabs).focus()
        else:
            if not pane.children:
                raise NoMatches(f"the {pane_id} tab is not built yet")
            tab = pane.children[0]
            (getattr(tab, "focus_first", None) or tab.focus_grid)()  # type: ignore[attr-defined]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for command in COMMANDS:
            if command.action != "quit":
                yield SystemCommand(
                    f"{command.title} ({command.key_display or command.key})",
                    command.help,
                    partial(self.run_action, command.action),
                )


def _nothing(result: object) -> None:
    """A write whose landing needs no change on screen."""


def _pane_of(widget: Widget | None) -> TabPane | None:
    """The tab pane holding `widget`, if any."""
    for node in widget.ancestors if widget is not None else ():
        if isinstance(node, TabPane):
            return node
    return None


def make_app(db_path: Path, clock: Clock = local_now) -> SalesApp:
    """The one factory for the CLI and the tests. Raises StoreError for a bad file."""
    return SalesApp(Store(db_path, clock=clock), clock=clock)


def top_bar(date_line: str) -> Table:
    """`salestui` on the left, the date and week on the right: one widget."""
    bar = Table.grid(expand=True)
    bar.add_column(style="bold")
    bar.add_column(justify="right", style="dim")
    bar.add_row("salestui", date_line)
    return bar
