"""`metric add` and `funnel define` with any arguments: exit 0 or 2, never a traceback, at
most one stderr line, and a refusal writes nothing (the export, settings included, is the
same before and after). What is accepted then works: the metric can be logged, the
funnel shown with its stages as JSON keys.

Each example starts from a copy of one small database (emails on e, a funnel `mine`),
so what one example adds never crowds out the next (Today holds at most 8 metrics).
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from salestui.cli import main
from tests.conftest import FakeClock, local

CLOCK = FakeClock(local("2026-11-27T10:42:00"))

PROPERTY = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any code point, surrogates (non-UTF-8 argv bytes) and control characters included.
any_text = st.text(st.characters(exclude_categories=()), max_size=34)
names_in_use = st.sampled_from(
    ["calls", "call", "c", "emails", "email", "e", "meetings", "sales", "mine", "sales "]
)
edges = st.sampled_from(["", " ", "-", "--", "-h", "--help", "\x1b[2J", "\udcff", "a" * 31])
metric_keys = st.one_of(
    any_text, names_in_use, edges, st.from_regex(r"[a-z][a-z0-9_]{0,31}", fullmatch=True)
)
letters = st.one_of(
    st.none(),
    st.sampled_from([*"abcdefghijklmnopqrstuvwxyz", *"ACEZ0159", "ab", "", " ", "é"]),
    any_text,
)
words = st.one_of(st.none(), any_text, names_in_use, st.text(max_size=40))
hostile_add = st.tuples(metric_keys, letters, words, words)
# Arguments a person would type, so that a good share of examples is accepted and what
# was accepted is checked too.
plausible_add = st.tuples(
    st.from_regex(r"[a-z][a-z0-9_]{1,12}", fullmatch=True),
    st.one_of(st.none(), st.sampled_from("abdfhijklorvwxyz")),
    st.one_of(st.none(), st.from_regex(r"[a-z][a-z ]{0,12}", fullmatch=True)),
    st.one_of(st.none(), st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)),
)

funnel_names = st.one_of(
    any_text, names_in_use, edges, st.from_regex(r"[a-z][a-z0-9_-]{0,31}", fullmatch=True)
)
stages = st.lists(
    st.one_of(names_in_use, st.sampled_from(["meeting", "s", "m", "sale"]), any_text),
    max_size=8,
)
hostile_define = st.tuples(funnel_names, stages)
plausible_define = st.tuples(
    st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True),
    st.lists(
        st.sampled_from(["calls", "meetings", "sales", "emails", "m", "sale", "e"]),
        min_size=1,
        max_size=5,
        unique_by=lambda stage: {"m": "meetings", "sale": "sales", "e": "emails"}.get(stage, stage),
    ),
)


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="salestui-metric-prop-") as folder:
        db = Path(folder) / "template.db"
        for argv in (["metric", "add", "emails"], ["funnel", "define", "mine", "emails", "c"]):
            assert salestui(db, *argv)[0] == 0
        yield db


def salestui(db: Path, *argv: str) -> tuple[int, str, str]:
    """Run the CLI on `db`; (exit code, stdout, stderr) through strict UTF-8 streams."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        main(["--db", str(db), *argv], clock=CLOCK)
    out.flush()
    err.flush()
    code = exit_info.value.code
    return (
        code if isinstance(code, int) else -1,
        out.buffer.getvalue().decode(),  # type: ignore[attr-defined]
        err.buffer.getvalue().decode(),  # type: ignore[attr-defined]
    )


def fresh_copy(template: Path, folder: Path) -> Path:
    db = folder / "prop.db"
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, db.with_name(db.name + suffix))
    return db


def exported(db: Path) -> str:
    code, out, err = salestui(db, "export")
    assert code == 0, err
    return out


def checked(db: Path, *argv: str) -> tuple[int, str, str]:
    """Run `argv` and check what every run must hold; a refusal left the export alone."""
    before = exported(db)
    result = salestui(db, *argv)
    code, out, err = result
    assert code in (0, 2), result
    assert "Traceback" not in err and "unexpected error" not in err, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert out == ""
    if code == 2 or out.startswith("Usage:"):
        assert exported(db) == before
    event("refused" if code == 2 else "help" if out.startswith("Usage:") else "accepted")
    return result


@PROPERTY
@given(arguments=st.one_of(plausible_add, hostile_add))
def test_metric_add_any_arguments(
    template: Path, arguments: tuple[str, str | None, str | None, str | None]
) -> None:
    key, letter, singular, label = arguments
    argv = ["metric", "add", key]
    for option, value in (("--letter", letter), ("--singular", singular), ("--label", label)):
        if value is not None:
            argv += [option, value]
    with tempfile.TemporaryDirectory() as folder:
        db = fresh_copy(template, Path(folder))
        code, out, _err = checked(db, *argv)
        if code != 0 or out.startswith("Usage:"):
            return
        listed = json.loads(salestui(db, "metric", "list", "--json")[1])["metrics"]
        added = listed[-1]
        assert added["key"] == key.strip() and added["hidden"] is False
        assert len(listed) == 5
        if letter is not None:
            assert added["letter"] == letter.strip()
        # Each of its names logs it, and only it.
        for name in (added["key"], added["singular"], added["letter"]):
            logged = salestui(db, "log", "--", name, "2")
            assert logged[0] == 0, (name, logged)
        counts = json.loads(salestui(db, "today", "--json")[1])["counts"]
        assert counts[added["key"]] == 6
        assert counts["emails"] == counts["calls"] == 0


@PROPERTY
@given(arguments=st.one_of(plausible_define, hostile_define))
def test_funnel_define_any_arguments(template: Path, arguments: tuple[str, list[str]]) -> None:
    name, chosen = arguments
    with tempfile.TemporaryDirectory() as folder:
        db = fresh_copy(template, Path(folder))
        code, out, _err = checked(db, "funnel", "define", name, *chosen)
        if code != 0 or out.startswith("Usage:"):
            return
        funnels = json.loads(salestui(db, "funnel", "list", "--json")[1])["funnels"]
        defined = funnels[-1]
        assert defined["active"] is False and 2 <= len(defined["stages"]) <= 6
        shown = salestui(db, "funnel", "--name", defined["name"], "--json")
        assert shown[0] == 0, shown
        assert list(json.loads(shown[1])["counts"]) == defined["stages"]
