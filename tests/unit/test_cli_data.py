"""`salestui export`, `import` and `backup`: output, exit codes and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from salestui.store.schema import APPLICATION_ID, SCHEMA_VERSION
from tests.unit.conftest import Result


def event_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def one_line_error(result: Result, code: int) -> str:
    assert result.code == code, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("salestui: ")
    assert "Traceback" not in result.err
    return lines[0]


@pytest.fixture
def logged(run) -> None:  # type: ignore[no-untyped-def]
    assert run("log", "calls", "3", "--note", "Acme, Inc").code == 0
    assert run("log", "meetings", "--at", "2026-11-20").code == 0
    assert run("log", "sales").code == 0
    assert run("undo").code == 0


def test_export_json_to_stdout(run, logged: None) -> None:
    result = run("export")
    assert result.code == 0 and result.err == ""
    payload = json.loads(result.out)
    assert payload["format"] == "salestui-export" and payload["version"] == 1
    assert [(e["metric"], e["delta"]) for e in payload["events"]] == [
        ("calls", 3),
        ("meetings", 1),
        ("sales", 1),
        ("sales", -1),
    ]
    assert payload["events"][0]["note"] == "Acme, Inc"


def test_export_csv_and_period(run, logged: None) -> None:
    result = run("export", "--format", "csv", "--period", "today")
    assert result.code == 0
    table = list(csv.DictReader(io.StringIO(result.out)))
    assert [row["metric"] for row in table] == ["calls", "sales", "sales"]
    assert table[0]["note"] == "Acme, Inc" and table[0]["cancels"] == ""
    week = json.loads(run("export", "--period", "2026-11-16..2026-11-22").out)["events"]
    assert [e["metric"] for e in week] == ["meetings"]


def test_export_to_a_file(run, logged: None, tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "out.json"
    result = run("export", "-o", str(target))
    assert result.code == 0
    assert result.out.strip() == f"exported 4 events to {target}"
    assert len(json.loads(target.read_text(encoding="utf-8"))["events"]) == 4
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]  # no partial left


def test_export_without_a_database_creates_nothing(run, db_path: Path) -> None:
    result = run("export")
    assert result.code == 0 and json.loads(result.out)["events"] == []
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("export", "--period", "fortnight"), "fortnight"),
        (("export", "--period", "2026-11-30..2026-11-01"), "before the start"),
        (("export", "--format", "xml"), "xml"),
    ],
)
def test_export_bad_options_exit_2(run, argv: tuple[str, ...], expected: str) -> None:
    assert expected in one_line_error(run(*argv), 2)


def test_export_to_a_folder_or_missing_folder_exit_2(run, logged: None, tmp_path: Path) -> None:
    assert "is a folder" in one_line_error(run("export", "-o", str(tmp_path)), 2)
    missing = tmp_path / "no" / "out.json"
    assert "does not exist" in one_line_error(run("export", "-o", str(missing)), 2)


def test_import_prints_added_and_present(run, logged: None, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    assert run("export", "--format", "csv", "-o", str(export)).code == 0
    other = tmp_path / "other.db"
    first = run("--db", str(other), "import", str(export))
    assert (first.code, first.out) == (0, "added 4, already present 0\n")
    again = run("--db", str(other), "import", str(export))
    assert (again.code, again.out) == (0, "added 0, already present 4\n")
    assert run("--db", str(other), "today", "--json").out == run("today", "--json").out


def test_import_another_database_file(run, logged: None, tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "other.db"
    assert run("--db", str(other), "log", "meetings", "2").code == 0
    result = run("import", str(other))
    assert result.out == "added 1, already present 0\n"
    assert json.loads(run("today", "--json").out)["counts"] == {
        "calls": 3,
        "meetings": 2,
        "sales": 0,
    }


def test_import_missing_file_exit_2_and_creates_nothing(run, tmp_path: Path, db_path: Path) -> None:
    line = one_line_error(run("import", str(tmp_path / "nope.json")), 2)
    assert "nope.json: no such file" in line
    assert not db_path.exists()


def test_import_malformed_file_exit_2_names_the_line(
    run, logged: None, tmp_path: Path, db_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,ts,day,metric,delta,note,source\n"
        "0b7c8f5e-3f2a-4b1c-9d8e-7f6a5b4c3d2e,2026-11-27T09:00:00+00:00,2026-11-27,calls,1,,cli\n"
        "1b7c8f5e-3f2a-4b1c-9d8e-7f6a5b4c3d2e,2026-11-27T09:00:00+00:00,2026-11-27,demos,1,,cli\n"
    )
    before = event_rows(db_path)
    line = one_line_error(run("import", str(bad)), 2)
    assert f"{bad}: line 3: unknown metric 'demos'" in line
    assert event_rows(db_path) == before


def test_import_newer_export_version_exit_2(run, logged: None, tmp_path: Path) -> None:
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "salestui-export", "version": 2, "events": []}')
    assert "newer than this salestui reads" in one_line_error(run("import", str(newer)), 2)


def test_import_foreign_database_file_exit_2(run, logged: None, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    assert "not a salestui one" in one_line_error(run("import", str(foreign)), 2)


def test_import_into_a_foreign_database_exit_1(run, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    export = tmp_path / "e.json"
    export.write_text('{"format": "salestui-export", "version": 1, "events": []}')
    line = one_line_error(run("--db", str(foreign), "import", str(export)), 1)
    assert str(foreign) in line and "not a salestui database" in line


def test_backup_default_folder(run, logged: None, db_path: Path) -> None:
    result = run("backup")
    assert result.code == 0
    made = Path(result.out.strip())
    assert made == db_path.parent / "backups" / "salestui-2026-11-27-104200.db"
    assert event_rows(made) == event_rows(db_path)
    second = Path(run("backup").out.strip())
    assert second.name == "salestui-2026-11-27-104200-2.db"


def test_backup_to_a_folder_and_to_a_file(run, logged: None, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    into_folder = Path(run("backup", str(folder)).out.strip())
    assert into_folder.parent == folder and into_folder.exists()
    named = tmp_path / "copy.db"
    assert run("backup", str(named)).out.strip() == str(named)
    assert event_rows(named) == 4


def test_backup_errors(run, logged: None, tmp_path: Path) -> None:
    existing = tmp_path / "existing.db"
    existing.write_text("keep")
    assert "already exists" in one_line_error(run("backup", str(existing)), 2)
    assert existing.read_text() == "keep"
    missing_db = tmp_path / "none.db"
    line = one_line_error(run("--db", str(missing_db), "backup", str(tmp_path / "b.db")), 1)
    assert "nothing to back up" in line


def test_newer_schema_database_exit_1(run, tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    assert "newer salestui" in one_line_error(run("--db", str(newer), "export"), 1)


def test_listing_them_costs_the_quick_commands_nothing() -> None:
    code = (
        "import contextlib, io, sys\n"
        "from salestui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "heavy = [m for m in ('salestui.store.portable', 'salestui.store.backup', "
        "'sqlite_utils', 'textual') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


LARGE_IMPORT = 150_000
"""Events in the large import below. A merge commits at most 20,000 rows at a time and
pauses 0.12 s after each chunk, so 150,000 events keep it merging for at least a second
(about two here, longer on a loaded machine), while the nine tallies take well under
one; the test fails loudly, not vacuously, if the import ends before they are done."""


def write_large_export(path: Path, count: int) -> None:
    """A JSON export of `count` calls, one line each from one template. Ids are the
    counter times an odd 128-bit constant (one to one, spread like random UUIDs, so the
    id index is written all over as with real ids), formatted as UUIDs."""
    first_day = date(2024, 1, 1)
    days = [(first_day + timedelta(days=n)).isoformat() for n in range(500)]
    spread, mask = 0x9E3779B97F4A7C15F39CC0605CEDC835, (1 << 128) - 1
    template = (
        '{{"id": "{}-{}-{}-{}-{}", "ts": "{}T09:00:00.000000+00:00", "day": "{}", '
        '"metric": "calls", "delta": 1, "note": null, "source": "cli", "cancels": null, '
        '"about": null}}'
    )
    lines = []
    for number in range(count):
        hex_id = f"{number * spread & mask:032x}"
        day = days[number % 500]
        parts = (hex_id[:8], hex_id[8:12], hex_id[12:16], hex_id[16:20], hex_id[20:])
        lines.append(template.format(*parts, day, day))
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"format": "salestui-export", "version": 1, "events": [\n')
        out.write(",\n".join(lines))
        out.write("\n]}\n")


@pytest.mark.slow
def test_tallies_during_a_large_import_all_get_in(tmp_path: Path) -> None:
    """A real import of a large export while `salestui log call` runs beside it, as a tmux
    key binding would: every tally exits 0 and is counted, none waits long."""
    import os
    import time

    db = tmp_path / "live.db"
    big = tmp_path / "big.json"
    write_large_export(big, LARGE_IMPORT)
    env = dict(os.environ, SALESTUI_DB=str(db))
    salestui = [sys.executable, "-m", "salestui"]
    subprocess.run([*salestui, "log", "call"], env=env, check=True, timeout=60)

    def imported_chunks() -> int:
        conn = sqlite3.connect(db, timeout=15)
        try:
            return int(conn.execute("SELECT count(*) FROM imported_rows").fetchone()[0])
        except sqlite3.OperationalError:
            return 0
        finally:
            conn.close()

    importer = subprocess.Popen(
        [*salestui, "import", str(big)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while imported_chunks() == 0 and importer.poll() is None:
            assert time.monotonic() < deadline, "the import never started merging"
            time.sleep(0.05)
        assert importer.poll() is None, "the import ended before the tallies could run"
        tallies = 0
        waits: list[float] = []
        for _ in range(3):  # three rounds of three at once, while the merge goes on
            started = time.monotonic()
            runs = [
                subprocess.Popen(
                    [*salestui, "log", "call"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(3)
            ]
            for each in runs:
                out, err = each.communicate(timeout=60)
                assert each.returncode == 0, err
                tallies += 1
            waits.append(time.monotonic() - started)
        merging_still = importer.poll() is None
        rows_by_then = event_rows(db)  # fewer than the import brings: it was still merging
        out, err = importer.communicate(timeout=120)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()
    assert importer.returncode == 0, err
    assert out.decode().startswith(f"added {LARGE_IMPORT}, already present 0")
    assert merging_still, "the tallies must run during the merge"
    assert rows_by_then < 1 + tallies + LARGE_IMPORT, "the merge was over before the tallies"
    today = json.loads(
        subprocess.run(
            [*salestui, "today", "--json"], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert today["counts"]["calls"] == 1 + tallies
    assert max(waits) < 10, waits  # each round got the lock between chunks, not after the import


def test_a_refused_import_creates_no_database(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "salestui-export", "version": 1, "events": [{"id": "x"}]}')
    target = tmp_path / "fresh.db"
    result = run("--db", str(target), "import", str(bad))
    assert result.code == 2 and "nothing was imported" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]
