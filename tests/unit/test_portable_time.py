"""Time on non-sales work travels with export and import (issue 12).

Every start, stop and logged stretch (`time_changes`) is in a JSON export after the
events, in a CSV of its own (`export --format csv --what time`) and in a database file;
each is checked before anything is written, and two machines' timers merge by id.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import Store
from salestui.store.events import new_id
from salestui.store.portable import TIME_COLUMNS, ImportRefused, export_events, import_file
from salestui.store.timers import log_time, start_timer, stop_timers
from tests.conftest import FakeClock, local
from tests.unit.conftest import Result

TS = "2026-11-27T09:00:00.000000+00:00"


def exported(store: Store, path: Path, fmt: str = "json", **options: object) -> Path:
    out = io.StringIO()
    export_events(store, out, fmt, **options)  # type: ignore[arg-type]
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def time_rows(store: Store) -> list[tuple[object, ...]]:
    return store.connection.execute("SELECT * FROM time_changes ORDER BY id").fetchall()


def entry(**fields: object) -> dict[str, object]:
    """A logged stretch: 45 minutes of admin from 10:00 local."""
    record: dict[str, object] = {
        "id": new_id(),
        "ts": TS,
        "kind": "log",
        "timer": None,
        "category": "admin",
        "at": "2026-11-27T10:00:00+01:00",
        "day": "2026-11-27",
        "minutes": 45,
        "source": "cli",
    }
    record.update(fields)
    if record["timer"] is None:
        record["timer"] = record["id"]
    return record


def json_file(path: Path, time: list[dict[str, object]]) -> Path:
    path.write_text(
        json.dumps({"format": "salestui-export", "version": 1, "events": [], "time": time})
    )
    return path


@pytest.fixture
def tracked(store: Store, clock: FakeClock) -> Store:
    """Admin 09:00-09:40, reports from 11:00 still running, and 30 minutes logged."""
    clock.now = local("2026-11-27T09:00:00")
    start_timer(store, "admin")
    clock.now = local("2026-11-27T09:40:00")
    stop_timers(store)
    log_time(store, "training", local("2026-11-27T07:00:00"), 30)
    clock.now = local("2026-11-27T11:00:00")
    start_timer(store, "reports")
    return store


def test_json_round_trip_gives_the_same_time(tracked: Store, tmp_path: Path) -> None:
    path = exported(tracked, tmp_path / "x.json")
    document = json.loads(path.read_text())
    assert [item["kind"] for item in document["time"]] == ["start", "stop", "log", "start"]
    assert list(document["time"][0]) == list(TIME_COLUMNS)
    with Store(tmp_path / "empty.db") as other:
        result = import_file(other, path)
        assert [(kind.kind, kind.words, kind.added) for kind in result.kinds] == [
            ("time", "time entries", 4)
        ]
        assert time_rows(other) == time_rows(tracked)
        again = import_file(other, path)
        assert [(kind.added, kind.present) for kind in again.kinds] == [(0, 4)]


def test_csv_of_time_round_trip_through_the_cli(
    run: Callable[..., Result], db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    with Store(db_path, clock=clock) as store:
        start_timer(store, "admin")
        clock.advance(minutes=5)
        stop_timers(store)
        before = time_rows(store)
    target = tmp_path / "time.csv"
    result = run("export", "--format", "csv", "--what", "time", "-o", str(target))
    assert result.out == f"exported 2 time entries to {target}\n"
    assert target.read_bytes().decode().startswith(",".join(TIME_COLUMNS) + "\r\n")
    other = tmp_path / "other.db"
    result = run("--db", str(other), "import", str(target))
    assert result.out == "added 0, already present 0; 2 time entries added\n"
    with Store(other) as merged:
        assert time_rows(merged) == before


def test_a_formula_looking_category_is_written_as_text_and_read_back(
    store: Store, tmp_path: Path
) -> None:
    path = json_file(tmp_path / "x.json", [entry(category="=cmd")])
    import_file(store, path)
    csv_path = exported(store, tmp_path / "t.csv", "csv", what="time")
    assert ",'=cmd," in csv_path.read_text()
    with Store(tmp_path / "other.db") as other:
        import_file(other, csv_path)
        assert time_rows(other) == time_rows(store)


def test_period_takes_every_change_of_a_timer_it_touches(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    clock.now = local("2026-11-26T23:30:00")
    start_timer(store, "travel")
    clock.now = local("2026-11-27T00:20:00")
    stop_timers(store)  # cut at midnight: the stop is on the 27th's first instant
    log_time(store, "admin", local("2026-11-25T10:00:00"), 20)  # another day
    span = DateRange(date(2026, 11, 27), date(2026, 11, 27))
    document = json.loads(exported(store, tmp_path / "x.json", span=span).read_text())
    assert [(item["kind"], item["category"]) for item in document["time"]] == [
        ("start", "travel"),
        ("stop", None),
    ]
    with Store(tmp_path / "empty.db") as other:
        result = import_file(other, tmp_path / "x.json")
        assert result.kinds[0].added == 2


def test_a_stop_of_an_unknown_start_is_refused(store: Store, tmp_path: Path) -> None:
    stop = entry(kind="stop", timer=new_id(), category=None, minutes=None)
    path = json_file(tmp_path / "x.json", [entry(), stop])
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert f"time entry 2 (line 1): a stop of timer {stop['timer']}, which is neither" in str(
        refused.value
    )
    assert time_rows(store) == []


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"kind": "pause"}, "kind 'pause' is not a time change"),
        ({"minutes": 0}, "minutes 0 is not a whole number from 1 to 1440"),
        ({"minutes": -5}, "minutes -5 is not a whole number"),
        ({"minutes": 1441}, "minutes 1441 is not a whole number"),
        ({"minutes": 2.5}, "minutes 2.5 is not a whole number"),
        ({"minutes": "45"}, "minutes '45' is not a whole number"),
        ({"category": ""}, "category '' must be a non-empty name"),
        ({"category": "ad\x07min"}, "holds control characters"),
        ({"category": "c" * 101}, "category is 101 characters long"),
        ({"timer": "3f2b8c1e-5a7d-4e8f-9b0c-1d2e3f4a5b6c"}, "a log's timer is its own id"),
        ({"at": "2026-11-27T10:00:00"}, "is not an ISO 8601 time with an offset"),
        ({"day": "2026-11-28"}, "day 2026-11-28 is not the day of at"),
        ({"ts": "2026-11-27"}, "ts '2026-11-27' is not an ISO 8601 time"),
        ({"id": "X"}, "id 'X' is not an id"),
        ({"source": None}, "source None must be a non-empty name"),
    ],
)
def test_a_bad_time_entry_is_refused_naming_it(
    store: Store, tmp_path: Path, fields: dict[str, object], words: str
) -> None:
    path = json_file(tmp_path / "x.json", [entry(), entry(**fields)])
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert "time entry 2 (line 1): " in str(refused.value)
    assert words in str(refused.value)
    assert time_rows(store) == []


def test_a_start_has_no_minutes(store: Store, tmp_path: Path) -> None:
    path = json_file(tmp_path / "x.json", [entry(kind="start", minutes=10)])
    with pytest.raises(ImportRefused, match="a start has no minutes"):
        import_file(store, path)


def test_a_csv_duration_must_be_a_whole_number(store: Store, tmp_path: Path) -> None:
    good = entry()
    text = ",".join(TIME_COLUMNS) + "\n"
    for minutes in (45, "1x"):
        record = dict(good, id=new_id(), minutes=minutes)
        record["timer"] = record["id"]
        text += ",".join(str(record[column]) for column in TIME_COLUMNS) + "\n"
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(ImportRefused, match=r"t\.csv: line 3: minutes '1x' is not a whole number"):
        import_file(store, path)
    assert time_rows(store) == []


def test_two_machines_overlapping_timers_merge_either_way(tmp_path: Path) -> None:
    clock_a = FakeClock(local("2026-11-27T09:00:00"))
    clock_b = FakeClock(local("2026-11-27T09:10:00"))
    with Store(tmp_path / "a.db", clock=clock_a) as a, Store(tmp_path / "b.db", clock=clock_b) as b:
        start_timer(a, "admin")
        start_timer(b, "reports")
        clock_a.advance(minutes=30)
        clock_b.advance(minutes=30)
        stop_timers(a)
        log_time(b, "travel", local("2026-11-27T07:00:00"), 60)
        import_file(a, exported(b, tmp_path / "b.json"))
        import_file(b, a.path)
        assert time_rows(a) == time_rows(b)
        assert len(time_rows(a)) == 4  # B's reports timer is still running on both


def test_a_database_file_brings_its_time(tracked: Store, tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as other:
        result = import_file(other, tracked.path)
        assert [(kind.kind, kind.added) for kind in result.kinds] == [("time", 4)]
        assert time_rows(other) == time_rows(tracked)
