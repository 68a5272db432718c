"""The baseline for bench/run.py: a bare Textual counter with no database.

TabbedContent with three TabPanes, a Static and a Digits on the first, and a Footer.
Key `c` updates the Digits (nothing else changes: no layout pass); `q` quits. This is
the floor that any Textual app of this shape pays on this machine for a key press.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Digits, Footer, Static, TabbedContent, TabPane


class BaselineApp(App[None]):
    """Counter in a tab; the benchmark's reference for launch, key latency and idle CPU."""

    BINDINGS = [("c", "bump", "Add one"), ("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        with TabbedContent():
            with TabPane("Today", id="today"):
                yield Static("Calls today")
                yield Digits("0", id="digits")
            with TabPane("Funnel", id="funnel"):
                yield Static("funnel")
            with TabPane("Goals", id="goals"):
                yield Static("goals")
        yield Footer()

    def action_bump(self) -> None:
        self.count += 1
        self.query_one("#digits", Digits).update(str(self.count))


if __name__ == "__main__":
    BaselineApp().run()
