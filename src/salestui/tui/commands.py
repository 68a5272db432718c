"""Every key is a command: the footer, the help screen and the palette come from here."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from salestui.domain.metrics import METRICS


@dataclass(frozen=True, slots=True)
class Command:
    """One user action, with its key, its names and where it shows."""

    key: str
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

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.footer or self.title,
            show=self.footer is not None,
            key_display=self.key_display,
            id=self.id,
            group=self.group,
        )


_CORRECTIONS = Binding.Group("−1", compact=True)

COMMANDS: tuple[Command, ...] = (
    *(
        Command(
            m.letter,
            f"tally('{m.key}', 1)",
            f"Log a {m.singular}",
            f"+1 {m.singular} today, saved before it shows",
            f"tally.{m.key}",
            footer=m.singular.capitalize(),
        )
        for m in METRICS
    ),
    *(
        Command(
            m.letter.upper(),
            f"tally('{m.key}', -1)",
            f"Take back a {m.singular}",
            f"−1 {m.singular} today (never below zero)",
            f"correct.{m.key}",
            footer="−1",
            group=_CORRECTIONS,
        )
        for m in METRICS
    ),
    Command("u", "undo", "Undo", "Undo the last tally made in this window", "undo", "Undo"),
    Command(
        "n", "note", "Add a note", "A one-line note for this window's last tally", "note", "Note"
    ),
    Command(
        "g", "edit_goal", "Edit the goal", "Goals tab, in the goal field (Enter saves)", "goal.edit"
    ),
    Command("1", "show_tab('today')", "Show Today", "Today: the three counters", "tab.today"),
    Command(
        "2", "show_tab('funnel')", "Show Funnel", "Funnel: what converts, by period", "tab.funnel"
    ),
    Command("3", "show_tab('goals')", "Show Goals", "Goals: what today must bring", "tab.goals"),
    Command(
        "4",
        "show_tab('history')",
        "Show History",
        "History: a year of days, streaks, weeks; open a day to fix it",
        "tab.history",
    ),
    Command(
        "escape",
        "leave_field",
        "Leave the field",
        "Leave a text field (letter keys tally again)",
        "leave-field",
        key_display="esc",
    ),
    Command("question_mark", "help", "Help", "Every key and what it does", "help", "Help", "?"),
    Command("q", "quit", "Quit", "Close salestui (every tally is already saved)", "quit", "Quit"),
)

BINDINGS: list[BindingType] = [command.binding() for command in COMMANDS]


def key_label(command: Command) -> str:
    """How a key is written on the help screen."""
    return command.key_display or command.key
