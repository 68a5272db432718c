"""Text from the database is shown with its control characters spelled out."""

from __future__ import annotations

import pytest

from salestui.domain.text import visible


def test_an_escape_sequence_becomes_plain_characters() -> None:
    shown = visible("\x1b]2;pwned\x07\x1b[2J")
    assert shown == "\\x1b]2;pwned\\x07\\x1b[2J"
    assert all(char.isprintable() for char in shown)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\rb\tc", "a\\rb\\tc"),
        ("\x00\x7f", "\\x00\\x7f"),
        ("\x9b2J", "\\x9b2J"),  # C1 CSI: one byte that some terminals obey like ESC [
        ("abc\u202edcba", "abc\\u202edcba"),  # a right-to-left override
        ("x\u2028y", "x\\u2028y"),
        ("bad \udcff byte", "bad \\udcff byte"),  # undecodable byte carried as a surrogate
    ],
)
def test_each_kind_of_control_is_spelled_out(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    visible(raw).encode("utf-8")  # always encodable for the terminal


@pytest.mark.parametrize(
    "text",
    ["Acme — call back Tuesday", "Café Müller 👍", "[bold red]x[/]", "C:\\path", "", "日本語"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert visible(text) is text  # not even copied
