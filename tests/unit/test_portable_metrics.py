"""Export and import carry the user's metrics and funnels (issue 10).

A JSON export holds every setting change, so a round trip restores the catalog exactly;
a CSV export holds events only. An import of events of a metric this database does not
know needs its definition from the file or `--add-metrics`; a definition that would move
a letter is reported and not applied; merging both ways gives both the same figures.
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

from salestui.domain.catalog import Catalog
from salestui.domain.keys import reserved_keys
from salestui.domain.periods import DateRange
from salestui.store import Store
from salestui.store.events import EVENT_COLUMNS, new_id
from salestui.store.portable import ImportRefused, export_events, import_file
from tests.conftest import FakeClock, event_rows
from tests.unit.conftest import Result

APP = reserved_keys()
DAY = "2026-11-27"
ALL = DateRange(date(2026, 1, 1), date(2026, 12, 31))


def add(store: Store, key: str, **options: str) -> None:
    store.set_settings(store.catalog().add_metric(key, reserved=APP, **options))


def tally(metric: str, delta: int = 1) -> dict[str, object]:
    return {
        "id": new_id(),
        "ts": f"{DAY}T09:00:00.000000+00:00",
        "day": DAY,
        "metric": metric,
        "delta": delta,
        "note": None,
        "source": "cli",
        "cancels": None,
        "about": None,
    }


def csv_file(path: Path, events: list[dict[str, object]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    for item in events:
        writer.writerow(["" if item[c] is None else item[c] for c in EVENT_COLUMNS])
    path.write_text(out.getvalue())
    return path


def exported(store: Store, path: Path, fmt: str = "json") -> Path:
    out = io.StringIO()
    export_events(store, out, fmt)  # type: ignore[arg-type]
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def letters(store: Store) -> dict[str, tuple[str, bool]]:
    return {entry.key: (entry.metric.letter, entry.hidden) for entry in store.catalog().entries}


def settings_rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, ts, key, value FROM setting_changes ORDER BY id").fetchall()
    finally:
        conn.close()


def same_catalog(one: Catalog, other: Catalog) -> bool:
    return (one.entries, one.funnels, one.active_name) == (
        other.entries,
        other.funnels,
        other.active_name,
    )


@pytest.fixture
def other(tmp_path: Path, clock: FakeClock) -> Store:
    with Store(tmp_path / "other" / "salestui.db", clock=clock) as opened:
        yield opened  # type: ignore[misc]


# -- export carries the catalog ---------------------------------------------------------------


def test_a_json_round_trip_restores_the_catalog_exactly(
    store: Store, other: Store, tmp_path: Path
) -> None:
    add(store, "emails")
    add(store, "referrals", letter="r", singular="referral", label="Referrals in")
    add(store, "applications")
    store.set_settings(store.catalog().hide("referrals"))
    store.set_settings(store.catalog().hide("meetings"))
    store.set_settings(store.catalog().define_funnel("mail", ["emails", "calls", "sales"]))
    store.set_settings(store.catalog().use_funnel("mail"))
    store.log("emails", 3)
    store.log("referrals")
    path = exported(store, tmp_path / "all.json")
    keys = {entry["key"] for entry in json.loads(path.read_text())["settings"]}
    assert {"metric.emails", "metric.referrals", "metric.meetings", "funnel.mail"} <= keys
    assert "funnel.active" in keys

    result = import_file(other, path)
    assert result.added == 2 and result.notes == ()
    assert same_catalog(other.catalog(), store.catalog())
    assert other.catalog().active.stages == ("emails", "calls", "sales")
    assert settings_rows(other.path) == settings_rows(store.path)
    assert other.counts(ALL, ("emails", "referrals")) == {"emails": 3, "referrals": 1}


def test_a_csv_export_holds_events_only(store: Store, other: Store, tmp_path: Path) -> None:
    add(store, "emails")
    store.log("emails", 2)
    path = exported(store, tmp_path / "all.csv", "csv")
    with pytest.raises(ImportRefused, match=r"line 2: unknown metric 'emails' \(use calls"):
        import_file(other, path)
    assert other.is_empty()
    result = import_file(other, path, add_metrics=True)
    assert result.added == 1
    assert result.notes == ("Added metric emails (key e) from the file.",)
    assert letters(other)["emails"] == ("e", False)
    assert other.counts(ALL, ("emails",)) == {"emails": 2}


# -- metrics the database does not know -----------------------------------------------------


def test_an_unknown_metric_without_a_definition_is_refused_whole(
    store: Store, tmp_path: Path
) -> None:
    store.log("calls")
    before = event_rows(store.path), settings_rows(store.path)
    path = csv_file(tmp_path / "a.csv", [tally("calls"), tally("emails"), tally("demos")])
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path)
    message = str(refused.value)
    assert "line 3: unknown metric 'emails' (use calls, meetings, sales)" in message
    assert "--add-metrics" in message and message.endswith("nothing was imported")
    assert (event_rows(store.path), settings_rows(store.path)) == before


def test_added_metrics_take_the_first_free_letter_of_their_name(
    store: Store, tmp_path: Path
) -> None:
    # c and s are the built-ins', u the app's (undo) and p kept for prospects: no letter
    # of "cups" is free, so it is added hidden, on the first free letter.
    add(store, "emails")
    path = csv_file(
        tmp_path / "a.csv", [tally("mentions"), tally("cups"), tally("emails"), tally("mentions")]
    )
    result = import_file(store, path, add_metrics=True)
    assert result.added == 4
    assert letters(store)["mentions"] == ("i", False)  # m taken, e taken (emails), n the app's
    assert letters(store)["cups"] == ("a", True)
    assert result.notes == (
        "Added metric mentions (key i) from the file.",
        "Added metric cups hidden, on a (no letter of its name is free); "
        "`salestui metric show cups` shows it on that letter.",
    )
    assert store.catalog().metric_for_logging("i").key == "mentions"


def test_fifty_unknown_metrics_leave_eight_visible_and_report_each(
    store: Store, tmp_path: Path
) -> None:
    names = [f"metric_{chr(97 + n // 26)}{chr(97 + n % 26)}s" for n in range(50)]
    path = csv_file(tmp_path / "a.csv", [tally(name, n + 1) for n, name in enumerate(names)])
    result = import_file(store, path, add_metrics=True)
    assert result.added == 50
    catalog = store.catalog()
    assert len(catalog.visible) == 8
    shown = [metric.key for metric in catalog.visible][3:]
    assert shown == [name for name in names if name in shown]  # in the file's order
    assert len(result.notes) == 50
    assert [note.split()[2] for note in result.notes] == names  # "Added metric NAME ..."
    for name, note in zip(names, result.notes, strict=True):
        assert ("hidden" in note) == (name not in shown)
    # Hidden ones hold the letters left (each once), then come without a key.
    assert sum("Today shows at most 8 metrics" in note for note in result.notes) >= 5
    assert sum("without a key (every letter is taken)" in note for note in result.notes) >= 20
    assert store.counts(ALL, names) == {name: n + 1 for n, name in enumerate(names)}
    # Every letter a metric holds is held once, and none is the app's.
    held = [entry.metric.letter for entry in catalog.entries if entry.metric.letter]
    assert len(held) == len(set(held)) and not set(held) & set(APP)


def test_a_metric_named_by_a_singular_is_refused(store: Store, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "a.csv", [tally("calls"), tally("meeting")])
    with pytest.raises(ImportRefused, match="line 3: metric 'meeting' is meetings's other name"):
        import_file(store, path, add_metrics=True)
    assert store.is_empty()


def test_a_database_file_brings_its_definitions(store: Store, other: Store, tmp_path: Path) -> None:
    add(store, "applications")
    store.log("applications", 4)
    result = import_file(other, store.path)
    assert result.added == 1 and result.notes == ()
    assert same_catalog(other.catalog(), store.catalog())


# -- a letter redefined differently ---------------------------------------------------------


def test_a_letter_the_file_moves_is_reported_and_kept(
    store: Store, other: Store, tmp_path: Path, clock: FakeClock
) -> None:
    add(other, "emails", letter="x")
    other.log("emails")
    clock.advance(seconds=5)  # the file's definition is the later change
    add(store, "emails")
    store.log("emails", 2)
    result = import_file(other, exported(store, tmp_path / "a.json"))
    assert result.added == 1
    assert result.notes == ("emails: the file puts it on e, this database on x; kept x",)
    assert letters(other)["emails"] == ("x", False)
    # Importing it again says so again (the file still says e), and adds nothing.
    again = import_file(other, exported(store, tmp_path / "a.json"))
    assert (again.added, again.notes) == (0, result.notes)


def test_a_new_metric_on_a_letter_held_here_gets_a_free_one(
    store: Store, other: Store, tmp_path: Path
) -> None:
    add(other, "emails")  # e
    add(store, "estimates")  # e, in the other database
    store.log("estimates", 3)
    result = import_file(other, exported(store, tmp_path / "a.json"))
    assert letters(other)["estimates"] == ("i", False)
    assert letters(other)["emails"] == ("e", False)
    assert result.notes == (
        "estimates: the file puts it on e, which this database gives to emails; not applied",
        "Added metric estimates (key i) from the file.",
    )
    assert other.counts(ALL, ("estimates",)) == {"estimates": 3}


def test_a_new_metric_on_an_app_key_gets_a_free_one(
    store: Store, other: Store, tmp_path: Path, clock: FakeClock
) -> None:
    # The file's user moved undo to z and gave u to a metric; this database's user put
    # undo back on u later, so u stays undo's here.
    store.set_setting("key.undo", "z")
    store.set_settings(store.catalog().add_metric("updates", letter="u", reserved={}))
    store.log("updates")
    clock.advance(seconds=1)
    other.set_setting("key.undo", "u")
    result = import_file(other, exported(store, tmp_path / "a.json"))
    assert letters(other)["updates"] == ("d", False)
    assert result.notes == (
        "updates: the file puts it on u, which this database gives to undo; not applied",
        "Added metric updates (key d) from the file.",
    )
    # Without that later change here, the file's remap comes along and u is free.
    with Store(tmp_path / "third" / "salestui.db", clock=clock) as third:
        result = import_file(third, exported(store, tmp_path / "b.json"))
        assert letters(third)["updates"] == ("u", False) and result.notes == ()


def test_merging_both_ways_gives_the_same_figures(
    store: Store, other: Store, tmp_path: Path, clock: FakeClock
) -> None:
    add(store, "emails")
    add(store, "referrals")
    for metric, count in (("emails", 3), ("referrals", 2), ("calls", 5)):
        store.log(metric, count)
    clock.advance(seconds=1)  # B's definitions are the later changes
    add(other, "emails", letter="x")
    add(other, "events")  # e here; the other database has emails on e
    for metric, count in (("emails", 1), ("events", 4), ("calls", 1)):
        other.log(metric, count)
    a_file = exported(store, tmp_path / "a.json")
    b_file = exported(other, tmp_path / "b.json")
    into_b = import_file(other, a_file)
    into_a = import_file(store, b_file)
    keys = ("calls", "meetings", "sales", "emails", "referrals", "events")
    assert store.counts(ALL, keys) == other.counts(ALL, keys)
    assert store.counts(ALL, keys)["emails"] == 4
    assert into_b.notes == ()  # A's emails on e is the older change: B's x stays anyway
    assert into_a.notes == (
        "emails: the file puts it on x, this database on e; kept e",
        "events: the file puts it on e, which this database gives to emails; not applied",
        "Added metric events (key v) from the file.",
    )
    # Definitions differ only where reported.
    a, b = letters(store), letters(other)
    assert {key for key in a if a[key] != b.get(key)} == {"emails", "events"}


def test_the_definitions_come_before_any_event(
    store: Store, other: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import killed after its first transaction leaves no event without a definition."""
    from salestui.store import portable

    add(store, "emails")
    for _ in range(30):
        store.log("emails")
    monkeypatch.setattr(portable, "CHUNK_SECONDS", 0.0)
    monkeypatch.setattr(portable, "PAUSE_SECONDS", 0.0)
    seen: list[str] = []
    other.connection.set_trace_callback(seen.append)
    import_file(other, exported(store, tmp_path / "a.json"))
    other.connection.set_trace_callback(None)
    writes = [
        "settings" if "main.setting_changes" in sql else "events"
        for sql in seen
        if "INSERT" in sql and "INTO main." in sql
    ]
    assert writes[0] == "settings" and writes.count("events") > 1
    assert "settings" not in writes[writes.index("events") :]


# -- the command line -----------------------------------------------------------------------


def test_cli_import_says_what_it_added(
    run: Callable[..., Result], tmp_path: Path, db_path: Path
) -> None:
    path = csv_file(tmp_path / "a.csv", [tally("emails"), tally("demos")])
    refused = run("import", str(path))
    assert refused.code == 2 and len(refused.err.strip().splitlines()) == 1
    assert "unknown metric 'emails'" in refused.err and "--add-metrics" in refused.err
    done = run("import", "--add-metrics", str(path))
    assert done.code == 0, done.err
    assert done.out.splitlines() == [
        "added 2, already present 0",
        "Added metric emails (key e) from the file.",
        "Added metric demos (key d) from the file.",
    ]
    today = run("today", "--json")
    assert today.code == 0
