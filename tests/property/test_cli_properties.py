"""Every CLI argument, any text: exit 0, 1 or 2, at most one stderr line, never a traceback.

The commands run in-process (`salestui.cli.main`) with a fixed clock. Output goes to
strict UTF-8 streams, as a real terminal's would, so text that cannot be written fails
here as it would for a user.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salestui.cli import main
from tests.conftest import FakeClock, local

CLOCK = FakeClock(local("2026-11-27T10:42:00"))

# Any code point, surrogates (non-UTF-8 argv bytes) and control characters included.
any_text = st.text(st.characters(exclude_categories=()), max_size=24)
big_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**15, max_value=10**40),
    st.integers(min_value=-(10**40), max_value=-1),
).map(str)
edges = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-0",
        "+1",
        "1e3",
        "NaN",
        "inf",
        "10000",
        "10001",
        "9223372036854775807",
        "9" * 5000,
        "0001-01-01",
        "0000-00-00",
        "9999-12-31",
        "1900-01-01",
        "\udcff\udcfe",
        "\x00",
        "\x1b[2J",
        "--help",
        "-h",
        "--",
        "-",
    ]
)
years = st.integers(min_value=0, max_value=10_000)
dates = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", years, st.integers(0, 13), st.integers(0, 32)
)
offsets = st.sampled_from(["", "Z", "+05:00", "-05:00", "+23:59", "-23:59", "+24:00", "+00:00"])
datetimes = st.builds(
    lambda day, h, mi, off: f"{day}T{h:02d}:{mi:02d}{off}",
    dates,
    st.integers(0, 25),
    st.integers(0, 61),
    offsets,
)
days_periods = st.builds(lambda n: f"{n}d", st.integers(min_value=-5, max_value=10**12))
months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", years, st.integers(0, 13))
spans = st.builds(lambda a, b: f"{a}..{b}", dates, dates)
named_periods = st.sampled_from(["today", "week", "month", "quarter", "year", "all", "ALL "])

hostile = st.one_of(any_text, big_numbers, edges)
when_text = st.one_of(hostile, dates, datetimes)
period_text = st.one_of(hostile, days_periods, months, spans, named_periods)
rate_text = st.one_of(
    hostile,
    st.builds(
        lambda stage, value: f"{stage}={value}",
        st.sampled_from(["meetings", "sales", "calls", "x", ""]),
        st.one_of(hostile, st.sampled_from(["15%", "1/3", "0.5", "1/0", "0/0", "1e308", "-1%"])),
    ),
)

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="salestui-prop-") as folder:
        yield Path(folder)


def salestui(workdir: Path, *argv: str) -> tuple[int, str, str]:
    """Run the CLI on a database in `workdir`; (exit code, stdout, stderr)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        main(["--db", str(workdir / "prop.db"), *argv], clock=CLOCK)
    out.flush()
    err.flush()
    code = exit_info.value.code
    return (
        code if isinstance(code, int) else -1,
        out.buffer.getvalue().decode(),  # type: ignore[attr-defined]
        err.buffer.getvalue().decode(),  # type: ignore[attr-defined]
    )


def check(result: tuple[int, str, str]) -> None:
    code, _, err = result
    assert code in (0, 1, 2), result
    assert "Traceback" not in err and "unexpected error" not in err, err
    if code != 0:
        assert len(err.strip().splitlines()) == 1, err
    assert "\x1b" not in err and "\x07" not in err


@PROPERTY
@given(metric=st.one_of(hostile, st.sampled_from(["call", "m", "sales"])), count=hostile)
def test_log_metric_and_count(workdir: Path, metric: str, count: str) -> None:
    check(salestui(workdir, "log", metric, count))


@PROPERTY
@given(at=when_text, note=st.one_of(st.none(), hostile))
def test_log_at_and_note(workdir: Path, at: str, note: str | None) -> None:
    argv = ["log", "call", "--at", at]
    if note is not None:
        argv += ["--note", note]
    check(salestui(workdir, *argv))


@PROPERTY
@given(period=period_text, as_json=st.booleans())
def test_funnel_period(workdir: Path, period: str, as_json: bool) -> None:
    check(salestui(workdir, "funnel", "--period", period, *(["--json"] if as_json else [])))


@PROPERTY
@given(period=period_text, output=st.sampled_from(["text", "markdown", "json"]))
def test_report_period(workdir: Path, period: str, output: str) -> None:
    check(salestui(workdir, "report", "--period", period, "--format", output))


@PROPERTY
@given(
    target=st.one_of(st.none(), hostile, st.integers(1, 10**9).map(str)),
    month=st.one_of(st.none(), hostile, months),
    rates=st.lists(rate_text, max_size=3),
    working_days=st.one_of(st.none(), hostile, st.integers(-3, 40).map(str)),
)
def test_plan_arguments(
    workdir: Path,
    target: str | None,
    month: str | None,
    rates: list[str],
    working_days: str | None,
) -> None:
    argv = ["plan"]
    if target is not None:
        argv += ["--target", target]
    if month is not None:
        argv += ["--month", month]
    for assignment in rates:
        argv += ["--rate", assignment]
    if working_days is not None:
        argv += ["--working-days", working_days]
    check(salestui(workdir, *argv, "--json"))
    check(salestui(workdir, *argv))


@PROPERTY
@given(extra=st.lists(hostile, max_size=2))
def test_today_and_undo(workdir: Path, extra: list[str]) -> None:
    check(salestui(workdir, "today", *extra))
    check(salestui(workdir, "undo", *extra))


@PROPERTY
@given(name=any_text)
def test_db_option(workdir: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading commands only, from inside the work folder: nothing may be created anywhere.
    monkeypatch.chdir(workdir)
    before = sorted(os.listdir(workdir))
    for argv in (["where"], ["today"], ["undo"]):
        with (
            redirect_stdout(io.StringIO()),
            redirect_stderr(io.StringIO()) as err,
            pytest.raises(SystemExit) as exit_info,
        ):
            main(["--db", name, *argv], clock=CLOCK)
        code = exit_info.value.code
        assert code in (0, 1, 2), err.getvalue()
        assert "unexpected error" not in err.getvalue()
    assert sorted(os.listdir(workdir)) == before
