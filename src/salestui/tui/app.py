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
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from textual import work
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TabPane

from salestui.clock import Clock, local_now
from salestui.domain.catalog import Catalog, SettingChanges
from salestui.domain.keys import (
    METRIC_COMMANDS,
    SETTING_PREFIX,
    default_keys,
    keymap_from_settings,
    validate_keymap,
)
from salestui.domain.metrics import METRICS, Metric
from salestui.domain.text import visible
from salestui.store.events import BUSY_TIMEOUT_MS, Store, StoreError
from salestui.tui import writer
from salestui.tui.commands import (
    BINDINGS,
    Command,
    bound_keys,
    commands_for,
    metric_commands,
    with_metric_bindings,
)
from salestui.tui.help import HelpScreen
from salestui.tui.messages import (
    CatalogChanged,
    DatabaseChanged,
    FiguresWanted,
    ProspectsChanged,
)
from salestui.tui.tabs import SalesTabs
from salestui.tui.today import TodayView, error_text
from salestui.tui.writer import Write, WriteDone, WriteQueue

# Everything the other tabs need is imported after the first paint (startup time).
if TYPE_CHECKING:
    from salestui.tui.background import FiguresLoaded
    from salestui.tui.day import DayScreen
    from salestui.tui.funnel import FunnelTab
    from salestui.tui.history import HeatmapGrid
    from salestui.tui.prospect_screen import ProspectScreen
    from salestui.tui.prospects import ProspectsTab
    from salestui.tui.timer import Timekeeper
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
        self._catalog_version = -1
        """`data_version` when the catalog was last read (another connection's commit
        changes it: only then may the settings have changed)."""
        try:
            self._catalog_version = store.data_version()
            catalog = store.catalog()
        except StoreError:  # the first read (on mount) says what is wrong with the file
            catalog = Catalog.builtin()
        self.catalog: Catalog = catalog
        """The metrics and funnels in use; replaced (and CatalogChanged posted) on change."""
        self.writes.catalog = catalog
        self.commands: tuple[Command, ...] = commands_for(catalog.visible)
        self._tally_keys = frozenset(metric.key for metric in catalog.visible)
        """The metrics a key may count now (the visible ones)."""
        """Every command now: the visible metrics' +1 and −1, then the app's own."""
        self._keymap_stored: dict[str, str] = {}
        """The users' remaps as stored (`key.<binding id>`), read at start-up."""
        self._keymap_said: set[str] = set()
        """Remap warnings already shown (a catalog change re-checks them, silently)."""
        self._all_bindings = self._bindings.copy()
        """The bindings with every key the footer may show (`_fit_footer` hides some)."""
        self._footer_shown: tuple[bool, ...] = ()
        """Which footer keys `_fit_footer` kept last (by the footer's order)."""
        if catalog.visible != METRICS:
            self._rebind()
        self._footer = Footer()
        self._top_bar = Static("", id="top-bar")
        self._today = TodayView(store, clock, self.writes, catalog)
        self._tabs = SalesTabs(clock, self.writes, initial="today")
        self._figures_timer: Timer | None = None
        self._watcher: ChangeWatcher | None = None
        self._quit_when_saved = False
        self._timekeeper: Timekeeper | None = None
        """The non-sales timer (`t`): what runs, its badge and tick (tui/timer.py)."""
        self._date_line = ""
        self._timer_badge = ""

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
            yield TabPane("5 Prospects", id="prospects")
        yield self._footer

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
        self.watch(self._tabs, "active", self._fit_chrome, init=False)
        self._apply_keymap()
        self.writes.start(self._deliver, here=self.store)
        self.startup_error = self._today.first_read()
        if self.startup_error is not None:
            self.exit(return_code=1)
            return
        self._start_watcher()
        self._start_timekeeper()

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self._timekeeper is not None:
            self._timekeeper.stop_ticking()
        # Writes already queued still go to disk (they may wait for the lock).
        self.writes.close(timeout=BUSY_TIMEOUT_MS / 1000 + 5)
        self.store.close()

    def _apply_keymap(self) -> None:
        """Users' key remaps (settings `key.<binding id>`); refused ones are said once."""
        try:
            stored = self.store.settings_like(SETTING_PREFIX)
        except StoreError:
            return
        self._keymap_stored = keymap_from_settings(stored)
        self._use_keymap()

    def _use_keymap(self) -> None:
        """Apply the stored remaps to the commands of the catalog in use (`tally.emails`
        too); a remap of a hidden metric waits, unsaid, until it is shown again."""
        hidden = {
            f"{prefix}{entry.key}"
            for entry in self.catalog.entries
            if entry.hidden
            for prefix in METRIC_COMMANDS
        }
        wanted = {key: value for key, value in self._keymap_stored.items() if key not in hidden}
        pairs = [(metric.key, metric.letter) for metric in self.catalog.visible]
        keymap, warnings = validate_keymap(wanted, default_keys(pairs))
        for warning in warnings:
            if warning not in self._keymap_said:
                self._keymap_said.add(warning)
                self.notify(warning, severity="warning", markup=False)
        if keymap or self._keymap:
            self.set_keymap(keymap)

    def _rebind(self) -> None:
        """The metric keys of `self.catalog` (a hidden metric's key does nothing)."""
        visible_metrics = self.catalog.visible
        self.commands = commands_for(visible_metrics)
        self._tally_keys = frozenset(metric.key for metric in visible_metrics)
        metric_bindings = [command.binding() for command in metric_commands(visible_metrics)]
        self._all_bindings = with_metric_bindings(self._all_bindings, metric_bindings)
        self._bindings = self._all_bindings.copy()
        self._footer_shown = ()
        if self.is_running:
            self._fit_footer()

    def follow_catalog(self, catalog: Catalog) -> None:
        """Use `catalog` from now on (read after a change here or in another process):
        the keys, Today's panels, the waiting line's words; the tabs follow CatalogChanged.
        Tallies waiting for the database are kept (they live in the write queue)."""
        self.catalog = catalog
        self.writes.catalog = catalog
        self._rebind()
        self._use_keymap()
        self.refresh_bindings()
        for screen in self.screen_stack:
            if hasattr(screen, "follow_catalog"):  # a day's view takes the same keys
                screen.follow_catalog(catalog)
        self.run_worker(self._today.set_catalog(catalog), group="catalog", exclusive=True)
        self._tabs.post_message(CatalogChanged())

    def _check_catalog(self) -> None:
        """After another connection's commit: follow the catalog when it changed (one
        small read of the metric./funnel. settings)."""
        try:
            self._catalog_version = self.store.data_version()
            catalog = self.store.catalog()
        except StoreError:
            return  # the counts' read says what is wrong
        if not same_catalog(catalog, self.catalog):
            self.follow_catalog(catalog)

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

    def _start_timekeeper(self) -> None:
        from salestui.tui.timer import Timekeeper

        self._timekeeper = Timekeeper(
            self, self.store, self.clock, self.writes, self._show_timer, self._today.say
        )
        self._timekeeper.follow()  # a timer left running past midnight is said here

    def _show_timer(self, badge: str, parts: list[tuple[int, str]]) -> None:
        """The running timer in the top bar, and on Today (its strip, its time line)."""
        self._timer_badge = badge
        with contextlib.suppress(NoMatches, ScreenStackError):  # the app is closing
            self._top_bar.update(top_bar(self._date_line, badge))
            self._today.show_time(badge, parts)

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
        # A change noticed just before the app closed can arrive while its widgets go.
        with contextlib.suppress(NoMatches, ScreenStackError):
            self._follow_database()

    def _follow_database(self) -> None:
        self._today.poll()
        try:
            version = self.store.data_version()
        except StoreError:
            return
        # Only another connection's commit can have changed the settings, a timer or a
        # prospect: this window's own tallies (on this connection, which the watcher
        # sees too) cost none of these reads.
        if version == self._catalog_version:
            return
        self._check_catalog()
        if self._timekeeper is not None:
            self._timekeeper.follow()  # a timer started or stopped elsewhere
        # A prospect added, changed or touched elsewhere: the tab reads its list again
        # (~1 ms through its indexes; a stale search index is read again on a worker).
        for tab in self.query("#prospects-tab"):  # once built (no import before then)
            if getattr(tab, "listing", None) is not None:  # and read once: composed
                tab.reload()  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        # After App's own handler has taken the new size (it runs after this one).
        self.call_later(self._fit_to_size)

    def _fit_to_size(self) -> None:
        self._today.fit_panels()  # the panels' rows follow the height too
        self._fit_chrome()

    def _fit_chrome(self, *_: object) -> None:
        """The top bar and the tab row give their rows to Today in a strip, and the
        footer keeps `? Help` and `q Quit` whatever the width (see `_fit_footer`).

        In a strip (12 rows or fewer) the top bar (the date) goes; below 10 rows the
        tab row goes too while Today is shown (1-4 still switch tabs, and another tab
        brings the row back so it is clear where one is)."""
        from textual.widgets import Tabs

        from salestui.tui.layouts import STRIP, pick_layout
        from salestui.tui.today import STRIP_TABS_MIN_HEIGHT

        width, height = self.size
        strip = pick_layout(width, height) == STRIP
        self._top_bar.display = not strip
        with contextlib.suppress(NoMatches):
            short = strip and height < STRIP_TABS_MIN_HEIGHT and self._tabs.active == "today"
            self._tabs.query_one(Tabs).display = not short
        self._fit_footer()

    def _fit_footer(self) -> None:
        """Show the footer keys that fit the width: all of them while they do; else
        compact, without the palette key, the least important dropped first (the −1
        group, note, undo, the later metrics), `? Help` and `q Quit` last of all.
        Textual's footer drops keys from the right: without this, help went first."""
        from dataclasses import replace

        from textual.binding import BindingsMap

        from salestui.tui.layouts import footer_fit

        shown = [binding for _key, binding in self._all_bindings if binding.show]
        items: list[tuple[int, int, int]] = []
        owners: list[list[str | None]] = []
        seen: set[str] = set()
        corrections: list[str | None] = []
        for binding in shown:
            if binding.action in seen:
                continue  # the footer shows one key per action
            seen.add(binding.action)
            key = len(self.get_key_display(binding))
            if binding.group is not None:
                corrections.append(binding.id)
                continue
            label = len(binding.description)
            priority = FOOTER_PRIORITY.get(binding.id or "", 2)
            items.append((priority, key + label + 3, key + label + 2))
            owners.append([binding.id])
        if corrections:
            group_width = len(corrections) + 5
            items.append((5, group_width, group_width + 1))
            owners.append(corrections)
        palette = len(self.get_key_display(Binding("ctrl+p", ""))) + 11
        keep, compact, palette_shown = footer_fit(items, self.size.width, palette)
        hidden = {id_ for owner, k in zip(owners, keep, strict=True) if not k for id_ in owner}
        if tuple(keep) != self._footer_shown:
            self._footer_shown = tuple(keep)
            self._bindings = BindingsMap(
                [
                    replace(binding, show=False) if binding.id in hidden else binding
                    for _key, binding in self._all_bindings
                ]
            )
            self.refresh_bindings()
        self._footer.compact = compact
        self._footer.show_command_palette = palette_shown

    def on_today_view_day_changed(self, message: TodayView.DayChanged) -> None:
        day = message.day
        week = day.isocalendar().week
        self._date_line = f"{day:%a %d %b %Y} · week {week}"
        self._top_bar.update(top_bar(self._date_line, self._timer_badge))

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

        self.push_screen(DayScreen(message.day, self.store, self.writes, self.catalog))

    def on_day_screen_tally_wanted(self, message: DayScreen.TallyWanted) -> None:
        self._today.tally_on(message.day, message.metric_key, message.delta)

    def on_day_screen_undo_wanted(self, message: DayScreen.UndoWanted) -> None:
        self._today.undo()

    # Prospects (issue 11): the tab and a prospect's screen ask, prospect_actions writes.

    def on_prospects_tab_chosen(self, message: ProspectsTab.Chosen) -> None:
        from salestui.tui import prospect_actions

        prospect_actions.open_prospect(self, message.prospect_id)

    def on_prospects_tab_add_wanted(self, message: ProspectsTab.AddWanted) -> None:
        from salestui.tui import prospect_actions

        prospect_actions.add(self)

    def on_prospect_screen_tally_wanted(self, message: ProspectScreen.TallyWanted) -> None:
        self._tabs.key_pressed()
        self._today.tally(message.metric_key, 1, prospect=message.prospect_id)

    def on_prospect_screen_undo_wanted(self, message: ProspectScreen.UndoWanted) -> None:
        self._today.undo()

    def on_prospect_screen_change_wanted(self, message: ProspectScreen.ChangeWanted) -> None:
        from salestui.tui import prospect_actions

        prospect_actions.change(self, message)

    def on_prospect_screen_tab_wanted(self, message: ProspectScreen.TabWanted) -> None:
        from salestui.tui.prospect_screen import ProspectScreen

        while isinstance(self.screen, ProspectScreen):
            self.pop_screen()
        tabs = ("today", "funnel", "goals", "history", "prospects")
        if 1 <= message.tab <= len(tabs):
            self._tabs.open_tab(tabs[message.tab - 1])

    def on_prospects_changed(self, message: ProspectsChanged) -> None:
        from salestui.tui.prospects import ProspectsTab

        for tab in self.query(ProspectsTab):
            tab.reload()
        self._today.reload()

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
        if metric_key not in self._tally_keys:
            self.bell()  # hidden or unknown (a stale remap, a typed action): nothing counted
            return
        self._tabs.key_pressed()
        self._today.tally(metric_key, delta)

    def action_undo(self) -> None:
        self._tabs.key_pressed()
        self._today.undo()

    def action_note(self) -> None:
        self._today.note()

    def action_link_prospect(self) -> None:
        from salestui.tui import prospect_actions

        prospect_actions.link_last_tally(self)

    def action_timer(self) -> None:
        """`t`: pick a category and start a timer; `t` again stops it."""
        if self._timekeeper is None:
            return
        from salestui.store.timers import categories

        self._timekeeper.toggle(lambda: categories(self.store))

    def action_show_tab(self, tab_id: str) -> None:
        self._tabs.open_tab(tab_id)

    async def action_edit_goal(self) -> None:
        await self._tabs.edit_goal()

    def action_leave_field(self) -> None:
        self._tabs.leave_field()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen.active_bindings, self.commands))

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
        for command in self.commands:
            if command.action != "quit":
                keys = ", ".join(bound_keys(active, command.id)) or command.key
                yield SystemCommand(
                    f"{command.title} ({keys})",
                    command.help,
                    partial(self.run_action, command.action),
                )
        # Your own metrics, without the command line.
        yield SystemCommand(
            "Start from a preset…",
            "Metrics and a funnel for your work: " + ", ".join(self._preset_names()),
            self.choose_preset,
        )
        yield SystemCommand(
            "Add a metric…", "Count something more (emails on e, Shift+E for −1)", self.add_metric
        )
        yield SystemCommand(
            "Hide a metric…", "Take a metric off Today and its key (its history stays)", self.hide
        )
        if any(entry.hidden for entry in self.catalog.entries):
            yield SystemCommand("Show a metric…", "Bring a hidden metric back", self.show)

    # -- your own metrics (the palette's screens ask; the writes happen here) ---------

    @staticmethod
    def _preset_names() -> list[str]:
        from salestui.domain.catalog import PRESETS

        return list(PRESETS)

    def _reserved(self) -> dict[str, str]:
        """The letters the app's own commands hold (remaps included)."""
        return self.catalog.app_keys(self._keymap_stored)

    def choose_preset(self) -> None:
        """The presets screen; the one picked is written, Escape keeps things as they are."""
        from salestui.tui.start import PresetScreen

        def chosen(name: str | None) -> None:
            if name is None:
                return

            def apply(catalog: Catalog, reserved: Mapping[str, str]) -> SettingChanges:
                return catalog.apply_preset(name, reserved)

            try:
                apply(self.catalog, self._reserved())
            except ValueError as refused:
                self.notify(f"Preset not applied: {visible(str(refused))}", severity="error")
                return
            self.change_catalog(f"preset {name}", apply)

        self.push_screen(PresetScreen(), chosen)

    def add_metric(self) -> None:
        """Ask for a metric's name and letter; the catalog's refusal is said in the form."""
        from salestui.tui.start import AddMetricScreen

        asked: list[tuple[str, str | None]] = []  # the name and letter the form accepted

        def check(name: str, letter: str | None) -> SettingChanges:
            changes = self.catalog.add_metric(name, letter=letter, reserved=self._reserved())
            asked[:] = [(name, letter)]
            return changes

        def added(changes: SettingChanges | None) -> None:
            if changes and asked:
                name, letter = asked[0]
                self.change_catalog(
                    "new metric",
                    lambda catalog, reserved: catalog.add_metric(
                        name, letter=letter, reserved=reserved
                    ),
                )

        self.push_screen(AddMetricScreen(check), added)

    def hide(self) -> None:
        """Pick a visible metric to hide."""
        self._pick(
            "Hide a metric",
            self.catalog.visible,
            lambda catalog, key, _reserved: catalog.hide(key),
        )

    def show(self) -> None:
        """Pick a hidden metric to show again."""
        hidden = [entry.metric for entry in self.catalog.entries if entry.hidden]
        self._pick(
            "Show a metric",
            hidden,
            lambda catalog, key, reserved: catalog.show(key, reserved=reserved),
        )

    def _pick(
        self,
        title: str,
        metrics: Iterable[Metric],
        change: Callable[[Catalog, str, Mapping[str, str]], SettingChanges],
    ) -> None:
        from salestui.tui.start import PickMetricScreen

        def picked(key: str | None) -> None:
            if key is None:
                return
            try:
                change(self.catalog, key, self._reserved())
            except ValueError as refused:
                self.notify(visible(str(refused)), severity="error", markup=False)
                return
            self.change_catalog(
                title.lower(), lambda catalog, reserved: change(catalog, key, reserved)
            )

        self.push_screen(PickMetricScreen(title, list(metrics)), picked)

    def change_catalog(
        self, what: str, change: Callable[[Catalog, Mapping[str, str]], SettingChanges]
    ) -> None:
        """Write a change of the metrics or funnels (in key order with the tallies), then
        follow it. `change(catalog, reserved)` was checked against this window's catalog;
        the writer asks it again of the stored catalog with the write lock held
        (Store.change_settings), so another pane's change in between (a letter taken) is
        seen, and a refusal then is said like any failed write."""

        def landed(result: object) -> None:
            self._check_catalog()

        def failed(error: Exception) -> None:
            self.notify(
                f"Not saved ({what}): {error_text(error)}",
                severity="error",
                timeout=8,
                markup=False,
            )

        def against_stored(store: Store) -> SettingChanges:
            catalog = store.catalog()
            keymap = keymap_from_settings(store.settings_like(SETTING_PREFIX))
            return change(catalog, catalog.app_keys(keymap))

        save = writer.using_store(lambda store: store.change_settings(against_stored, source="tui"))
        self.writes.submit(Write(what, save, landed=landed, failed=failed))


FOOTER_PRIORITY = {"help": 0, "quit": 1, "undo": 3, "note": 4}
"""What the footer keeps longest (lower first); the metrics' keys are 2, the −1 group 5."""


def same_catalog(one: Catalog, other: Catalog) -> bool:
    """Whether two catalogs show and plan the same (metrics, their order, funnels)."""
    return (one.entries, one.funnels, one.active_name) == (
        other.entries,
        other.funnels,
        other.active_name,
    )


def _nothing(result: object) -> None:
    """A write whose landing needs no change on screen."""


def make_app(db_path: Path, clock: Clock = local_now) -> SalesApp:
    """The one factory for the CLI and the tests. Raises StoreError for a bad file."""
    return SalesApp(Store(db_path, clock=clock), clock=clock)


def top_bar(date_line: str, timer: str = "") -> Table:
    """`salestui` on the left, the date and week on the right: one widget; a running
    timer (`⏱ admin 0:42`) in the middle."""
    bar = Table.grid(expand=True)
    bar.add_column(style="bold")
    if timer:
        bar.add_column(justify="center", style="bold")
        bar.add_column(justify="right", style="dim")
        bar.add_row("salestui", timer, date_line)
        return bar
    bar.add_column(justify="right", style="dim")
    bar.add_row("salestui", date_line)
    return bar
