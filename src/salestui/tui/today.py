"""The Today tab: three big counters, what the week and month hold, the last 14 days."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Digits, Label, Sparkline

from salestui.domain.counts import SPARK_DAYS, MetricSummary
from salestui.domain.metrics import METRICS, Metric

FLASH_SECONDS = 0.6


class MetricPanel(Vertical):
    """One metric: today's count, large; week and month; a sparkline."""

    def __init__(self, metric: Metric) -> None:
        super().__init__(id=f"panel-{metric.key}", classes="metric-panel")
        self.metric = metric
        self.border_title = metric.label
        self._flash_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Digits("0", classes="count")
        yield Label("", classes="period")
        with Horizontal(classes="spark-row"):
            yield Sparkline([0] * SPARK_DAYS, classes="spark")
            yield Label(f" last {SPARK_DAYS} days", classes="spark-label")

    def show(self, summary: MetricSummary) -> None:
        self.query_one(Digits).update(str(summary.today))
        self.query_one(".period", Label).update(f"week {summary.week:,} · month {summary.month:,}")
        self.query_one(Sparkline).data = list(summary.last_days)

    def flash(self) -> None:
        """Mark the panel for a moment, so a press is seen even from the corner of an eye."""
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self.add_class("-flash")
        self._flash_timer = self.set_timer(FLASH_SECONDS, lambda: self.remove_class("-flash"))


class TodayView(Vertical):
    """The Today tab's content."""

    summary: var[dict[str, MetricSummary] | None] = var(None)
    last_action: var[str] = var("")

    def compose(self) -> ComposeResult:
        with Horizontal(id="panels"):
            for metric in METRICS:
                yield MetricPanel(metric)
        yield Label("", id="last-action")

    def watch_summary(self, summary: dict[str, MetricSummary] | None) -> None:
        if summary is None:
            return
        for panel in self.query(MetricPanel):
            panel.show(summary[panel.metric.key])

    def watch_last_action(self, text: str) -> None:
        self.query_one("#last-action", Label).update(text)

    def flash(self, metric_key: str) -> None:
        self.query_one(f"#panel-{metric_key}", MetricPanel).flash()
