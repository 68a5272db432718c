"""The salestui app: wires the tabs to the store, the writer thread and the watcher.

Each tab owns its data and logic (today.py, funnel.py, goals.py, history.py), the tab
row owns building and focusing them (tabs.py), the writes go through one WriteQueue
(writer.py). The app composes them, holds the keys, starts and stops the threads, and
routes the messages they post to whoever owns what they are about.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from textual import work
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TabPane

from salestui.clock import Clock, local_now
from salestui.domain.catalog import Catalog
from salestui.domain.keys import SETTING_PREFIX, keymap_from_settings, validate_keymap
from salestui.domain.text import visible
from salestui.store.events import BUSY_TIMEOUT_MS, Store, StoreError
from salestui.tui import writer
from salestui.tui.commands import BINDINGS, COMMANDS, bound_keys
from salestui.tui.help import HelpScreen
from salestui.tui.messages import DatabaseChanged, FiguresWanted
from salestui.tui.tabs import SalesTabs
from salestui.tui.today import TodayView, error_text
from salestui.tui.writer import Write, WriteDone, WriteQueue

# Everything the other tabs need is imported after the first paint (startup time).
if TYPE_CHECKING:
    from salestui.tui.background import FiguresLoaded
    from salestui.tui.day import DayScreen
    from salestui.tui.funnel import FunnelTab
    from salestui.tui.history import HeatmapGrid
    from salestui.tui.watcher import ChangeWatcher


class SalesApp(App[None]):
    """Tally calls, meetings and sales; every figure comes from the event store."""

    CSS_PATH = "app.tcss"
    TITLE = "salestui"
    BINDINGS = BINDINGS

    POLL_SECONDS = 1.0
    """How often, without inotify, other processes' tallies and the date are checked."""
    FIGURES_DELAY = 0.8
    """After a tally, the funnel and plan are reloaded this much later (once per burst).
    On a large history that read holds the interpreter for a good part of a second: it
    waits for a pause in the typing rather than slowing the next presses down (tests: 1 ms)."""
    PENDING_DELAY = 0.15
    """A write not on disk after this long is shown as waiting."""

    def __init__(self, store: Store, clock: Clock = local_now) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.writes = WriteQueue(store.path, clock, self.PENDING_DELAY)
        self.funnel_spec = "month"
        self.startup_error: StoreError | None = None
        """Set when the very first read fails: the app closes and `run` exits 1."""
        try:
            catalog = store.catalog()
        except StoreError:  # the first read (on mount) says what is wrong with the file
            catalog = Catalog.builtin()
        self.catalog: Catalog = catalog
        """The metrics and funnels in use; replaced (and CatalogChanged posted) on change."""
        self._top_bar = Static("", id="top-bar")
        self._today = TodayView(store, clock, self.writes)
        self._tabs = SalesTabs(clock, self.writes, initial="today")
        self._figures_timer: Timer | None = None
        self._watcher: ChangeWatcher | None = None
        self._quit_when_saved = False

    @property
    def tabs_ready(self) -> asyncio.Event:
        """Set once the Funnel, Goals and History tabs exist."""
        return self._tabs.ready

    @property
    def waiting_writes(self) -> int:
        """How many writes are queued or under way (not on disk yet)."""
        return self.writes.waiting

    def compose(self) -> ComposeResult:
        yield self._top_bar
        with self._tabs:
            with TabPane("1 Today", id="today"):
                yield self._today
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

    # -- lifecycle: settings, the writer thread, the watcher ---------------------

    def on_mount(self) -> None:
        saved_theme = self._setting("theme")
        if saved_theme and saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, self._save_theme)
        self._apply_keymap()
        self.writes.start(self._deliver, here=self.store)
        self.startup_error = self._today.first_read()
        if self.startup_error is not None:
            self.exit(return_code=1)
            return
        self._start_watcher()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        # Writes already queued still go to disk (they may wait for the lock).
        self.writes.close(timeout=BUSY_TIMEOUT_MS / 1000 + 5)
        self.store.close()

    def _apply_keymap(self) -> None:
        """Users' key remaps (settings `key.<binding id>`); refused ones are said once."""
        try:
            stored = self.store.settings_like(SETTING_PREFIX)
        except StoreError:
            return
        keymap, warnings = validate_keymap(keymap_from_settings(stored))
        for warning in warnings:
            self.notify(warning, severity="warning", markup=False)
        if keymap:
            self.set_keymap(keymap)

    def _deliver(self, done: WriteDone) -> None:
        """On the writer thread: hand a finished write to the UI thread."""
        with contextlib.suppress(RuntimeError):  # the app (and its loop) already closed
            self.post_message(done)

    def _start_watcher(self) -> None:
        from salestui.tui.watcher import ChangeWatcher

        def changed() -> None:  # on the watcher thread
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.post_message(DatabaseChanged())

        self._watcher = ChangeWatcher(self.store.path, self.clock, changed, self.POLL_SECONDS)
        self._watcher.start()

    def _setting(self, key: str) -> str | None:
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

        save = writer.using_store(lambda store: store.set_setting("theme", name, source="tui"))
        self.writes.submit(Write("theme", save, landed=_nothing, failed=failed))

    # -- routing what threads, tabs and screens post ------------------------------

    def on_write_done(self, message: WriteDone) -> None:
        self.writes.done(message)
        if self._quit_when_saved and not self.writes.waiting:
            self.exit()

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self._today.poll()

    def on_today_view_day_changed(self, message: TodayView.DayChanged) -> None:
        day = message.day
        week = day.isocalendar().week
        self._top_bar.update(top_bar(f"{day:%a %d %b %Y} · week {week}"))

    def on_sales_tabs_built(self, message: SalesTabs.Built) -> None:
        self.load_figures()
        self.daily_backup()

    def on_figures_wanted(self, message: FiguresWanted) -> None:
        if self._figures_timer is not None:
            self._figures_timer.stop()
            self._figures_timer = None
        if message.soon:
            self._figures_timer = self.set_timer(self.FIGURES_DELAY, self.load_figures)
        else:
            self.load_figures()

    def on_funnel_tab_period_chosen(self, message: FunnelTab.PeriodChosen) -> None:
        self.funnel_spec = message.spec
        self.load_figures()

    def on_figures_loaded(self, message: FiguresLoaded) -> None:
        with contextlib.suppress(NoMatches, ScreenStackError):  # the tabs are torn down
            self._tabs.show_figures(message.figures)
            self._today.show_plan_inputs(message.figures.inputs)

    def on_heatmap_grid_day_chosen(self, message: HeatmapGrid.DayChosen) -> None:
        from salestui.tui.day import DayScreen

        self.push_screen(DayScreen(message.day, self.store, self.writes))

    def on_day_screen_tally_wanted(self, message: DayScreen.TallyWanted) -> None:
        self._today.tally_on(message.day, message.metric_key, message.delta)

    def on_day_screen_undo_wanted(self, message: DayScreen.UndoWanted) -> None:
        self._today.undo()

    # -- workers ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="figures")
    def load_figures(self) -> None:
        """Funnel, trend, plan inputs and history, read on a worker thread."""
        from salestui.tui.background import FiguresLoaded, load_figures

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
        # A message, not a call: one that arrives while the app closes is dropped.
        self.post_message(FiguresLoaded(figures))

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

    # -- actions (the keys: see commands.py) ----------------------------------------

    def action_tally(self, metric_key: str, delta: int) -> None:
        self._tabs.key_pressed()
        self._today.tally(metric_key, delta)

    def action_undo(self) -> None:
        self._tabs.key_pressed()
        self._today.undo()

    def action_note(self) -> None:
        self._today.note()

    def action_show_tab(self, tab_id: str) -> None:
        self._tabs.open_tab(tab_id)

    async def action_edit_goal(self) -> None:
        await self._tabs.edit_goal()

    def action_leave_field(self) -> None:
        self._tabs.leave_field()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen.active_bindings))

    async def action_quit(self) -> None:
        """Quit; with writes still waiting for the lock, once they are saved (q again:
        at once, the writes still get up to the busy timeout to land)."""
        if self.writes.waiting and not self._quit_when_saved:
            self._quit_when_saved = True
            self.notify(
                "Closing as soon as the waiting changes are saved (q again to close now).",
                severity="warning",
            )
            return
        await self.stop_building_tabs()
        self.exit()

    async def stop_building_tabs(self) -> None:
        """Before closing: no further tab is built, and one being built finishes."""
        await self._tabs.stop_building()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        active = screen.active_bindings
        for command in COMMANDS:
            if command.action != "quit":
                keys = ", ".join(bound_keys(active, command.id)) or command.key
                yield SystemCommand(
                    f"{command.title} ({keys})",
                    command.help,
                    partial(self.run_action, command.action),
                )


def _nothing(result: object) -> None:
    """A write whose landing needs no change on screen."""


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
