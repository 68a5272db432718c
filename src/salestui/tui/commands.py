"""Every key is a command: the footer, the help screen and the palette come from here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import ActiveBinding, Binding, BindingsMap, BindingType
from textual.keys import format_key

from salestui.domain.keys import DEFAULT_KEYS, METRIC_COMMANDS
from salestui.domain.metrics import METRICS, Metric


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
    letter: str | None = None
    """A metric's key out of the box (its letter, or Shift+letter for the −1): a metric
    the user added is not in DEFAULT_KEYS."""

    @property
    def key(self) -> str:
        """The key out of the box (a user's remap replaces it at start-up)."""
        return self.letter or DEFAULT_KEYS[self.id]

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


def metric_commands(metrics: Iterable[Metric]) -> tuple[Command, ...]:
    """+1 on each metric's letter, then −1 on Shift+letter (`tally.KEY`, `correct.KEY`),
    for the visible metrics in display order (the catalog's)."""
    shown = tuple(metrics)
    return (
        *(
            Command(
                f"tally('{m.key}', 1)",
                f"Log a {m.singular}",
                f"+1 {m.singular} today, saved before it shows",
                f"tally.{m.key}",
                footer=m.singular.capitalize(),
                day_footer=f"+1 {m.singular}",
                letter=m.letter,
            )
            for m in shown
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
                letter=m.letter.upper(),
            )
            for m in shown
        ),
    )


APP_COMMANDS: tuple[Command, ...] = (
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
        "link_prospect",
        "Link last tally to a prospect",
        "Link the last tally to a prospect (pick one, or add one)",
        "link.prospect",
    ),
    Command(
        "timer",
        "Start or stop a timer",
        "Time on non-sales work: pick a category to start; t again stops it",
        "timer",
    ),
    Command(
        "edit_goal", "Edit the goal", "Goals tab, in the goal field (Enter saves)", "goal.edit"
    ),
    Command("show_tab('today')", "Show Today", "Today: your counters", "tab.today"),
    Command("show_tab('funnel')", "Show Funnel", "Funnel: what converts, by period", "tab.funnel"),
    Command("show_tab('goals')", "Show Goals", "Goals: what today must bring", "tab.goals"),
    Command(
        "show_tab('history')",
        "Show History",
        "History: a year of days, streaks, weeks; open a day to fix it",
        "tab.history",
    ),
    Command(
        "show_tab('prospects')",
        "Show Prospects",
        "Prospects: who you work, follow-ups; open one for its touches",
        "tab.prospects",
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


def commands_for(metrics: Iterable[Metric]) -> tuple[Command, ...]:
    """Every command, with the metric commands of `metrics` (the visible ones) first."""
    return (*metric_commands(metrics), *APP_COMMANDS)


COMMANDS: tuple[Command, ...] = commands_for(METRICS)
"""The commands with the three built-in metrics (what a database nobody customised has)."""

BINDINGS: list[BindingType] = [command.binding() for command in COMMANDS]

DAY_BINDINGS: list[BindingType] = [c.day_binding() for c in COMMANDS if c.day_footer]
"""The commands a day's view takes (tallies, corrections, undo) for that day."""

BY_ID = {command.id: command for command in COMMANDS}


def is_metric_binding(binding: Binding) -> bool:
    """Whether `binding` is a metric's +1 or −1 (`tally.KEY`, `correct.KEY`)."""
    return binding.id is not None and binding.id.startswith(METRIC_COMMANDS)


def with_metric_bindings(current: BindingsMap, metric_bindings: Iterable[Binding]) -> BindingsMap:
    """`current` (an app's or a screen's bindings) with its metric bindings replaced by
    `metric_bindings`, placed where they were: before undo, so the footer keeps its order
    (the metrics, their −1, then undo, note, help, quit)."""
    others = [binding for _key, binding in current if not is_metric_binding(binding)]
    at = next((i for i, binding in enumerate(others) if binding.id == "undo"), len(others))
    return BindingsMap([*others[:at], *metric_bindings, *others[at:]])


def key_label(binding: Binding) -> str:
    """How a bound key is written for people: `?`, `esc`, `ctrl+p` (a remapped key has
    no display of its own: it is worded from its name)."""
    return binding.key_display or format_key(binding.key)


def bound_keys(active: Mapping[str, ActiveBinding], binding_id: str) -> list[str]:
    """The keys bound to `binding_id` among `active` (a screen's live bindings)."""
    return [key_label(found.binding) for found in active.values() if found.binding.id == binding_id]
