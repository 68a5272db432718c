"""Tiny text charts: a sparkline and a progress bar as plain strings (cheap to draw).

Every chart starts at zero: a bar's height is its share of the largest value, so
15% next to 19% is drawn at about four fifths, not as empty next to full. Heights and
percents round to nearest, half up, exactly (`round` on floats rounds half to even).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text

from salestui.domain.metrics import Metric
from salestui.domain.rates import format_percent

SPARK_CHARS = "▁▂▃▄▅▆▇█"


def _nearest(value: Fraction) -> int:
    """`value` rounded to the nearest whole number, halves up (values here are >= 0)."""
    return int((value * 2 + 1) // 2)


def _cell(value: Fraction, top: Fraction) -> str:
    """`▁` for nothing, `▂`…`█` for a value above 0 by its share of `top` (> 0)."""
    if value <= 0:
        return SPARK_CHARS[0]
    return SPARK_CHARS[1 + _nearest((len(SPARK_CHARS) - 2) * value / top)]


def count_spark(counts: Sequence[int]) -> str:
    """One cell per value: `▁` for nothing, `▂`…`█` scaled from zero to the largest."""
    top = max(counts, default=0)
    if top <= 0:
        return SPARK_CHARS[0] * len(counts)
    return "".join(_cell(Fraction(count), Fraction(top)) for count in counts)


def rate_spark(values: Sequence[Fraction | None]) -> str:
    """One cell per rate, scaled from zero to the highest: `▁` for a 0% rate, `▂`…`█`
    by its share of the highest (15% next to 19% is `▇█`), a blank where there is none."""
    known = [value for value in values if value is not None]
    if not known:
        return ""
    top = max(known)
    if top <= 0:
        return "".join(" " if value is None else SPARK_CHARS[0] for value in values)
    return "".join(" " if value is None else _cell(value, top) for value in values)


def progress_bar(done: int, target: int, width: int = 14) -> str:
    """`███████░░░░░░░  50%`; full (and over 100%) once the target is met.

    The percent rounds to nearest (19 of 1,000 is 2%, never 1%) and never says 100%
    before the target is met (`>99%`); the bar fills a cell only when it is reached.
    """
    if target <= 0:
        return ""
    done = max(done, 0)
    filled = min(width, width * done // target)
    percent = format_percent(Fraction(done, target), 0)
    return "█" * filled + "░" * (width - filled) + f" {percent:>4}"


def uncertain_legend(stages: Sequence[Metric]) -> str:
    """The key under a table of a funnel's rates whose cells may carry the `?` mark:
    `? rests on fewer than 20 calls (or meetings): uncertain` for the built-in funnel
    (domain.funnel.UNCERTAIN_LEGEND), the same words for any funnel's stages."""
    # Here, not at the top: Today draws its sparklines before domain.funnel is needed.
    from salestui.domain.funnel import UNCERTAIN_BELOW, UNCERTAIN_MARK

    counted = [metric.key for metric in stages[:-1]]  # each rate's denominator
    others = f" (or {', '.join(counted[1:])})" if len(counted) > 1 else ""
    return f"{UNCERTAIN_MARK} rests on fewer than {UNCERTAIN_BELOW} {counted[0]}{others}: uncertain"


def step_label(before: Metric, after: Metric) -> str:
    """A rate's short name in a table's row or column: `c→m`, `a→i`."""
    return f"{before.key[0]}→{after.key[0]}"


@dataclass(frozen=True, slots=True)
class FirstThatFits:
    """The first of `choices` (most complete first) whose natural width fits the width
    it is drawn at, else the last: a narrow pane drops what matters least instead of
    cutting a word or a number (`10…` would say a wrong figure)."""

    choices: tuple[RenderableType, ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield first_that_fits(console, options, self.choices)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, first_that_fits(console, options, self.choices))


def first_that_fits(
    console: Console, options: ConsoleOptions, choices: Sequence[RenderableType]
) -> RenderableType:
    """The first of `choices` no wider than `options.max_width` (measured without that
    limit: a measurement is otherwise capped at it), else the last. A `Group` is
    measured by its first part (a table; the lines under it wrap)."""
    unbounded = options.update_width(10_000)
    for choice in choices[:-1]:
        measured = choice.renderables[0] if isinstance(choice, Group) else choice
        if Measurement.get(console, unbounded, measured).maximum <= options.max_width:
            return choice
    return choices[-1]


def packed(parts: Sequence[Text], width: int, *, indent: int = 0, gap: str = "   ") -> Text:
    """`parts` on a line, `gap` between them, continued on further lines (indented by
    `indent`) where the next part would not fit `width`: a part is never split."""
    text = Text()
    used = 0
    for part in parts:
        if used and used + len(gap) + part.cell_len > width:
            text.append("\n" + " " * indent)
            used = indent
        elif used:
            text.append(gap)
            used += len(gap)
        text.append_text(part)
        used += part.cell_len
    return text
