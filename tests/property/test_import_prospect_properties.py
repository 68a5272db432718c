"""Properties of importing prospects, touches and time: any bad value in any field is
refused (exit 2, one line, nothing written), and any prospects and time the app can
record read back exactly through an export (JSON, or one CSV per kind) into an empty
database."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from salestui.cli import main
from salestui.domain.prospects import SOURCES, check_name
from salestui.store import Store
from salestui.store.events import new_id
from salestui.store.portable import export_events, import_file
from salestui.store.prospects import add_prospect, change_prospect
from salestui.store.timers import log_time, start_timer, stop_timers
from tests.conftest import FakeClock, local

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TS = "2026-11-27T09:00:00.000000+00:00"
DAY = "2026-11-27"
PROSPECT = "3f2b8c1e-5a7d-4e8f-9b0c-1d2e3f4a5b6c"
CLOCK = FakeClock(local("2026-11-27T12:00:00"))


def good_records() -> dict[str, dict[str, Any]]:
    change = {
        "id": new_id(),
        "ts": TS,
        "day": DAY,
        "prospect": PROSPECT,
        "field": "name",
        "value": "Acme",
        "source": "cli",
    }
    touch = {
        "id": new_id(),
        "ts": TS,
        "prospect": PROSPECT,
        "event": new_id(),
        "event_ts": TS,
        "day": DAY,
        "metric": "calls",
        "source": "cli",
    }
    logged = new_id()
    time = {
        "id": logged,
        "ts": TS,
        "kind": "log",
        "timer": logged,
        "category": "admin",
        "at": "2026-11-27T10:00:00+01:00",
        "day": DAY,
        "minutes": 45,
        "source": "cli",
    }
    return {"prospects": change, "touches": touch, "time": time}


not_text = st.one_of(st.none(), st.integers(), st.booleans(), st.lists(st.integers(), max_size=2))
not_an_id = st.one_of(
    not_text.filter(lambda value: value is not None),
    st.text(max_size=40),
    st.uuids().map(lambda value: str(value).upper()),
)
not_a_ts = st.one_of(
    not_text,
    st.text(max_size=30),
    st.datetimes().map(lambda value: value.isoformat()),  # no offset
)
not_a_day = st.one_of(
    not_text,
    st.text(max_size=12).filter(lambda text: not _is_day(text)),
    st.sampled_from(["2026-02-30", "2026-13-01", "26-11-27", "0999-01-01", "2026-11-27 "]),
)
control = st.sampled_from(["\x00", "\x07", "\x1b", "\n", "\x7f", "\x9b"])
bad_name = st.one_of(
    st.just(""),
    st.just(" "),
    st.integers(201, 400).map(lambda size: "n" * size),
    st.builds(lambda before, ch: before + ch + "x", st.text("ab", max_size=5), control),
    st.text("ab", min_size=1, max_size=5).map(lambda text: f" {text}"),
    not_text.filter(lambda value: value is not None),
)
bad_source = st.one_of(st.none(), st.just(""), st.integers(101, 200).map(lambda n: "s" * n))


def _is_day(text: str) -> bool:
    try:
        return datetime.strptime(text, "%Y-%m-%d").strftime("%Y-%m-%d") == text
    except ValueError:
        return False


BAD: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "prospects": {
        "id": not_an_id,
        "ts": not_a_ts,
        "day": not_a_day,
        "prospect": not_an_id,
        "field": st.text(max_size=12).filter(
            lambda text: text not in ("name", "company", "source", "status", "reason", "follow_up")
        ),
        "value": bad_name,
        "source": bad_source,
    },
    "touches": {
        "id": not_an_id,
        "ts": not_a_ts,
        "prospect": not_an_id,
        "event": not_an_id,
        "event_ts": not_a_ts,
        "day": not_a_day,
        "metric": st.one_of(not_text, st.sampled_from(["", "Calls", "c", "calls!", "x" * 40])),
        "source": bad_source,
    },
    "time": {
        "id": not_an_id,
        "ts": not_a_ts,
        "kind": st.text(max_size=8).filter(lambda text: text not in ("start", "stop", "log")),
        "category": st.one_of(st.none(), st.just(""), st.builds(lambda ch: f"ad{ch}min", control)),
        "at": not_a_ts,
        "day": not_a_day,
        "minutes": st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=1441),
            st.floats(allow_nan=False),
            st.text(max_size=4),
            st.none(),
        ),
        "source": bad_source,
    },
}
# Other fields of a prospect change whose value is bounded by the field.
BAD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "company": bad_name.filter(lambda value: value not in ("",)),
    "source": st.text(max_size=10).filter(lambda text: text not in SOURCES and text != ""),
    "status": st.text(max_size=10).filter(lambda text: text not in ("open", "won", "lost", "")),
    "reason": st.one_of(st.integers(501, 900).map(lambda n: "r" * n), st.just("a\x00b")),
    "follow_up": not_a_day.filter(lambda value: value not in (None, "")),
}


@st.composite
def one_bad_record(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    kind = draw(st.sampled_from(sorted(BAD)))
    record = good_records()[kind]
    column = draw(st.sampled_from(sorted(BAD[kind])))
    if kind == "prospects" and column == "value":
        field = draw(st.sampled_from(["name", *sorted(BAD_VALUES)]))
        record["field"] = field
        record["value"] = draw(bad_name if field == "name" else BAD_VALUES[field])
    else:
        record[column] = draw(BAD[kind][column])
    if kind == "time" and column == "id":
        record["timer"] = record["id"]
    return kind, record, column


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


@SETTINGS
@given(one_bad_record())
def test_any_bad_field_is_refused_with_exit_2_and_nothing_written(
    bad: tuple[str, dict[str, Any], str],
) -> None:
    kind, record, column = bad
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "salestui.db"
        with Store(db):
            pass
        lists: dict[str, list[dict[str, Any]]] = {"prospects": [], "touches": [], "time": []}
        good = good_records()
        lists["prospects"].append(good["prospects"])  # the touch's prospect
        lists[kind].append(record)
        path = Path(folder) / "x.json"
        path.write_text(
            json.dumps({"format": "salestui-export", "version": 1, "events": [], **lists})
        )
        err, out = io.StringIO(), io.StringIO()
        code: object = None
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                main(["--db", str(db), "import", str(path)], clock=CLOCK)
            except SystemExit as exit_info:
                code = exit_info.code
        assert code == 2, (column, record, out.getvalue(), err.getvalue())
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and "nothing was imported" in lines[0], lines
        for table in ("prospect_changes", "touches", "time_changes", "prospects"):
            assert rows(db, f"SELECT count(*) FROM {table}") == [(0,)]


characters = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
risky = st.sampled_from(["", "=", "+", "-", "@", "'", "''"])
names = st.builds(
    lambda first, rest: first + rest, risky, st.text(characters, min_size=1, max_size=20)
).filter(lambda text: _name_ok(text))
reasons = st.one_of(
    st.none(),
    st.builds(lambda first, rest: first + rest, risky, st.text(characters, max_size=40)),
)


def _name_ok(text: str) -> bool:
    try:
        return check_name(text) == text
    except ValueError:
        return False


prospect_plans = st.lists(
    st.tuples(
        names,
        st.one_of(st.none(), names),
        st.sampled_from(SOURCES),
        st.sampled_from(["open", "won", "lost"]),
        reasons,
        st.one_of(st.none(), st.integers(0, 30)),  # follow-up in N days
        st.lists(st.sampled_from(["calls", "meetings", "sales"]), max_size=3),  # touches
        st.booleans(),  # undo the last linked tally
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda plan: plan[0].casefold(),
)
time_plans = st.lists(
    st.tuples(
        st.sampled_from(["admin", "reports", "internal", "travel", "training", "selling"]),
        st.integers(1, 1440),
        st.booleans(),  # a timer (start and stop) rather than a log
    ),
    max_size=4,
)


def _record(store: Store, clock: FakeClock, prospects: list[Any], stretches: list[Any]) -> None:
    for name, company, source, status, reason, follow_up, touches, undo in prospects:
        clock.advance(minutes=1)
        prospect = add_prospect(store, name, company=company, source=source)
        for metric in touches:
            clock.advance(seconds=7)
            store.log(metric, at=clock.now, prospect=prospect.id)
        if undo and touches:
            store.undo()
        changes: dict[str, str | None] = {"status": status}
        if status == "lost":
            changes["reason"] = reason
        if follow_up is not None:
            changes["follow_up"] = (clock.now.date() + timedelta(days=follow_up)).isoformat()
        change_prospect(store, prospect.id, changes)
    for category, minutes, timer in stretches:
        clock.advance(minutes=3)
        if timer:
            start_timer(store, category)
            clock.advance(minutes=minutes % 50 + 1)
            stop_timers(store)
        else:
            log_time(store, category, clock.now - timedelta(hours=30), minutes)


@SETTINGS
@given(prospect_plans, time_plans, st.sampled_from(["json", "csv"]))
def test_what_the_app_records_reads_back_exactly(
    prospects: list[Any], stretches: list[Any], fmt: str
) -> None:
    assume(len({plan[0].casefold() for plan in prospects}) == len(prospects))
    with tempfile.TemporaryDirectory() as folder:
        here, there = Path(folder) / "here.db", Path(folder) / "there.db"
        clock = FakeClock(local("2026-11-27T08:00:00"))
        with Store(here, clock=clock) as store, Store(there) as other:
            _record(store, clock, prospects, stretches)
            whats = ["prospects", "touches", "time", "events"] if fmt == "csv" else ["events"]
            for what in whats:
                out = io.StringIO()
                export_events(store, out, fmt, what=what)  # type: ignore[arg-type]
                path = Path(folder) / f"{what}.{fmt}"
                path.write_text(out.getvalue(), encoding="utf-8", newline="")
                import_file(other, path)
        for sql in (
            "SELECT * FROM prospects ORDER BY id",
            "SELECT * FROM prospect_changes ORDER BY id",
            "SELECT * FROM touches ORDER BY id",
            "SELECT * FROM time_changes ORDER BY id",
        ):
            assert rows(there, sql) == rows(here, sql), sql
