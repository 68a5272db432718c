"""Issue 8, "The command line": what a new user hits first.

`rate` / `goal` alone show their state, `rate show`, `goal clear`, `--at yesterday` and
the other words for a day, `where` counting the -wal file, and a README whose quick
start leaves `salestui` on PATH and says truly when the database is created.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def event_days(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [row[0] for row in conn.execute("SELECT day FROM events ORDER BY rowid")]
    finally:
        conn.close()


def setting_rows(db_path: Path, prefix: str) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


# -- rate / goal alone, rate show ------------------------------------------------------------


def test_rate_alone_shows_the_rates_instead_of_a_usage_error(run, db_path: Path) -> None:
    result = run("rate")
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out == run("rate", "show").out
    assert "Starting rates stored: meetings none, sales none" in result.out
    assert "missing" in result.out
    assert not db_path.exists()  # showing creates nothing


def test_goal_alone_shows_the_goal_instead_of_a_usage_error(
    run, db_path: Path, standing_goal
) -> None:
    result = run("goal")
    assert (result.code, result.err) == (0, "")
    assert "No goal for 2026-11" in result.out
    assert not db_path.exists()
    standing_goal(50)
    run("goal", "set", "60", "--month", "2027-01")
    lines = run("goal").out.splitlines()
    assert lines[0] == "2026-11: 50 sales (the goal from 2026-11 on)"
    assert "  2027-01: 60 sales (that month only)" in lines


def test_rate_show_says_what_the_plan_uses_and_from_where(run, db_path: Path, clock) -> None:
    run("rate", "set", "meetings=15%")
    out = run("rate", "show").out
    assert "Starting rates stored: meetings 15%, sales none" in out
    assert re.search(r"calls → meetings +15%  \(1 meeting per 6.7 calls; set by you\)", out)
    assert re.search(r"meetings → sales +—  \(missing: 0 meetings in your last 90 days", out)
    assert "`salestui rate set sales=1/3`" in out
    # 40 calls and 10 meetings before today: history now decides calls -> meetings,
    # while today's tallies never count (the plan's rates hold still all day).
    run("log", "call", "40", "--at", "-3d")
    run("log", "meeting", "10", "--at", "-2d")
    run("log", "meeting", "30")
    data = json.loads(run("rate", "show", "--json").out)
    assert data["rates"] == {"meetings": 0.25, "sales": None}
    assert data["rates_source"] == {"meetings": "history", "sales": "missing"}
    assert data["stored"] == {"meetings": "15%", "sales": None}
    assert data["history"] == {
        "from": "2026-08-29",
        "to": "2026-11-26",
        "counts": {"calls": 40, "meetings": 10, "sales": 0},
    }
    out = run("rate").out
    assert "25%  (1 meeting per 4 calls; your last 90 days, 2026-08-29 to 2026-11-26" in out
    assert "10 meetings from 40 calls" in out


def test_rate_show_agrees_with_the_plan(run) -> None:
    run("rate", "set", "meetings=15%")
    run("rate", "set", "sales=1/3")
    run("log", "call", "60", "--at", "yesterday")
    run("log", "meeting", "6", "--at", "yesterday")
    plan = json.loads(run("plan", "--target", "5", "--json").out)
    shown = json.loads(run("rate", "show", "--json").out)
    assert shown["rates"] == plan["rates"]
    assert shown["rates_source"] == plan["rates_source"]


def test_rate_clear_of_nothing_creates_nothing(run, db_path: Path) -> None:
    result = run("rate", "clear", "sales")
    assert result.code == 0 and "Nothing to clear" in result.out
    assert not db_path.exists()


# -- goal clear ------------------------------------------------------------------------------


def test_goal_clear_ends_the_goal_from_this_month_on(run, db_path: Path, clock) -> None:
    clock.now = clock.now.replace(month=9, day=1)  # a Tuesday: the month's first working day
    run("goal", "set", "40")  # standing from 2026-09 on
    run("goal", "set", "45", "--month", "2026-10")
    clock.now = clock.now.replace(month=11, day=27)
    run("goal", "set", "70", "--month", "2026-12")
    result = run("goal", "clear")
    assert result.code == 0 and "cleared from 2026-11 on" in result.out
    for month, expected in [
        ("2026-08", "No goal for 2026-08"),
        ("2026-09", "2026-09: 40 sales"),  # earlier months keep theirs
        ("2026-10", "2026-10: 45 sales"),
        ("2026-11", "No goal for 2026-11"),
        ("2026-12", "No goal for 2026-12"),
        ("2027-06", "No goal for 2027-06"),
    ]:
        assert expected in run("goal", "show", "--month", month).out
    assert run("plan", "--rate", "meetings=15%", "--rate", "sales=1/3").code == 2  # no goal
    assert "Nothing to clear" in run("goal", "clear").out


def test_goal_clear_month_clears_that_months_goal_only(run, db_path: Path, standing_goal) -> None:
    standing_goal(50)
    run("goal", "set", "80", "--month", "2026-12")
    result = run("goal", "clear", "--month", "2026-12")
    assert result.code == 0
    assert "One-month goal for 2026-12 cleared." in result.out
    assert "2026-12 now has 50 sales (the goal from 2026-11 on)" in result.out
    assert "2026-12: 50 sales" in run("goal", "show", "--month", "2026-12").out
    assert "2026-11: 50 sales" in run("goal", "show").out
    assert setting_rows(db_path, "goal.only.") == {}
    again = run("goal", "clear", "--month", "2026-12")
    assert "Nothing to clear: no one-month goal for 2026-12." in again.out


def test_goal_clear_on_a_missing_database_creates_nothing(run, db_path: Path) -> None:
    for argv in (("goal", "clear"), ("goal", "clear", "--month", "2026-12")):
        result = run(*argv)
        assert result.code == 0 and "Nothing to clear" in result.out
    assert not db_path.exists()


def test_goal_clear_bad_month_exits_2_writing_nothing(run, db_path: Path, standing_goal) -> None:
    standing_goal(50)
    result = run("goal", "clear", "--month", "2026-13")
    assert result.code == 2 and "not a month: '2026-13'" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert setting_rows(db_path, "goal.") == {"goal.from.2026-11": "50"}


# -- --at in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "day"),
    [
        ("yesterday", "2026-11-26"),
        ("Mon", "2026-11-23"),
        ("friday", "2026-11-20"),  # today is a Friday: the one before today
        ("-3d", "2026-11-24"),
    ],
)
def test_log_at_words(run, db_path: Path, at: str, day: str) -> None:
    result = run("log", "call", "--at", at)
    assert (result.code, result.err) == (0, "")
    assert result.out == f"+1 call on {day}\n"
    assert event_days(db_path) == [day]


def test_log_at_today_is_now(run, db_path: Path) -> None:
    assert run("log", "sale", "--at", "TODAY").out == "+1 sale\n"
    assert event_days(db_path) == ["2026-11-27"]


def test_log_at_nonsense_lists_the_accepted_forms(run, db_path: Path) -> None:
    result = run("log", "call", "--at", "last week")
    assert result.code == 2
    line = result.err.strip()
    assert len(line.splitlines()) == 1
    for form in ("YYYY-MM-DD", "today", "yesterday", "mon or monday", "-Nd (N days ago)"):
        assert form in line
    assert not db_path.exists()


def test_log_help_explains_the_words_for_at(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = run("log", "--help").out
    assert "yesterday" in out and "-Nd (N days ago)" in out
    assert "the last one before today" in out


# -- where -----------------------------------------------------------------------------------


def test_where_counts_the_wal_file(run, db_path: Path, store) -> None:
    for _ in range(20):
        store.log("calls", 1, source="test")  # the open store keeps them in the -wal
    wal = db_path.with_name(db_path.name + "-wal")
    main_size, wal_size = db_path.stat().st_size, wal.stat().st_size
    assert wal_size > 0
    lines = run("where").out.splitlines()
    assert lines[0] == f"database: {db_path}"
    assert lines[1] == (
        f"size: {main_size + wal_size:,} bytes ({main_size:,} in salestui.db "
        f"+ {wal_size:,} in salestui.db-wal)"
    )


def test_where_without_a_wal_shows_the_file_alone(run, db_path: Path) -> None:
    run("log", "call")  # the CLI's connection folds the -wal in when it closes
    assert run("where").out.splitlines()[1] == f"size: {db_path.stat().st_size:,} bytes"


def test_where_on_a_fresh_machine_says_not_created_yet(run, db_path: Path) -> None:
    lines = run("where").out.splitlines()
    assert lines[1] == "status: not created yet (opening the app or the first change creates it)"
    assert not db_path.exists()


# -- README ----------------------------------------------------------------------------------


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def sh_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_quick_start_first_command_puts_salestui_on_path(tmp_path: Path) -> None:
    """Run the first command's steps after the install, with a stand-in for the
    installed app: afterwards a bare `salestui` is found in ~/.local/bin."""
    first = sh_blocks(section("Quick start"))[0]
    steps = [step.strip() for step in first.split("&&")]
    assert steps[:2] == ["python3 -m venv .venv", ".venv/bin/pip install ."]
    clone, home = tmp_path / "clone", tmp_path / "home"
    (clone / ".venv" / "bin").mkdir(parents=True)
    home.mkdir()
    app = clone / ".venv" / "bin" / "salestui"
    app.write_text('#!/bin/sh\necho "salestui ran from $0 with [$*]"\n')
    app.chmod(0o755)
    env = {
        "HOME": str(home),
        "PATH": f"{home / '.local' / 'bin'}:/usr/bin:/bin",
        "PWD": str(clone),
    }
    result = subprocess.run(
        ["sh", "-c", " && ".join(steps[2:]) + " && command -v salestui && salestui --version"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"{home}/.local/bin/salestui\n" in result.stdout
    assert os.path.realpath(home / ".local" / "bin" / "salestui") == str(app)
    assert result.stdout.count("salestui ran from") == 2  # the command opens the app too


def test_quick_start_recommends_pipx_or_uv_and_says_how_to_fix_path() -> None:
    text = section("Quick start")
    assert "pipx install ." in text and "uv tool install ." in text
    assert "recommend" in text
    assert "command not found" in text and 'export PATH="$HOME/.local/bin:$PATH"' in text


def test_quick_start_second_command_is_what_ci_runs() -> None:
    second = sh_blocks(section("Quick start"))[1]
    assert second == "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip\" install --quiet '.[test]'" in ci


def test_readme_command_line_shows_the_new_commands_and_when_the_file_appears() -> None:
    text = section("Command line")
    for needle in (
        "--at yesterday",
        "salestui goal clear",
        "salestui rate ",
        "-Nd",
        "created when the app first opens",
        "not created yet",
        "-wal",
    ):
        assert needle in text, needle
