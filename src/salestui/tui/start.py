"""Your own metrics from the app alone: pick a preset, add a metric, hide or show one.

Each screen only asks; what it returns is written by the app (one settings write through
the write queue), so a mistake is said on one line and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from salestui.domain.catalog import PRESETS, SettingChanges
from salestui.domain.metrics import Metric
from salestui.domain.text import visible

BOX_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 72;
    max-width: 95%;
    height: auto;
    max-height: 90%;
    border: round $accent;
    padding: 0 1;
    background: $surface;
}}
{name} OptionList {{
    height: auto;
    max-height: 12;
}}
{name} .hint {{
    color: $text-muted;
}}
{name} .error {{
    color: $error;
    text-style: bold;
}}
"""


class PresetScreen(ModalScreen[str | None]):
    """The starting points (PRESETS: name and what it is for), `sales` first: Enter takes
    the one highlighted, Escape keeps the metrics as they are. Returns the preset's name."""

    DEFAULT_CSS = BOX_CSS.format(name="PresetScreen")
    BINDINGS = [Binding("escape", "dismiss(None)", "Keep as it is", id="preset.close")]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Start from a preset"
            box.border_subtitle = "enter to use · esc to keep as it is"
            yield Static(
                "Metrics and a funnel for your kind of work; your counts stay as they are.",
                classes="hint",
            )
            yield OptionList(
                *(
                    Option(f"{preset.name:<9} {preset.description}", id=preset.name)
                    for preset in PRESETS.values()
                ),
                id="presets",
            )

    def on_mount(self) -> None:
        presets = self.query_one(OptionList)
        presets.highlighted = 0
        presets.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)


class AddMetricScreen(ModalScreen[SettingChanges | None]):
    """A name (plural: `emails`) and, optionally, its letter. `check(name, letter)` says
    whether the catalog takes it: it returns the settings to write, or raises ValueError
    whose line is shown here (the screen stays open, nothing is written)."""

    DEFAULT_CSS = BOX_CSS.format(name="AddMetricScreen")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="metric.cancel")]

    def __init__(self, check: Callable[[str, str | None], SettingChanges]) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Add a metric"
            box.border_subtitle = "enter to add · esc to cancel"
            yield Static("What you count, plural (emails, referrals, demos):", classes="hint")
            yield Input(placeholder="emails", id="metric-name")
            yield Static("Its key (one letter; empty: the first free letter of the name):")
            yield Input(placeholder="e", max_length=1, id="metric-letter")
            yield Static("", id="metric-error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#metric-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#metric-name", Input).value.strip().lower()
        letter = self.query_one("#metric-letter", Input).value.strip() or None
        error = self.query_one("#metric-error", Static)
        if not name:
            error.update("Type a name first (emails).")
            return
        try:
            changes = self.check(name, letter)
        except ValueError as refused:
            error.update(visible(str(refused)))
            return
        self.dismiss(changes)


class PickMetricScreen(ModalScreen[str | None]):
    """Pick one metric (to hide or to show again); returns its key."""

    DEFAULT_CSS = BOX_CSS.format(name="PickMetricScreen")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, metrics: Sequence[Metric]) -> None:
        super().__init__()
        self.title_text = title
        self.metrics = tuple(metrics)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = "enter to pick · esc to cancel"
            yield OptionList(
                *(
                    Option(f"{metric.label} ({metric.letter})", id=metric.key)
                    for metric in self.metrics
                ),
            )

    def on_mount(self) -> None:
        metrics = self.query_one(OptionList)
        metrics.highlighted = 0
        metrics.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
