"""The Funnel tab's Prospects section: sales cycle time, touches before a win, win rate
by source, referrals per month and stalled prospects, for the period the tab shows.

Shown only when the database holds prospects: someone who never adds one never sees an
empty section. Read on a worker thread with its own connection (newest period wins).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from salestui.clock import Clock
from salestui.domain.prospect_stats import ProspectStats, Spread
from salestui.store.events import Store, StoreError

EARLIEST = date(2000, 1, 1)
"""Where "all" starts for the prospect figures."""


def days(value: Fraction | None) -> str:
    """`12 d`, `12.5 d`, or `—` when nothing is known."""
    if value is None:
        return "—"
    return f"{float(value):,.1f}".removesuffix(".0") + " d"


def count(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value):,.1f}".removesuffix(".0")


def percent(rate: Fraction | None) -> str:
    return "—" if rate is None else f"{round(float(rate) * 100):d}%"


def spread_words(spread: Spread, unit: str = "days") -> str:
    """`median 12 d (middle half 8 d – 20 d)`, or `—` without any."""
    shown = days if unit == "days" else count
    if spread.median is None:
        return "—"
    middle = f" (middle half {shown(spread.p25)} – {shown(spread.p75)})"
    return f"median {shown(spread.median)}{middle}"


def stats_renderable(stats: ProspectStats) -> Group:
    """The section's lines and its small tables (plain text from the figures only)."""
    lines = Text()
    lines.append("Prospects", style="bold")
    lines.append(f"   won {stats.won:,} · lost {stats.lost:,}")
    lines.append(f" · stalled {stats.stalled:,} (no touch for {stats.stalled_days}d)")
    lines.append(f"\nSales cycle (first touch → won): {spread_words(stats.cycle_days)}")
    lines.append(f"\nTouches before a win: {spread_words(stats.touches_to_win, 'count')}")
    parts: list[object] = [lines]
    sources = [(name, figures) for name, figures in stats.by_source.items() if figures.closed]
    if sources:
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold dim")
        table.add_column("Source")
        table.add_column("Closed", justify="right")
        table.add_column("Won", justify="right")
        table.add_column("Win rate", justify="right")
        table.add_column("Cycle")
        for name, figures in sources:
            table.add_row(
                name,
                f"{figures.closed:,}",
                f"{figures.won:,}",
                percent(figures.win_rate),
                spread_words(figures.cycle_days),
            )
        parts += [Text(""), table]
    if stats.referrals:
        table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold dim")
        table.add_column("Referrals")
        table.add_column("Received", justify="right")
        table.add_column("Won", justify="right")
        table.add_column("Win rate", justify="right")
        for month in stats.referrals:
            table.add_row(
                month.month, f"{month.received:,}", f"{month.won:,}", percent(month.win_rate)
            )
        parts += [Text(""), table]
    return Group(*parts)  # type: ignore[arg-type]


class ProspectsSection(Static):
    """Hidden until a read finds prospects; then their figures for the period shown."""

    DEFAULT_CSS = """
    ProspectsSection {
        display: none;
        margin-top: 1;
        height: auto;
    }
    """

    class Read(Message):
        """A worker's figures (None: no prospects at all)."""

        def __init__(self, stats: ProspectStats | None) -> None:
            super().__init__()
            self.stats = stats

    def __init__(self, clock: Clock, db_path: Path | None) -> None:
        super().__init__("", id="funnel-prospects")
        self.clock = clock
        self.db_path = db_path

    def load(self, spec: str) -> None:
        """Read the figures for the period `spec` (the Funnel tab's)."""
        if self.db_path is not None:
            self._read(self.db_path, spec)

    @work(thread=True, exclusive=True, group="prospect-figures")
    def _read(self, db_path: Path, spec: str) -> None:
        from salestui.domain.periods import DateRange, parse_period
        from salestui.store.prospects import list_prospects, load_stats

        today = self.clock().date()
        try:
            period = parse_period(spec, today)
        except ValueError:
            period = parse_period("month", today)
        span = period.range if period.range is not None else DateRange(EARLIEST, today)
        try:
            with Store(db_path, clock=self.clock) as store:
                if not list_prospects(store, status=None, limit=1):
                    stats = None
                else:
                    stats = load_stats(store, span, today)
        except StoreError:
            return  # the funnel's own read says what is wrong with the file
        if not get_current_worker().is_cancelled:
            self.post_message(self.Read(stats))

    def on_prospects_section_read(self, message: ProspectsSection.Read) -> None:
        message.stop()
        self.display = message.stats is not None
        if message.stats is not None:
            self.update(stats_renderable(message.stats))
