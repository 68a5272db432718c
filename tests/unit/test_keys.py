"""Key remaps: which are accepted, which refused and why (domain/keys.py, no Textual)."""

from __future__ import annotations

from salestui.domain.keys import (
    DEFAULT_KEYS,
    key_name,
    keymap_from_settings,
    parse_keys,
    validate_keymap,
)


def test_key_names_follow_textual() -> None:
    assert key_name("?") == "question_mark"
    assert key_name("/") == "slash"
    assert key_name("k") == "k"
    assert key_name(" ctrl+k ") == "ctrl+k"
    assert parse_keys("k, f5,,") == ["k", "f5"]


def test_settings_become_a_keymap() -> None:
    settings = {"key.tally.calls": "k", "key.undo": "z", "theme": "x"}
    assert keymap_from_settings(settings) == {"tally.calls": "k", "undo": "z"}


def test_free_keys_are_accepted() -> None:
    keymap, warnings = validate_keymap({"tally.calls": "k,f5", "help": "?"})
    assert keymap == {"tally.calls": "k,f5", "help": "question_mark"}
    assert warnings == []


def test_unknown_command_is_refused() -> None:
    keymap, warnings = validate_keymap({"tally.cals": "k"})
    assert keymap == {}
    assert warnings == ["Key remap for 'tally.cals' ignored: no such command."]


def test_a_key_another_command_uses_is_refused() -> None:
    keymap, warnings = validate_keymap({"tally.calls": "m"})
    assert keymap == {}
    assert len(warnings) == 1
    assert "m is already the key of 'tally.meetings'" in warnings[0]


def test_two_remaps_to_one_key_keep_one() -> None:
    keymap, warnings = validate_keymap({"tally.calls": "k", "undo": "k"})
    assert len(keymap) == 1 and len(warnings) == 1


def test_swapping_two_keys_is_accepted() -> None:
    keymap, warnings = validate_keymap({"tally.calls": "m", "tally.meetings": "c"})
    assert keymap == {"tally.calls": "m", "tally.meetings": "c"}
    assert warnings == []


def test_digits_stay_tab_keys() -> None:
    keymap, warnings = validate_keymap({"undo": "5"})
    assert keymap == {}
    assert warnings == ["Key remap for 'undo' ignored: 5 switches tabs."]
    assert validate_keymap({"tab.today": "1"}) == ({"tab.today": "1"}, [])


def test_empty_remap_is_refused() -> None:
    assert validate_keymap({"undo": " , "})[1] == ["Key remap for 'undo' ignored: no key given."]


def test_every_default_key_is_distinct() -> None:
    assert len(set(DEFAULT_KEYS.values())) == len(DEFAULT_KEYS)
