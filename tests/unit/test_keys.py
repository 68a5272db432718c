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


# -- keys for the user's own metrics (issue 10) -------------------------------------------


def test_default_keys_put_each_metric_on_its_letter_and_shift_letter() -> None:
    from salestui.domain.keys import default_keys

    keys = default_keys([("calls", "c"), ("emails", "e")])
    assert keys["tally.emails"] == "e" and keys["correct.emails"] == "E"
    assert keys["tally.calls"] == "c" and keys["correct.calls"] == "C"
    assert "tally.meetings" not in keys  # not listed: hidden
    assert keys["undo"] == "u" and keys["quit"] == "q"


def test_reserved_keys_name_the_holder_and_follow_remaps() -> None:
    from salestui.domain.keys import reserved_keys

    reserved = reserved_keys()
    assert reserved["u"] == "undo" and reserved["q"] == "quit"
    assert reserved["1"] == "switching tabs" and reserved["7"] == "switching tabs"
    assert "p" in reserved and "t" in reserved  # prospects and the timer, on the way
    assert "c" not in reserved  # a metric's letter: the catalog names its holder
    moved = reserved_keys({"undo": "z", "tally.calls": "k"})
    assert moved["z"] == "undo" and "u" not in moved
    assert moved["k"] == "calls"
