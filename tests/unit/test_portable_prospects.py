"""Prospects and touches travel with export and import (issue 11).

A JSON export lists every prospect change and every touch after the events; a CSV holds
one kind (`export --format csv --what prospects|touches`) and import tells them apart by
the header; a database file brings its tables. Every record is checked before anything
is written, and two machines merged either way hold the same prospects.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from salestui.domain.periods import DateRange
from salestui.store import Store
from salestui.store.events import new_id
from salestui.store.portable import (
    PROSPECT_CHANGE_COLUMNS,
    TOUCH_COLUMNS,
    ImportRefused,
    export_events,
    import_file,
)
from salestui.store.prospects import add_prospect, change_prospect
from salestui.store.schema import APPLICATION_ID, MIGRATIONS
from tests.conftest import FakeClock, local
from tests.unit.conftest import Result

TS = "2026-11-27T09:00:00.000000+00:00"
DAY = "2026-11-27"


TALLY = {
    "id": "0b8b3d4e-1f2a-4c5d-8e9f-a0b1c2d3e4f5",
    "ts": TS,
    "day": DAY,
    "metric": "calls",
    "delta": 1,
    "note": None,
    "source": "cli",
    "cancels": None,
    "about": None,
}


def exported(store: Store, path: Path, fmt: str = "json", **options: object) -> Path:
    out = io.StringIO()
    export_events(store, out, fmt, **options)  # type: ignore[arg-type]
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    return store.connection.execute(sql).fetchall()


def prospects_table(store: Store) -> list[tuple[object, ...]]:
    return rows(store, "SELECT * FROM prospects ORDER BY id")


def change(**fields: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": new_id(),
        "ts": TS,
        "day": DAY,
        "prospect": new_id(),
        "field": "name",
        "value": "Acme",
        "source": "cli",
    }
    record.update(fields)
    return record


def touch(prospect: str, **fields: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": new_id(),
        "ts": TS,
        "prospect": prospect,
        "event": new_id(),
        "event_ts": TS,
        "day": DAY,
        "metric": "calls",
        "source": "cli",
    }
    record.update(fields)
    return record


def json_file(path: Path, **lists: list[dict[str, object]]) -> Path:
    document: dict[str, object] = {"format": "salestui-export", "version": 1, "events": []}
    document.update(lists)
    path.write_text(json.dumps(document, indent=1))
    return path


def count(store: Store, table: str) -> int:
    return int(store.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def worked(store: Store) -> Store:
    """Two prospects, three linked tallies (one undone), a follow-up, one won."""
    acme = add_prospect(store, "Acme", company="Acme GmbH", source="referral")
    bob = add_prospect(store, "=Bob", source="inbound")  # a formula-looking name
    store.log("calls", prospect=acme.id, note="asked for a demo")
    store.log("meetings", prospect=acme.id)
    store.log("calls", prospect=bob.id)
    store.undo()  # the linked call to Bob
    change_prospect(store, acme.id, {"follow_up": "2026-12-01"})
    change_prospect(store, bob.id, {"status": "lost", "reason": "no budget"})
    return store


def test_json_export_lists_prospect_changes_and_touches_after_the_events(
    worked: Store, tmp_path: Path
) -> None:
    document = json.loads(exported(worked, tmp_path / "x.json").read_text())
    assert list(document) == [
        "format",
        "version",
        "settings",
        "events",
        "prospects",
        "touches",
        "time",
    ]
    assert document["version"] == 1
    assert [tuple(item.values()) for item in document["prospects"]] == rows(
        worked, f"SELECT {', '.join(PROSPECT_CHANGE_COLUMNS)} FROM prospect_changes ORDER BY rowid"
    )
    assert [tuple(item.values()) for item in document["touches"]] == rows(
        worked, f"SELECT {', '.join(TOUCH_COLUMNS)} FROM touches ORDER BY rowid"
    )
    assert document["time"] == []


def test_json_round_trip_gives_the_same_prospects(worked: Store, tmp_path: Path) -> None:
    path = exported(worked, tmp_path / "x.json")
    with Store(tmp_path / "empty.db") as other:
        result = import_file(other, path)
        assert [(kind.kind, kind.added, kind.present) for kind in result.kinds] == [
            ("prospects", 11, 0),
            ("touches", 3, 0),
        ]
        assert prospects_table(other) == prospects_table(worked)
        again = import_file(other, path)
        assert [(kind.added, kind.present) for kind in again.kinds] == [(0, 11), (0, 3)]
        assert prospects_table(other) == prospects_table(worked)
    acme = next(row for row in prospects_table(worked) if row[1] == "Acme")
    assert acme[16] == 2  # touches: the undone call to Bob is not one of Acme's


def test_an_old_export_without_prospects_still_imports(store: Store, tmp_path: Path) -> None:
    tally = {
        "id": new_id(),
        "ts": TS,
        "day": DAY,
        "metric": "calls",
        "delta": 1,
        "note": None,
        "source": "cli",
        "cancels": None,
        "about": None,
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "salestui-export", "version": 1, "events": [tally]}))
    result = import_file(store, path)
    assert (result.added, result.kinds) == (1, ())


def test_csv_per_kind_round_trip_through_the_cli(
    run: Callable[..., Result], db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    with Store(db_path, clock=clock) as store:
        acme = add_prospect(store, "=SUM(A1)", company="@Acme")
        store.log("calls", prospect=acme.id)
        before = prospects_table(store)
    events, changes, touches = (tmp_path / f"{name}.csv" for name in ("e", "p", "t"))
    assert (
        run("export", "--format", "csv", "-o", str(events)).out
        == f"exported 1 events to {events}\n"
    )
    result = run("export", "--format", "csv", "--what", "prospects", "-o", str(changes))
    assert result.out == f"exported 4 prospect changes to {changes}\n"
    assert run("export", "--format", "csv", "--what", "touches", "-o", str(touches)).code == 0
    cells = list(csv.DictReader(io.StringIO(changes.read_text(), newline="")))
    assert {cell["value"] for cell in cells} >= {"'=SUM(A1)", "'@Acme"}  # shown as text
    assert touches.read_bytes().decode().startswith(",".join(TOUCH_COLUMNS) + "\r\n")

    other = tmp_path / "other.db"
    assert run("--db", str(other), "import", str(changes)).out == (
        "added 0, already present 0; 4 prospect changes added\n"
    )
    assert run("--db", str(other), "import", str(touches)).out == (
        "added 0, already present 0; 1 touches added\n"
    )
    assert run("--db", str(other), "import", str(events)).out == "added 1, already present 0\n"
    again = run("--db", str(other), "import", str(touches))
    assert again.out == "added 0, already present 0; 0 touches added, 1 already present\n"
    with Store(other) as merged:
        assert prospects_table(merged) == before


def test_json_export_message_names_what_else_came(
    run: Callable[..., Result], db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    with Store(db_path, clock=clock) as store:
        acme = add_prospect(store, "Acme")
        store.log("calls", prospect=acme.id)
    target = tmp_path / "x.json"
    assert run("export", "-o", str(target)).out == (
        f"exported 1 events (and 4 prospect changes, 1 touches) to {target}\n"
    )
    result = run("import", str(target))
    assert result.out == (
        "added 0, already present 1; 0 prospect changes added, 4 already present;"
        " 0 touches added, 1 already present\n"
    )


def test_what_is_for_csv(run: Callable[..., Result]) -> None:
    result = run("export", "--what", "touches")
    assert result.code == 2
    assert "--what touches is for CSV (add --format csv)" in result.err
    assert result.out == ""


def test_period_takes_the_touches_of_its_days_and_every_prospect_change(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    acme = add_prospect(store, "Acme")
    clock.now = local("2026-11-20T10:00:00")
    store.log("calls", at=clock.now, prospect=acme.id)
    clock.now = local("2026-11-27T10:00:00")
    store.log("calls", prospect=acme.id)
    span = DateRange(date(2026, 11, 27), date(2026, 11, 27))
    path = exported(store, tmp_path / "x.json", span=span)
    document = json.loads(path.read_text())
    assert [item["day"] for item in document["events"]] == ["2026-11-27"]
    assert [item["day"] for item in document["touches"]] == ["2026-11-27"]
    assert len(document["prospects"]) == 4  # whole: a touch needs its prospect
    with Store(tmp_path / "empty.db") as other:
        import_file(other, path)
        [(name, touches, first)] = rows(other, "SELECT name, touches, first_touch FROM prospects")
        assert (name, touches, first) == ("Acme", 1, "2026-11-27")


def test_a_touch_of_an_unknown_prospect_is_refused(store: Store, tmp_path: Path) -> None:
    stray = touch(new_id())
    path = json_file(tmp_path / "x.json", touches=[stray])
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    message = str(refused.value)
    assert f"touch 1 (line 6): a touch of prospect {stray['prospect']}, which is neither" in message
    assert message.endswith("; nothing was imported")
    assert count(store, "touches") == count(store, "prospects") == 0


def test_a_touch_whose_tally_is_not_known_yet_is_accepted(store: Store, tmp_path: Path) -> None:
    # The tally may come later (a CSV of events imported after the touches').
    named = change()
    path = json_file(
        tmp_path / "x.json", prospects=[named], touches=[touch(str(named["prospect"]))]
    )
    result = import_file(store, path)
    assert [(kind.kind, kind.added) for kind in result.kinds] == [("prospects", 1), ("touches", 1)]
    assert rows(store, "SELECT name, touches FROM prospects") == [("Acme", 1)]


def test_a_touch_that_does_not_match_its_tally_is_refused(store: Store, tmp_path: Path) -> None:
    acme = add_prospect(store, "Acme")
    tally = store.log("calls")
    wrong = touch(acme.id, event=tally.id, event_ts=tally.ts, day=tally.day, metric="meetings")
    path = json_file(tmp_path / "x.json", touches=[wrong])
    with pytest.raises(ImportRefused, match=f"a touch of event {tally.id} that does not match"):
        import_file(store, path)
    assert count(store, "touches") == 0


def test_an_id_stored_with_other_content_is_refused(worked: Store, tmp_path: Path) -> None:
    stored = rows(worked, "SELECT * FROM prospect_changes WHERE field = 'name' LIMIT 1")[0]
    record = dict(zip(PROSPECT_CHANGE_COLUMNS, stored, strict=True))
    path = json_file(tmp_path / "x.json", prospects=[dict(record, value="Someone else")])
    with pytest.raises(ImportRefused) as refused:
        import_file(worked, path)
    assert (
        f"prospect change 1 (line 6): prospect change {record['id']} is already in "
        f"{worked.path} with different content" in str(refused.value)
    )
    same = json_file(tmp_path / "y.json", prospects=[dict(record, source="tui")])
    result = import_file(worked, same)
    assert [(kind.added, kind.present) for kind in result.kinds] == [(0, 1)]


def test_an_id_twice_in_the_file_with_other_content_is_refused(
    store: Store, tmp_path: Path
) -> None:
    first = change()
    path = json_file(tmp_path / "x.json", prospects=[first, dict(first, value="Other")])
    with pytest.raises(ImportRefused, match="appears twice with different content"):
        import_file(store, path)
    path = json_file(tmp_path / "y.json", prospects=[first, dict(first)])
    result = import_file(store, path)
    assert [(kind.added, kind.present) for kind in result.kinds] == [(1, 1)]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"id": "nope"}, "id 'nope' is not an id"),
        ({"ts": "yesterday"}, "ts 'yesterday' is not an ISO 8601 time"),
        ({"day": "2026-02-30"}, "day '2026-02-30' is not a date"),
        ({"prospect": 5}, "prospect 5 is not an id"),
        ({"field": "email"}, "field 'email' is not a prospect field"),
        ({"value": ""}, "a prospect's name cannot be empty"),
        ({"value": "x" * 201}, "a prospect's name is at most 200 characters"),
        ({"value": "Ac\x1bme"}, "cannot hold control characters"),
        ({"value": " Acme"}, "has extra spaces"),
        ({"field": "status", "value": "maybe"}, "status 'maybe' is not one of open, won, lost"),
        ({"field": "source", "value": "radio"}, "source value 'radio' is not one of"),
        ({"field": "reason", "value": "r" * 501}, "reason is 501 characters long (at most 500)"),
        ({"field": "follow_up", "value": "soon"}, "follow_up 'soon' is not a date"),
        ({"source": ""}, "source '' must be a non-empty name"),
    ],
)
def test_a_bad_prospect_change_is_refused_naming_it(
    store: Store, tmp_path: Path, fields: dict[str, object], words: str
) -> None:
    path = json_file(tmp_path / "x.json", prospects=[change(), change(**fields)])
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    assert "prospect change 2 (line " in str(refused.value)
    assert words in str(refused.value)
    assert count(store, "prospect_changes") == 0


def test_a_bad_csv_row_is_refused_with_its_line(store: Store, tmp_path: Path) -> None:
    good, bad = change(), change(field="status", value="won?")
    text = ",".join(PROSPECT_CHANGE_COLUMNS) + "\n"
    for record in (good, bad):
        text += ",".join(str(record[column]) for column in PROSPECT_CHANGE_COLUMNS) + "\n"
    path = tmp_path / "p.csv"
    path.write_text(text)
    with pytest.raises(ImportRefused, match=r"p\.csv: line 3: status 'won\?' is not one of"):
        import_file(store, path)
    assert count(store, "prospect_changes") == 0


def test_keys_given_twice_in_a_touch_are_refused(store: Store, tmp_path: Path) -> None:
    named = change()
    path = json_file(
        tmp_path / "x.json", prospects=[named], touches=[touch(str(named["prospect"]))]
    )
    text = path.read_text().replace('"metric": "calls"', '"metric": "calls", "metric": "sales"')
    path.write_text(text)
    with pytest.raises(ImportRefused, match="touch 1 .*the key 'metric' appears twice"):
        import_file(store, path)
    assert count(store, "touches") == 0


def test_a_header_key_after_the_lists_is_still_read(store: Store, tmp_path: Path) -> None:
    named = change()
    path = json_file(tmp_path / "x.json", prospects=[named])
    path.write_text(path.read_text().rstrip().removesuffix("}") + ', "version": 99}')
    with pytest.raises(ImportRefused, match="export version 99 is newer"):
        import_file(store, path)
    assert count(store, "prospect_changes") == 0


def test_lists_before_the_events_are_read_too(store: Store, tmp_path: Path) -> None:
    named = change()
    tally = {
        "id": new_id(),
        "ts": TS,
        "day": DAY,
        "metric": "calls",
        "delta": 1,
        "note": None,
        "source": "cli",
    }
    document = {
        "format": "salestui-export",
        "version": 1,
        "touches": [touch(str(named["prospect"]), event=tally["id"])],
        "prospects": [named],
        "events": [tally],
    }
    path = tmp_path / "x.json"
    path.write_text(json.dumps(document))
    result = import_file(store, path)
    assert (result.added, [(kind.kind, kind.added) for kind in result.kinds]) == (
        1,
        [("prospects", 1), ("touches", 1)],
    )
    assert rows(store, "SELECT name, touches FROM prospects") == [("Acme", 1)]


def test_a_database_file_brings_its_prospects(worked: Store, tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as other:
        result = import_file(other, worked.path)
        assert [kind.added for kind in result.kinds] == [11, 3]
        assert prospects_table(other) == prospects_table(worked)


def test_a_schema_4_database_has_no_prospects_and_imports(store: Store, tmp_path: Path) -> None:
    old = tmp_path / "v4.db"
    conn = sqlite3.connect(old)
    try:
        for version in range(1, 5):
            for step in MIGRATIONS[version]:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 4")
        conn.execute(
            "INSERT INTO events (id, ts, day, metric, delta, note, source)"
            " VALUES (?, ?, ?, 'calls', 1, NULL, 'cli')",
            (new_id(), TS, DAY),
        )
        conn.commit()
    finally:
        conn.close()
    result = import_file(store, old)
    assert (result.added, result.kinds) == (1, ())


def test_two_machines_merged_either_way_hold_the_same_prospects(tmp_path: Path) -> None:
    clock_a = FakeClock(local("2026-11-02T09:00:00"))
    clock_b = FakeClock(local("2026-11-02T09:00:30"))
    with Store(tmp_path / "a.db", clock=clock_a) as a, Store(tmp_path / "b.db", clock=clock_b) as b:
        shared = add_prospect(a, "Acme")
        import_file(b, exported(a, tmp_path / "start.json"))
        # Each adds its own prospects, renames the shared one differently, logs linked
        # tallies; B undoes one of its linked tallies.
        for when, clock in (("2026-11-03T10:00:00", clock_a), ("2026-11-03T10:05:00", clock_b)):
            clock.now = local(when)
        change_prospect(a, shared.id, {"name": "Acme Corp"})
        change_prospect(b, shared.id, {"name": "ACME Inc", "follow_up": "2026-11-10"})
        own_a = add_prospect(a, "Anna")
        own_b = add_prospect(b, "Ben", source="referral")
        for _ in range(2):
            clock_a.advance(minutes=1)
            a.log("calls", at=clock_a.now, prospect=shared.id)
        a.log("meetings", at=clock_a.now, prospect=own_a.id)
        change_prospect(a, own_a.id, {"status": "won"})
        clock_b.advance(minutes=3)
        b.log("calls", at=clock_b.now, prospect=shared.id)
        clock_b.advance(minutes=1)
        b.log("calls", at=clock_b.now, prospect=own_b.id)
        b.undo()  # the linked call to Ben
        from_a, from_b = exported(a, tmp_path / "a.json"), exported(b, tmp_path / "b.json")
        import_file(a, from_b)  # B into A
        import_file(b, from_a)  # A into B
        assert prospects_table(a) == prospects_table(b)
        names = {
            row[0]: row[1:]
            for row in rows(a, "SELECT id, name, status, follow_up, touches FROM prospects")
        }
        assert names == {
            shared.id: ("ACME Inc", "open", "2026-11-10", 3),
            own_a.id: ("Anna", "won", None, 1),
            own_b.id: ("Ben", "open", None, 0),
        }
        # And through the database files, in the other order.
        with Store(tmp_path / "c.db") as c, Store(tmp_path / "d.db") as d:
            import_file(c, a.path)
            import_file(d, tmp_path / "b.json")
            import_file(d, tmp_path / "a.json")
            assert prospects_table(c) == prospects_table(d) == prospects_table(a)


def test_an_undo_in_the_file_takes_the_touch_away(store: Store, tmp_path: Path) -> None:
    acme = add_prospect(store, "Acme")
    store.log("calls", prospect=acme.id)
    store.undo()
    with Store(tmp_path / "empty.db") as other:
        import_file(other, exported(store, tmp_path / "x.json"))
        assert rows(other, "SELECT touches, last_touch FROM prospects") == [(0, None)]


def test_prospect_changes_are_merged_in_short_chunks(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salestui.store import portable

    monkeypatch.setattr(portable, "PAUSE_SECONDS", 0.0)
    monkeypatch.setattr(portable, "CHUNK_SECONDS", 0.0)
    monkeypatch.setattr(portable, "CHUNK_ROWS", 200)
    prospect = new_id()
    changes = [change(prospect=prospect, value=f"Acme {number}") for number in range(450)]
    path = json_file(tmp_path / "x.json", prospects=changes)
    commits: list[int] = []
    writing = store.writing

    def counted():  # type: ignore[no-untyped-def]
        commits.append(1)
        return writing()

    monkeypatch.setattr(store, "writing", counted)
    result = import_file(store, path)
    assert result.kinds[0].added == 450
    assert len(commits) == 3  # 200 + 200 + 50, each its own transaction
    assert count(store, "prospect_changes") == 450


def test_an_export_of_ours_is_read_by_the_fast_passes(
    worked: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The careful walk reads the header only; the lists after the events go to one pass
    # of the C parser each (a second walk would read the whole file event by event).
    from salestui.store import portable

    walks: list[bool] = []
    walk = portable._TextSource._walk

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        walks.append(True)
        return walk(self, *args, **kwargs)

    monkeypatch.setattr(portable._TextSource, "_walk", counted)
    path = exported(worked, tmp_path / "x.json")
    with Store(tmp_path / "empty.db") as other:
        import_file(other, path)
        assert prospects_table(other) == prospects_table(worked)
    assert len(walks) == 1
    # An empty list is not read at all, and an export with no prospects stays fast too.
    with Store(tmp_path / "plain.db") as plain:
        plain.log("calls")
        walks.clear()
        with Store(tmp_path / "other.db") as other:
            import_file(other, exported(plain, tmp_path / "plain.json"))
        assert len(walks) == 1


def test_a_long_list_after_the_events_keeps_the_fast_passes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The events pass reads on through 5,000 touches, which open more brackets than its
    # depth alarm allows after the last event: the lines show the depth stays at 3.
    from salestui.store import portable

    walks: list[bool] = []
    walk = portable._TextSource._walk

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        walks.append(True)
        return walk(self, *args, **kwargs)

    monkeypatch.setattr(portable._TextSource, "_walk", counted)
    changes = [change(value=f"Acme {number}") for number in range(500)]
    touches = [touch(str(changes[number % 500]["prospect"])) for number in range(5_000)]
    path = tmp_path / "x.json"
    lines = ",\n".join(json.dumps(item) for item in touches)
    head = ",\n".join(json.dumps(item) for item in changes)
    path.write_text(
        '{"format": "salestui-export", "version": 1, "settings": [], "events": [\n'
        + json.dumps(TALLY)
        + "\n], "
        f'"prospects": [\n{head}\n], "touches": [\n{lines}\n], "time": []}}\n'
    )
    result = import_file(store, path)
    assert result.added == 1
    assert [(kind.kind, kind.added) for kind in result.kinds] == [
        ("prospects", 500),
        ("touches", 5_000),
    ]
    assert len(walks) == 1
    assert rows(store, "SELECT min(touches), max(touches) FROM prospects") == [(10, 10)]
