"""The Funnel tab: where do I lose people?"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Label, Select, Static

from salestui.domain.funnel import UNCERTAIN_BELOW, Funnel
from salestui.domain.history import MONTH_ABBREVIATIONS
from salestui.domain.metrics import METRICS
from salestui.domain.rates import format_percent, format_rate_words
from salestui.figures import FunnelView
from salestui.tui.charts import rate_spark

PERIOD_CHOICES: tuple[tuple[str, str], ...] = (
    ("Today", "today"),
    ("This week", "week"),
    ("This month", "month"),
    ("Last 30 days", "30d"),
    ("Last 90 days", "90d"),
    ("This quarter", "quarter"),
    ("This year", "year"),
    ("All time", "all"),
    ("Custom range…", "custom"),
)

BAR_WIDTH = 40


@dataclass(frozen=True, slots=True)
class FunnelFigures:
    """What the Funnel tab shows, loaded off the UI thread."""

    view: FunnelView
    trend: list[tuple[str, Funnel]]


def funnel_text(view: FunnelView) -> Text:
    """Counts as bars, each step's rate in numbers and words, the overall rate, warnings."""
    funnel = view.funnel
    text = Text()
    widest = max(funnel.counts.values()) or 1
    for index, metric in enumerate(METRICS):
        count = funnel.counts[metric.key]
        blocks = 0 if count <= 0 else max(1, round(BAR_WIDTH * count / widest))
        text.append(f"  {metric.label:<9}", style="bold")
        text.append(f"{count:>8,}  ", style="bold")
        text.append("█" * blocks + "\n", style="cyan")
        if index + 1 == len(METRICS):
            break
        following = METRICS[index + 1]
        rate = funnel.rates[following.key]
        text.append(" " * 20 + "↓ ", style="dim")
        if rate is None:
            text.append(f"—  (no {metric.key} to convert)\n", style="dim")
        elif rate == 0:
            text.append("0%", style="bold")
            text.append(f"  (no {following.key} from {metric.amount(count)})\n", style="dim")
        else:
            mark = "?" if funnel.uncertain(following.key) else ""
            text.append(f"{format_percent(rate)}{mark}", style="bold")
            text.append(f"  ({format_rate_words(rate, metric, following)})\n", style="dim")
    if funnel.overall is None:
        text.append("  Overall —  no calls in this period\n", style="dim")
    elif funnel.overall == 0:
        text.append("  Overall 0%: no sales from these calls yet\n")
    else:
        words = format_rate_words(funnel.overall, METRICS[0], METRICS[-1])
        text.append("  Overall ")
        text.append(format_percent(funnel.overall), style="bold")
        text.append(f" of calls close ({words})\n")
    for following in METRICS[1:]:
        stage = following.key
        interval = funnel.interval(stage)
        if funnel.rates[stage] is not None and funnel.uncertain(stage) and interval:
            low, high = interval
            text.append(
                f"  ? {following.label} rate from {funnel.denominator(stage)} events "
                f"(fewer than {UNCERTAIN_BELOW}): uncertain, likely {low:.0%}–{high:.0%}\n",
                style="yellow",
            )
    return text


def trend_table(trend: list[tuple[str, Funnel]]) -> Table:
    """Rates month by month for the last 12 months, with a small chart."""
    table = Table(box=None, padding=(0, 1, 0, 0), header_style="bold dim", title_justify="left")
    table.add_column("Rates by month", no_wrap=True)
    for month, _ in trend:
        year, number = month.split("-")
        label = MONTH_ABBREVIATIONS[int(number) - 1]
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for before, after in zip(METRICS, METRICS[1:], strict=False):
        rates = [funnel.rates[after.key] for _, funnel in trend]
        cells = ["—" if rate is None else format_percent(rate, 0) for rate in rates]
        table.add_row(f"{before.key}→{after.key}", *cells, rate_spark(rates))
    return table


class FunnelTab(VerticalScroll):
    """Counts and conversions for a chosen period, and how the rates move month by month."""

    DEFAULT_CSS = """
    FunnelTab {
        padding: 0 1;
    }
    .hidden {
        display: none;
    }
    .error {
        color: $error;
        padding: 0 1;
    }
    .field-label {
        height: 3;
        content-align: left middle;
    }
    #funnel-controls {
        height: 3;
    }
    #period-select {
        width: 22;
    }
    #period-input {
        width: 26;
    }
    #period-span {
        height: 3;
        content-align: left middle;
        padding-left: 2;
        color: $text-muted;
    }
    #funnel-body {
        margin-top: 1;
    }
    #funnel-trend {
        margin-top: 1;
    }
    """

    figures: var[FunnelFigures | None] = var(None)

    class PeriodChosen(Message):
        """The user picked a period (a spec for `parse_period`)."""

        def __init__(self, spec: str) -> None:
            super().__init__()
            self.spec = spec

    def compose(self) -> ComposeResult:
        with Horizontal(id="funnel-controls"):
            yield Label("Period ", classes="field-label")
            yield Select(PERIOD_CHOICES, value="month", allow_blank=False, id="period-select")
            yield Input(
                placeholder="2026-11-01..2026-11-15, 2026-10 or 14d",
                id="period-input",
                classes="hidden",
            )
            yield Label("", id="period-span")
        yield Label("", id="period-error", classes="error")
        yield Static("", id="funnel-body")
        yield Static("", id="funnel-trend")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        custom = self.query_one("#period-input", Input)
        if event.value == "custom":
            custom.remove_class("hidden")
            custom.focus()
            return
        custom.add_class("hidden")
        self.query_one("#period-error", Label).update("")
        self.post_message(self.PeriodChosen(str(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "period-input":
            event.stop()
            self.post_message(self.PeriodChosen(event.value.strip()))

    def show_error(self, message: str) -> None:
        self.query_one("#period-error", Label).update(message)
        self.query_one("#period-input", Input).add_class("-invalid")

    def watch_figures(self, figures: FunnelFigures | None) -> None:
        if figures is None:
            return
        view = figures.view
        self.query_one("#period-error", Label).update("")
        self.query_one("#period-input", Input).remove_class("-invalid")
        if view.span is None:
            span = f"{view.period.label}: no events yet"
        else:
            span = f"{view.period.label} · {view.span.compact()}"
        self.query_one("#period-span", Label).update(span)
        self.query_one("#funnel-body", Static).update(funnel_text(view))
        self.query_one("#funnel-trend", Static).update(trend_table(figures.trend))
