"""A one-line note for the last tally ("Acme — call back Tuesday")."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class NoteScreen(ModalScreen[str | None]):
    """Ask for a note; dismiss with the text (Enter) or None (Esc)."""

    DEFAULT_CSS = """
    NoteScreen {
        align: center middle;
    }
    #note-box {
        width: 70;
        height: auto;
        border: round $accent;
        padding: 1 2;
        background: $surface;
    }
    .error {
        color: $error;
    }
    """

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="note.cancel")]

    def __init__(self, about: str) -> None:
        super().__init__()
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box") as box:
            box.border_title = f"Note for {self.about}"
            box.border_subtitle = "Enter to save · Esc to cancel"
            yield Input(placeholder="Acme — call back Tuesday", id="note-input", max_length=500)
            yield Label("", id="note-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.query_one("#note-error", Label).update("Type a note, or press Esc to cancel.")
            return
        self.dismiss(text)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
