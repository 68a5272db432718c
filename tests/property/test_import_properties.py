"""Properties of export and import: whatever text a note or a source holds, a CSV or
JSON export reads back exactly, and no CSV cell a spreadsheet would run is left bare."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salestui.store import Store
from salestui.store.portable import export_events, import_file
from tests.conftest import event_rows

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any text a database can hold: no NUL, no lone surrogate (neither is valid in a file).
characters = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
risky_start = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'", "''", "\r\n", "-1"])
texts = st.builds(lambda first, rest: first + rest, risky_start, st.text(characters, max_size=40))
notes = st.one_of(st.none(), texts)
sources = texts.filter(lambda text: 0 < len(text) <= 100)
tallies = st.lists(
    st.tuples(
        st.sampled_from(["calls", "meetings", "sales"]),
        st.integers(min_value=1, max_value=10_000),
        notes,
        sources,
    ),
    min_size=1,
    max_size=6,
)

RUNNING_AS_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@SETTINGS
@given(tallies, st.sampled_from(["csv", "json"]))
def test_every_note_and_source_reads_back_exactly(
    logged: list[tuple[str, int, str | None, str]], fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        here, there = Path(folder) / "here.db", Path(folder) / "there.db"
        with Store(here) as store, Store(there) as other:
            for metric, delta, note, source in logged:
                store.log(metric, delta, note=note, source=source)
            out = io.StringIO()
            export_events(store, out, fmt)  # type: ignore[arg-type]
            exported = Path(folder) / f"export.{fmt}"
            exported.write_text(out.getvalue(), encoding="utf-8", newline="")
            result = import_file(other, exported)
            assert result.added == len(logged)
        assert event_rows(there) == event_rows(here)


@SETTINGS
@given(tallies)
def test_no_csv_text_cell_starts_like_a_formula(
    logged: list[tuple[str, int, str | None, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "db") as store:
        for metric, delta, note, source in logged:
            store.log(metric, delta, note=note, source=source)
        out = io.StringIO()
        export_events(store, out, "csv")
        for row in csv.DictReader(io.StringIO(out.getvalue(), newline="")):
            for name in ("note", "source"):
                assert not row[name].startswith(RUNNING_AS_FORMULA), row[name]
            assert int(row["delta"]) > 0  # numbers stay numbers
