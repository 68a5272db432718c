"""`Record` (Event, Metric) behaves as the frozen slotted dataclasses they were; event ids
are version 4 UUIDs; and `salestui log` loads none of dataclasses, typing or uuid."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from salestui.domain.metrics import CALLS, METRICS, Metric
from salestui.store.events import EVENT_COLUMNS, Event, Store, new_id


@dataclasses.dataclass(frozen=True, slots=True)
class Was:
    """Event as it was declared before it became a Record."""

    id: str
    ts: str
    day: str
    metric: str
    delta: int
    note: str | None
    source: str
    cancels: str | None
    about: str | None = None


VALUES = ("e1", "2026-11-27T09:15:00.000000+00:00", "2026-11-27", "calls", 2, "Acme", "cli", None)


def test_an_event_is_what_the_dataclass_was() -> None:
    event, was = Event(*VALUES), Was(*VALUES)
    assert repr(event) == repr(was).replace("Was(", "Event(", 1)
    assert hash(event) == hash(was)
    assert event == Event(*VALUES) and event != Event(*VALUES[:-1], "e0")
    assert event != was and event != VALUES and event.values() == dataclasses.astuple(was)
    assert Event(*VALUES, about="e0").about == "e0" and event.about is None
    assert Event(**dataclasses.asdict(was)) == event
    assert len({event, Event(*VALUES), Event(*VALUES, about="e0")}) == 2
    assert Event.__match_args__ == Was.__match_args__ == EVENT_COLUMNS
    match event:
        case Event(_, _, day, metric, delta):
            assert (day, metric, delta) == ("2026-11-27", "calls", 2)
        case _:
            raise AssertionError("no match")
    assert not hasattr(event, "__dict__")
    assert event.local_time.utcoffset() is not None


def test_an_event_cannot_be_changed() -> None:
    event = Event(*VALUES)
    with pytest.raises(AttributeError):
        event.note = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del event.note
    with pytest.raises(AttributeError):
        event.extra = 1  # type: ignore[attr-defined]
    assert event.note == "Acme"


def test_dataclasses_functions_copy_and_pickle_still_take_records() -> None:
    event, was = Event(*VALUES), Was(*VALUES)
    assert dataclasses.is_dataclass(event) and dataclasses.is_dataclass(Event)
    assert [field.name for field in dataclasses.fields(Event)] == list(EVENT_COLUMNS)
    assert dataclasses.asdict(event) == dataclasses.asdict(was)
    assert dataclasses.astuple(event) == dataclasses.astuple(was)
    assert dataclasses.replace(event, note=None) == Event(*VALUES[:5], None, *VALUES[6:])
    assert dataclasses.asdict(CALLS) == {
        "key": "calls", "singular": "call", "letter": "c", "label": "Calls"
    }  # fmt: skip
    for record in (event, CALLS):
        assert copy.copy(record) == record and copy.deepcopy(record) == record
        assert pickle.loads(pickle.dumps(record)) == record


def test_metrics_compare_and_hash_by_their_fields() -> None:
    assert Metric("calls", "call", "c", "Calls") == CALLS
    assert Metric("calls", "call", "c", "Calls!") != CALLS
    assert len(set(METRICS) | {Metric("calls", "call", "c", "Calls")}) == 3
    assert repr(CALLS) == "Metric(key='calls', singular='call', letter='c', label='Calls')"
    with pytest.raises(AttributeError):
        CALLS.label = "Dials"  # type: ignore[misc]


def test_the_event_columns_are_the_table_s(tmp_path: Path) -> None:
    Store(tmp_path / "x.db").close()
    with closing(sqlite3.connect(tmp_path / "x.db")) as conn:
        columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(events)"))
    assert EVENT_COLUMNS == columns == tuple(field.name for field in dataclasses.fields(Was))


def test_new_ids_are_random_version_4_uuids() -> None:
    ids = [new_id() for _ in range(2_000)]
    assert len(set(ids)) == len(ids)
    for each in ids:
        parsed = uuid.UUID(each)
        assert str(parsed) == each
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_quick_tally_loads_no_dataclasses_typing_or_uuid(tmp_path: Path) -> None:
    probe = (
        "import sys; sys.argv = ['salestui', 'log', 'call']\n"
        "from salestui.launch import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    heavy = ('dataclasses', 'inspect', 'typing', 'uuid', 'click', 'platformdirs',\n"
        "             'salestui.domain.periods')\n"
        "    print(' '.join(m for m in heavy if m in sys.modules) or 'none', file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "SALESTUI_DB": str(tmp_path / "x.db")},
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "+1 call\n", "none\n")
