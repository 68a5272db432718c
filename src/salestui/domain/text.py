"""Text from the database made safe to put on a terminal.

Notes and sources arrive by import from other machines, so they may hold anything: an
escape sequence would retitle the terminal or clear the screen, a bidi override would
reorder what the user reads, a lone surrogate (bytes that were not UTF-8) would fail to
encode. `visible` spells such characters out instead (`\\x1b`, `\\n`, `\\u202e`) and
leaves everything else, accents and emoji included, as it is. It does not touch markup:
show the result as plain text (a `rich.text.Text`, `markup=False`), never as markup.
"""

from __future__ import annotations

import re
from functools import cache

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@cache
def _unsafe() -> re.Pattern[str]:
    """The characters `visible` spells out, compiled on first use: `salestui log` shows
    no stored text when all goes well, and compiling costs it most of a millisecond."""
    return re.compile(
        "["
        "\x00-\x1f\x7f-\x9f"  # C0 controls (ESC, BEL, CR, ...), DEL and C1 controls (CSI, OSC)
        "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides
        "\u2028\u2029"  # line and paragraph separators
        "\ud800-\udfff"  # lone surrogates: undecodable bytes carried through
        "]"
    )


def _spell(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character written out, so it can be shown as it is.

    `"\\x1b[2J"` becomes the six characters `\\x1b[2J`; a newline becomes `\\n`.
    """
    unsafe = _unsafe()
    if unsafe.search(text) is None:
        return text  # the usual case: nothing to replace, no new string
    return unsafe.sub(_spell, text)


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for a one-line message: escapes visible, at most `limit` characters."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
