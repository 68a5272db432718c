"""The help screen: every key and what it does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from salestui.tui.commands import COMMANDS, Command, bound_keys, key_label

if TYPE_CHECKING:
    from rich.table import Table

PALETTE_ACTIONS = frozenset({"command_palette", "app.command_palette"})
PALETTE_HELP = "Command palette: every action by name, and the theme"


MOVING_KEYS: tuple[tuple[str, str], ...] = (
    ("tab", "Next control (shift+tab: back)"),
    ("enter", "Use it: period list, goal field, a day"),
)
"""Textual's own keys, as they work in salestui (not commands: nothing to remap)."""


def keys_table(
    active: Mapping[str, ActiveBinding], commands: Sequence[Command] = COMMANDS
) -> Table:
    """Every command (`commands`: the visible metrics' and the app's) with the keys bound
    to it now (`active`: the live bindings of the screen help was opened from, so a
    remapped key shows as it works), then Textual's own moving keys and the command
    palette (where the presets and "Add a metric…" are)."""
    from rich.table import Table

    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column()
    for command in commands:
        keys = bound_keys(active, command.id)
        if keys:
            table.add_row(", ".join(keys), command.help)
    for key, help_text in MOVING_KEYS:
        table.add_row(key, help_text)
    for found in active.values():
        if found.binding.action in PALETTE_ACTIONS:
            table.add_row(key_label(found.binding), PALETTE_HELP)
    return table


class HelpScreen(ModalScreen[None]):
    """Every key, from the same declaration as the footer and the palette."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-box {
        width: auto;
        max-width: 90%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        padding: 1 2;
        background: $surface;
    }
    #help-note {
        margin-top: 1;
        color: $text-muted;
        width: 76;
    }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close2"),
        Binding("q", "dismiss", "Close", show=False, id="help.close3"),
    ]

    def __init__(
        self, active: Mapping[str, ActiveBinding], commands: Sequence[Command] = COMMANDS
    ) -> None:
        super().__init__()
        self.active = dict(active)
        """The live bindings of the screen underneath, as help was opened."""
        self.commands = tuple(commands)
        """The commands now (the metrics of the catalog in use, then the app's)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "salestui keys"
            # Where your own metrics start (the palette), in the line already there.
            box.border_subtitle = "ctrl+p: Start from a preset…, Add a metric… · esc to close"
            yield Static(keys_table(self.active, self.commands))
            yield Static(
                "The tally keys and 1–4 work whatever has focus, except in a text field. "
                "Every tally is saved to disk before the screen shows it. "
                "Tallies from other windows and from `salestui log` show up within a second.",
                id="help-note",
            )
