"""The salestui app: one screen of tabs over the event store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path

from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Label, TabbedContent, TabPane

from salestui.clock import Clock, local_now
from salestui.domain.counts import summarize_today, summary_span
from salestui.domain.metrics import metric_by_key
from salestui.store.events import BelowZeroError, Store, StoreError
from salestui.tui.commands import BINDINGS, COMMANDS
from salestui.tui.help import HelpScreen
from salestui.tui.today import TodayView

POLL_SECONDS = 1.0
"""How often other processes' tallies and the date are checked (PRAGMA data_version)."""


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
        self._undo_stack: list[str] = []
        """Ids of this window's own tallies, newest last: `u` undoes only these."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="top-bar"):
            yield Label("salestui", id="app-name")
            yield Label("", id="date-line")
        with TabbedContent(initial="today"), TabPane("1 Today", id="today"):
            yield TodayView()
        yield Footer()

    def on_mount(self) -> None:
        saved_theme = self._read_setting("theme")
        if saved_theme and saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, self._save_theme)
        self.reload()
        self.set_interval(POLL_SECONDS, self.poll)

    def on_unmount(self) -> None:
        self.store.close()

    # -- data --------------------------------------------------------------------

    def reload(self) -> None:
        """Read today's figures from disk (a few rows from the per-day rollup)."""
        self.day = self.clock().date()
        try:
            self._data_version = self.store.data_version()
            totals = self.store.day_totals(summary_span(self.day))
        except StoreError as error:
            self.notify(f"Cannot read the database: {error.cause}", severity="error")
            return
        self.query_one(TodayView).summary = summarize_today(totals, self.day)
        week = self.day.isocalendar().week
        self.query_one("#date-line", Label).update(f"{self.day:%a %d %b %Y} · week {week}")

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
        try:
            event = self.store.log(metric_key, delta, source="tui")
        except BelowZeroError:
            self.notify(f"No {metric.key} today to take back.", severity="warning")
            return
        except StoreError as error:
            self.notify(f"Not saved: {error.cause}", severity="error", timeout=8)
            return
        self._undo_stack.append(event.id)
        self.reload()
        view = self.query_one(TodayView)
        view.flash(metric_key)
        sign = "+" if delta > 0 else "−"
        view.last_action = (
            f"Last: {sign}{metric.amount(abs(delta))} at {event.local_time:%H:%M}  (u to undo)"
        )

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
            self.reload()
            view.flash(cancelled.metric)
            metric = metric_by_key(cancelled.metric)
            sign = "+" if cancelled.delta > 0 else "−"
            when = "" if cancelled.day == self.day.isoformat() else f" on {cancelled.day}"
            view.last_action = f"Undid {sign}{metric.amount(abs(cancelled.delta))}{when}"
            return
        view.last_action = "Nothing left to undo in this window."

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id

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
