"""The baseline for bench/run.py: a minimal Textual app with no database.

TabbedContent with three TabPanes, a Digits showing a counter, a Label "count N"
and a Footer. Key `c` increments the counter; `q` quits. Nothing else: this is
the floor that any Textual app of this shape pays on this machine.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Digits, Footer, Label, TabbedContent, TabPane


class BaselineApp(App[None]):
    """Counter in a tab; the benchmark's reference for launch, key latency and idle CPU."""

    CSS = """
    Digits { width: auto; }
    """
    BINDINGS = [("c", "bump", "Add one"), ("q", "quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        with TabbedContent():
            with TabPane("Today", id="today"):
                yield Digits("0", id="digits")
                yield Label("count 0", id="label")
            with TabPane("Funnel", id="funnel"):
                yield Label("funnel")
            with TabPane("Goals", id="goals"):
                yield Label("goals")
        yield Footer()

    def action_bump(self) -> None:
        self.count += 1
        self.query_one("#digits", Digits).update(str(self.count))
        self.query_one("#label", Label).update(f"count {self.count}")


if __name__ == "__main__":
    BaselineApp().run()
