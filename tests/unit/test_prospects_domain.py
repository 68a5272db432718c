"""Prospects' rules (domain.prospects) and their store (store.prospects): follow-up days,
working days, finding as you type, closing and reopening, renaming, the timeline and the
history, the follow-up rule, and refusals that write nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from salestui.domain.prospects import (
    Ambiguous,
    NoMatch,
    Prospect,
    follow_up_after,
    fuzzy_score,
    parse_follow_up,
)
from salestui.domain.workdays import WorkCalendar
from salestui.store import Store
from salestui.store import prospects as P
from tests.conftest import FakeClock, local

FRIDAY = date(2026, 11, 27)


def everything(db: Path) -> list[tuple[object, ...]]:
    """Every row that a prospect write could add."""
    with closing(sqlite3.connect(db)) as conn:
        return [
            *conn.execute("SELECT * FROM prospect_changes ORDER BY rowid"),
            *conn.execute("SELECT * FROM touches ORDER BY rowid"),
            *conn.execute("SELECT * FROM events ORDER BY rowid"),
            *conn.execute("SELECT * FROM setting_changes ORDER BY rowid"),
        ]


# -- parse_follow_up -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026-11-27", FRIDAY),
        ("today", FRIDAY),
        (" Tomorrow ", date(2026, 11, 28)),
        ("+0d", FRIDAY),
        ("+3d", date(2026, 11, 30)),
        ("+1w", date(2026, 12, 4)),
        ("+2W", date(2026, 12, 11)),
        ("+1wd", date(2026, 11, 30)),  # Friday + 1 working day: Monday
        ("+5wd", date(2026, 12, 4)),
        ("mon", date(2026, 11, 30)),
        ("Monday", date(2026, 11, 30)),
        ("fri", date(2026, 12, 4)),  # on a Friday: the next one, a week ahead
        ("thurs", date(2026, 12, 3)),
        ("sat", date(2026, 11, 28)),
    ],
)
def test_follow_up_days(text: str, expected: date) -> None:
    assert parse_follow_up(text, FRIDAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "+d",
        "+1",
        "+1y",
        "+-1d",
        "-1d",
        "2026-13-01",
        "27.11.2026",
        "mo",
        "+1dw",
        "+99999w",
        "+١d",
    ],
)
def test_unreadable_follow_ups_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_follow_up(text, FRIDAY)
    message = str(error.value)
    assert "\n" not in message
    assert ("YYYY-MM-DD" in message and "+Nd" in message) or "ten years" in message


def test_a_follow_up_in_the_past_is_refused() -> None:
    with pytest.raises(ValueError, match="in the past"):
        parse_follow_up("2026-11-26", FRIDAY)


def test_working_days_follow_the_calendar() -> None:
    assert follow_up_after(FRIDAY, 0, None) == FRIDAY
    assert follow_up_after(FRIDAY, 3, None) == date(2026, 12, 2)
    christmas = WorkCalendar(holidays=frozenset({date(2026, 12, 24), date(2026, 12, 25)}))
    assert follow_up_after(date(2026, 12, 23), 1, christmas) == date(2026, 12, 28)
    sun_thu = WorkCalendar(weekdays=frozenset({6, 0, 1, 2, 3}))
    assert follow_up_after(FRIDAY, 1, sun_thu) == date(2026, 11, 29)
    assert parse_follow_up("+1wd", FRIDAY, sun_thu) == date(2026, 11, 29)


# -- finding as you type -------------------------------------------------------------------


def prospect(name: str, company: str | None = None) -> Prospect:
    return Prospect(name, name, company, "cold", "open", None, None, None, None, 0, None, None)


def test_fuzzy_scores_rank_whole_words_above_scattered_letters() -> None:
    acme = prospect("Acme Corp", "Wile E")
    assert fuzzy_score("acme corp", acme) == 0
    assert fuzzy_score("ac", acme) == 1
    assert fuzzy_score("cor", acme) == 2
    assert fuzzy_score("me c", acme) == 3
    assert fuzzy_score("wile", acme) == 4
    assert fuzzy_score("ile", acme) == 5
    assert fuzzy_score("acp", acme) == 6
    assert fuzzy_score("wl", acme) == 7
    assert fuzzy_score("xyz", acme) is None
    assert fuzzy_score("pca", acme) is None  # in order only


# -- the store -----------------------------------------------------------------------------


def test_search_puts_prefixes_first_and_filters_in_order(store: Store, clock: FakeClock) -> None:
    for name, company in [
        ("Bob Anders", None),
        ("Anna Smith", "Globex"),
        ("Dana Ng", "Annex Ltd"),
        ("Xavier", None),
        ("Jan Nash", None),
    ]:
        P.add_prospect(store, name, company=company)
        clock.advance(minutes=1)
    names = [p.name for p in P.search(store, "an")]
    assert names[0] == "Anna Smith"  # the name starts with it
    assert names[1] == "Bob Anders"  # a word of it does
    assert sorted(names[2:]) == ["Dana Ng", "Jan Nash"]  # the name holds it
    assert [p.name for p in P.search(store, "JNS")] == ["Jan Nash"]
    assert [p.name for p in P.search(store, "glob")] == ["Anna Smith"]
    assert [p.name for p in P.search(store, "a%")] == []  # LIKE's wildcards are literal
    assert len(P.search(store, "")) == 5
    assert len(P.search(store, "", limit=2)) == 2


def test_search_with_no_text_is_by_last_touch(store: Store, clock: FakeClock) -> None:
    a = P.add_prospect(store, "Alpha")
    b = P.add_prospect(store, "Beta")
    P.add_prospect(store, "Gamma")
    P.log_touch(store, "calls", 1, a.id)
    clock.advance(minutes=5)
    P.log_touch(store, "calls", 1, b.id)
    assert [p.name for p in P.search(store, "")] == ["Beta", "Alpha", "Gamma"]


def test_won_lost_and_reopen(store: Store, db_path: Path) -> None:
    acme = P.add_prospect(store, "Acme")
    P.set_follow_up(store, acme.id, date(2026, 12, 1))
    P.won(store, acme.id)
    now = P.get_prospect(store, acme.id)
    assert now is not None and now.status == "won" and now.closed_on == FRIDAY
    assert now.follow_up is None  # nothing to follow up once closed
    before = everything(db_path)
    for attempt in (lambda: P.won(store, acme.id), lambda: P.lost(store, acme.id, "price")):
        with pytest.raises(ValueError) as error:
            attempt()
        assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="reopen"):
        P.lost(store, acme.id)
    with pytest.raises(ValueError, match="reopen"):
        P.set_follow_up(store, acme.id, date(2026, 12, 1))
    assert everything(db_path) == before
    P.reopen(store, acme.id)
    P.lost(store, acme.id, "  went   with a rival ")
    now = P.get_prospect(store, acme.id)
    assert now is not None and (now.status, now.reason) == ("lost", "went with a rival")
    with pytest.raises(ValueError, match="reopen"):
        P.won(store, acme.id)
    with pytest.raises(ValueError, match="at most"):
        P.lost(store, P.add_prospect(store, "Beta").id, "x" * 501)


def test_follow_up_in_the_past_is_refused_by_the_store(store: Store, db_path: Path) -> None:
    acme = P.add_prospect(store, "Acme")
    before = everything(db_path)
    with pytest.raises(ValueError, match="past"):
        P.set_follow_up(store, acme.id, date(2026, 11, 26))
    assert everything(db_path) == before
    assert P.set_follow_up(store, acme.id, FRIDAY) is True
    assert P.set_follow_up(store, acme.id, FRIDAY) is False
    assert [p.name for p in P.due_prospects(store, FRIDAY)] == ["Acme"]
    assert P.set_follow_up(store, acme.id, None) is True
    assert P.due_prospects(store, FRIDAY) == []


def test_rename_keeps_the_old_name_in_the_history(store: Store, clock: FakeClock) -> None:
    acme = P.add_prospect(store, "Acme", company="Wile")
    P.add_prospect(store, "Globex")
    clock.advance(minutes=1)
    assert P.rename(store, acme.id, "Acme Corp") is True
    with pytest.raises(ValueError, match="exists already"):
        P.rename(store, acme.id, "globex")
    with pytest.raises(ValueError, match="empty"):
        P.rename(store, acme.id, "  ")
    with pytest.raises(ValueError, match="at most"):
        P.rename(store, acme.id, "x" * 10_000)
    names = [c.value for c in P.history(store, acme.id) if c.field == "name"]
    assert names == ["Acme", "Acme Corp"]
    assert P.edit(store, acme.id, company=None, source="referral") is True
    assert P.edit(store, acme.id, source="referral") is False
    with pytest.raises(ValueError, match="unknown source"):
        P.edit(store, acme.id, source="cousin")
    now = P.get_prospect(store, acme.id)
    assert now is not None and (now.name, now.company, now.source) == (
        "Acme Corp",
        None,
        "referral",
    )


def test_timeline_is_newest_first_without_undone_tallies(store: Store, clock: FakeClock) -> None:
    acme = P.add_prospect(store, "Acme")
    first, _ = P.log_touch(store, "calls", 1, acme.id, note="intro")
    clock.advance(hours=1)
    second, _ = P.log_touch(store, "meetings", 1, acme.id)
    store.add_note(second.id, "demo went well")
    clock.advance(hours=1)
    third, _ = P.log_touch(store, "calls", 2, acme.id)
    store.undo(third.id)
    touches = P.timeline(store, acme.id)
    assert [(t.metric, t.note, t.event_id) for t in touches] == [
        ("meetings", "demo went well", second.id),
        ("calls", "intro", first.id),
    ]
    assert touches[0].day == FRIDAY and touches[0].delta == 1


def test_link_touch_applies_the_follow_up_rule(store: Store, clock: FakeClock) -> None:
    acme = P.add_prospect(store, "Acme")
    store.set_setting("followup.meetings", "3")
    tally = store.log("meetings", 1, source="tui")
    assert P.link_touch(store, tally, acme.id, "tui") == date(2026, 12, 2)
    now = P.get_prospect(store, acme.id)
    assert now is not None and now.follow_up == date(2026, 12, 2) and now.touches == 1
    # A later follow-up set by hand stays.
    P.set_follow_up(store, acme.id, date(2026, 12, 20))
    assert P.log_touch(store, "meetings", 1, acme.id)[1] is None
    # A metric with no rule leaves the follow-up alone.
    P.set_follow_up(store, acme.id, None)
    assert P.log_touch(store, "calls", 1, acme.id)[1] is None
    assert P.get_prospect(store, acme.id).follow_up is None  # type: ignore[union-attr]
    # The calendar's holidays count.
    store.set_setting("calendar.off.2026-11-30", "off")
    assert P.log_touch(store, "meetings", 1, acme.id)[1] == date(2026, 12, 3)
    with pytest.raises(ValueError):
        P.link_touch(store, tally, "no-such-id", "tui")


def test_find_prospect_by_prefix_with_close_names(store: Store) -> None:
    for name in ("Acme", "Acme Labs", "Globex", "Initech"):
        P.add_prospect(store, name)
    assert P.find_prospect(store, "ACME").name == "Acme"
    assert P.find_prospect(store, "glob").name == "Globex"
    with pytest.raises(Ambiguous):
        P.find_prospect(store, "ac")
    with pytest.raises(NoMatch) as error:
        P.find_prospect(store, "Inittech")
    assert error.value.close == ("Initech",)


def test_stalled_counts_days_since_the_last_touch(store: Store, clock: FakeClock) -> None:
    clock.now = local("2026-11-01T09:00:00")
    quiet = P.add_prospect(store, "Quiet")
    touched = P.add_prospect(store, "Touched")
    P.log_touch(store, "calls", 1, touched.id)
    clock.now = local("2026-11-10T09:00:00")
    P.log_touch(store, "calls", 1, touched.id)
    assert [p.id for p in P.stalled(store, date(2026, 11, 14), 14)] == []
    assert [p.id for p in P.stalled(store, date(2026, 11, 15), 14)] == [quiet.id]  # added
    assert [p.id for p in P.stalled(store, date(2026, 11, 24), 14)] == [quiet.id, touched.id]
    assert [p.id for p in P.stalled(store, date(2026, 11, 23), 14)] == [quiet.id]
    P.won(store, quiet.id)
    assert [p.id for p in P.stalled(store, date(2026, 11, 24), 14)] == [touched.id]
    assert P.stalled_after(store) == 14
    store.set_setting(P.STALLED_DAYS, "30")
    assert P.stalled_after(store) == 30
