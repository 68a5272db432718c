"""Your own metrics and funnels on the command line (DESIGN: "Your own metrics and
funnels"): `metric`, `preset`, `funnel define/list/use/remove`, `funnel --name`, and
`log`/`today`/`undo`/`keys` on metrics of the user's, by click and by the quick path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from salestui import quick_log
from salestui.domain import catalog as catalog_module
from tests.conftest import FakeClock
from tests.unit.conftest import Result

Run = Callable[..., Result]


def one_line_error(result: Result) -> str:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def export_of(run: Run) -> str:
    """The whole database as `export` writes it (settings and events)."""
    result = run("export")
    assert result.code == 0
    return result.out


def metrics_json(run: Run) -> list[dict[str, object]]:
    result = run("metric", "list", "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert list(payload) == ["metrics"]
    return payload["metrics"]  # type: ignore[no-any-return]


def today_counts(run: Run) -> dict[str, int]:
    return json.loads(run("today", "--json").out)["counts"]  # type: ignore[no-any-return]


@pytest.fixture
def own(run: Run) -> Run:
    """A database with emails (e), referrals (r) and cards (b) added."""
    for argv in (
        ("metric", "add", "emails"),
        ("metric", "add", "referrals", "--letter", "r"),
        ("metric", "add", "cards", "--letter", "b"),
    ):
        assert run(*argv).code == 0
    return run


# -- metric add / list ------------------------------------------------------------------


def test_added_metrics_list_in_display_order_after_the_built_ins(own: Run) -> None:
    assert metrics_json(own) == [
        {"key": "calls", "singular": "call", "letter": "c", "label": "Calls", "hidden": False},
        {
            "key": "meetings",
            "singular": "meeting",
            "letter": "m",
            "label": "Meetings",
            "hidden": False,
        },
        {"key": "sales", "singular": "sale", "letter": "s", "label": "Sales", "hidden": False},
        {"key": "emails", "singular": "email", "letter": "e", "label": "Emails", "hidden": False},
        {
            "key": "referrals",
            "singular": "referral",
            "letter": "r",
            "label": "Referrals",
            "hidden": False,
        },
        {"key": "cards", "singular": "card", "letter": "b", "label": "Cards", "hidden": False},
    ]
    text = own("metric").out  # alone: the list
    assert text == own("metric", "list").out
    assert [line.split()[:3] for line in text.splitlines()][3:] == [
        ["e", "emails", "email"],
        ["r", "referrals", "referral"],
        ["b", "cards", "card"],
    ]


def test_add_says_the_letter_chosen_and_takes_singular_and_label(run: Run) -> None:
    result = run("metric", "add", "emails")
    assert result.code == 0
    assert "emails on e" in result.out and "salestui log email" in result.out
    done = run("metric", "add", "cards", "--singular", "card", "--letter", "b", "--label", "Biz")
    assert done.code == 0
    assert metrics_json(run)[-1] == {
        "key": "cards",
        "singular": "card",
        "letter": "b",
        "label": "Biz",
        "hidden": False,
    }


def test_a_missing_database_lists_the_built_ins_and_stays_missing(run: Run, db_path: Path) -> None:
    assert [metric["key"] for metric in metrics_json(run)] == ["calls", "meetings", "sales"]
    assert not db_path.exists()


BAD_ADD = [
    (("Emails",), "bad metric name 'Emails'"),
    (("e",), "bad metric name 'e'"),
    (("2emails",), "bad metric name '2emails'"),
    (("a" * 31,), "bad metric name"),
    (("",), "bad metric name ''"),
    (("dials", "--letter", "c"), "'c' is already the key of calls"),
    (("dials", "--letter", "e"), "'e' is already the key of emails"),
    (("dials", "--letter", "u"), "'u' is the app's key for undo"),
    (("dials", "--letter", "n"), "'n' is the app's key for a note on the last tally"),
    (("dials", "--letter", "g"), "'g' is the app's key for editing the goal"),
    (("dials", "--letter", "q"), "'q' is the app's key for quit"),
    (("dials", "--letter", "p"), "'p' is the app's key for linking a tally to a prospect"),
    (("dials", "--letter", "t"), "'t' is the app's key for the non-sales timer"),
    (("dials", "--letter", "3"), "'3' is the app's key for switching tabs"),
    (("dials", "--letter", "D"), "bad letter 'D': use one lowercase letter a-z"),
    (("dials", "--letter", "dl"), "bad letter 'dl': use one lowercase letter a-z"),
    (("emails",), "'emails' is already a metric (emails)"),
    (("call",), "'call' is already a metric (calls)"),
    (("dials", "--singular", "email"), "'email' already names emails"),
    (("dials", "--singular", "c"), "'c' already names calls"),
    (("dials", "--singular", "Dial"), "bad singular 'Dial': `log` reads names in lowercase"),
    (("dials", "--singular", "Calls"), "'Calls' already names calls"),
]


@pytest.mark.parametrize(("argv", "needle"), BAD_ADD, ids=[" ".join(a) for a, _ in BAD_ADD])
def test_bad_metric_add_is_one_line_exit_2_and_writes_nothing(
    run: Run, argv: tuple[str, ...], needle: str
) -> None:
    assert run("metric", "add", "emails").code == 0
    before = export_of(run)
    line = one_line_error(run("metric", "add", *argv))
    assert needle in line
    assert export_of(run) == before


def test_a_letter_that_is_another_metrics_singular_is_refused(run: Run) -> None:
    assert run("metric", "add", "dials", "--singular", "x").code == 0
    before = export_of(run)
    line = one_line_error(run("metric", "add", "boxes", "--letter", "x"))
    assert line == "salestui: 'x' already names dials; pick another letter (--letter)"
    assert export_of(run) == before
    assert run("log", "x").out == "+1 x\n"
    # Picked by itself: the next free letter of the name, never the singular's.
    assert run("metric", "add", "xrays").code == 0
    assert run("log", "r").out == "+1 xray\n"
    assert run("log", "x").out == "+1 x\n"


def test_a_refused_add_on_a_missing_database_creates_nothing(run: Run, db_path: Path) -> None:
    one_line_error(run("metric", "add", "Bad"))
    one_line_error(run("metric", "add", "dials", "--letter", "u"))
    assert not db_path.exists()


def test_a_ninth_visible_metric_is_refused_until_one_is_hidden(run: Run) -> None:
    for key, letter in (("emails", "e"), ("referrals", "r"), ("cards", "b"), ("dials", "d")):
        assert run("metric", "add", key, "--letter", letter).code == 0, key
    assert run("metric", "add", "visits", "--letter", "v").code == 0
    before = export_of(run)
    line = one_line_error(run("metric", "add", "letters", "--letter", "l"))
    assert "at most 8" in line and "salestui metric hide" in line
    assert export_of(run) == before
    assert run("metric", "hide", "cards").code == 0
    assert run("metric", "add", "letters", "--letter", "l").code == 0
    # Showing a hidden one again would make nine.
    assert "at most 8" in one_line_error(run("metric", "show", "cards"))


# -- hide / show -------------------------------------------------------------------------


def test_hiding_calls_takes_it_off_today_and_log_keeps_its_history(run: Run) -> None:
    assert run("log", "call", "4").code == 0
    hidden = run("metric", "hide", "calls")
    assert hidden.code == 0 and "salestui metric show calls" in hidden.out
    assert today_counts(run) == {"meetings": 0, "sales": 0}
    assert "Calls" not in run("today").out
    line = one_line_error(run("log", "call"))
    assert "salestui metric show calls" in line
    assert metrics_json(run)[0]["hidden"] is True
    assert run("metric", "show", "calls").code == 0
    assert today_counts(run) == {"calls": 4, "meetings": 0, "sales": 0}
    assert run("log", "c").code == 0
    assert today_counts(run)["calls"] == 5


def test_hide_of_an_unknown_metric_is_exit_2(run: Run) -> None:
    assert "unknown metric 'nosuch'" in one_line_error(run("metric", "hide", "nosuch"))
    assert "unknown metric 'nosuch'" in one_line_error(run("metric", "show", "nosuch"))


def test_a_hidden_metric_is_refused_by_the_quick_path_too(
    run: Run, db_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("metric", "hide", "sales").code == 0
    before = export_of(run)
    assert quick_log.run(["--db", str(db_path), "log", "sale"], clock=clock) is None
    assert capsys.readouterr() == ("", "")  # click words the refusal, once
    line = one_line_error(run("--db", str(db_path), "log", "sale"))
    assert line == "salestui: sales is hidden; show it again with `salestui metric show sales`"
    assert export_of(run) == before


# -- your own metrics everywhere a built-in works ----------------------------------------


def test_own_metrics_log_by_name_singular_and_letter_through_click(own: Run) -> None:
    assert own("log", "emails").out == "+1 email\n"
    assert own("log", "email", "3", "--note", "Acme").out == "+3 emails\n"
    assert own("log", "e", "--at", "2026-11-26").out == "+1 email on 2026-11-26\n"
    assert own("log", "REFERRAL").out == "+1 referral\n"
    assert today_counts(own) == {
        "calls": 0,
        "meetings": 0,
        "sales": 0,
        "emails": 4,
        "referrals": 1,
        "cards": 0,
    }
    assert own("undo").out == "Undid +1 referral from 2026-11-27.\n"
    assert own("undo").out == "Undid +1 email from 2026-11-26.\n"
    assert own("undo").out == "Undid +3 emails from 2026-11-27.\n"
    assert today_counts(own)["emails"] == 1


def test_today_text_lists_every_visible_metric(own: Run) -> None:
    own("log", "cards", "2")
    assert own("today").out.splitlines() == [
        "Fri 27 Nov 2026",
        "  Calls         0",
        "  Meetings      0",
        "  Sales         0",
        "  Emails        0",
        "  Referrals     0",
        "  Cards         2",
    ]
    # A longer label of the user's widens the column for every row.
    own("metric", "add", "doors", "--label", "Doors knocked")
    assert own("today").out.splitlines()[1:] == [
        "  Calls             0",
        "  Meetings          0",
        "  Sales             0",
        "  Emails            0",
        "  Referrals         0",
        "  Cards             2",
        "  Doors knocked     0",
    ]


def test_today_for_the_built_ins_alone_is_as_it_was(run: Run) -> None:
    run("log", "m", "2")
    assert run("today").out == (
        "Fri 27 Nov 2026\n  Calls         0\n  Meetings      2\n  Sales         0\n"
    )


def test_undo_words_a_hidden_metrics_tally(own: Run) -> None:
    own("log", "cards", "2")
    own("metric", "hide", "cards")
    assert own("undo").out == "Undid +2 cards from 2026-11-27.\n"


QUICK_OWN = [["log", "emails"], ["log", "email", "3"], ["log", "e"], ["log", " E ", "+2"]]


@pytest.mark.parametrize("argv", QUICK_OWN, ids=" ".join)
def test_the_quick_path_logs_own_metrics_as_click_does(
    argv: list[str],
    tmp_path: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from salestui.cli import main

    def click_run(*args: str) -> tuple[object, str, str]:
        with pytest.raises(SystemExit) as exit_info:
            main(list(args), clock=clock)
        return (exit_info.value.code, *capsys.readouterr())

    outcomes = []
    for name in ("quick", "click"):
        db = tmp_path / f"{name}.db"
        monkeypatch.setenv("SALESTUI_DB", str(db))
        assert click_run("metric", "add", "emails")[0] == 0
        if name == "quick":
            code = quick_log.run(argv, clock=clock)
            outcome = (code, *capsys.readouterr())
        else:
            outcome = click_run(*argv)
        counts = json.loads(click_run("today", "--json")[1])["counts"]
        outcomes.append((outcome, counts))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][0] == 0 and outcomes[0][0][1].startswith("+")
    assert outcomes[0][1]["emails"] >= 1


def test_the_quick_path_leaves_unknown_metrics_to_click_and_writes_nothing(
    run: Run, db_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    run("metric", "add", "emails")
    before = export_of(run)
    for argv in (["log", "x"], ["log", "dials"], ["log", "emails", "0"]):
        assert quick_log.run(["--db", str(db_path), *argv], clock=clock) is None
    assert capsys.readouterr() == ("", "")
    assert export_of(run) == before
    assert "known metrics: calls (call, c)" in one_line_error(run("log", "dials"))
    assert "emails (email, e)" in one_line_error(run("log", "dials"))


def test_the_quick_path_knows_the_catalogs_settings_prefix() -> None:
    assert quick_log.METRIC_PREFIX == catalog_module.METRIC_PREFIX


# -- funnels ------------------------------------------------------------------------------


def funnels_json(run: Run) -> list[dict[str, object]]:
    result = run("funnel", "list", "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert list(payload) == ["funnels"]
    return payload["funnels"]  # type: ignore[no-any-return]


def test_the_built_in_funnel_json_and_text_are_as_they_were(run: Run) -> None:
    run("log", "call", "10")
    run("log", "meeting", "4")
    run("log", "sale", "1")
    assert json.loads(run("funnel", "--json").out) == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "counts": {"calls": 10, "meetings": 4, "sales": 1},
        "rates": {"meetings": 0.4, "sales": 0.25},
        "overall": 0.1,
    }
    assert run("funnel", "-p", "week").out.splitlines()[:7] == [
        "This week · 2026-11-23 to 2026-11-29",
        "  Calls          10",
        "              ↓ 40%?  (1 meeting per 2.5 calls)",
        "  Meetings        4",
        "              ↓ 25%?  (1 sale per 4 meetings)",
        "  Sales           1",
        "  Overall 10%? of calls close  (1 sale per 10 calls)",
    ]
    every = json.loads(run("funnel", "--period", "all", "--json").out)
    assert (every["from"], every["to"]) == ("2026-11-27", "2026-11-27")
    assert funnels_json(run) == [
        {"name": "sales", "stages": ["calls", "meetings", "sales"], "active": True}
    ]


def test_a_job_seekers_funnel_from_the_command_line(run: Run) -> None:
    for key, letter in (("applications", "a"), ("interviews", "i"), ("offers", "o")):
        assert run("metric", "add", key, "--letter", letter).code == 0
    defined = run("funnel", "define", "jobs", "applications", "interview", "o")
    assert defined.code == 0 and "applications → interviews → offers" in defined.out
    run("log", "application", "8")
    run("log", "interviews", "2")
    named = json.loads(run("funnel", "--name", "jobs", "--json").out)
    assert list(named["counts"]) == ["applications", "interviews", "offers"]
    assert named["counts"] == {"applications": 8, "interviews": 2, "offers": 0}
    assert named["rates"] == {"interviews": 0.25, "offers": 0.0}
    assert list(json.loads(run("funnel", "--json").out)["counts"]) == ["calls", "meetings", "sales"]
    assert run("funnel", "use", "jobs").code == 0
    assert [f["active"] for f in funnels_json(run)] == [False, True]
    assert json.loads(run("funnel", "--json").out) == named
    text = run("funnel").out
    assert "Applications" in text and "of applications become offers" in text
    assert "of applications become offers" in run("funnel", "--name", "jobs").out
    # The built-in one is still there by name, unchanged.
    sales = json.loads(run("funnel", "--name", "sales", "--json").out)
    assert list(sales["counts"]) == ["calls", "meetings", "sales"]
    one_line_error(run("funnel", "remove", "jobs"))
    assert run("funnel", "use", "sales").code == 0
    removed = run("funnel", "remove", "jobs")
    assert removed.code == 0 and "jobs removed" in removed.out
    assert [f["name"] for f in funnels_json(run)] == ["sales"]
    assert today_counts(run)["applications"] == 8  # its metrics and history stay


BAD_FUNNEL = [
    (("define", "x", "calls"), "a funnel has 2 to 6 stages, got 1"),
    (("define", "x"), "a funnel has 2 to 6 stages, got 0"),
    (("define", "x", "calls", "meetings", "sales", "emails", "calls", "m", "s"), "got 7"),
    (("define", "x", "calls", "nosuch"), "unknown metric 'nosuch'"),
    (("define", "x", "calls", "c"), "a stage may appear once; repeated: calls"),
    (("define", "mine", "calls", "sales"), "a funnel called 'mine' exists"),
    (("define", "sales", "calls", "sales"), "a funnel called 'sales' exists"),
    (("define", "b@d", "calls", "sales"), "bad funnel name 'b@d'"),
    (("define", "", "calls", "sales"), "bad funnel name ''"),
    (("use", "nosuch"), "no funnel called 'nosuch'; funnels: sales, mine"),
    (("remove", "sales"), "sales is the active funnel"),
    (("remove", "nosuch"), "no funnel called 'nosuch'"),
    (("--name", "nosuch"), "no funnel called 'nosuch'; funnels: sales, mine"),
    (("--name", "nosuch", "--json"), "no funnel called 'nosuch'"),
    (("-p", "list"), "bad period 'list'"),
    (("--json", "list"), "--json goes with `salestui funnel` alone"),
    (("-p", "week", "use", "mine"), "--period goes with `salestui funnel` alone"),
]


@pytest.mark.parametrize(("argv", "needle"), BAD_FUNNEL, ids=[" ".join(a) for a, _ in BAD_FUNNEL])
def test_bad_funnel_input_is_one_line_exit_2_and_writes_nothing(
    run: Run, argv: tuple[str, ...], needle: str
) -> None:
    assert run("metric", "add", "emails").code == 0
    assert run("funnel", "define", "mine", "emails", "calls").code == 0
    before = export_of(run)
    assert needle in one_line_error(run("funnel", *argv))
    assert export_of(run) == before


def test_the_built_in_funnel_cannot_be_removed_even_when_another_is_active(run: Run) -> None:
    run("metric", "add", "emails")
    run("funnel", "define", "mine", "emails", "calls")
    run("funnel", "use", "mine")
    before = export_of(run)
    assert "cannot be removed" in one_line_error(run("funnel", "remove", "sales"))
    assert export_of(run) == before


# -- presets ------------------------------------------------------------------------------


def test_preset_jobs_from_an_empty_database(run: Run) -> None:
    result = run("preset", "jobs")
    assert result.code == 0
    assert result.out == (
        "Counting applications (a), interviews (i), offers (o); funnel jobs is active. "
        "Next: salestui goal set N\n"
        "Calls, meetings and sales are hidden (their history is kept; "
        "`salestui preset sales` brings them back).\n"
    )
    assert list(json.loads(run("today", "--json").out)["counts"]) == [
        "applications",
        "interviews",
        "offers",
    ]
    assert "show it again" in one_line_error(run("log", "call"))
    assert [f["name"] for f in funnels_json(run) if f["active"]] == ["jobs"]
    assert run("log", "a", "3").out == "+3 applications\n"
    assert list(json.loads(run("funnel", "--json").out)["counts"]) == [
        "applications",
        "interviews",
        "offers",
    ]
    # Again: nothing new to do, the same words.
    before = export_of(run)
    assert run("preset", "jobs").out == result.out
    assert export_of(run) == before


def test_preset_alone_or_list_names_every_preset(run: Run, db_path: Path) -> None:
    alone = run("preset")
    assert alone.code == 0 and alone.out == run("preset", "--list").out
    for name, preset in catalog_module.PRESETS.items():
        assert f"{name}  " in alone.out and preset.description in alone.out
    assert not db_path.exists()


def test_preset_nosuch_and_a_clashing_letter_write_nothing(run: Run, db_path: Path) -> None:
    line = one_line_error(run("preset", "nosuch"))
    assert "no preset 'nosuch'; presets: sales, outreach, jobs, music" in line
    assert not db_path.exists()
    run("metric", "add", "apples", "--letter", "a")
    before = export_of(run)
    line = one_line_error(run("preset", "jobs"))
    assert "'a' is already the key of apples" in line and "nothing was changed" in line
    assert export_of(run) == before


# -- keys ----------------------------------------------------------------------------------


def test_keys_list_and_set_cover_own_metrics(own: Run) -> None:
    listed = json.loads(own("keys", "list", "--json").out)["keys"]
    commands = {row["command"]: row["keys"] for row in listed}
    assert commands["tally.emails"] == "e" and commands["correct.cards"] == "B"
    assert own("keys", "set", "tally.emails", "x").code == 0
    listed = json.loads(own("keys", "list", "--json").out)["keys"]
    assert {row["command"]: row["keys"] for row in listed}["tally.emails"] == "x"
    assert "already the key of 'tally.calls'" in one_line_error(
        own("keys", "set", "tally.cards", "c")
    )
    assert own("keys", "reset", "tally.emails").out == "tally.emails: e\n"
    own("metric", "hide", "calls")
    listed = json.loads(own("keys", "list", "--json").out)["keys"]
    assert "tally.calls" not in {row["command"] for row in listed}


def test_keys_for_the_built_ins_alone_are_as_they_were(run: Run) -> None:
    from salestui.domain.keys import DEFAULT_KEYS

    listed = json.loads(run("keys", "list", "--json").out)["keys"]
    assert [row["command"] for row in listed] == list(DEFAULT_KEYS)


# -- completion ------------------------------------------------------------------------------


def test_completion_offers_own_metrics_and_falls_back_to_the_built_ins(
    own: Run, db_path: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    def complete(db: Path, word: str) -> list[str]:
        env = {
            **os.environ,
            "SALESTUI_DB": str(db),
            "_SALESTUI_COMPLETE": "bash_complete",
            "COMP_WORDS": f"salestui log {word}",
            "COMP_CWORD": "2",
        }
        done = subprocess.run(
            [sys.executable, "-m", "salestui"],
            env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        return done.stdout.split()

    assert complete(db_path, "em") == ["plain,emails", "plain,email"]
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00garbage" * 100)
    assert complete(garbage, "ca") == ["plain,calls", "plain,call"]
    assert complete(tmp_path / "missing.db", "") == [
        "plain,calls",
        "plain,call",
        "plain,meetings",
        "plain,meeting",
        "plain,sales",
        "plain,sale",
    ]
    assert not (tmp_path / "missing.db").exists()


NAMES = ["calls", "call", "c", "C", " m ", "sale", "emails", "email", "e", "cards", "b", "x", ""]


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [("metric", "add", "emails")],
        [("metric", "add", "emails"), ("metric", "add", "cards", "--letter", "b")],
        [("metric", "hide", "calls")],
        [("metric", "hide", "calls"), ("metric", "show", "calls")],
        [("metric", "add", "emails"), ("metric", "hide", "emails"), ("metric", "hide", "m")],
    ],
    ids=["built-ins", "emails", "emails cards", "calls hidden", "calls shown", "hidden both"],
)
def test_the_quick_paths_answer_is_the_catalogs(
    run: Run, db_path: Path, clock: FakeClock, steps: list[tuple[str, ...]]
) -> None:
    from salestui.store import Store

    run("where")
    for step in steps:
        assert run(*step).code == 0, step
    with Store(db_path, clock=clock) as store:
        catalog = store.catalog()
        for name in NAMES:
            try:
                expected: object = catalog.metric_for_logging(name)
            except ValueError as error:
                expected = str(error)
            try:
                answer: object = quick_log.metric_to_log(store, name)
            except ValueError as error:
                answer = str(error)
            assert answer == expected, name


def test_log_call_on_a_customised_database_loads_no_catalog(run: Run, db_path: Path) -> None:
    import subprocess
    import sys

    run("metric", "add", "emails")
    probe = (
        "import sys; sys.argv = ['salestui', '--db', sys.argv[1], 'log', sys.argv[2]]\n"
        "from salestui.launch import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('catalog' if 'salestui.domain.catalog' in sys.modules else 'built-ins')\n"
    )
    for word, loaded in (("call", "built-ins"), ("email", "catalog")):
        done = subprocess.run(
            [sys.executable, "-c", probe, str(db_path), word],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert (done.returncode, done.stdout.split("\n")[1]) == (0, loaded), done


def test_metric_show_letter_gives_a_hidden_metric_a_new_key(run: Run) -> None:
    assert run("metric", "add", "emails").code == 0
    assert run("metric", "hide", "emails").code == 0
    before = export_of(run)
    line = one_line_error(run("metric", "show", "emails", "--letter", "m"))
    assert line == "salestui: 'm' is already the key of meetings; pick another"
    line = one_line_error(run("metric", "show", "emails", "--letter", "u"))
    assert line == "salestui: 'u' is the app's key for undo; pick another"
    assert export_of(run) == before
    shown = run("metric", "show", "emails", "--letter", "w")
    assert shown.code == 0 and shown.out == "emails is shown again, on w.\n"
    assert run("log", "w").out == "+1 email\n"


def test_a_letter_taken_while_metric_add_waits_for_the_lock_is_not_given_twice(
    run: Run, db_path: Path
) -> None:
    """`metric add` checks the letter again once it holds the write lock: another
    process that took `e` in between (while it waited) is seen, and the next free letter
    of the name is chosen instead of a second metric on `e`."""
    import sqlite3
    import threading
    import time

    from salestui.domain.catalog import Catalog
    from salestui.store.events import Store, new_id

    assert run("metric", "list").code == 0
    Store(db_path).close()
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock...

    def take_e_then_commit() -> None:
        time.sleep(0.5)  # ...while `metric add emails` has checked and waits for it
        for key, value in Catalog.builtin().add_metric("events", letter="e", reserved={}).items():
            other.execute(
                "INSERT INTO setting_changes (id, ts, key, value, source)"
                " VALUES (?, '2026-11-27T09:00:00.000000+00:00', ?, ?, 'cli')",
                (new_id(), key, value),
            )
        other.execute("COMMIT")

    thread = threading.Thread(target=take_e_then_commit)
    thread.start()
    added = run("metric", "add", "emails")
    thread.join()
    other.close()
    assert added.code == 0, added.err
    letters = {
        m["key"]: m["letter"] for m in json.loads(run("metric", "list", "--json").out)["metrics"]
    }
    assert letters["events"] == "e"
    assert letters["emails"] == "a"  # e is taken, m is meetings': the next free letter
