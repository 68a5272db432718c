"""`salestui [--db PATH] log METRIC [COUNT]` without click (`salestui.quick_log`): the
same line, exit code and row as the click command line for what it takes, and nothing
at all (click answers) for everything else."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salestui import quick_log
from salestui.cli import main as cli_main
from salestui.domain.metrics import MAX_COUNT
from tests.conftest import FakeClock

NOW = datetime(2026, 11, 27, 10, 30).astimezone()

QUICK = [
    ["log", "call"],
    ["log", "calls"],
    ["log", "c"],
    ["log", "MEETING"],
    ["log", " sale "],
    ["log", "s", "3"],
    ["log", "calls", "+2"],
    ["log", "calls", " 12 "],
    ["log", "calls", "0010"],
    ["log", "calls", str(MAX_COUNT)],
    ["--db", "{db}", "log", "m", "2"],
    ["--db={db}", "log", "sales"],
]
"""The quick form: recorded without click."""

NOT_QUICK = [
    [],
    ["log"],
    ["today"],
    ["LOG", "call"],
    ["log", "x"],
    ["log", ""],
    ["log", "call", "0"],
    ["log", "call", str(MAX_COUNT + 1)],
    ["log", "call", "9999999999999"],
    ["log", "call", "1_000"],
    ["log", "call", "\u0661"],  # an Arabic-Indic one: a digit, but not 0-9
    ["log", "call", "+"],
    ["log", "call", "+ 3"],
    ["log", "call", "1.0"],
    ["log", "call", "-1"],
    ["log", "call", "2", "3"],
    ["log", "call", "--note", "Acme"],
    ["log", "call", "--at", "yesterday"],
    ["log", "--at", "yesterday", "call"],
    ["log", "call", "--help"],
    ["log", "-h"],
    ["--help"],
    ["--version"],
    ["--", "log", "call"],
    ["log", "--", "call"],
    ["--db", "", "log", "call"],
    ["--db=", "log", "call"],
    ["--db", "   ", "log", "call"],
    ["--db", "{missing}", "log", "call"],
    ["--db", "{folder}", "log", "call"],
    ["--db", "-x", "log", "call"],
    ["--db", "{db}", "--db", "{db}", "log", "call"],
    ["--db", "{db}"],
    ["--db"],
    ["log", "call", "\udcff"],  # argv bytes that are not UTF-8
]
"""Everything else: the click command line answers (and words any refusal)."""


def filled(argv: list[str], tmp_path: Path, db: Path) -> list[str]:
    names = {"db": db, "missing": tmp_path / "no" / "x.db", "folder": tmp_path}
    return [arg.format(**{k: str(v) for k, v in names.items()}) for arg in argv]


def rows(db: Path) -> list[tuple[object, ...]]:
    """The event log without ids (each run draws its own)."""
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT ts, day, metric, delta, note, source, cancels, about FROM events ORDER BY rowid"
        ).fetchall()


@pytest.mark.parametrize("argv", QUICK, ids=" ".join)
def test_the_quick_form_prints_and_records_what_the_command_line_does(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = []
    for name in ("quick", "click"):
        db = tmp_path / f"{name}.db"
        monkeypatch.setenv("SALESTUI_DB", str(db))
        args = filled(argv, tmp_path, db)
        for _ in range(2):  # a new file, then one with a tally in it
            if name == "quick":
                code = quick_log.run(args, clock=FakeClock(NOW))
            else:
                with pytest.raises(SystemExit) as exit_info:
                    cli_main(args, clock=FakeClock(NOW))
                code = exit_info.value.code
            captured = capsys.readouterr()
            outcomes.append((name, code, captured.out, captured.err))
        outcomes.append((name, rows(db)))
    quick, click_run = outcomes[:3], outcomes[3:]
    assert [each[1:] for each in quick] == [each[1:] for each in click_run]
    assert quick[0][1:] == (0, quick[0][2], "") and quick[0][2].startswith("+")
    assert len(quick[2][1]) == 2


@pytest.mark.parametrize("argv", NOT_QUICK, ids=repr)
def test_anything_else_is_left_to_the_command_line(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "x.db"
    monkeypatch.setenv("SALESTUI_DB", str(db))
    assert quick_log.run(filled(argv, tmp_path, db), clock=FakeClock(NOW)) is None
    assert not db.exists()


@given(st.one_of(st.text(max_size=16), st.from_regex(r"\s*\+?[0-9]{0,14}\s*", fullmatch=True)))
def test_count_is_read_as_the_command_line_always_read_it(text: str) -> None:
    digits = text.strip()
    old_rule = re.fullmatch(r"\+?[0-9]{1,12}", digits) is not None and (
        1 <= int(digits) <= MAX_COUNT
    )
    assert quick_log.count_or_none(text) == (int(digits) if old_rule else None)


def run_salestui(code: str, argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


LAUNCH = "import sys; sys.argv[0] = 'salestui'; from salestui.launch import main; main()"
CLICK = "import sys; from salestui.cli import main; main(sys.argv[1:])"


@pytest.mark.parametrize(
    "argv",
    [["log", "call"], ["log", "sales", "3"], ["log", "call", "0"], ["log", "calls", "--note", "x"]],
    ids=" ".join,
)
def test_a_real_process_gives_the_same_bytes_and_code_either_way(
    argv: list[str], tmp_path: Path
) -> None:
    results = []
    for name, code in (("launch", LAUNCH), ("click", CLICK)):
        env = {**os.environ, "SALESTUI_DB": str(tmp_path / f"{name}.db")}
        results.append(run_salestui(code, argv, env))
    assert results[0] == results[1]


def test_the_quick_form_imports_no_click_and_a_failure_is_one_line(tmp_path: Path) -> None:
    probe = (
        "import sys; sys.argv = ['salestui', *sys.argv[1:]]\n"
        "from salestui.launch import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    loaded = [m for m in sys.modules if m.split('.')[0] in ('click', 'textual')]\n"
        "    print(' '.join(loaded) or 'none', file=sys.stderr)\n"
    )
    env = {**os.environ, "SALESTUI_DB": str(tmp_path / "x.db")}
    assert run_salestui(probe, ["log", "call"], env) == (0, "+1 call\n", "none\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    env["SALESTUI_DB"] = str(folder)  # a folder: the store refuses it, after the quick form
    code, out, err = run_salestui(probe, ["log", "call"], env)
    assert (code, out) == (1, "")
    assert err == f"salestui: {folder}: is a folder, not a database file\nnone\n"
    # The same line the command line says.
    assert run_salestui(CLICK, ["log", "call"], env) == (1, "", err.removesuffix("none\n"))
