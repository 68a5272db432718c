from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import sql_one


def event_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    return sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM events").fetchone()[0]


def test_where_prints_the_path_in_use(run, db_path: Path) -> None:
    result = run("where")
    assert result.code == 0
    assert result.out.splitlines()[0] == f"database: {db_path}"
    assert not db_path.exists()  # asking where does not create the file


def test_db_option_beats_the_environment(run, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    assert run("--db", str(other), "where").out.splitlines()[0] == f"database: {other}"


def test_default_path_is_the_user_data_folder(
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SALESTUI_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    first = run("where").out.splitlines()[0]
    assert first == f"database: {tmp_path / 'xdg' / 'salestui' / 'salestui.db'}"


def test_log_and_today_json(run) -> None:
    assert run("log", "call").code == 0
    assert run("log", "c", "3").code == 0
    assert run("log", "meetings", "--note", "Acme").code == 0
    result = run("today", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {
        "day": "2026-11-27",
        "counts": {"calls": 4, "meetings": 1, "sales": 0},
    }


def test_today_on_a_missing_database_is_zero_and_creates_nothing(run, db_path: Path) -> None:
    result = run("today", "--json")
    assert json.loads(result.out)["counts"] == {"calls": 0, "meetings": 0, "sales": 0}
    assert not db_path.exists()


def test_today_text(run) -> None:
    run("log", "sale")
    out = run("today").out
    assert "Fri 27 Nov 2026" in out and "Sales" in out


def test_log_note_and_backdating(run, db_path: Path) -> None:
    result = run("log", "call", "2", "--at", "2026-11-20", "--note", "old list")
    assert result.code == 0 and "2026-11-20" in result.out
    row = sql_one(db_path, "SELECT day, delta, note, source FROM events")
    assert row == ("2026-11-20", 2, "old list", "cli")
    assert json.loads(run("today", "--json").out)["counts"]["calls"] == 0


def test_undo_cancels_the_whole_last_tally(run) -> None:
    run("log", "call", "3")
    result = run("undo")
    assert result.code == 0 and "3 calls" in result.out
    assert json.loads(run("today", "--json").out)["counts"]["calls"] == 0


def test_undo_with_nothing_to_undo(run) -> None:
    result = run("undo")
    assert result.code == 0
    assert "Nothing to undo" in result.out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("log", "call", "-3"), "COUNT must be a whole number from 1 to 10,000, not '-3'"),
        (("log", "call", "0"), "COUNT must be a whole number from 1 to 10,000"),
        (("log", "call", "two"), "COUNT must be a whole number from 1 to 10,000"),
        (("log", "bananas"), "known metrics: calls"),
        (("log", "call", "--at", "2026-11-28"), "future"),
        (("log", "call", "--at", "2026-11-27T11:00"), "future"),
        (("log", "call", "--at", "last tuesday"), "not a date or time: --at 'last tuesday'"),
        (("log",), "Missing argument"),
        (("frobnicate",), "No such command"),
        (("today", "--yaml"), "No such option"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    run, db_path: Path, argv, needle
) -> None:
    result = run(*argv)
    assert result.code == 2
    assert needle in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out == ""
    assert event_rows(db_path) == 0


def test_foreign_file_exits_1_naming_it_untouched(run, tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for argv in (("log", "call"), ("today",), ("undo",)):
        result = run("--db", str(path), *argv)
        assert result.code == 1
        assert str(path) in result.err and "not a salestui database" in result.err
        assert len(result.err.strip().splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_garbage_file_exits_1(run, tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"\x00\x01garbage" * 1000)
    result = run("--db", str(path), "log", "call")
    assert result.code == 1 and str(path) in result.err
    assert "Traceback" not in result.err


def test_unwritable_location_exits_1(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    # From the environment (not an explicit --db, which is checked as input: exit 2).
    monkeypatch.setenv("SALESTUI_DB", str(blocker / "x.db"))
    result = run("log", "call")
    assert result.code == 1
    assert "cannot create its folder" in result.err


def test_help_and_version(run) -> None:
    assert run("--help").code == 0
    result = run("--version")
    assert result.code == 0 and result.out.startswith("salestui ")
