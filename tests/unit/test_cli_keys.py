"""`salestui keys`: list, set and reset the app's keys (stored as `key.*` settings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salestui.domain.keys import DEFAULT_KEYS, key_display, keys_display
from tests.conftest import sql_one


def stored(db_path: Path) -> dict[str, str]:
    if not db_path.exists():
        return {}
    rows = sql_one(
        db_path, "SELECT json_group_object(key, value) FROM settings WHERE key LIKE 'key.%'"
    )
    return json.loads(rows[0]) if rows and rows[0] else {}


def test_the_list_names_every_command_and_creates_nothing(run, db_path) -> None:
    result = run("keys")
    assert result.code == 0
    for command in DEFAULT_KEYS:
        assert command in result.out
    assert "help              ?" in result.out
    assert "leave-field       escape" in result.out
    assert not db_path.exists()  # listing reads only


def test_set_then_list_then_reset(run, db_path) -> None:
    assert (
        run("keys", "set", "tally.calls", "k").out == "tally.calls: k (from the app's next start)\n"
    )
    assert stored(db_path) == {"key.tally.calls": "k"}
    listed = json.loads(run("keys", "list", "--json").out)["keys"]
    calls = next(entry for entry in listed if entry["command"] == "tally.calls")
    assert calls == {"command": "tally.calls", "default": "c", "keys": "k"}
    assert "(out of the box: c)" in run("keys").out
    # c is free now: undo may take it.
    assert run("keys", "set", "undo", "c").code == 0
    assert run("keys", "reset", "tally.calls").out == "tally.calls: c\n"
    assert stored(db_path) == {"key.undo": "c"}
    assert run("keys", "reset", "--all").code == 0
    assert stored(db_path) == {}


def test_several_keys_and_symbols(run, db_path) -> None:
    assert run("keys", "set", "help", "?, h").out == "help: ?, h (from the app's next start)\n"
    assert stored(db_path) == {"key.help": "question_mark,h"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("keys", "set", "nope", "x"), "no command 'nope'; commands: tally.calls"),
        (("keys", "set", "tally.calls", " , "), "give at least one key"),
        (("keys", "set", "undo", "5"), "Key remap for 'undo' refused: 5 switches tabs"),
        (("keys", "set", "undo", "m"), "Key remap for 'undo' refused: m is already the key of"),
        (("keys", "reset"), "name one command, or pass --all"),
        (("keys", "reset", "undo", "--all"), "name one command, or pass --all"),
        (("keys", "reset", "nope"), "no command 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(run, db_path, argv, message) -> None:
    result = run(*argv)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert stored(db_path) == {}


def test_a_key_another_remap_holds_is_refused_and_the_holder_keeps_it(run, db_path) -> None:
    assert run("keys", "set", "tally.calls", "k").code == 0
    result = run("keys", "set", "tally.meetings", "k")
    assert result.code == 2
    assert "k is already the key of 'tally.calls'" in result.err
    assert stored(db_path) == {"key.tally.calls": "k"}


def test_key_display() -> None:
    assert key_display("question_mark") == "?"
    assert key_display("slash") == "/"
    assert key_display("escape") == "escape"
    assert key_display("space") == "space"
    assert key_display("f5") == "f5"
    assert keys_display("k,question_mark") == "k, ?"
