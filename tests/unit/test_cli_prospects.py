"""`salestui prospect …`, `due` and `log … --prospect` (DESIGN: "Prospects, follow-ups and
the sales cycle"): every command, the contract's JSON, one-line refusals that write
nothing, and the quick path (no click) printing byte for byte what click prints."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from salestui import quick_log
from salestui.cli import main as cli_main
from tests.conftest import FakeClock, local
from tests.unit.conftest import Result

Run = Callable[..., Result]


def one_line_error(result: Result) -> str:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def dump(db: Path) -> list[object]:
    """Everything a command could write (nothing when the file does not exist)."""
    if not db.exists():
        return ["missing"]
    with closing(sqlite3.connect(db)) as conn:
        return [
            list(conn.execute(f"SELECT * FROM {table} ORDER BY rowid"))
            for table in ("events", "prospect_changes", "touches", "setting_changes")
        ]


def prospects(run: Run, *flags: str) -> list[dict[str, object]]:
    result = run("prospect", "list", "--json", *flags)
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert list(payload) == ["prospects"]
    return payload["prospects"]  # type: ignore[no-any-return]


@pytest.fixture
def people(run: Run) -> Run:
    for argv in (
        ("prospect", "add", "Dana Ng", "--company", "Acme", "--source", "referral"),
        ("prospect", "add", "Dan Brown"),
        ("prospect", "add", "Globex", "--source", "inbound"),
    ):
        result = run(*argv)
        assert result.code == 0, result.err
    return run


def test_add_prints_the_id_and_list_gives_the_contract(people: Run) -> None:
    result = people("prospect", "add", "Initech")
    assert result.code == 0
    listed = prospects(people)
    assert [p["name"] for p in listed] == ["Dan Brown", "Dana Ng", "Globex", "Initech"]
    assert listed[3]["id"] == result.out.strip()
    assert listed[1] == {
        "id": listed[1]["id"],
        "name": "Dana Ng",
        "company": "Acme",
        "source": "referral",
        "status": "open",
        "touches": 0,
        "first_touch": None,
        "last_touch": None,
        "follow_up": None,
    }


def test_a_touch_and_a_follow_up_show_in_the_list(people: Run, clock: FakeClock) -> None:
    assert people("log", "meeting", "--prospect", "dana").out == "+1 meeting for Dana Ng\n"
    assert people("log", "calls", "2", "--prospect", "GLOBEX").out == "+2 calls for Globex\n"
    assert people("prospect", "follow-up", "dana", "--on", "2026-11-27").code == 0
    assert people("prospect", "follow-up", "glob", "--on", "+1w").code == 0
    clock.advance(days=3)
    text = people("prospect", "list").out.splitlines()
    assert text[0].split() == ["name", "company", "source", "status", "touches", "last",
                               "touch", "follow-up"]  # fmt: skip
    dana = next(line for line in text if line.startswith("Dana Ng"))
    assert "2026-11-27 ! 3d overdue" in dana and "2026-11-27" in dana
    listed = {p["name"]: p for p in prospects(people)}
    assert listed["Dana Ng"]["touches"] == 1 and listed["Dana Ng"]["last_touch"] == "2026-11-27"
    assert listed["Globex"]["touches"] == 1  # one tally of 2: one touch
    assert listed["Globex"]["follow_up"] == "2026-12-04"


def test_won_lost_reopen_and_list_filters(people: Run) -> None:
    assert people("prospect", "won", "dana").out == "Dana Ng: won.\n"
    assert people("prospect", "lost", "glob", "--reason", "budget").code == 0
    assert [p["name"] for p in prospects(people)] == ["Dan Brown"]
    assert [p["name"] for p in prospects(people, "--won")] == ["Dana Ng"]
    assert [p["status"] for p in prospects(people, "--all")] == ["open", "won", "lost"]
    assert people("prospect", "reopen", "glob").code == 0
    assert [p["name"] for p in prospects(people)] == ["Dan Brown", "Globex"]


def test_done_clears_the_follow_up(people: Run) -> None:
    people("prospect", "follow-up", "glob", "--on", "today")
    assert people("due").out != ""
    assert people("prospect", "done", "glob").out == "Globex: follow-up cleared.\n"
    assert people("due").out == ""
    assert people("prospect", "done", "glob").out == "Globex: no follow-up was set.\n"


def test_rename_and_show_keep_the_old_name(people: Run, clock: FakeClock) -> None:
    people("log", "call", "--prospect", "glob", "--note", "first call")
    clock.advance(minutes=5)
    assert people("prospect", "rename", "glob", "Globex Corp").code == 0
    shown = json.loads(people("prospect", "show", "globex c", "--json").out)
    assert shown["name"] == "Globex Corp"
    assert [c["value"] for c in shown["history"] if c["field"] == "name"] == [
        "Globex",
        "Globex Corp",
    ]
    assert [(t["metric"], t["note"]) for t in shown["timeline"]] == [("calls", "first call")]
    text = people("prospect", "show", "globex").out
    assert "formerly   Globex" in text and "+1 call  first call" in text


def test_edit_changes_company_and_source(people: Run) -> None:
    assert (
        people("prospect", "edit", "glob", "--company", "Globex Inc", "--source", "event").code == 0
    )
    listed = {p["name"]: p for p in prospects(people)}
    assert (listed["Globex"]["company"], listed["Globex"]["source"]) == ("Globex Inc", "event")
    assert "nothing to change" in one_line_error(people("prospect", "edit", "glob"))


def test_stats_json_by_hand(run: Run, clock: FakeClock) -> None:
    clock.now = local("2026-11-02T09:00:00")
    for name, source in (("A", "referral"), ("B", "referral"), ("C", "cold"), ("D", "cold")):
        assert run("prospect", "add", name, "--source", source).code == 0
    run("log", "call", "--prospect", "a")
    run("log", "call", "--prospect", "c")
    clock.now = local("2026-11-05T09:00:00")
    run("log", "meeting", "--prospect", "a")
    clock.now = local("2026-11-12T09:00:00")
    run("prospect", "won", "a")  # 10 days, 2 touches
    clock.now = local("2026-11-22T09:00:00")
    run("prospect", "won", "c")  # 20 days, 1 touch
    run("prospect", "lost", "d")
    clock.now = local("2026-11-27T09:00:00")
    payload = json.loads(run("prospect", "stats", "--json").out)
    assert (payload["won"], payload["lost"]) == (2, 1)
    assert payload["cycle_days"] == {"median": 15, "p25": 12.5, "p75": 17.5}
    assert payload["touches_to_win"]["median"] == 1.5
    assert payload["by_source"]["referral"] == {
        "prospects": 1,
        "won": 1,
        "win_rate": 1.0,
        "cycle_days": {"median": 10, "p25": 10, "p75": 10},
    }
    assert payload["by_source"]["cold"]["win_rate"] == 0.5
    assert payload["by_source"]["event"]["win_rate"] is None
    assert payload["referrals"] == [
        {"month": "2026-11", "received": 2, "won": 1, "lost": 0, "win_rate": 1.0}
    ]
    assert payload["stalled"] == 1  # B: added on the 2nd, never touched
    assert json.loads(run("prospect", "stats", "--period", "2026-10", "--json").out)["won"] == 0
    assert run("prospect", "stalled-after", "30").code == 0
    assert json.loads(run("prospect", "stats", "--json").out)["stalled"] == 0
    text = run("prospect", "stats").out
    assert "Won 2, lost 1" in text and "median 15 days" in text


def test_the_follow_up_rule(people: Run) -> None:
    assert people("prospect", "follow-up-rule", "meetings", "3").code == 0
    # Friday 27 Nov + 3 working days: Wednesday 2 Dec.
    out = people("log", "meeting", "--prospect", "dana").out
    assert out == "+1 meeting for Dana Ng; follow-up 2026-12-02\n"
    assert people("log", "call", "--prospect", "dana").out == "+1 call for Dana Ng\n"
    assert people("prospect", "follow-up-rule", "m", "off").code == 0
    assert people("log", "meeting", "--prospect", "glob").out == "+1 meeting for Globex\n"
    assert "working days" in one_line_error(people("prospect", "follow-up-rule", "calls", "x"))
    assert "unknown" in one_line_error(people("prospect", "follow-up-rule", "nope", "3"))


# -- due ---------------------------------------------------------------------------------------


def test_due_is_silent_when_nothing_is_due(run: Run, db_path: Path) -> None:
    assert run("due") == Result(0, "", "")
    assert run("due", "--json") == Result(0, '{"due": []}\n', "")
    assert not db_path.exists()
    run("prospect", "add", "Acme")
    assert run("due") == Result(0, "", "")


def test_due_lists_today_and_overdue(people: Run, clock: FakeClock) -> None:
    people("log", "call", "--prospect", "dana")
    people("prospect", "follow-up", "dana", "--on", "today")
    people("prospect", "follow-up", "glob", "--on", "tomorrow")
    people("prospect", "follow-up", "dan b", "--on", "+3d")
    clock.advance(days=1)
    assert people("due").out == (
        "2026-11-27  Dana Ng (Acme): 1 day overdue, last touch 2026-11-27\n"
        "2026-11-28  Globex: due today, no touch\n"
    )
    dana = {"prospect": "Dana Ng", "on": "2026-11-27", "days_overdue": 1}
    globex = {"prospect": "Globex", "on": "2026-11-28", "days_overdue": 0}
    assert json.loads(people("due", "--json").out) == {
        "due": [{**dana, "last_touch": "2026-11-27"}, {**globex, "last_touch": None}]
    }


# -- bad input: one line, exit 2, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("prospect", "add", ""), "empty"),
        (("prospect", "add", "x" * 10_000), "at most 200"),
        (("prospect", "add", "dana ng"), "exists already"),
        (("prospect", "add", "Zed", "--source", "cousin"), "unknown source"),
        (("prospect", "won", "dan"), "matches 2 prospects"),
        (("prospect", "won", "Danna Ng"), "did you mean Dana Ng"),
        (("prospect", "won", "lost one"), "reopen"),
        (("prospect", "lost", "won one"), "prospect reopen"),
        (("prospect", "won", "won one"), "won already"),
        (("prospect", "reopen", "glob"), "open already"),
        (("prospect", "follow-up", "glob", "--on", "2026-11-26"), "in the past"),
        (("prospect", "follow-up", "glob", "--on", "someday"), "+Nd"),
        (("prospect", "follow-up", "won one", "--on", "+1d"), "reopen"),
        (("prospect", "rename", "glob", ""), "empty"),
        (("prospect", "rename", "glob", "Dana NG"), "exists already"),
        (("prospect", "lost", "glob", "--reason", "x" * 600), "at most 500"),
        (("log", "call", "--prospect", "nobody"), "no prospect named 'nobody'"),
        (("log", "call", "--prospect", "Globx"), "did you mean Globex"),
        (("log", "call", "--prospect", "dan"), "matches 2"),
        (("log", "nope", "--prospect", "glob"), "unknown metric"),
        (("prospect", "stats", "--period", "soon"), "period"),
        (("prospect", "stalled-after", "0"), "from 1"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    people: Run, db_path: Path, argv: tuple[str, ...], words: str
) -> None:
    people("prospect", "add", "Won One")
    people("prospect", "won", "won one")
    people("prospect", "add", "Lost One")
    people("prospect", "lost", "lost one")
    before = dump(db_path)
    assert words.lower() in one_line_error(people(*argv)).lower()
    assert dump(db_path) == before


def test_a_missing_database_stays_missing(run: Run, db_path: Path) -> None:
    assert "no prospect named" in one_line_error(run("log", "call", "--prospect", "acme"))
    assert "no prospect named" in one_line_error(run("prospect", "won", "acme"))
    assert "empty" in one_line_error(run("prospect", "add", " "))
    assert run("prospect", "list").code == 0
    assert run("prospect", "stats", "--json").code == 0
    assert not db_path.exists()


# -- the quick path ------------------------------------------------------------------------------

QUICK = [
    ["log", "call", "--prospect", "dana"],
    ["log", "meetings", "2", "--prospect", "Globex"],
    ["log", "--prospect", "glob", "c"],
    ["log", "call", "--prospect=dana ng"],
    ["--db", "{db}", "log", "m", "--prospect", "dana"],
    ["due"],
    ["due", "--json"],
    ["--db={db}", "due"],
]
NOT_QUICK = [
    ["log", "call", "--prospect"],
    ["log", "call", "--prospect", ""],
    ["log", "call", "--prospect", "-x"],
    ["log", "call", "--prospect", "a", "--prospect", "b"],
    ["log", "call", "--prospect", "dana", "--note", "x"],
    ["log", "call", "0", "--prospect", "dana"],
    ["log", "call", "--prospect", "nobody"],
    ["log", "call", "--prospect", "dan"],
    ["log", "nope", "--prospect", "dana"],
    ["due", "--help"],
    ["due", "x"],
    ["due", "--json", "--json"],
]


def seed(db: Path, clock: FakeClock, follow_up: bool) -> None:
    for argv in (
        ["prospect", "add", "Dana Ng", "--company", "Acme"],
        ["prospect", "add", "Dan Brown"],
        ["prospect", "add", "Globex"],
        ["prospect", "follow-up-rule", "meetings", "3"],
    ):
        with pytest.raises(SystemExit) as done:
            cli_main(["--db", str(db), *argv], clock=clock)
        assert done.value.code == 0
    if follow_up:
        for name in ("dana", "dan b"):
            with pytest.raises(SystemExit):
                cli_main(
                    ["--db", str(db), "prospect", "follow-up", name, "--on", "today"], clock=clock
                )


def without_ids(db: Path) -> list[object]:
    with closing(sqlite3.connect(db)) as conn:
        return [
            list(conn.execute(sql))
            for sql in (
                "SELECT ts, day, metric, delta, note, source FROM events ORDER BY rowid",
                "SELECT ts, day, field, value, source FROM prospect_changes ORDER BY rowid",
                "SELECT ts, event_ts, day, metric, source FROM touches ORDER BY rowid",
                "SELECT name, company, status, follow_up, touches FROM prospects ORDER BY name",
            )
        ]


@pytest.mark.parametrize("argv", QUICK, ids=" ".join)
@pytest.mark.parametrize("follow_up", [False, True], ids=["none due", "due"])
def test_the_quick_path_prints_and_records_what_click_does(
    argv: list[str],
    follow_up: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcomes = []
    for name in ("quick", "click"):
        db = tmp_path / f"{name}.db"
        clock = FakeClock(local("2026-11-27T10:30:00"))
        seed(db, clock, follow_up)
        capsys.readouterr()
        monkeypatch.setenv("SALESTUI_DB", str(db))
        args = [arg.format(db=db) for arg in argv]
        clock.advance(days=1)
        if name == "quick":
            code = quick_log.run(args, clock=clock)
        else:
            with pytest.raises(SystemExit) as exit_info:
                cli_main(args, clock=clock)
            code = exit_info.value.code
        captured = capsys.readouterr()
        outcomes.append((code, captured.out, captured.err, without_ids(db)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 0
    if follow_up and argv[-1] == "due":
        assert "Dana Ng (Acme): 1 day overdue" in outcomes[0][1]


@pytest.mark.parametrize("argv", NOT_QUICK, ids=repr)
def test_anything_else_is_left_to_click(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "x.db"
    seed(db, FakeClock(local("2026-11-27T10:30:00")), False)
    before = dump(db)
    monkeypatch.setenv("SALESTUI_DB", str(db))
    assert quick_log.run(argv, clock=FakeClock(local("2026-11-27T11:00:00"))) is None
    assert dump(db) == before


def test_due_on_a_missing_database_by_the_quick_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    assert (
        quick_log.run(["--db", str(db), "due"], clock=FakeClock(local("2026-11-27T10:30:00"))) == 0
    )
    assert quick_log.run(["--db", str(db), "due", "--json"]) == 0
    assert capsys.readouterr().out == '{"due": []}\n'
    assert quick_log.run(["--db", str(db), "log", "call", "--prospect", "x"]) is None
    assert not db.exists()


# -- the report -----------------------------------------------------------------------------


def test_the_report_has_a_prospects_section_only_with_prospects(run: Run) -> None:
    run("log", "call")
    assert "Prospects" not in run("report").out
    assert "prospects" not in json.loads(run("report", "-f", "json").out)
    run("prospect", "add", "Acme", "--source", "referral")
    run("log", "call", "--prospect", "acme")
    run("prospect", "won", "acme")
    run("prospect", "add", "Globex")
    run("prospect", "follow-up", "glob", "--on", "today")
    text = run("report").out
    assert "\nProspects\n  Won 1, lost 0" in text and "Follow-ups due: 1" in text
    section = json.loads(run("report", "-f", "json").out)["prospects"]
    assert (section["won"], section["lost"], section["due"], section["stalled"]) == (1, 0, 1, 0)
    assert section["cycle_days"]["median"] == 0
    assert section["by_source"]["referral"]["win_rate"] == 1.0
    assert "### Prospects" in run("report", "-f", "markdown").out


def test_list_columns_line_up_with_wide_characters(run: Run) -> None:
    """山田 takes four cells in a terminal: the columns after it still line up, and a
    long wide name is cut to the column's 30 cells."""
    run("prospect", "add", "Zoë Ærø 山田", "--company", "東京")
    run("prospect", "add", "Dana Ng", "--company", "Acme")
    run("prospect", "add", "山" * 40)
    lines = run("prospect", "list").out.splitlines()

    def cells(text: str) -> int:
        import unicodedata

        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    starts = {cells(line[: line.index("cold")]) for line in lines[1:]}
    assert starts == {cells(lines[0][: lines[0].index("source")])}
    assert "山" * 14 + "…" in lines[-1]


@pytest.mark.parametrize(
    "argv", [("log", "call", "--prospect"), ("prospect", "won"), ("prospect", "show")]
)
def test_an_empty_or_huge_name_is_refused_in_one_short_line(
    run: Run, db_path: Path, argv: tuple[str, ...]
) -> None:
    """An empty name names nobody (it listed every prospect as "matches 6"); a
    10,000-character one is quoted short, not echoed whole."""
    run("prospect", "add", "Dana Ng")
    run("prospect", "add", "Dana Other")
    before = dump(db_path)
    for empty in ("", "   "):
        assert one_line_error(run(*argv, empty)) == (
            "salestui: say which prospect: its name, or the start of it"
        )
    line = one_line_error(run(*argv, "q" * 10_000))
    assert line == "salestui: no prospect named '" + "q" * 39 + "…'"
    assert dump(db_path) == before
