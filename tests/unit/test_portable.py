"""Export and import: round trips, merges by id, and every kind of bad file refused whole."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import Store
from salestui.store.events import EVENT_COLUMNS
from salestui.store.portable import (
    ImportRefused,
    ImportResult,
    export_events,
    import_file,
)
from salestui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.conftest import FakeClock, event_rows, local, sql_one

# -- helpers ------------------------------------------------------------------------------


def fill(store: Store, clock: FakeClock) -> None:
    """A small history with every kind of event: tallies, notes, undo, correction."""
    first = store.log("calls", 3, at=local("2026-11-20T09:00"), note='Müller, "Acme"\nline 2')
    store.log("meetings", at=local("2026-11-20T15:00"))
    store.log("calls", at=local("2026-11-26T23:30"))  # late evening: the local day matters
    store.log("sales", 2, at=local("2026-11-27T00:15"))
    store.log("calls", 5)
    store.log("calls", -1, source="tui")
    store.log("meetings", 2, source="tui")
    store.undo()  # cancels the 2 meetings
    store.add_note(first.id, "called back, wants a demo")
    clock.advance(minutes=5)


def totals(path: Path) -> dict[tuple[str, str], int]:
    conn = sqlite3.connect(path)
    try:
        return {(d, m): c for d, m, c in conn.execute("SELECT day, metric, count FROM day_totals")}
    finally:
        conn.close()


def count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def export_text(source: Store | Path, fmt: str = "json", span: DateRange | None = None) -> str:
    out = io.StringIO()
    export_events(source, out, fmt, span)  # type: ignore[arg-type]
    return out.getvalue()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def event(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "ts": "2026-11-27T09:42:00.000000+00:00",
        "day": "2026-11-27",
        "metric": "calls",
        "delta": 1,
        "note": None,
        "source": "cli",
        "cancels": None,
        "about": None,
    }
    base.update(changes)
    return base


def json_export(events: list[dict[str, object]], **header: object) -> str:
    payload: dict[str, object] = {"format": "salestui-export", "version": 1}
    payload.update(header)
    payload["events"] = events
    return json.dumps(payload)


@pytest.fixture
def other(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with Store(tmp_path / "other" / "salestui.db", clock=clock) as opened:
        yield opened


# -- export -------------------------------------------------------------------------------


def test_json_export_has_the_contract_shape(store: Store, clock: FakeClock) -> None:
    fill(store, clock)
    payload = json.loads(export_text(store))
    assert payload["format"] == "salestui-export"
    assert payload["version"] == 1
    assert len(payload["events"]) == count(store.path)
    assert all(list(item) == list(EVENT_COLUMNS) for item in payload["events"])
    first = payload["events"][0]
    assert first["metric"] == "calls" and first["delta"] == 3 and first["day"] == "2026-11-20"
    assert first["note"] == 'Müller, "Acme"\nline 2'
    assert first["cancels"] is None and first["about"] is None
    assert first["ts"].endswith("+00:00")
    # recording order, cancels and about carried
    assert [e["id"] for e in payload["events"]] == [row[0] for row in event_rows(store.path)]
    assert payload["events"][-2]["cancels"] == payload["events"][-3]["id"]
    assert payload["events"][-1]["about"] == first["id"]


def test_csv_export_has_a_stable_header_and_empty_cells_for_null(
    store: Store, clock: FakeClock
) -> None:
    fill(store, clock)
    text = export_text(store, "csv")
    assert text.splitlines()[0] == "id,ts,day,metric,delta,note,source,cancels,about"
    parsed = list(csv.reader(io.StringIO(text)))
    assert len(parsed) == 1 + count(store.path)
    assert parsed[1][5] == 'Müller, "Acme"\nline 2'
    assert parsed[2][5] == "" and parsed[2][7] == "" and parsed[2][8] == ""


def test_export_of_a_period_uses_the_stored_local_day(store: Store, clock: FakeClock) -> None:
    fill(store, clock)
    span = DateRange(date(2026, 11, 26), date(2026, 11, 26))
    events = json.loads(export_text(store, span=span))["events"]
    assert [(e["metric"], e["delta"]) for e in events] == [("calls", 1)]
    # UTC says the 26th for the sale logged at 00:15 local; the stored day says the 27th
    span = DateRange(date(2026, 11, 27), date(2026, 11, 30))
    days = {e["day"] for e in json.loads(export_text(store, span=span))["events"]}
    assert days == {"2026-11-27"}


def test_empty_and_missing_databases_export_no_events(store: Store, tmp_path: Path) -> None:
    assert json.loads(export_text(store))["events"] == []
    missing = tmp_path / "nowhere" / "salestui.db"
    assert json.loads(export_text(missing))["events"] == []
    # CRLF (RFC 4180): also what makes Python 3.11's writer quote a note holding "\r"
    assert export_text(missing, "csv") == ",".join(EVENT_COLUMNS) + "\r\n"
    assert not missing.parent.exists()


def test_export_by_path_reads_without_writing(store: Store, clock: FakeClock) -> None:
    fill(store, clock)
    store.close()
    before = store.path.read_bytes()
    assert json.loads(export_text(store.path))["events"][0]["delta"] == 3
    assert store.path.read_bytes() == before


def test_export_reports_progress(store: Store, clock: FakeClock) -> None:
    fill(store, clock)
    calls: list[tuple[int, int]] = []
    total = export_events(store, io.StringIO(), "csv", progress=lambda d, t: calls.append((d, t)))
    assert total == count(store.path)
    assert calls[0] == (0, total) and calls[-1] == (total, total)


def test_export_of_a_foreign_file_is_a_store_error(tmp_path: Path) -> None:
    from salestui.store import StoreError

    foreign = tmp_path / "other.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreError, match="not a salestui one"):
        export_text(foreign)


# -- round trips and merges -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_round_trip_into_an_empty_database(
    store: Store, other: Store, clock: FakeClock, tmp_path: Path, fmt: str
) -> None:
    fill(store, clock)
    path = write(tmp_path / f"export.{fmt}", export_text(store, fmt))
    result = import_file(other, path)
    assert result == ImportResult(added=count(store.path), present=0)
    assert totals(other.path) == totals(store.path)
    assert event_rows(other.path) == event_rows(store.path)
    # imported tallies are another machine's: `undo` without an id leaves them alone
    assert other.undo() is None
    assert other.undo(event_rows(store.path)[0][0]) is not None  # by id it can still cancel one


@pytest.mark.parametrize("fmt", ["json", "csv", "db"])
def test_importing_twice_adds_nothing(
    store: Store, other: Store, clock: FakeClock, tmp_path: Path, fmt: str
) -> None:
    fill(store, clock)
    path = store.path if fmt == "db" else write(tmp_path / f"x.{fmt}", export_text(store, fmt))
    first = import_file(other, path)
    before = totals(other.path)
    second = import_file(other, path)
    assert first.added == count(store.path) and first.present == 0
    assert second == ImportResult(added=0, present=first.added)
    assert totals(other.path) == before
    assert count(other.path) == count(store.path)


def test_laptop_and_desktop_merge_by_union(
    store: Store, other: Store, clock: FakeClock, tmp_path: Path
) -> None:
    fill(store, clock)  # the laptop
    import_file(other, store.path)  # the desktop starts from a copy
    shared = count(store.path)
    store.log("calls", 4)
    store.log("sales")
    other.log("meetings", 3)
    # desktop file straight into the laptop, laptop export into the desktop
    into_laptop = import_file(store, other.path)
    assert into_laptop == ImportResult(added=1, present=shared)
    export = write(tmp_path / "laptop.json", export_text(store))
    into_desktop = import_file(other, export)
    assert into_desktop == ImportResult(added=2, present=shared + 1)
    assert totals(store.path) == totals(other.path)
    assert sorted(event_rows(store.path)) == sorted(event_rows(other.path))
    today = DateRange(date(2026, 11, 27), date(2026, 11, 27))
    assert other.counts(today) == {"calls": 8, "meetings": 3, "sales": 3}


def test_source_may_differ_for_the_same_event(store: Store, tmp_path: Path) -> None:
    tally = event()
    import_file(store, write(tmp_path / "a.json", json_export([tally])))
    tally["source"] = "tui"
    result = import_file(store, write(tmp_path / "b.json", json_export([tally])))
    assert result == ImportResult(added=0, present=1)
    assert event_rows(store.path)[0][6] == "cli"  # the stored one is kept


def test_import_from_a_schema_1_database(store: Store, tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    for statement in MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    tally = event()
    conn.execute(
        "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        tuple(tally[key] for key in EVENT_COLUMNS[:8]),
    )
    conn.commit()
    conn.close()
    assert import_file(store, old) == ImportResult(added=1, present=0)
    assert event_rows(store.path) == [tuple(tally[key] for key in EVENT_COLUMNS)]
    assert sql_one(old, "PRAGMA user_version") == (1,)


def test_times_with_other_offsets_are_stored_in_utc(store: Store, tmp_path: Path) -> None:
    tally = event(ts="2026-11-27T10:42:00+01:00")
    import_file(store, write(tmp_path / "a.json", json_export([tally])))
    assert event_rows(store.path)[0][1] == "2026-11-27T09:42:00.000000+00:00"
    # the same event in canonical form is the same event
    tally["ts"] = "2026-11-27T09:42:00.000000+00:00"
    assert import_file(store, write(tmp_path / "b.json", json_export([tally]))).present == 1


def test_csv_with_bom_crlf_and_without_optional_columns(store: Store, tmp_path: Path) -> None:
    tally = event(note="a, b")
    text = (
        "\ufeffid,ts,day,metric,delta,note,source\r\n"
        f'{tally["id"]},{tally["ts"]},{tally["day"]},sales,2,"a, b",cli\r\n'
        "\r\n"
    )
    assert import_file(store, write(tmp_path / "a.csv", text)) == ImportResult(1, 0)
    assert event_rows(store.path)[0][3:6] == ("sales", 2, "a, b")


def test_pretty_printed_json_and_any_key_order(store: Store, tmp_path: Path) -> None:
    tallies = [event(note="x" * 300_000), event(metric="sales"), event(metric="meetings")]
    text = json.dumps({"events": tallies, "version": 1, "format": "salestui-export"}, indent=2)
    assert import_file(store, write(tmp_path / "a.json", text)) == ImportResult(3, 0)
    assert [row[0] for row in event_rows(store.path)] == [t["id"] for t in tallies]


def test_a_big_json_file_streams_across_buffer_boundaries(store: Store, tmp_path: Path) -> None:
    tallies = [event(note=("n" * (index % 700)) or None) for index in range(4_000)]
    path = write(tmp_path / "big.json", json_export(tallies).replace("}, {", "},\n  {"))
    seen: list[tuple[int, int]] = []
    result = import_file(store, path, progress=lambda done, total: seen.append((done, total)))
    assert result == ImportResult(4_000, 0)
    assert [row[0] for row in event_rows(store.path)] == [t["id"] for t in tallies]
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


def test_repeated_identical_ids_in_one_file_count_as_present(store: Store, tmp_path: Path) -> None:
    tally = event()
    path = write(tmp_path / "a.json", json_export([tally, event(), dict(tally)]))
    assert import_file(store, path) == ImportResult(added=2, present=1)


# -- refused files: a clear message, and nothing written --------------------------------------


@pytest.fixture
def seeded(store: Store, clock: FakeClock) -> Store:
    fill(store, clock)
    return store


def refused(store: Store, path: Path) -> str:
    before_rows, before_totals = event_rows(store.path), totals(store.path)
    with pytest.raises(ImportRefused) as info:
        import_file(store, path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert message.endswith("nothing was imported")
    assert event_rows(store.path) == before_rows
    assert totals(store.path) == before_totals
    return message


GOOD = [event() for _ in range(3)]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"metric": "cals"}, "unknown metric 'cals' (use calls, meetings, sales)"),
        ({"day": "2026-02-30"}, "day '2026-02-30' is not a date (use YYYY-MM-DD)"),
        ({"day": "27.11.2026"}, "is not a date"),
        ({"day": "20261127"}, "is not a date"),
        ({"ts": "2026-11-27T09:42:00"}, "is not an ISO 8601 time with an offset"),
        ({"ts": "yesterday"}, "is not an ISO 8601 time with an offset"),
        ({"delta": "3"}, "delta '3' is not a whole number"),
        ({"delta": 1.5}, "delta 1.5 is not a whole number"),
        ({"delta": True}, "delta True is not a whole number"),
        ({"delta": 2**64}, "delta 18446744073709551616 is out of range (-10000 to 10000)"),
        ({"id": "42"}, "id '42' is not an event id"),
        ({"cancels": "nope"}, "cancels 'nope' is not an event id"),
        ({"about": 7}, "about 7 is not an event id"),
        ({"note": 5}, "note 5 is not text"),
        ({"source": ""}, "source '' must be a non-empty name"),
        ({"metric": None}, "unknown metric None"),
    ],
)
def test_json_bad_field_is_refused_with_its_record(
    seeded: Store, tmp_path: Path, bad: dict[str, object], expected: str
) -> None:
    events = [*GOOD[:2], event(**bad), GOOD[2]]
    text = json_export(events).replace("}, {", "},\n{")
    message = refused(seeded, write(tmp_path / "bad.json", text))
    assert "record 3 (line 3): " in message
    assert expected in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json_export([event()], version=2), "export version 2 is newer than this salestui reads"),
        (json_export([event()], version="1"), "version '1' is not a version number"),
        (json_export([event()], format="other-app"), "format is 'other-app'"),
        ('{"version": 1, "events": []}', "not a salestui export"),
        ('{"format": "salestui-export", "events": []}', 'the export has no "version"'),
        ('{"format": "salestui-export", "version": 1}', 'the export has no "events" list'),
        ('{"format": "salestui-export", "version": 1, "events": {}}', '"events" must be a list'),
        (json_export([[1, 2]]), "record 1 (line 1): an event must be an object"),
        (
            json_export([{k: v for k, v in event().items() if k != "metric"}]),
            "record 1 (line 1): missing metric",
        ),
        (json_export([event()])[:-10], "malformed JSON"),
        (json_export([event()]) + " []", "unexpected data after the end of the export"),
        (json_export([event()]).replace("}]", "} 5]"), "expected ',' or ']' after record 1"),
        ("[1, 2, 3]", "a JSON export is an object"),
        ("{}", "not a salestui export"),
    ],
)
def test_json_bad_shape_is_refused(seeded: Store, tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(seeded, write(tmp_path / "bad.json", text))


def test_a_bad_record_at_the_very_end_writes_nothing(seeded: Store, tmp_path: Path) -> None:
    events = [event() for _ in range(12_000)] + [event(metric="demos")]
    message = refused(seeded, write(tmp_path / "late.json", json_export(events)))
    assert "record 12001 (line 1)" in message


def csv_text(events: list[dict[str, object]], columns: tuple[str, ...] = EVENT_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for item in events:
        writer.writerow(["" if item.get(c) is None else item.get(c) for c in columns])
    return out.getvalue()


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"metric": "Calls"}, "unknown metric 'Calls'"),
        ({"day": "2026-13-01"}, "day '2026-13-01' is not a date"),
        ({"ts": "2026-11-27 09:42"}, "is not an ISO 8601 time with an offset"),
        ({"delta": "x"}, "delta 'x' is not a whole number"),
        ({"delta": "1.0"}, "delta '1.0' is not a whole number"),
        ({"delta": ""}, "delta '' is not a whole number"),
        ({"id": ""}, "id '' is not an event id"),
    ],
)
def test_csv_bad_cell_is_refused_with_its_line(
    seeded: Store, tmp_path: Path, bad: dict[str, object], expected: str
) -> None:
    text = csv_text([GOOD[0], event(note="two\nlines"), event(**bad)])
    message = refused(seeded, write(tmp_path / "bad.csv", text))
    assert "line 5: " in message  # physical lines: the note above spans lines 3 and 4
    assert expected in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            csv_text([event()], EVENT_COLUMNS[:3] + EVENT_COLUMNS[4:]),
            "line 1: missing column metric",
        ),
        (
            csv_text([event()], ("id", "ts", "day", "metric", "delta")),
            "line 1: missing columns note, source",
        ),
        ("name,phone\nAnn,123\n", "not a salestui export"),
        (csv_text([event()]) + "a,b\n", "line 3: 2 cells where the header has 9"),
        (csv_text([event()]) + '"unterminated,\n', "line 3: malformed CSV"),
        ("id,id,ts,day,metric,delta,note,source\n", "column id appears twice"),
    ],
)
def test_csv_bad_shape_is_refused(seeded: Store, tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refused(seeded, write(tmp_path / "bad.csv", text))


def test_conflicting_id_is_refused_never_overwritten(seeded: Store, tmp_path: Path) -> None:
    stored = json.loads(export_text(seeded))["events"]
    changed = dict(stored[1], delta=5)
    text = json_export([event(), changed])
    message = refused(seeded, write(tmp_path / "conflict.json", text))
    assert f"record 2 (line 1): event {changed['id']} is already in {seeded.path}" in message
    assert "with different content" in message


@pytest.mark.parametrize("field", ["ts", "day", "metric", "note", "cancels", "about"])
def test_every_compared_field_counts_as_a_conflict(
    seeded: Store, tmp_path: Path, field: str
) -> None:
    stored = json.loads(export_text(seeded))["events"][0]
    values = {
        "ts": "2026-11-20T08:00:01.000000+00:00",
        "day": "2026-11-21",
        "metric": "sales",
        "note": "other",
        "cancels": str(uuid.uuid4()),
        "about": str(uuid.uuid4()),
    }
    text = json_export([dict(stored, **{field: values[field]})])
    message = refused(seeded, write(tmp_path / "c.json", text))
    if field == "about":  # a tally that became a note is refused before the comparison
        assert "a note about a tally (about) has delta 0" in message
    else:
        assert "different content" in message


def test_conflict_inside_one_file_is_refused(seeded: Store, tmp_path: Path) -> None:
    tally = event()
    text = csv_text([tally, event(), dict(tally, delta=2)])
    message = refused(seeded, write(tmp_path / "twice.csv", text))
    assert f"line 4: event {tally['id']} appears twice with different content" in message
    assert "(first at line 2)" in message


def test_foreign_and_newer_databases_are_refused(seeded: Store, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE events (id TEXT)")
    conn.commit()
    conn.close()
    assert "a SQLite database, but not a salestui one" in refused(seeded, foreign)

    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE events (id TEXT)")
    conn.commit()
    conn.close()
    assert "written by a newer salestui" in refused(seeded, newer)


def test_corrupt_database_file_is_refused(seeded: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    refused(seeded, broken)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfegarbage\x80\x81", "not UTF-8 text"),
        (b"\xff\xfe\x00garbage\x80\x81", "holds NUL bytes"),
        (b'{"format": "salestui-export", "version": 1, "events": [\x00]}', "holds NUL bytes"),
        (b"hello world\n", "not a salestui export"),
    ],
)
def test_empty_binary_and_random_files_are_refused(
    seeded: Store, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "odd.json"
    path.write_bytes(content)
    assert expected in refused(seeded, path)


def test_missing_file_and_folder_are_refused(seeded: Store, tmp_path: Path) -> None:
    assert "no such file" in refused(seeded, tmp_path / "missing.json")
    assert "is a folder" in refused(seeded, tmp_path)


def test_reading_the_file_takes_no_lock_on_the_database(
    store: Store, tmp_path: Path, db_path: Path
) -> None:
    path = write(tmp_path / "a.json", json_export([event() for _ in range(12_000)]))
    writes: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if 0 < done < total and not writes:
            other = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # fails at once if the import held the lock
            other.execute("COMMIT")
            other.close()
            writes.append(done)

    assert import_file(store, path, progress=meanwhile).added == 12_000
    assert writes


# -- CSV and spreadsheets -------------------------------------------------------------------


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text(
    store: Store, other: Store, tmp_path: Path
) -> None:
    notes = ['=HYPERLINK("http://x")', "+1 555", "-2+3", "@SUM(A1)", "\tcmd", "\rx", "'quoted"]
    for note in notes:
        store.log("calls", note=note, source="=evil")
    store.log("calls", -1, note="fine")
    text = export_text(store, "csv")
    cells = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [cell["note"] for cell in cells[:-1]] == ["'" + note for note in notes]
    assert {cell["source"] for cell in cells[:-1]} == {"'=evil"}
    assert cells[-1]["delta"] == "-1" and cells[-1]["note"] == "fine"  # a number stays a number
    import_file(other, write(tmp_path / "e.csv", text))
    assert event_rows(other.path) == event_rows(store.path)  # read back exactly


def test_a_note_longer_than_the_old_csv_limit_round_trips(
    store: Store, other: Store, tmp_path: Path
) -> None:
    store.log("calls", note="x" * 200_000 + "\nend")
    import_file(other, write(tmp_path / "long.csv", export_text(store, "csv")))
    assert event_rows(other.path) == event_rows(store.path)


def test_a_csv_cell_past_the_limit_is_refused(seeded: Store, tmp_path: Path) -> None:
    text = csv_text([event(note="x" * (1_048_577 + 5))])
    assert "line 2: a cell is longer than 1,048,577 characters" in refused(
        seeded, write(tmp_path / "huge.csv", text)
    )


# -- import: what the events say must make sense ---------------------------------------------


def tally(**changes: object) -> dict[str, object]:
    return event(**changes)


def undo_of(target: dict[str, object], **changes: object) -> dict[str, object]:
    base = {
        "day": target["day"],
        "metric": target["metric"],
        "delta": -int(str(target["delta"])),
        "cancels": target["id"],
    }
    base.update(changes)
    return event(**base)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"delta": 10_001}, "delta 10001 is out of range (-10000 to 10000)"),
        ({"delta": -10_001}, "delta -10001 is out of range"),
        ({"delta": 0}, "delta 0 is only for a note about a tally"),
        ({"delta": 1, "about": str(uuid.uuid4())}, "a note about a tally (about) has delta 0"),
        (
            {"delta": 0, "about": str(uuid.uuid4()), "cancels": str(uuid.uuid4())},
            "cannot both cancel a tally (cancels) and be a note (about)",
        ),
        ({"ts": "0001-01-01T00:00:00+05:00"}, "is out of range (years 1900 to 9998)"),
        ({"ts": "9999-12-31T23:59:59-05:00"}, "is out of range (years 1900 to 9998)"),
        ({"ts": "9999-12-31T23:59:59.000000+00:00"}, "is out of range"),
        ({"day": "0001-01-01"}, "day '0001-01-01' is out of range"),
        ({"day": "2026-11-27x"}, "is not a date"),
        ({"note": "a\x00b"}, "holds a NUL character or a lone surrogate"),
        ({"note": "\ud800"}, "holds a NUL character or a lone surrogate"),
        ({"source": "s" * 101}, "source is 101 characters long (at most 100)"),
    ],
)
def test_events_that_make_no_sense_are_refused(
    seeded: Store, tmp_path: Path, bad: dict[str, object], expected: str
) -> None:
    text = json_export([*GOOD[:2], event(**bad)]).replace("}, {", "},\n{")
    message = refused(seeded, write(tmp_path / "bad.json", text))
    assert "record 3 (line 3): " in message
    assert expected in message


def test_a_day_that_does_not_match_the_instant_is_kept(store: Store, tmp_path: Path) -> None:
    odd = event(ts="2026-11-27T23:30:00.000000+00:00", day="2026-11-20")
    import_file(store, write(tmp_path / "odd.json", json_export([odd])))
    assert store.event(str(odd["id"])) is not None


def test_a_duplicated_key_is_refused(seeded: Store, tmp_path: Path) -> None:
    text = json_export([GOOD[0]]).replace('"delta": 1', '"delta": 1, "delta": -997')
    assert "record 1 (line 1): the key 'delta' appears twice in one object" in refused(
        seeded, write(tmp_path / "twice.json", text)
    )


def test_an_undo_of_an_unknown_event_is_refused(seeded: Store, tmp_path: Path) -> None:
    ghost = tally()
    text = json_export([tally(), undo_of(ghost)]).replace("}, {", "},\n{")
    message = refused(seeded, write(tmp_path / "ghost.json", text))
    assert f"record 2 (line 2): an undo of event {ghost['id']}, which is neither" in message


@pytest.mark.parametrize(
    "change",
    [{"delta": -2}, {"metric": "sales"}, {"day": "2026-11-26"}],
)
def test_an_undo_that_does_not_match_its_tally_is_refused(
    seeded: Store, tmp_path: Path, change: dict[str, object]
) -> None:
    first = tally(delta=3)
    text = json_export([first, undo_of(first, **change)])
    assert "that does not match it" in refused(seeded, write(tmp_path / "u.json", text))


def test_an_undo_of_an_undo_is_refused(seeded: Store, tmp_path: Path) -> None:
    first = tally()
    undo = undo_of(first)
    text = json_export([first, undo, undo_of(undo, delta=1)])
    assert "which is not a tally" in refused(seeded, write(tmp_path / "u.json", text))


def test_an_undo_of_a_tally_in_the_database_is_accepted(store: Store, tmp_path: Path) -> None:
    mine = store.log("calls", 2)
    target = {"id": mine.id, "day": mine.day, "metric": "calls", "delta": 2}
    import_file(store, write(tmp_path / "u.json", json_export([undo_of(target)])))
    assert totals(store.path)[(mine.day, "calls")] == 0


def test_a_bare_negative_delta_below_zero_is_refused(store: Store, tmp_path: Path) -> None:
    store.log("calls", 2, at=local("2026-11-27T09:00"))
    text = json_export([tally(delta=-3), tally(delta=-1, day="2026-11-26")])
    message = refused(store, write(tmp_path / "neg.json", text))
    assert "it would take calls on 2026-11-26 below zero (0 in" in message


def test_corrections_that_stay_at_or_above_zero_are_accepted(store: Store, tmp_path: Path) -> None:
    store.log("calls", 2, at=local("2026-11-27T09:00"))
    import_file(store, write(tmp_path / "ok.json", json_export([tally(delta=-2)])))
    assert totals(store.path)[("2026-11-27", "calls")] == 0


def test_two_machines_that_undid_the_same_tally_merge_once(
    store: Store, other: Store, tmp_path: Path
) -> None:
    shared = store.log("calls", 3, at=local("2026-11-27T09:00"))
    import_file(other, write(tmp_path / "a.json", export_text(store)))
    store.undo(shared.id)
    other.undo(shared.id)
    import_file(other, write(tmp_path / "b.json", export_text(store)))
    import_file(store, write(tmp_path / "c.json", export_text(other)))
    assert totals(store.path)[("2026-11-27", "calls")] == 0
    assert totals(other.path)[("2026-11-27", "calls")] == 0
    assert count(store.path) == count(other.path) == 3


# -- import: hostile files ------------------------------------------------------------------


def test_json_nested_very_deep_is_one_line(seeded: Store, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = json_export([event()]).replace('"note": null', f'"note": {deep}')
    assert "nested too deeply" in refused(seeded, write(tmp_path / "deep.json", text))


def test_json_header_nested_very_deep_is_one_line(seeded: Store, tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = '{"format": "salestui-export", "x": ' + deep + ', "version": 1, "events": []}'
    assert "nested too deeply" in refused(seeded, write(tmp_path / "deep.json", text))


def test_an_integer_with_thousands_of_digits_is_one_line(seeded: Store, tmp_path: Path) -> None:
    text = json_export([event()]).replace('"delta": 1', '"delta": ' + "9" * 5000)
    assert "a number with too many digits" in refused(seeded, write(tmp_path / "big.json", text))


def test_a_json_record_past_the_limit_is_refused_without_reading_on(
    seeded: Store, tmp_path: Path
) -> None:
    head = '{"format": "salestui-export", "version": 1, "events": [{"note": "'
    path = tmp_path / "endless.json"
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        for _ in range(64):  # 64 MiB of one unterminated string
            out.write("x" * (1 << 20))
    assert "record 1 (line 1): longer than 4,194,304 characters" in refused(seeded, path)


def test_a_csv_line_past_the_limit_is_refused(seeded: Store, tmp_path: Path) -> None:
    path = tmp_path / "endless.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(EVENT_COLUMNS) + "\n")
        for _ in range(8):
            out.write("x" * (1 << 20))
    assert "line 2: longer than 1,114,112 characters" in refused(seeded, path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused(seeded: Store) -> None:
    assert "holds NUL bytes" in refused(seeded, Path("/dev/zero"))


# -- import: in chunks, marked as imported, settings -----------------------------------------


def test_a_large_import_commits_in_chunks_tallies_first(
    store: Store, other: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salestui.store.portable as portable

    monkeypatch.setattr(portable, "CHUNK_ROWS", 300)
    monkeypatch.setattr(portable, "CHUNK_SECONDS", 0.0)  # the smallest chunks
    monkeypatch.setattr(portable, "PAUSE_SECONDS", 0.0)
    events: list[dict[str, object]] = []
    for _ in range(500):
        first = tally()
        events += [first, undo_of(first)]
    transactions: list[str] = []
    other.connection.set_trace_callback(
        lambda sql: transactions.append(sql) if sql == "BEGIN IMMEDIATE" else None
    )
    result = import_file(other, write(tmp_path / "many.json", json_export(events)))
    other.connection.set_trace_callback(None)
    assert result.added == 1000
    assert len(transactions) >= 1000 // 300  # several short transactions, not one long one
    conn = sqlite3.connect(other.path)
    try:
        chunks = conn.execute("SELECT first_rowid, last_rowid, label FROM imported_rows").fetchall()
        order = [row[0] for row in conn.execute("SELECT cancels FROM events ORDER BY rowid")]
    finally:
        conn.close()
    assert len(chunks) == len(transactions)
    assert sum(last - first + 1 for first, last, _ in chunks) == 1000
    assert {label for *_, label in chunks} == {str(tmp_path / "many.json")}
    assert order[:500] == [None] * 500  # every tally is stored before any undo
    assert other.undo() is None  # and `undo` leaves imported tallies alone


def setting(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "ts": "2026-11-27T09:42:00.000000+00:00",
        "key": "goal.from.2026-11",
        "value": "50",
        "source": "cli",
    }
    base.update(changes)
    return base


def test_settings_travel_with_a_json_export(store: Store, other: Store, tmp_path: Path) -> None:
    store.set_setting("rate.meetings", "1/7")
    store.set_setting("theme", "dark")
    store.set_setting("theme", None)
    text = export_text(store)
    assert text.index('"settings"') < text.index('"events"')
    assert json.loads(text)["version"] == 1
    result = import_file(other, write(tmp_path / "s.json", text))
    assert result.settings_added == 3
    assert other.setting("rate.meetings") == "1/7" and other.setting("theme") is None
    assert import_file(other, write(tmp_path / "s.json", text)).settings_added == 0


def test_settings_travel_with_a_database_file(store: Store, other: Store) -> None:
    store.set_setting("goal.from.2026-11", "50")
    assert import_file(other, store.path).settings_added == 1
    assert other.setting("goal.from.2026-11") == "50"


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"key": "Goal"}, "setting key 'Goal' is not a setting name"),
        ({"key": "k" * 101}, "is not a setting name"),
        ({"value": 50}, "setting value 50 is not text or null"),
        ({"value": "x" * 4097}, "setting value is 4,097 characters long (at most 4,096)"),
        ({"id": "nope"}, "id 'nope' is not an event id"),
        ({"ts": "soon"}, "is not an ISO 8601 time"),
    ],
)
def test_bad_setting_changes_are_refused(
    seeded: Store, tmp_path: Path, bad: dict[str, object], expected: str
) -> None:
    text = json_export([event()], settings=[setting(), setting(**bad)])
    message = refused(seeded, write(tmp_path / "bad.json", text))
    assert "setting 2 (line 1): " in message and expected in message


def test_a_setting_change_with_a_known_id_and_other_content_is_refused(
    store: Store, tmp_path: Path
) -> None:
    store.set_setting("theme", "dark")
    stored = json.loads(export_text(store))["settings"][0]
    text = json_export([], settings=[dict(stored, value="light")])
    assert "already in" in refused(store, write(tmp_path / "s.json", text))


# -- import: how a JSON export is read (ijson: a careful walk, then one C pass) ------------


def many(count: int, **changes: object) -> list[dict[str, object]]:
    return [event(**changes) for _ in range(count)]


def one_per_line(events: list[dict[str, object]], **header: object) -> str:
    return json_export(events, **header).replace("}, {", "},\n{")


def test_a_key_twice_late_in_a_big_file_is_refused_with_its_record(
    seeded: Store, tmp_path: Path
) -> None:
    text = one_per_line([*many(3_000), event(note="x")])
    text = text.replace('"note": "x"', '"note": "x", "note": "y"')
    message = refused(seeded, write(tmp_path / "twice.json", text))
    assert "record 3001 (line 3001): the key 'note' appears twice in one object" in message


def test_a_key_twice_comes_before_a_later_bad_field(seeded: Store, tmp_path: Path) -> None:
    text = one_per_line([event(), event(delta=1), *many(50), event(metric="demos")])
    text = text.replace('"delta": 1', '"delta": 1, "delta": 2', 1)
    message = refused(seeded, write(tmp_path / "twice.json", text))
    assert "record 1 (line 1): the key 'delta' appears twice in one object" in message


def test_a_key_twice_in_a_setting_and_in_the_header_is_refused(
    seeded: Store, tmp_path: Path
) -> None:
    text = json_export([event()], settings=[setting()]).replace(
        '"key": "goal', '"key": "x", "key": "goal'
    )
    assert "setting 1 (line 1): the key 'key' appears twice" in refused(
        seeded, write(tmp_path / "s.json", text)
    )
    text = json_export([event()], x={"a": 1}).replace('"a": 1', '"a": 1, "a": 2')
    assert "line 1: the key 'a' appears twice" in refused(seeded, write(tmp_path / "h.json", text))


def test_text_that_looks_like_a_key_end_imports(store: Store, tmp_path: Path) -> None:
    notes = ['He said "yes": ok', ": starts with a colon", '"quoted" :spaced', "tab\t:"]
    tallies = [event(note=note) for note in notes] + many(2_000)
    result = import_file(store, write(tmp_path / "a.json", one_per_line(tallies)))
    assert result == ImportResult(len(tallies), 0)
    assert [row[5] for row in event_rows(store.path)[: len(notes)]] == notes


def test_keys_after_the_events_are_read(seeded: Store, store: Store, tmp_path: Path) -> None:
    tallies = many(3_000)
    text = json.dumps({"events": tallies, "format": "other-app", "version": 1})
    assert "format is 'other-app'" in refused(seeded, write(tmp_path / "a.json", text))
    text = json.dumps({"events": tallies, "version": 2, "format": "salestui-export"})
    assert "export version 2 is newer" in refused(seeded, write(tmp_path / "b.json", text))
    later = json.dumps(
        {"format": "salestui-export", "version": 1, "events": tallies, "settings": [setting()]}
    )
    assert import_file(seeded, write(tmp_path / "c.json", later)).settings_added == 1


def test_a_lone_surrogate_escape_late_in_a_big_file_is_refused(
    seeded: Store, tmp_path: Path
) -> None:
    text = one_per_line([*many(3_000), event(note="\ud800")])
    assert "\\ud800" in text  # json writes the escape, which ijson's C parser reads as '?'
    message = refused(seeded, write(tmp_path / "lone.json", text))
    assert "record 3001 (line 3001): note '\\ud800' holds a NUL character or a lone surrogate" in (
        message
    )


def test_surrogate_pairs_and_other_escapes_read_back_exactly(store: Store, tmp_path: Path) -> None:
    notes = ["emoji \U0001f600 here", "tab\tand\u0001control", 'quote " and \\ backslash']
    text = json.dumps(
        {"format": "salestui-export", "version": 1, "events": [event(note=n) for n in notes]},
        ensure_ascii=True,
    )
    assert "\\ud83d\\ude00" in text
    import_file(store, write(tmp_path / "a.json", text))
    assert [row[5] for row in event_rows(store.path)] == notes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("18446744073709551616", "delta 18446744073709551616 is out of range"),
        ("1.0", "delta 1.0 is not a whole number"),
        ("1e3", "delta 1000.0 is not a whole number"),
        ("-0.5", "delta -0.5 is not a whole number"),
    ],
)
def test_numbers_late_in_a_big_file_read_as_json_reads_them(
    seeded: Store, tmp_path: Path, value: str, expected: str
) -> None:
    text = one_per_line([*many(3_000), event(delta=7)]).replace('"delta": 7', f'"delta": {value}')
    message = refused(seeded, write(tmp_path / "n.json", text))
    assert f"record 3001 (line 3001): {expected}" in message


def test_a_big_integer_in_an_unknown_key_is_accepted(store: Store, tmp_path: Path) -> None:
    tallies = [*many(3_000), dict(event(), extra=2**70)]
    assert import_file(store, write(tmp_path / "a.json", json_export(tallies))).added == 3_001


def test_a_bom_and_crlf_lines_are_read(store: Store, tmp_path: Path) -> None:
    text = "\ufeff" + one_per_line(many(3_000)).replace("\n", "\r\n")
    assert import_file(store, write(tmp_path / "a.json", text)) == ImportResult(3_000, 0)


def test_a_bad_record_in_a_pretty_printed_file_names_its_first_line(
    seeded: Store, tmp_path: Path
) -> None:
    tallies = [*many(2), event(metric="demos")]
    text = json.dumps({"format": "salestui-export", "version": 1, "events": tallies}, indent=2)
    message = refused(seeded, write(tmp_path / "p.json", text))
    first = text.splitlines().index("    {") + 1  # the line of record 1's brace
    line = first + 2 * (1 + len(tallies[0]) + 1)  # each record: a brace, its keys, a brace
    assert f"record 3 (line {line}): unknown metric 'demos'" in message


def test_deep_nesting_late_in_a_big_file_is_one_line(seeded: Store, tmp_path: Path) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    text = one_per_line([*many(3_000), event()])
    at = text.rindex('"note": null')
    text = text[:at] + f'"note": {deep}' + text[at + len('"note": null') :]
    assert "record 3001 (line 3001): JSON nested too deeply" in refused(
        seeded, write(tmp_path / "deep.json", text)
    )


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs mkfifo")
def test_an_export_read_from_a_pipe(store: Store, tmp_path: Path) -> None:
    import os
    import threading

    text = one_per_line(many(500))
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w", encoding="utf-8") as out:
            out.write(text)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        assert import_file(store, fifo) == ImportResult(500, 0)
    finally:
        writer.join(10)


def test_the_json_reader_is_ijson() -> None:
    """The hand-written streaming parser is gone: ijson reads JSON exports."""
    import salestui.store.portable as portable

    assert not hasattr(portable, "_JsonStream")
    assert portable._ijson_c.backend == "yajl2_c"


def test_a_byte_that_is_not_utf8_late_in_a_big_file_is_refused(
    seeded: Store, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.json"
    text = one_per_line([*many(3_000), event(note="caf\u00e9")]).replace("\\u00e9", "\u00e9")
    path.write_bytes(text.encode("latin-1"))  # a raw 0xE9, as a Windows editor might save it
    assert "not UTF-8 text" in refused(seeded, path)


def test_an_export_as_salestui_writes_it_is_read_in_one_c_pass(
    store: Store, other: Store, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The speed of a large import: the header walk stops at the first event, the C pass
    reads the rest, and nothing is read a third time."""
    import salestui.store.portable as portable

    fill(store, clock)
    store.set_setting("theme", "dark")
    for _ in range(3_000):
        store.log("calls", note='with "quotes", commas: and \\ backslashes')
    walks: list[dict[str, object]] = []
    walk = portable._TextSource._walk

    def counted(self: object, **options: object):  # type: ignore[no-untyped-def]
        walks.append(options)
        return (yield from walk(self, **options))  # type: ignore[arg-type]

    monkeypatch.setattr(portable._TextSource, "_walk", counted)
    result = import_file(other, write(tmp_path / "e.json", export_text(store)))
    assert result.added == count(store.path) and result.settings_added == 1
    assert walks == [{"first": True, "stop_at_items": True}]
