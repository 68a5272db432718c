"""The command line under hostile and careless input (issue 7).

Bad input: exit 2, one stderr line naming the value and what is accepted, nothing
written. A file problem: exit 1. Never a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from salestui.store import Store
from tests.conftest import FakeClock, local

SALESTUI = str(Path(sys.executable).with_name("salestui"))


def event_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    conn.close()
    return count


def one_line_error(result, code: int) -> str:
    assert result.code == code, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    return lines[0]


# -- COUNT -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count",
    [
        "9223372036854775807",  # SQLite's largest integer: the day total overflowed to REAL
        str(10**30),
        "10001",
        "9" * 5000,  # int() refuses so many digits
        "1_000",
        "٣",  # Arabic-Indic three: int() takes it, a user did not mean it
        "3.0",
        "",
    ],
)
def test_count_beyond_the_bound_is_refused(run, db_path: Path, count: str) -> None:
    line = one_line_error(run("log", "call", count), 2)
    assert "COUNT must be a whole number from 1 to 10,000" in line
    assert len(line) < 160
    assert event_rows(db_path) == 0


def test_count_at_the_bound_is_taken(run) -> None:
    assert run("log", "call", "10000").code == 0
    assert run("log", "call", "+2").code == 0


# -- --at at the ends of the calendar ------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "needle"),
    [
        ("0001-01-01T00:00+05:00", "too long ago"),
        ("9999-12-31T23:59-05:00", "in the future"),
        ("0001-01-01", "too long ago"),
        ("2026-13-01", "not a date or time: --at '2026-13-01'; use a date (YYYY-MM-DD)"),
        ("0000-01-01", "not a date or time"),
    ],
)
def test_at_at_the_ends_of_the_calendar(run, db_path: Path, at: str, needle: str) -> None:
    line = one_line_error(run("log", "call", "--at", at), 2)
    assert needle in line and "out of range" not in line
    assert event_rows(db_path) == 0


# -- periods -------------------------------------------------------------------------------


HOSTILE_PERIODS = [
    "99999999d",
    "0001-01",
    "0000-01",
    "2026-11-01..9999-12-31",
    "0001-01-01..0001-01-05",
    "9" * 5000 + "d",
]


@pytest.mark.parametrize("command", ["funnel", "report", "export"])
@pytest.mark.parametrize("period", HOSTILE_PERIODS)
def test_periods_off_the_calendar_are_refused(
    run, db_path: Path, command: str, period: str
) -> None:
    line = one_line_error(run(command, "--period", period), 2)
    assert "bad period" in line
    assert not db_path.exists()


@pytest.mark.parametrize("command", ["funnel", "report", "export"])
@pytest.mark.parametrize(
    "period", ["9999-12", "1900-01", "36500d", "1926-12-23..2026-11-27", "9999-12-01..9999-12-31"]
)
def test_periods_at_the_bounds_work(run, db_path: Path, command: str, period: str) -> None:
    with Store(db_path, clock=FakeClock(local("2026-11-27T10:00"))) as store:
        store.log("calls", 2, at=local("1926-12-23T10:00"))
        store.log("calls", 1)
    result = run(command, "--period", period)
    assert result.code == 0, result.err
    assert result.err == ""


def test_report_with_history_from_the_first_day_does_not_overflow(run, db_path: Path) -> None:
    # The streak reads windows of 64, 128, ... days back: they must stop at the data.
    with Store(db_path, clock=FakeClock(local("2026-11-27T10:00"))) as store:
        store.log("calls", 1, at=local("1900-01-01T12:00"))
    for period in ("all", "week", "36500d"):
        result = run("report", "--period", period)
        assert result.code == 0, result.err


# -- notes ---------------------------------------------------------------------------------


def test_note_that_is_not_utf8_is_refused(run, db_path: Path) -> None:
    # What argv holds for `--note $'\xff\xfe'` under a UTF-8 locale.
    line = one_line_error(run("log", "call", "--note", "\udcff\udcfe"), 2)
    assert line == (
        "salestui: the note is not valid UTF-8 text; write it in UTF-8 (check your terminal)"
    )
    assert event_rows(db_path) == 0


def test_note_that_is_not_utf8_from_a_real_shell(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = subprocess.run(
        [SALESTUI.encode(), b"--db", os.fsencode(db), b"log", b"call", b"--note", b"\xff\xfe"],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        "salestui: the note is not valid UTF-8 text; write it in UTF-8 (check your terminal)"
    ]
    assert event_rows(db) == 0


def test_note_with_control_characters_is_kept_as_given(run, db_path: Path) -> None:
    note = "Acme \x1b]0;pwned\x07\x1b[2J"
    assert run("log", "call", "--note", note).code == 0
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT note FROM events").fetchone()[0] == note
    conn.close()


@pytest.mark.parametrize(
    "argv",
    [
        ("\x1b]0;pwned\x07",),  # an unknown command, echoed back by click
        ("log", "\x1b[2J"),  # an unknown metric
        ("today", "--\x1b[2Jx"),  # an unknown option
        ("log", "call", "\x1b[31m"),  # a bad COUNT
        ("funnel", "-p", "\x1b[2J\u202e"),
    ],
)
def test_messages_never_carry_raw_control_characters(run, argv: tuple[str, ...]) -> None:
    line = one_line_error(run(*argv), 2)
    assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line


def test_file_errors_show_control_characters_in_the_path_visibly(run, tmp_path: Path) -> None:
    garbage = tmp_path / "a\x1b]0;pwned\x07.db"
    garbage.write_bytes(b"\x00garbage" * 1000)
    line = one_line_error(run("--db", str(garbage), "log", "call"), 1)
    assert "\x1b" not in line and "\x07" not in line
    assert "a\\x1b]0;pwned\\x07.db" in line


def test_where_shows_control_characters_in_the_path_visibly(run, tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "a\x1b[2Jb.db"), "where")
    assert result.code == 0
    assert "\x1b" not in result.out
    assert "a\\x1b[2Jb.db" in result.out.splitlines()[0]


# -- negative numbers as arguments -----------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("log", "call", "-5"), "COUNT must be a whole number from 1 to 10,000, not '-5'"),
        (("plan", "--target", "-5"), "whole number of sales >= 1"),
        (("plan", "--target", "5", "--working-days", "-3"), "from 1 to 31, not '-3'"),
        (("plan", "--target", "5", "--working-days", "32"), "from 1 to 31, not '32'"),
        (("goal", "set", "-5"), "whole number of sales >= 1"),
    ],
)
def test_negative_numbers_are_values_not_options(run, argv, needle: str) -> None:
    assert needle in one_line_error(run(*argv), 2)


# -- reading creates nothing; --db is input -------------------------------------------------


READ_ONLY_COMMANDS = [
    ("undo",),
    ("funnel",),
    ("report",),
    ("today",),
    ("goal", "show"),
    ("calendar",),
    ("export",),
]


@pytest.mark.parametrize("argv", [*READ_ONLY_COMMANDS, ("plan",)])
def test_reading_a_missing_database_creates_nothing(run, tmp_path: Path, argv) -> None:
    db = tmp_path / "sub" / "x.db"
    (tmp_path / "sub").mkdir()
    result = run("--db", str(db), *argv)
    assert result.code == (2 if argv == ("plan",) else 0), result.err  # plan: no goal yet
    assert list((tmp_path / "sub").iterdir()) == []


@pytest.mark.parametrize("argv", [*READ_ONLY_COMMANDS, ("plan",)])
def test_reading_a_missing_default_database_creates_no_folder(run, db_path: Path, argv) -> None:
    # SALESTUI_DB (as the default location before the first tally): its folder is missing.
    assert not db_path.parent.exists()
    result = run(*argv)
    assert result.code == (2 if argv == ("plan",) else 0), result.err
    assert not db_path.parent.exists()


def test_undo_on_a_missing_database_says_so(run, tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "x.db"), "undo")
    assert (result.code, result.out) == (0, "Nothing to undo.\n")


ALL_COMMANDS = [
    ("where",),
    ("log", "call"),
    *READ_ONLY_COMMANDS,
    ("plan", "--target", "5"),
    ("goal", "set", "5"),
    ("rate", "set", "sales=1/3"),
    ("calendar", "--off", "2026-12-24"),
    ("backup",),
]


@pytest.mark.parametrize("argv", ALL_COMMANDS)
def test_db_in_a_missing_folder_is_bad_input_for_every_command(run, tmp_path: Path, argv) -> None:
    db = tmp_path / "typo" / "x.db"
    line = one_line_error(run("--db", str(db), *argv), 2)
    assert line == f"salestui: --db {db}: the folder {db.parent} does not exist"
    assert not db.parent.exists()


@pytest.mark.parametrize("argv", ALL_COMMANDS)
def test_empty_db_is_bad_input_not_the_default(run, db_path: Path, argv) -> None:
    line = one_line_error(run("--db", "", *argv), 2)
    assert line.startswith("salestui: --db '': give a database file path")
    assert not db_path.parent.exists()


def test_db_that_is_a_folder_or_under_a_file_is_bad_input(run, tmp_path: Path) -> None:
    assert "is a folder" in one_line_error(run("--db", str(tmp_path), "today"), 2)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    line = one_line_error(run("--db", str(blocker / "x.db"), "log", "call"), 2)
    assert line.endswith(f"{blocker} is not a folder")


def test_app_launch_checks_db_too(tmp_path: Path) -> None:
    # `salestui --db PATH` opens the app without click: the same checks apply.
    for db in ("", str(tmp_path / "typo" / "x.db")):
        result = subprocess.run([SALESTUI, "--db", db], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stderr.startswith("salestui: --db ")
    assert not (tmp_path / "typo").exists()


# -- a database that may not be written can still be read ----------------------------------


@pytest.fixture
def readonly_database(tmp_path: Path) -> Iterator[Path]:
    """A database in a folder owned by root (0755) with a 0444 file: read-only for nobody."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="salestui-ro-", dir="/tmp"))
    db = folder / "ro.db"
    clock = FakeClock(local("2026-11-27T10:00"))
    with Store(db, clock=clock) as store:
        store.log("calls", 5)
        store.log("meetings", 2, at=local("2026-11-20T10:00"))
        store.set_setting("goal.from.2026-11", "4")
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o444)
    yield db
    shutil.rmtree(folder)


NOBODY = 65534


def run_as_nobody(argv: list[str], clock: FakeClock) -> tuple[int, str, str]:
    """`salestui argv` in a forked child that has given up root (file permissions apply).

    The interpreter lives under /root (0700), so the child cannot exec Python again:
    it forks this process, whose modules are already imported, and drops privileges.
    """
    from salestui.cli import main

    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 3
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.dup2(out_write, 1)
            os.dup2(err_write, 2)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 (the child exits below)
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            try:
                main(argv, clock=clock)
            except SystemExit as exit_info:
                code = exit_info.code if isinstance(exit_info.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(out_write)
    os.close(err_write)
    with open(out_read, encoding="utf-8") as out, open(err_read, encoding="utf-8") as err:
        stdout, stderr = out.read(), err.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), stdout, stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["today", "--json"], '"calls": 5'),
        (["funnel", "--json"], '"meetings": 2'),
        (["report", "--period", "month"], "Calls"),
        (["plan", "--json", "--rate", "meetings=10%", "--rate", "sales=1/2"], '"target": 4'),
        (["goal", "show"], "4 sales"),
        (["export"], '"salestui-export"'),
    ],
)
def test_a_database_that_cannot_be_written_can_still_be_read(
    readonly_database: Path, argv: list[str], needle: str
) -> None:
    db = readonly_database
    clock = FakeClock(local("2026-11-27T10:42"))
    from salestui.cli import main

    with pytest.raises(SystemExit):  # as root first: every lazy import is done before the fork
        main(["--db", str(db), *argv], clock=clock)
    before = sorted(p.name for p in db.parent.iterdir())
    code, out, err = run_as_nobody(["--db", str(db), *argv], clock)
    assert (code, err) == (0, ""), err
    assert needle in out
    assert sorted(p.name for p in db.parent.iterdir()) == before
    assert stat.S_IMODE(db.stat().st_mode) == 0o444


# -- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["80", "50"])
def test_help_lists_every_command_without_cutting_it_short(
    run, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    for argv in (("--help",), ("goal", "--help"), ("rate", "--help")):
        result = run(*argv)
        assert result.code == 0
        commands = result.out.split("Commands:")[1]
        assert "..." not in commands and "…" not in commands
