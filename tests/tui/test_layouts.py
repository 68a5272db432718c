"""Today in any pane (issue 9): the layout picked by size, text fitted by dropping its
least important parts whole, and a running app resized through every size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from salestui.domain.keys import reserved_keys
from salestui.store import Store
from salestui.tui.app import make_app
from salestui.tui.layouts import (
    COLUMN,
    LARGE,
    STANDARD,
    STRIP,
    fit,
    fit_lines,
    footer_fit,
    panel_rows,
    pick_layout,
)
from salestui.tui.today import MetricPanel, TodayView
from tests.conftest import FakeClock
from tests.tui.conftest import screen_text, seed_goal, seed_history, until, wait_for_workers

OWN = [("emails", "e"), ("referrals", "r"), ("cards", "b"), ("demos", "d"), ("replies", "y")]


def add_metrics(db_path: Path, clock: FakeClock, count: int) -> None:
    """The first `count` of OWN, as `salestui metric add` adds them."""
    with Store(db_path, clock=clock) as store:
        for key, letter in OWN[:count]:
            changes = store.catalog().add_metric(key, letter=letter, reserved=reserved_keys())
            store.set_settings(changes, source="cli")


SIZES = [(40, 10), (50, 20), (80, 24), (100, 12), (120, 40), (200, 50), (100, 8), (60, 20)]


@pytest.mark.parametrize(
    ("size", "layout"),
    [
        ((100, 8), STRIP),
        ((100, 12), STRIP),
        ((40, 10), STRIP),
        ((40, 40), COLUMN),
        ((50, 20), COLUMN),
        ((60, 20), STANDARD),
        ((80, 24), STANDARD),
        ((120, 40), STANDARD),
        ((200, 50), LARGE),
        ((160, 45), LARGE),
    ],
)
def test_the_layout_follows_the_size(size: tuple[int, int], layout: str) -> None:
    assert pick_layout(*size) == layout


def test_fit_drops_the_least_important_whole() -> None:
    parts = [(0, "Calls 23/48"), (2, "▓▓▓░░"), (0, "Meetings 4/8"), (1, "25 calls to go")]
    assert fit(parts, 100) == "Calls 23/48 · ▓▓▓░░ · Meetings 4/8 · 25 calls to go"
    assert fit(parts, 45) == "Calls 23/48 · Meetings 4/8 · 25 calls to go"
    assert fit(parts, 30) == "Calls 23/48 · Meetings 4/8"
    assert fit(parts, 12) == "Calls 23/48"
    assert fit(parts, 5) == ""  # never a cut figure


def test_fit_drops_the_later_of_equals_first() -> None:
    assert fit([(1, "one"), (1, "two"), (1, "three")], 9, " ") == "one two"


@pytest.mark.parametrize("width", range(1, 60))
def test_fit_never_cuts_a_part(width: int) -> None:
    parts = [
        (i % 3, word)
        for i, word in enumerate(["Pace:", "1,027", "calls", "behind", "pace", "this", "month"])
    ]
    text = fit(parts, width, " ")
    assert cell_len(text) <= width
    assert all(word in [t for _, t in parts] for word in text.split())


def test_fit_lines_breaks_between_parts() -> None:
    parts = [(0, "Calls 2/584"), (0, "Meetings 1/74"), (0, "Sales 0/8"), (1, "Emails 3")]
    assert fit_lines(parts, 30, 2) == ["Calls 2/584 · Meetings 1/74", "Sales 0/8 · Emails 3"]
    assert fit_lines(parts, 30, 1) == ["Calls 2/584 · Meetings 1/74"]
    assert fit_lines(parts, 5, 3) == []


def test_panels_stack_denser_as_the_column_shortens() -> None:
    assert panel_rows(3, 40) == (3, "big")
    assert panel_rows(3, 15) == (3, "compact")
    assert panel_rows(3, 13) == (3, "pair")
    assert panel_rows(8, 33) == (8, "pair")
    assert panel_rows(8, 26) == (8, "line")
    assert panel_rows(8, 12) == (4, "line")  # the column scrolls for the rest


def test_the_footer_keeps_help_and_quit_last() -> None:
    # c Call, m Meeting, s Sale, undo, note, ? Help, q Quit, the −1 group
    items = [
        (2, 8, 7),
        (2, 11, 10),
        (2, 8, 7),
        (3, 8, 7),
        (4, 8, 7),
        (0, 8, 7),
        (1, 8, 7),
        (5, 8, 9),
    ]
    assert footer_fit(items, 80, 13) == ([True] * 8, False, True)
    keep, compact, palette = footer_fit(items, 40, 13)
    assert compact and not palette
    assert keep[5] and keep[6]  # ? Help and q Quit
    assert not keep[7] and not keep[4]  # the −1 group and note went first
    keep, _, _ = footer_fit(items, 16, 13)
    assert keep == [False, False, False, False, False, True, True, False]


# -- a running app, resized through every size -------------------------------------------


async def test_resized_through_every_size_the_counts_stay_readable(
    db_path: Path, clock: FakeClock
) -> None:
    seed_history(db_path, clock)
    seed_goal(db_path, clock)
    app = make_app(db_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_workers(app)
        await pilot.press("c", "c", "m")
        today = app.query_one(TodayView)
        await until(lambda: "Last:" in today.last_action, pilot, what="the last tally")
        await until(lambda: today.plan is not None, pilot, what="the plan")
        counts = {key: figures.today for key, figures in (today.summary or {}).items()}
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await until(lambda w=width, h=height: app.size == (w, h), pilot)
            await until(lambda w=width, h=height: today.pane_layout == pick_layout(w, h), pilot)
            await pilot.pause(0.05)
            text = screen_text(app)
            where = f"at {width}x{height} ({today.pane_layout})"
            footer = text.splitlines()[-1]
            assert "? Help" in footer or "?" in footer.split(), f"no ? in the footer {where}"
            assert "Last: +1 meeting at 10:42" in text, f"the last tally is gone {where}"
            if today.pane_layout == STRIP:
                for key, count in counts.items():
                    label = key.capitalize()
                    assert re.search(rf"{label} {count}\b", text), f"{label} {where}"
                assert "u undo" in text, where
            else:
                for panel in app.query(MetricPanel):
                    drawn = "\n".join(strip.text for strip in panel._strips or [])
                    count = counts[panel.metric.key]
                    if panel.density == "big":
                        # Big digits: the count is drawn whole (its target beside or below).
                        assert panel.summary is not None and panel.summary.today == count
                        assert f"/ {panel.target:,}" in drawn, f"{panel.metric.key} {where}"
                    else:
                        assert re.search(rf"(^|\s){count:,}\s", drawn), (
                            f"{panel.metric.key} {where}"
                        )


async def test_eight_metrics_in_a_strip_fit(db_path: Path, clock: FakeClock) -> None:
    seed_goal(db_path, clock)
    add_metrics(db_path, clock, 5)
    app = make_app(db_path, clock=clock)
    async with app.run_test(size=(100, 8)) as pilot:
        await wait_for_workers(app)
        await pilot.press("c", "e")
        today = app.query_one(TodayView)
        await until(lambda: "Last: +1 email" in screen_text(app), pilot, what="the last tally")
        assert today.pane_layout == STRIP
        text = screen_text(app)
        for label in ("Calls 1", "Meetings 0", "Sales 0", "Emails 1", "Referrals 0", "Replies 0"):
            assert label in text
        assert "u undo" in text
        assert "? Help" in text.splitlines()[-1]


async def test_eight_metrics_in_a_column_show_them_all(db_path: Path, clock: FakeClock) -> None:
    seed_goal(db_path, clock)
    add_metrics(db_path, clock, 5)
    app = make_app(db_path, clock=clock)
    async with app.run_test(size=(40, 40)) as pilot:
        await wait_for_workers(app)
        today = app.query_one(TodayView)
        await until(lambda: today.pane_layout == COLUMN, pilot)
        await pilot.pause(0.05)
        text = screen_text(app)
        panels = list(app.query(MetricPanel))
        assert len(panels) == 8
        for panel in panels:
            assert panel.metric.label in text, panel.metric.label
            assert panel.region.bottom <= 40 - 1  # on screen, above the footer
        assert "? Help" in text.splitlines()[-1]


async def test_a_narrow_pane_keeps_the_goal_hint_a_whole_sentence(
    db_path: Path, clock: FakeClock
) -> None:
    """Without a goal the hint's later phrase goes whole at 50 columns, never leaving
    "… and see today's" hanging."""
    app = make_app(db_path, clock=clock)
    async with app.run_test(size=(50, 20)) as pilot:
        await wait_for_workers(app)
        await until(lambda: "Press g" in screen_text(app), pilot, what="the goal hint")
        text = screen_text(app)
        assert "Press g to set a monthly goal" in text
        assert "today's" not in text and "targets" not in text
    wide = make_app(db_path, clock=clock)
    async with wide.run_test(size=(120, 30)) as pilot:
        await wait_for_workers(wide)
        await until(lambda: "Press g" in screen_text(wide), pilot, what="the goal hint")
        assert "Press g to set a monthly goal and see today's targets here." in screen_text(wide)
