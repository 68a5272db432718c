"""Every key is a command, once: each binding names an action that exists, each
command has a binding, and users' remaps (settings `key.<id>`) apply or are refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from salestui.domain.keys import DEFAULT_KEYS
from salestui.store import Store
from salestui.tui.app import SalesApp
from salestui.tui.commands import COMMANDS
from salestui.tui.day import DayScreen
from salestui.tui.funnel import FunnelTab
from salestui.tui.goals import GoalsTab, GoalStartScreen
from salestui.tui.help import HelpScreen
from salestui.tui.history import HeatmapGrid, HistoryTab
from salestui.tui.note import NoteScreen
from tests.conftest import FakeClock
from tests.tui.conftest import rendered, until

BOUND: tuple[type[DOMNode], ...] = (
    SalesApp,
    DayScreen,
    HelpScreen,
    NoteScreen,
    GoalStartScreen,
    GoalsTab,
    FunnelTab,
    HistoryTab,
    HeatmapGrid,
)


def bindings_of(node: type[DOMNode]) -> list[Binding]:
    return [b for b in node.BINDINGS if isinstance(b, Binding)]


def test_every_bound_action_exists() -> None:
    for node in BOUND:
        for binding in bindings_of(node):
            name = re.match(r"(?:app\.|screen\.)?(\w+)", binding.action)
            assert name is not None, binding
            target: type[DOMNode] = App if binding.action.startswith("app.") else node
            assert hasattr(target, f"action_{name.group(1)}"), (node.__name__, binding.action)


def test_every_command_has_a_binding_and_a_default_key() -> None:
    ids = {b.id for b in bindings_of(SalesApp)}
    assert {command.id for command in COMMANDS} <= ids
    assert {command.id for command in COMMANDS} == set(DEFAULT_KEYS)
    day_ids = {b.id for b in bindings_of(DayScreen)}
    assert {"tally.calls", "correct.sales", "undo"} <= day_ids  # the same ids: one remap


async def test_a_remap_moves_the_key_everywhere(
    app_factory: Callable[[], SalesApp], db_path: Path, clock: FakeClock
) -> None:
    with Store(db_path, clock=clock) as store:
        store.set_setting("key.tally.calls", "k")
        store.set_setting("key.undo", "m")  # meetings' key: refused
        store.set_setting("key.nothing", "x")  # no such command: refused
    app = app_factory()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("k")
        await until(lambda: app.query_one("#panel-calls").summary.today == 1, pilot)  # type: ignore[attr-defined]
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any(
            "'undo' ignored: m is already the key of 'tally.meetings'" in w for w in warnings
        )
        assert any("'nothing' ignored: no such command" in w for w in warnings)
        await pilot.press("question_mark")
        await until(lambda: isinstance(app.screen, HelpScreen), pilot)
        text = rendered(app.screen.query_one("#help-box Static"))
        assert re.search(r"^k\s+\+1 call today", text, re.M), text
        await pilot.press("escape")
        await until(lambda: not isinstance(app.screen, HelpScreen), pilot)
