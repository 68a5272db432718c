"""Hostile metric names in import files: whatever a file names a metric, an import either
takes a name of the stored shape or refuses the whole file with one line naming the record
and what is accepted, and writes nothing."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salestui.cli import main
from salestui.domain.metrics import METRIC_KEY
from salestui.store import Store
from salestui.store.events import EVENT_COLUMNS, new_id
from salestui.store.portable import ImportRefused, import_file
from tests.conftest import event_rows

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    "",
    "x" * 10_000,
    "Calls",
    "EMAILS",
    "emails\n",
    "e\x1b[2Jmails",
    "emails\x00",
    "__proto__",
    "calls'; DROP TABLE events; --",
    "calls OR 1=1",
    "саlls",  # Cyrillic а
    "ｃａｌｌｓ",  # fullwidth
    "calls\u200b",  # zero-width space
    "e",
    " calls",
    "1calls",
    "emails-sent",
]


def tally(metric: object) -> dict[str, object]:
    return {
        "id": new_id(),
        "ts": "2026-11-27T09:00:00.000000+00:00",
        "day": "2026-11-27",
        "metric": metric,
        "delta": 1,
        "note": None,
        "source": "cli",
        "cancels": None,
        "about": None,
    }


def write_file(path: Path, events: list[dict[str, object]], fmt: str) -> Path:
    if fmt == "json":
        path.write_text(
            json.dumps({"format": "salestui-export", "version": 1, "events": events}),
            encoding="utf-8",
        )
        return path
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EVENT_COLUMNS)
    for item in events:
        writer.writerow(["" if item[c] is None else item[c] for c in EVENT_COLUMNS])
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def cli(db: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), *argv])
    captured = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_hostile_metric_name_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, fmt: str
) -> None:
    db = tmp_path / "salestui.db"
    with Store(db) as store:
        store.log("calls")
    before = event_rows(db)
    path = write_file(tmp_path / f"bad.{fmt}", [tally("calls"), tally(name)], fmt)
    code, out, err = cli(db, "import", "--add-metrics", str(path), capsys=capsys)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    line = lines[0]
    if fmt == "json":
        assert "record 2 (line 1): " in line
    elif "\n" not in name and "\x00" not in name:
        assert "line 3: " in line
    assert "metric" in line and len(line) < 400
    if "\x00" not in name:  # a NUL is refused as "not a text export", before any record
        assert "lowercase plural name" in line or "malformed" in line, line
    assert "\x1b" not in line and "\x00" not in line
    assert event_rows(db) == before


def test_a_non_text_metric_is_refused(tmp_path: Path) -> None:
    for value in (None, 5, ["calls"], {"calls": 1}, True):
        with Store(tmp_path / "a.db") as store:
            path = write_file(tmp_path / "bad.json", [tally(value)], "json")
            with pytest.raises(ImportRefused, match=r"record 1 \(line 1\): unknown metric"):
                import_file(store, path, add_metrics=True)
            assert store.is_empty()


def test_more_metric_names_than_a_file_may_count_is_refused(tmp_path: Path) -> None:
    names = [f"metric_{n:03d}" for n in range(250)]
    path = write_file(tmp_path / "many.csv", [tally(name) for name in names], "csv")
    with Store(tmp_path / "a.db") as store:
        with pytest.raises(ImportRefused, match="a file may count at most 200 different"):
            import_file(store, path, add_metrics=True)
        assert store.is_empty() and store.settings_like("metric.") == {}


@SETTINGS
@given(st.text(max_size=40), st.sampled_from(["json", "csv"]))
def test_any_name_is_taken_whole_or_refused_whole(name: str, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "salestui.db"
        with Store(db) as store:
            store.log("meetings")
            before = event_rows(db)
            path = write_file(Path(folder) / f"f.{fmt}", [tally("calls"), tally(name)], fmt)
            try:
                result = import_file(store, path, add_metrics=True)
            except ImportRefused as refused:
                assert "\n" not in str(refused) or "\n" in name
                assert event_rows(db) == before
                assert set(store.catalog().entries) == set(store.catalog().builtin().entries)
            else:
                assert METRIC_KEY.fullmatch(name), name
                assert result.added == 2
                assert any(entry.key == name for entry in store.catalog().entries)
