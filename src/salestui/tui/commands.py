"""Every key is a command: the footer, the help screen and the palette come from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import ActiveBinding, Binding, BindingType
from textual.keys import format_key

from salestui.domain.keys import DEFAULT_KEYS
from salestui.domain.metrics import METRICS


@dataclass(frozen=True, slots=True)
class Command:
    """One user action, with its names and where it shows; its key out of the box is
    `DEFAULT_KEYS[id]` (domain.keys, where the command line checks remaps too)."""

    action: str
    title: str
    """Name in the command palette and the help screen."""
    help: str
    """One line saying what it does."""
    id: str
    """Stable binding id, so keys can be remapped."""
    footer: str | None = None
    """Footer label; None keeps it out of the footer."""
    key_display: str | None = None
    group: Binding.Group | None = None
    day_footer: str | None = None
    """Footer label in a day's view (History); None: the command is not there."""

    @property
    def key(self) -> str:
        """The key out of the box (a user's remap replaces it at start-up)."""
        return DEFAULT_KEYS[self.id]

    def binding(self) -> Binding:
        """The app's binding for this command."""
        return Binding(
            self.key,
            self.action,
            self.footer or self.title,
            show=self.footer is not None,
            key_display=self.key_display,
            id=self.id,
            group=self.group,
        )

    def day_binding(self) -> Binding:
        """The same key, action and id in a day's view (a remap moves both), labelled
        for that day: `+1 call` rather than `Call`."""
        return Binding(self.key, self.action, self.day_footer or self.title, id=self.id)


_CORRECTIONS = Binding.Group("−1", compact=True)

COMMANDS: tuple[Command, ...] = (
    *(
        Command(
            f"tally('{m.key}', 1)",
            f"Log a {m.singular}",
            f"+1 {m.singular} today, saved before it shows",
            f"tally.{m.key}",
            footer=m.singular.capitalize(),
            day_footer=f"+1 {m.singular}",
        )
        for m in METRICS
    ),
    *(
        Command(
            f"tally('{m.key}', -1)",
            f"Take back a {m.singular}",
            f"−1 {m.singular} today (never below zero)",
            f"correct.{m.key}",
            footer="−1",
            group=_CORRECTIONS,
            day_footer=f"−1 {m.singular}",
        )
        for m in METRICS
    ),
    Command(
        "undo",
        "Undo",
        "Undo the last tally made in this window",
        "undo",
        "Undo",
        day_footer="Undo",
    ),
    Command("note", "Add a note", "A one-line note for this window's last tally", "note", "Note"),
    Command(
        "edit_goal", "Edit the goal", "Goals tab, in the goal field (Enter saves)", "goal.edit"
    ),
    Command("show_tab('today')", "Show Today", "Today: the three counters", "tab.today"),
    Command("show_tab('funnel')", "Show Funnel", "Funnel: what converts, by period", "tab.funnel"),
    Command("show_tab('goals')", "Show Goals", "Goals: what today must bring", "tab.goals"),
    Command(
        "show_tab('history')",
        "Show History",
        "History: a year of days, streaks, weeks; open a day to fix it",
        "tab.history",
    ),
    Command(
        "leave_field",
        "Leave the field",
        "Leave a text field (letter keys tally again)",
        "leave-field",
        key_display="esc",
    ),
    Command("help", "Help", "Every key and what it does", "help", "Help", "?"),
    Command("quit", "Quit", "Close salestui (every tally is already saved)", "quit", "Quit"),
)

BINDINGS: list[BindingType] = [command.binding() for command in COMMANDS]

DAY_BINDINGS: list[BindingType] = [c.day_binding() for c in COMMANDS if c.day_footer]
"""The commands a day's view takes (tallies, corrections, undo) for that day."""

BY_ID = {command.id: command for command in COMMANDS}


def key_label(binding: Binding) -> str:
    """How a bound key is written for people: `?`, `esc`, `ctrl+p` (a remapped key has
    no display of its own: it is worded from its name)."""
    return binding.key_display or format_key(binding.key)


def bound_keys(active: Mapping[str, ActiveBinding], binding_id: str) -> list[str]:
    """The keys bound to `binding_id` among `active` (a screen's live bindings)."""
    return [key_label(found.binding) for found in active.values() if found.binding.id == binding_id]
