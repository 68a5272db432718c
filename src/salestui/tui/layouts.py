"""Which layout Today takes in a pane of a given size, and text fitted to a width by
dropping its least important parts whole (never cut mid-word or mid-digit).

Pure: no widgets, no Textual; the Today tab, its panels and the app's footer use it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

STRIP = "strip"
"""A few rows (a strip along a tmux window): every metric on one or two lines."""
COLUMN = "column"
"""A narrow pane (a side column): panels stacked, one per row."""
STANDARD = "standard"
"""The panels side by side (a grid when they do not fit a row)."""
LARGE = "large"
"""A big terminal: the panels, then today's timeline, the week and the funnel's rates."""

STRIP_MAX_HEIGHT = 12
"""At this many rows or fewer, big panels and the chrome around them would not fit."""
COLUMN_MAX_WIDTH = 59
"""At this many columns or fewer, panels side by side cut their figures."""
LARGE_MIN_SIZE = (160, 45)
"""From this size on, the panels leave room for what comes next."""

Part = tuple[int, str]
"""A piece of text and its importance: 0 is kept longest, higher numbers go first."""


def pick_layout(width: int, height: int) -> str:
    """The layout for a `width` x `height` pane: strip, column, standard or large."""
    if height <= STRIP_MAX_HEIGHT:
        return STRIP
    if width <= COLUMN_MAX_WIDTH:
        return COLUMN
    if width >= LARGE_MIN_SIZE[0] and height >= LARGE_MIN_SIZE[1]:
        return LARGE
    return STANDARD


def kept(priorities: Sequence[int], widths: Sequence[int], width: int, gap: int) -> list[bool]:
    """Which items stay when items of `widths`, `gap` cells apart, must fit `width`:
    the least important go first (the highest priority number; of equals, the last)."""
    keep = [True] * len(widths)
    # Least important first: highest number, then the later one of equals.
    order = sorted(range(len(widths)), key=lambda i: (-priorities[i], -i))

    def used() -> int:
        shown = [w for w, k in zip(widths, keep, strict=True) if k]
        return sum(shown) + gap * max(0, len(shown) - 1)

    for index in order:
        if used() <= width:
            break
        keep[index] = False
    return keep


def fit(parts: Sequence[Part], width: int, sep: str = " · ") -> str:
    """The parts that fit `width` joined by `sep`, in their order; the least important
    dropped whole until the rest fits ("" when not even the most important does)."""
    keep = kept([p for p, _ in parts], [cell_len(t) for _, t in parts], width, cell_len(sep))
    return sep.join(text for (_, text), k in zip(parts, keep, strict=True) if k)


def fit_lines(parts: Sequence[Part], width: int, rows: int, sep: str = " · ") -> list[str]:
    """The parts on at most `rows` lines of `width`, broken between parts (never inside
    one), dropping the least important whole until they fit."""
    items = list(parts)
    while items:
        lines = _wrap([text for _, text in items], width, sep)
        if lines is not None and len(lines) <= rows:
            return lines
        drop = max(range(len(items)), key=lambda i: (items[i][0], i))
        del items[drop]
    return []


def _wrap(texts: Sequence[str], width: int, sep: str) -> list[str] | None:
    """Texts packed greedily into lines of `width` (None when one alone is too wide)."""
    lines: list[str] = []
    line = ""
    for text in texts:
        if cell_len(text) > width:
            return None
        joined = f"{line}{sep}{text}" if line else text
        if cell_len(joined) <= width:
            line = joined
        else:
            lines.append(line)
            line = text
    if line:
        lines.append(line)
    return lines


def panel_rows(count: int, rows: int) -> tuple[int, str]:
    """How `count` panels stacked one per row fit `rows` rows: (panels shown without
    scrolling, density). Big digits while they all fit, else compact (three lines
    each), else two, else one line each; past that the column scrolls."""
    for density, height in (("big", 9), ("compact", 5), ("pair", 4), ("line", 3)):
        if count * height <= rows:
            return count, density
    return max(1, rows // 3), "line"


def footer_fit(
    items: Sequence[tuple[int, int, int]], width: int, palette: int
) -> tuple[list[bool], bool, bool]:
    """Which footer keys show in `width` columns: (kept, compact, palette shown).

    `items` are (priority, width, compact width) in the footer's order; `palette` the
    width of the palette key docked on the right. Everything shows while it fits;
    else the footer goes compact without the palette key (ctrl+p still works) and
    drops the least important keys first, so `? Help` and `q Quit` are the last to go.
    """
    if sum(wide for _, wide, _ in items) + palette <= width:
        return [True] * len(items), False, True
    keep = kept([p for p, _, _ in items], [narrow for _, _, narrow in items], width - 1, 0)
    return keep, True, False
