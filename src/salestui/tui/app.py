"""The salestui app: one screen of tabs over the event store."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from textual import work
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TabbedContent, TabPane

from salestui.clock import Clock, local_now
from salestui.domain.counts import summarize_today, summary_span
from salestui.domain.metrics import metric_by_key
from salestui.store.events import BelowZeroError, Event, Store, StoreError
from salestui.tui.commands import BINDINGS, COMMANDS
from salestui.tui.help import HelpScreen
from salestui.tui.today import TodayView

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
"""Funnel, Goals and History are built this long after the first screen."""

FIGURES_DELAY = 0.3
"""After a tally, the funnel and plan are reloaded this much later (once per burst)."""


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
        self.tabs_ready = asyncio.Event()
        """Set once the Funnel, Goals and History tabs exist (tests wait on it)."""
        self._undo_stack: list[str] = []
        """Ids of this window's own tallies, newest last: `u` undoes only these."""

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

    def on_mount(self) -> None:
        saved_theme = self._read_setting("theme")
        if saved_theme and saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, self._save_theme)
        self.reload(figures=False)
        self._start_watcher()
        # The other tabs are built once the first screen is out (or at once when asked for).
        self.set_timer(OTHER_TABS_DELAY, self._mount_other_tabs)

    async def _mount_other_tabs(self) -> None:
        if self._tabs_mounting:
            return
        self._tabs_mounting = True
        from salestui.tui.funnel import FunnelTab
        from salestui.tui.goals import GoalsTab
        from salestui.tui.history import HistoryTab

        try:
            panes = [self.query_one(f"#{pane_id}", TabPane) for pane_id in OTHER_TABS]
        except NoMatches:
            return  # the app is closing
        history = HistoryTab()
        for pane, tab in zip(panes, (FunnelTab(), GoalsTab(), history), strict=True):
            await pane.mount(tab)
        if self.query_one(TabbedContent).active == "history":  # switched before it was there
            self.call_after_refresh(history.focus_grid)
        # Everything built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, which otherwise pause a key press for ~50 ms now and then.
        gc.freeze()
        self.load_figures()
        self.daily_backup()
        self.tabs_ready.set()

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
        self.store.close()

    def _start_watcher(self) -> None:
        from salestui.tui.watcher import ChangeWatcher

        loop = asyncio.get_running_loop()

        def changed() -> None:  # on the watcher thread
            if self.is_running:
                loop.call_soon_threadsafe(self.poll)

        self._watcher = ChangeWatcher(self.store.path, self.clock, changed, POLL_SECONDS)
        self._watcher.start()

    # -- data --------------------------------------------------------------------

    def reload(self, *, figures: bool = True) -> None:
        """Read today's figures from disk (a few rows from the per-day rollup)."""
        self.day = self.clock().date()
        try:
            self._data_version = self.store.data_version()
            totals = self.store.day_totals(summary_span(self.day))
        except StoreError as error:
            self.notify(f"Cannot read the database: {error.cause}", severity="error")
            return
        view = self.query_one(TodayView)
        view.day = self.day
        view.summary = summarize_today(totals, self.day)
        week = self.day.isocalendar().week
        self.query_one("#top-bar", Static).update(top_bar(f"{self.day:%a %d %b %Y} · week {week}"))
        if figures:
            self.load_figures()

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
                self.notify, f"Cannot read the database: {error.cause}", severity="error"
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
            self.reload()

    def _read_setting(self, key: str) -> str | None:
        try:
            return self.store.setting(key)
        except StoreError:
            return None

    def _save_theme(self, theme: object) -> None:
        try:
            self.store.set_setting("theme", self.theme)
        except StoreError as error:
            self.notify(f"Theme not remembered: {error.cause}", severity="warning")

    # -- actions -----------------------------------------------------------------

    def action_tally(self, metric_key: str, delta: int) -> None:
        """Commit one tally, then show it: the screen never runs ahead of the disk."""
        metric = metric_by_key(metric_key)
        event = self._commit_tally(metric_key, delta, None, "today")
        if event is None:
            return
        view = self.query_one(TodayView)
        if event.day == self.day.isoformat() and view.summary is not None:
            view.add(metric_key, delta)  # committed above; no need to read it back
        else:
            self.reload(figures=False)
        self._figures_soon()
        last = f"Last: {metric.change(delta)} at {event.local_time:%H:%M}  (u to undo)"
        # The new count goes out alone; the flash, pace and status lines a moment later, so
        # their work does not hold up the frame (and the thread) that writes the count.
        self.set_timer(DECORATION_DELAY, partial(self._after_tally, metric_key, last))

    def _after_tally(self, metric_key: str, last_action: str) -> None:
        view = self.query_one(TodayView)
        view.flash(metric_key)
        view.show_pace()
        view.last_action = last_action

    def tally_on(self, day: date, metric_key: str, delta: int) -> bool:
        """Backdate a tally to `day` (the History tab's day view); True when saved."""
        from salestui.domain.when import parse_at

        now = self.clock()
        try:
            at = parse_at(day.isoformat(), now)
        except ValueError as error:
            self.notify(f"Not saved: {error}", severity="error")
            return False
        if self._commit_tally(metric_key, delta, at, f"on {day:%-d %b}") is None:
            return False
        self.reload()
        return True

    def _commit_tally(
        self, metric_key: str, delta: int, at: datetime | None, day_text: str
    ) -> Event | None:
        """Write one tally of this window (undoable with `u`); a one-sentence notice and
        None when it cannot be saved."""
        try:
            event = self.store.log(metric_key, delta, at=at, source="tui")
        except BelowZeroError:
            self.notify(f"No {metric_key} {day_text} to take back.", severity="warning")
            return None
        except StoreError as error:
            self.notify(f"Not saved: {error.cause}", severity="error", timeout=8)
            return None
        self._undo_stack.append(event.id)
        return event

    def on_heatmap_grid_day_chosen(self, message: HeatmapGrid.DayChosen) -> None:
        from salestui.tui.day import DayScreen

        self.push_screen(DayScreen(message.day))

    def action_undo(self) -> None:
        """Undo this window's newest tally still in force; with none left, do nothing."""
        view = self.query_one(TodayView)
        while self._undo_stack:
            event_id = self._undo_stack[-1]
            try:
                cancelled = self.store.undo(event_id, source="tui")
            except StoreError as error:
                self.notify(f"Not undone: {error.cause}", severity="error", timeout=8)
                return
            self._undo_stack.pop()
            if cancelled is None:
                continue  # already undone elsewhere (e.g. `salestui undo`)
            self.reload(figures=False)
            self._figures_soon()
            view.flash(cancelled.metric)
            metric = metric_by_key(cancelled.metric)
            when = "" if cancelled.day == self.day.isoformat() else f" on {cancelled.day}"
            view.last_action = f"Undid {metric.change(cancelled.delta)}{when}"
            return
        view.last_action = "Nothing left to undo in this window."

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
        """Store what the Goals tab holds: goal from this month on, rates, calendar."""
        from salestui.domain.periods import month_of
        from salestui.figures import month_label, save_calendar, save_goal, save_rate

        try:
            if message.goal is not None:
                save_goal(self.store, month_label(month_of(self.clock().date())), message.goal)
            for stage, rate in message.rates.items():
                save_rate(self.store, stage, rate)
            if message.calendar is not None:
                save_calendar(self.store, message.calendar)
        except StoreError as error:
            self.notify(f"Not saved: {error.cause}", severity="error", timeout=8)
            return
        self.set_focus(None)
        note = ""
        if any(self._history_decides(stage) for stage in message.rates):
            note = " Your own 90-day history is used while it is large enough (30+)."
        self.notify("Saved." + note)
        self.load_figures()

    def _history_decides(self, stage: str) -> bool:
        from salestui.domain.planner import history_rate
        from salestui.tui.goals import GoalsTab

        inputs = self.query_one(GoalsTab).inputs
        return inputs is not None and history_rate(inputs.history, stage) is not None

    def action_leave_field(self) -> None:
        """Escape leaves a text field, so letter keys tally again."""
        self.set_focus(None)

    def action_note(self) -> None:
        """Ask for a note about this window's newest tally still in force."""
        view = self.query_one(TodayView)
        tally = None
        for event_id in reversed(self._undo_stack):
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
            try:
                self.store.add_note(tally.id, text, source="tui")
            except (StoreError, ValueError) as error:
                self.notify(f"Note not saved: {error}", severity="error", timeout=8)
                return
            view.last_action = f"Note on {about}: {text}"

        from salestui.tui.note import NoteScreen

        self.push_screen(NoteScreen(about), save)

    async def action_edit_goal(self) -> None:
        """Straight to the goal field on the Goals tab."""
        self.query_one(TabbedContent).active = "goals"
        await self._mount_other_tabs()
        await self.tabs_ready.wait()
        from textual.widgets import Input

        self.call_after_refresh(self.query_one("#goal-input", Input).focus)

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id != "today":
            await self._mount_other_tabs()  # asked for before they were built
        if event.pane.id == "history":
            from salestui.tui.history import HistoryTab

            for tab in self.query(HistoryTab):
                self.call_after_refresh(tab.focus_grid)  # once the pane is visible

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
