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


# -- at 100k prospects: indexes, counts and the search index (issue 11, "Scale") -----------


def seed_search(store: Store, clock: FakeClock) -> dict[str, str]:
    """Prospects that every tier of `fuzzy_score` finds for some text, touched in turn so
    that their last touches differ; two closed. Returns their ids by name."""
    ids: dict[str, str] = {}
    for name, company in [
        ("Anna Smith", "Globex"),
        ("Bob Anders", None),
        ("Dana Ng", "Annex Ltd"),
        ("Xavier", "Big Banana Co"),
        ("Jan Nash", None),
        ("Åsa Ström", "Straße AB"),
        ("an", None),
        ("Hannah Lee", "Oak Dental"),
        ("Lena Anker", "Plan B"),
    ]:
        ids[name] = P.add_prospect(store, name, company=company).id
        clock.advance(minutes=1)
    for name in ("Dana Ng", "Anna Smith", "Lena Anker", "Jan Nash"):
        P.log_touch(store, "calls", 1, ids[name])
        clock.advance(minutes=1)
    P.won(store, ids["Lena Anker"])
    P.lost(store, ids["Xavier"], "no budget")
    return ids


TEXTS = ["an", "AN", "a", "n", "an n", "annex", "ban", "jns", "oak d", "ström", "STRASSE",
         "åsa", "ab", "x", "zz", "a.", "e a", "lee", "b", "co"]  # fmt: skip


@pytest.mark.parametrize("status", ["open", None])
def test_the_search_index_finds_what_the_scan_finds_in_the_same_order(
    store: Store, clock: FakeClock, status: str | None
) -> None:
    seed_search(store, clock)
    index = P.SearchIndex.load(store)
    assert index.serves(status) and not index.stale(store)
    everyone = P.list_prospects(store, status=status, order="last_touch")
    for text in TEXTS:
        # What `search` means: by fuzzy_score, then by last touch.
        scored = [(fuzzy_score(text, p), at, p.name) for at, p in enumerate(everyone)]
        ranked = [name for score, _at, name in sorted(s for s in scored if s[0] is not None)]
        for limit in (200, 3, 1):
            indexed = [p.name for p in P.search(store, text, limit, status=status, index=index)]
            assert indexed == ranked[:limit], (text, limit)
            if text.isascii() and text.upper() != "STRASSE":  # LIKE folds ASCII only
                scanned = [p.name for p in P.search(store, text, limit, status=status)]
                assert indexed == scanned, (text, limit)
    found = [p.name for p in P.search(store, "an", status=status, index=index)]
    assert found[:2] == ["an", "Anna Smith"]  # the whole name, then a name it starts
    words = ["Lena Anker", "Bob Anders"] if status is None else ["Bob Anders"]  # Lena won
    assert found[2 : 2 + len(words)] == words  # then a word it starts, the latest touch first


def test_a_stale_search_index_is_seen_and_never_shows_a_wrong_match(
    store: Store, clock: FakeClock
) -> None:
    ids = seed_search(store, clock)
    index = P.SearchIndex.load(store)
    P.rename(store, ids["Bob Anders"], "Robert Smith")
    assert index.stale(store)
    found = [p.name for p in P.search(store, "anders", index=index)]
    assert found == []  # the index still says Anders: checked again, left out
    P.won(store, ids["Anna Smith"])
    assert "Anna Smith" not in [p.name for p in P.search(store, "anna", status="open", index=index)]
    fresh = P.SearchIndex.load(store)
    assert not fresh.stale(store)
    assert [p.name for p in P.search(store, "rob", index=fresh)] == ["Robert Smith"]
    P.log_touch(store, "calls", 1, ids["Dana Ng"])  # a touch changes the order
    assert fresh.stale(store)


def test_count_prospects_follows_adds_closes_and_reopens(store: Store, clock: FakeClock) -> None:
    assert P.count_prospects(store) == 0
    assert P.count_prospects(store, status=None) == 0
    ids = seed_search(store, clock)
    assert P.count_prospects(store) == 7
    assert P.count_prospects(store, status="won") == 1
    assert P.count_prospects(store, status="lost") == 1
    assert P.count_prospects(store, status=None) == 9
    P.reopen(store, ids["Xavier"])
    P.rename(store, ids["Xavier"], "Xavi")
    P.log_touch(store, "calls", 1, ids["Xavier"])
    assert (P.count_prospects(store), P.count_prospects(store, status="lost")) == (8, 0)
    # A touch that arrives before its prospect (a merge) is no prospect yet.
    with store.writing() as conn:
        conn.execute(
            "INSERT INTO touches (id, ts, prospect, event, event_ts, day, metric, source)"
            " VALUES ('t1', 'x', 'later', 'e1', 'x', '2026-11-27', 'calls', 'import')"
        )
    assert P.count_prospects(store, status=None) == 9
    for status in ("open", "won", "lost", None):
        where = "name IS NOT NULL" + (f" AND status = '{status}'" if status else "")
        counted = store.connection.execute(f"SELECT count(*) FROM prospects WHERE {where}")
        assert P.count_prospects(store, status=status) == counted.fetchone()[0]


@pytest.mark.parametrize("order", ["name", "last_touch", "follow_up", "touches", "age"])
@pytest.mark.parametrize("status", ["open", None])
def test_every_order_of_the_tab_is_read_from_an_index(
    store: Store, order: str, status: str | None
) -> None:
    """The first 200 in any order cost an index read, not a sort of every prospect."""
    seen: list[str] = []
    store.connection.set_trace_callback(seen.append)
    try:
        P.list_prospects(store, status=status, order=order, limit=200)
    finally:
        store.connection.set_trace_callback(None)
    sql = next(line for line in seen if "ORDER BY" in line)
    params = [status, 200] if status is not None else [200]
    plan = " ".join(
        str(row[3])
        for row in store.connection.execute(
            "EXPLAIN QUERY PLAN "
            + sql.replace(f"status = '{status}'", "status = ?").replace("LIMIT 200", "LIMIT ?"),
            params,
        )
    )
    assert "INDEX" in plan and "TEMP B-TREE" not in plan, plan
