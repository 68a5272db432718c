"""`salestui time` (DESIGN: "Time on non-sales work"): start, stop, log, status and
categories; crash recovery, the midnight cut said once, overlapping timers of two
machines, and every bad input refused with one line and nothing written."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from salestui.store import Store
from salestui.store.timers import running
from tests.conftest import FakeClock, local
from tests.unit.conftest import Result

Run = Callable[..., Result]


def status(run: Run) -> dict[str, object]:
    result = run("time", "status", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def rows(db_path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT kind, category, at, day, minutes FROM time_changes ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()


def test_start_then_stop(run: Run, clock: FakeClock) -> None:
    assert status(run)["running"] is None
    result = run("time", "start", "admin")
    assert (result.code, result.out) == (0, "Started admin at 10:42.\n")
    clock.advance(minutes=42)
    payload = status(run)
    assert payload["running"] == {"category": "admin", "since": "2026-11-27T10:42:00+01:00"}
    assert payload["today"] == {"admin": 42}
    assert payload["non_sales_share"] == 1.0
    result = run("time", "stop")
    assert (result.code, result.out) == (0, "Stopped admin after 0:42.\n")
    assert status(run)["running"] is None


def test_start_stops_the_running_one_first(run: Run, clock: FakeClock, db_path: Path) -> None:
    run("time", "start", "admin")
    clock.advance(minutes=30)
    result = run("time", "start", "internal", "meetings")
    assert result.out == "Stopped admin after 0:30.\nStarted internal meetings at 11:12.\n"
    clock.advance(minutes=15)
    payload = status(run)
    assert payload["running"] == {"category": "internal", "since": "2026-11-27T11:12:00+01:00"}
    assert payload["today"] == {"admin": 30, "internal": 15}
    assert [row[0] for row in rows(db_path)] == ["start", "stop", "start"]


def test_log_ends_now_or_starts_at(run: Run, clock: FakeClock, db_path: Path) -> None:
    result = run("time", "log", "45m", "reports")
    assert result.code == 0, result.err
    assert result.out == "Logged 0:45 of reports (Fri 27 Nov 09:57–10:42).\n"
    assert run("time", "log", "1h30m", "selling", "--at", "2026-11-27T07:00").code == 0
    assert run("time", "log", "2h", "travel", "--at", "yesterday").code == 0
    assert rows(db_path)[-1] == ("log", "travel", "2026-11-26T12:00:00+01:00", "2026-11-26", 120)
    assert status(run)["today"] == {"selling": 90, "reports": 45}
    assert status(run)["non_sales_share"] == round(45 / 135, 4)


@pytest.mark.parametrize(
    "argv",
    [
        ("log", "0m", "admin"),
        ("log", "-5m", "admin"),
        ("log", "25h", "admin"),
        ("log", "1x", "admin"),
        ("log", "45m"),
        ("log", "45m", ""),
        ("log", "45m", "golf"),
        ("log", "45m", "admin", "--at", "2026-11-28"),
        ("log", "45m", "admin", "--at", "2026-11-27T10:30"),  # runs into the future
        ("log", "45m", "admin", "--at", "someday"),
        ("start",),
        ("start", ""),
        ("start", "golf"),
        ("stop",),
        ("category", "add", "admin"),
        ("category", "add", "two words"),
    ],
)
def test_bad_input_exit_2_one_line_nothing_written(
    run: Run, db_path: Path, argv: tuple[str, ...]
) -> None:
    # First on a database that does not exist (it must not be created)...
    result = run("time", *argv)
    assert result.code == 2, result
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    assert not db_path.exists()
    # ...then on one with a stopped timer in it (nothing is added).
    assert run("time", "log", "5m", "admin").code == 0
    before = rows(db_path)
    again = run("time", *argv)
    assert again.code == 2
    assert rows(db_path) == before
    db_path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def test_own_categories(run: Run) -> None:
    assert run("time", "category", "add", "Gym").out == (
        "Added the category gym: salestui time start gym\n"
    )
    listed = json.loads(run("time", "category", "list", "--json").out)["categories"]
    assert listed == ["gym", "admin", "reports", "internal", "travel", "training", "selling"]
    assert run("time", "start", "gym").code == 0
    assert "internal (internal meetings)" in run("time", "category", "list").out


def test_a_timer_survives_a_crash(run: Run, clock: FakeClock, db_path: Path) -> None:
    """A start with no stop (the process died): a new Store still sees it running."""
    run("time", "start", "travel")
    clock.advance(hours=2)
    with Store(db_path, clock=clock) as store:
        (interval,) = running(store)
    assert interval.category == "travel" and interval.minutes == 120
    assert run("time", "stop").out == "Stopped travel after 2:00.\n"


def test_past_midnight_cut_and_said_once(run: Run, clock: FakeClock, db_path: Path) -> None:
    clock.now = local("2026-11-26T22:30")
    run("time", "start", "admin")
    clock.now = local("2026-11-27T08:00")
    first = run("time", "status")
    assert first.out.splitlines()[0] == (
        "Yesterday's admin timer ran past midnight: counted until 00:00; correct it with `time log`"
    )
    assert "No timer running." in first.out
    assert "ran past midnight" not in run("time", "status").out
    assert rows(db_path)[-1][:3] == ("stop", None, "2026-11-27T00:00:00+01:00")
    # The 90 minutes stay on the 26th; the 27th has none.
    assert status(run)["today"] == {}
    clock.now = local("2026-11-26T23:59")  # looking back at the 26th: the stop is on disk
    assert status(run)["today"] == {"admin": 90}


def test_past_midnight_said_by_start_too(run: Run, clock: FakeClock) -> None:
    clock.now = local("2026-11-25T17:00")
    run("time", "start", "reports")
    clock.now = local("2026-11-27T09:00")
    lines = run("time", "start", "selling").out.splitlines()
    assert lines == [
        "Wed 25 Nov's reports timer ran past midnight: counted until 00:00; "
        "correct it with `time log`",
        "Started selling at 09:00.",
    ]


def test_dst_days_by_the_command_line(run: Run, clock: FakeClock) -> None:
    clock.now = local("2026-03-29T00:00")
    run("time", "start", "travel")
    clock.now = local("2026-03-29T23:59")
    assert status(run)["today"] == {"travel": 23 * 60 - 1}
    clock.now = local("2026-10-25T00:00")
    run("time", "start", "training")
    clock.now = local("2026-10-25T23:00")
    assert status(run)["today"] == {"training": 24 * 60}


def test_two_machines_overlapping_timers(run: Run, clock: FakeClock, db_path: Path) -> None:
    """Another machine's timer, merged in (rows as an import writes them): both show as
    running, and their common time is counted once."""
    clock.now = local("2026-11-27T10:00")
    run("time", "start", "admin")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO time_changes (id, ts, kind, timer, category, at, day, minutes, source)"
            " VALUES ('other', '2026-11-27T09:30:00+00:00', 'start', 'other', 'reports',"
            " '2026-11-27T10:30:00+01:00', '2026-11-27', NULL, 'import')"
        )
    conn.close()
    clock.now = local("2026-11-27T11:00")
    payload = status(run)
    assert [item["category"] for item in payload["running_all"]] == ["admin", "reports"]  # type: ignore[union-attr]
    # 10:00-10:30 admin alone, 10:30-11:00 shared: admin 45, reports 15; 60 in all.
    assert payload["today"] == {"admin": 45, "reports": 15}
    assert payload["total_minutes"] == 60
    assert len(payload["overlaps"]) == 1  # type: ignore[arg-type]
    text = run("time", "status").out
    assert "These timers overlap" in text
    assert run("time", "stop").out == "Stopped admin after 1:00.\nStopped reports after 0:30.\n"


def test_started_in_another_process(db_path: Path, clock: FakeClock) -> None:
    """A real second process starts a timer; this one sees it running."""
    env = {**os.environ, "SALESTUI_DB": str(db_path)}
    done = subprocess.run(
        [sys.executable, "-m", "salestui", "time", "start", "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with Store(db_path) as store:
        assert [interval.category for interval in running(store)] == ["admin"]


def test_report_time_figures_by_hand(run: Run, clock: FakeClock, db_path: Path) -> None:
    """Week of 16 Nov: selling 2h, admin 1h (share 1/3); week of 23 Nov: selling 1h,
    reports 3h (share 3/4). Calls on the selling days: 10 + 5 in 3 selling hours: 5/h.
    A day with calls but no selling time (20 calls on the 25th) is not counted."""
    with Store(db_path, clock=clock) as store:
        from salestui.store.timers import log_time

        log_time(store, "selling", local("2026-11-17T09:00"), 120)
        log_time(store, "admin", local("2026-11-18T09:00"), 60)
        log_time(store, "selling", local("2026-11-24T09:00"), 60)
        log_time(store, "reports", local("2026-11-26T09:00"), 180)
        store.log("calls", 10, at=local("2026-11-17T12:00"))
        store.log("calls", 5, at=local("2026-11-24T12:00"))
        store.log("calls", 20, at=local("2026-11-25T12:00"))
    payload = json.loads(run("report", "-p", "2026-11-16..2026-11-27", "-f", "json").out)
    time = payload["time"]
    assert time["minutes"] == {"reports": 180, "selling": 180, "admin": 60}
    assert time["tracked_minutes"] == 420
    assert time["non_sales_share"] == round(240 / 420, 4)
    assert time["weeks"] == [
        {"week": "2026-11-16", "non_sales_share": round(1 / 3, 4)},
        {"week": "2026-11-23", "non_sales_share": 0.75},
    ]
    assert time["per_selling_hour"] == 5.0
    assert time["selling_minutes"] == 180
    text = run("report", "-p", "2026-11-16..2026-11-27").out
    assert "Time on non-sales work" in text
    assert "  Non-sales time: 57% of 7:00 tracked" in text
    assert "  By week: 16 Nov 33% · 23 Nov 75%" in text
    assert "  Calls per selling hour: 5.0 (15 in 3:00 of selling)" in text


def test_report_unchanged_without_time(run: Run) -> None:
    run("log", "calls", "3")
    assert "time" not in json.loads(run("report", "-f", "json").out)
    assert "non-sales" not in run("report").out


def test_stretches_logged_over_each_other_make_one_overlap_line(run: Run, clock: FakeClock) -> None:
    """Six logs over one another on one day: one line for the stretch they share (not
    one per pair: fifteen), and one JSON entry with every category in it."""
    clock.now = local("2026-11-27T16:00")
    for length in ("6h", "5h", "4h", "3h", "2h", "1h"):
        assert run("time", "log", length, "admin").code == 0
    assert run("time", "log", "30m", "reports").code == 0
    lines = [line for line in run("time", "status").out.splitlines() if "Overlap" in line]
    assert lines == [
        "Overlap: admin (6 timers) and reports from 11:00 to 16:00"
        " (counted once, shared between them)"
    ]
    (entry,) = status(run)["overlaps"]  # type: ignore[misc]
    assert entry == {
        "categories": ["admin"] * 6 + ["reports"],
        "from": "2026-11-27T11:00:00+01:00",
        "to": "2026-11-27T16:00:00+01:00",
    }


def test_another_zones_timer_shows_in_local_time(run: Run, clock: FakeClock, db_path: Path) -> None:
    """A start merged from a machine in another zone (+05:00) is shown in this one's
    local time, as is the overlap it makes."""
    clock.now = local("2026-11-27T11:00")
    run("time", "log", "1h", "admin")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO time_changes (id, ts, kind, timer, category, at, day, minutes, source)"
            " VALUES ('far', '2026-11-27T09:30:00+00:00', 'start', 'far', 'reports',"
            " '2026-11-27T14:30:00+05:00', '2026-11-27', NULL, 'import')"
        )
    conn.close()
    text = run("time", "status").out
    assert "Running: reports since 10:30 (0:30)" in text
    assert "Overlap: admin and reports from 10:30 to 11:00" in text


def test_minutes_past_59_after_hours_are_refused(run: Run, db_path: Path) -> None:
    """`1h60m` is a typo (1h06m? 1h50m?), not 2h: refused with one line, nothing written;
    `90m` alone is fine."""
    result = run("time", "log", "1h60m", "admin")
    assert result.code == 2
    assert result.err == (
        "salestui: not a duration: '1h60m'; minutes after hours go up to 59 (1h30m, or 90m alone)\n"
    )
    assert not db_path.exists()  # checked before the database is opened
    assert run("time", "log", "90m", "admin").code == 0
