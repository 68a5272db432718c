"""The Prospects tab's list: a light widget on Textual's Line API.

A DataTable lays out and draws every cell as a widget would (about 22 ms to draw a
screenful of rows, 3-5 ms to add 200), which made a keystroke in the filter at 100,000
prospects cost twice what it costs with seven. This list renders each row once per
result set, when it is first drawn, into a Strip (one line of styled segments, columns
at widths fixed for the result set and the pane), and draws only the lines on screen:
the header line, which stays put, and the rows under it. Moving the cursor redraws two
lines; a new result set replaces the strips and redraws once; the widget's size changes
only with the number of rows (a layout pass then, none otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("company", "Company"),
    ("source", "Source"),
    ("status", "Status"),
    ("touches", "Touches"),
    ("last", "Last touch"),
    ("follow", "Follow-up"),
)
"""Each column's key (what a click on its header sorts by) and its header."""
RIGHT = frozenset({"touches"})
"""Columns of numbers, aligned right."""
SHRINK = {"name": 10, "company": 8}
"""Columns that give way when the pane is narrow, and the width each keeps at least;
the others (source, status, counts, days) are short and say more whole."""
GAP = 2
"""Spaces between columns (one more before the first)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One prospect as the list shows it: its id, its cells' text (in COLUMNS order,
    control characters already made visible) and how urgent its follow-up is
    ("error" overdue, "warning" today, None)."""

    key: str
    cells: tuple[str, ...]
    urgency: str | None = None


def cut(text: str, width: int) -> str:
    """`text` in `width` cells: whole if it fits, else cut with `…`, at a space when one
    falls in the second half (`Carla Diaz Fernandez` in 14 cells: `Carla Diaz…`, not
    `Carla Diaz Fe…`; `Acme Corporation` in 12: `Acme Corpor…`, more than `Acme…`)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    head = set_cell_size(text, width - 1).rstrip()
    space = head.rfind(" ")
    if space >= (width - 1) // 2 and text[len(head) : len(head) + 1] != " ":
        head = head[:space].rstrip()
    return head + "…"


def column_widths(rows: Sequence[Row], width: int) -> list[int]:
    """Each column's width: its widest cell or header, the names and companies cut down
    (never below SHRINK) when the whole would not fit `width` cells."""
    widths = [cell_len(title) for _key, title in COLUMNS]
    for row in rows:
        for at, text in enumerate(row.cells):
            if len(text) > widths[at] or not text.isascii():
                widths[at] = max(widths[at], cell_len(text))
    over = 1 + sum(widths) + GAP * (len(widths) - 1) - width
    for at in (1, 0):  # the company gives way first, then the name
        if over <= 0:
            break
        key = COLUMNS[at][0]
        room = widths[at] - max(SHRINK[key], cell_len(COLUMNS[at][1]))
        if room > 0:
            give = min(room, over)
            widths[at] -= give
            over -= give
    return widths


class ProspectList(ScrollView, can_focus=True):
    """The rows of a result set under a header line; a cursor row (Enter or a click on
    it opens the prospect; a click on a header sorts by that column)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "prospect-list--header",
        "prospect-list--cursor",
        "prospect-list--error",
        "prospect-list--warning",
    }
    DEFAULT_CSS = """
    ProspectList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .prospect-list--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .prospect-list--header {
                background-tint: $foreground 5%;
            }
        }
        & > .prospect-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .prospect-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .prospect-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .prospect-list--error {
            color: $error;
            text-style: bold;
        }
        & > .prospect-list--warning {
            color: $warning;
            text-style: bold;
        }
    }
    """

    BINDINGS = [
        Binding("enter", "select", "Open", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor(-1000000)", "First", show=False),
        Binding("end", "cursor(1000000)", "Last", show=False),
    ]

    class Selected(Message):
        """Enter, or a click on the cursor's row: open this prospect."""

        def __init__(self, prospect_id: str) -> None:
            super().__init__()
            self.prospect_id = prospect_id

    class HeaderClicked(Message):
        """A click on a column's header (its key in COLUMNS): sort by it."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self._rows: tuple[Row, ...] = ()
        self._cursor = 0
        self._strips: list[Strip | None] = []
        """Each row rendered at `_drawn_width` without the line's own style (plain, or
        the cursor's, applied as it is drawn); None: not drawn yet."""
        self._header: Strip | None = None
        """The header line; None: columns to lay out again at the next draw."""
        self._urgent: dict[str, Style] = {}
        self._widths: list[int] = []
        self._drawn_width = -1

    # -- what it shows -----------------------------------------------------------------

    @property
    def rows(self) -> tuple[Row, ...]:
        """The rows of the result set shown."""
        return self._rows

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        """The cursor's row (0 when there are none)."""
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        """The id of the prospect under the cursor (None: no rows)."""
        return self._rows[self._cursor].key if self._rows else None

    def set_rows(self, rows: Sequence[Row], keep: str | None = None) -> None:
        """Show `rows` instead, the cursor on the row whose key is `keep` when there is
        one (else where it was, within the rows). Rendered at the next draw, once."""
        self._rows = tuple(rows)
        at = next((i for i, row in enumerate(self._rows) if row.key == keep), None)
        self._cursor = at if at is not None else min(self._cursor, max(len(self._rows) - 1, 0))
        self._header = None
        # Only the height matters; a new width would ask for a layout pass at each key.
        height = len(self._rows) + 1
        if self.virtual_size.height != height:
            self.virtual_size = Size(self.virtual_size.width, height)
        self._show_cursor()
        self.refresh()

    # -- drawing -------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        """Colours changed (a theme, focus): render the rows again at the next draw."""
        super().notify_style_update()
        self._header = None

    def on_resize(self, event: events.Resize) -> None:
        self._show_cursor()

    def _lay_out(self, width: int) -> None:
        """Column widths and the header for `width` cells; rows rendered as drawn."""
        self._drawn_width = width
        widths = column_widths(self._rows, width)
        self._widths = widths
        self._urgent = {
            "error": self.get_component_rich_style("prospect-list--error", partial=True),
            "warning": self.get_component_rich_style("prospect-list--warning", partial=True),
        }
        header = " " + (" " * GAP).join(
            set_cell_size(title, size) for (_key, title), size in zip(COLUMNS, widths, strict=True)
        )
        self._header = Strip([Segment(set_cell_size(header, width))], width).apply_style(
            self.get_component_rich_style("prospect-list--header")
        )
        self._strips = [None] * len(self._rows)

    def _render_row(self, index: int) -> Strip:
        """Row `index` as one line of `_drawn_width` cells, without the line's style."""
        row, widths, width = self._rows[index], self._widths, self._drawn_width
        last = len(COLUMNS) - 1
        gap = " " * GAP
        text = " "
        segments = []
        for at, (cell, size) in enumerate(zip(row.cells, widths, strict=True)):
            shown = cut(cell, size)
            pad = " " * (size - cell_len(shown))
            if at == last:
                if row.urgency:
                    segments.append(Segment(text))
                    segments.append(Segment(shown, self._urgent[row.urgency]))
                    text = pad
                else:
                    text += shown + pad
            elif COLUMNS[at][0] in RIGHT:
                text += pad + shown + gap
            else:
                text += shown + pad + gap
        segments.append(Segment(text))
        strip = Strip(segments).crop_extend(0, width, None)
        self._strips[index] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        """Line `y` of the widget: the header (line 0, whatever the scroll), else the
        row scrolled there, in the cursor's style on its row."""
        width = self.scrollable_content_region.width
        if self._header is None or width != self._drawn_width:
            self._lay_out(width)
        assert self._header is not None
        if y == 0:
            return self._header
        base = self.rich_style
        index = self.scroll_offset.y + y - 1
        if index >= len(self._strips):
            return Strip.blank(width, base)
        strip = self._strips[index] or self._render_row(index)
        if index == self._cursor:
            return strip.apply_style(base + self.get_component_rich_style("prospect-list--cursor"))
        return strip.apply_style(base)

    # -- the cursor ----------------------------------------------------------------------

    def _row_line(self, index: int) -> int:
        """The widget line row `index` is drawn on (may be off screen)."""
        return index - self.scroll_offset.y + 1

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (kept within the rows), redrawing the two lines."""
        if not self._rows:
            return
        row = max(0, min(row, len(self._rows) - 1))
        if row == self._cursor:
            return
        before = self._cursor
        self._cursor = row
        width = max(self.size.width, 1)
        for index in (before, row):
            line = self._row_line(index)
            if 1 <= line < self.size.height:
                self.refresh(Region(0, line, width, 1))
        self._show_cursor()

    def _show_cursor(self) -> None:
        """Scroll so the cursor's row is on screen under the header."""
        page = self._page()
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False)

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self._cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self._cursor + direction * self._page())

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.Selected(self._rows[self._cursor].key))

    def on_click(self, event: events.Click) -> None:
        """A header sorts by its column; a row takes the cursor, and opens when the
        cursor was on it already (as a table's row does)."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderClicked(column))
            return
        index = self.scroll_offset.y + offset.y - 1
        if 0 <= index < len(self._rows):
            if index == self._cursor:
                self.action_select()
            else:
                self.move_cursor(index)

    def _column_at(self, x: int) -> str | None:
        start = 1
        for (key, _title), size in zip(COLUMNS, self._widths, strict=True):
            if start - 1 <= x < start + size + 1:
                return key
            start += size + GAP
        return None
