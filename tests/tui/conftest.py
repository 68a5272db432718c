from __future__ import annotations

import asyncio
import contextlib
import io
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import WorkerCancelled

from salestui.store import Store
from salestui.tui.app import SalesApp, make_app
from salestui.tui.today import MetricPanel
from tests.conftest import FakeClock, local


@pytest.fixture(autouse=True)
def no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrolls and fades finish at once, so a picture or an assertion never catches one
    half-way on a loaded machine (a focus that scrolls the Goals tab made a snapshot flaky)."""
    from textual import constants

    monkeypatch.setattr(constants, "TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def tabs_built_before_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test may end right after start-up, while the other tabs are still being mounted;
    the harness then tears the app down mid-mount (a Select without its overlay), which
    no person can do: `q` goes through SalesApp.action_quit, which waits for the build.
    So the test's app, like a person's, is closed only once a build under way is over."""
    run_test = SalesApp.run_test

    @contextlib.asynccontextmanager
    async def run_test_then_settle(self: SalesApp, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        async with run_test(self, *args, **kwargs) as pilot:  # type: ignore[arg-type]
            try:
                yield pilot
            finally:
                if self.is_running:
                    await self.stop_building_tabs()

    monkeypatch.setattr(SalesApp, "run_test", run_test_then_settle)


@pytest.fixture
def real_timers() -> None:
    """Asked for by a test that measures the app's own delays: they keep their values."""


@pytest.fixture(autouse=True)
def no_waiting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's deliberate delays (building the other tabs after the first paint and in
    pauses of the typing, the figures after a burst of keys, a tally's decorations) are
    for people; tests run them at once instead of waiting out real timers."""
    if "real_timers" in request.fixturenames:
        return
    from salestui.tui.app import SalesApp
    from salestui.tui.tabs import SalesTabs
    from salestui.tui.today import TodayView

    monkeypatch.setattr(SalesApp, "FIGURES_DELAY", 0.001)
    monkeypatch.setattr(SalesTabs, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(SalesTabs, "QUIET_SECONDS", 0.001)
    monkeypatch.setattr(SalesTabs, "STEP_GAP", 0.001)
    monkeypatch.setattr(TodayView, "DECORATION_DELAY", 0.001)


@pytest.fixture(autouse=True)
def quick_idle_checks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits after every key press and pause until the process looks idle, sampling
    the CPU clock every 20 ms: two such samples per key made most of a TUI test's time.
    Sampled every 2 ms (idle: under 0.1 ms of CPU in that window), a press costs what the
    app does with it. Tests never rely on that guess for what they assert: they wait on
    conditions (`until`, `writes_landed`, `wait_for_workers`). Snapshots keep Textual's
    own sampling, since the picture is taken once the app looks idle."""
    if "snap_compare" in request.fixturenames:
        return
    from textual import _wait

    monkeypatch.setattr(_wait, "SLEEP_GRANULARITY", 1 / 500)
    monkeypatch.setattr(_wait, "SLEEP_IDLE", 1 / 500 / 20)


async def until(
    condition: Callable[[], object],
    pilot: Pilot[None],
    timeout: float = 10.0,
    what: str = "",
) -> None:
    """Let the app run in small steps until `condition()` is true; fail after `timeout`
    seconds saying what was waited for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what or _describe(condition)}")
        await pilot.pause(0.01)


async def steps(pilot: Pilot[None], count: int = 3) -> None:
    """A few turns of the app's loop: what a key set off (a tab switch, a focus moved
    after a refresh, a bounce back) has happened after these, without a real-time wait."""
    for _ in range(count):
        await pilot.pause()


def _describe(condition: Callable[[], object]) -> str:
    import inspect

    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)


async def settled(app: SalesApp, pilot: Pilot[None]) -> None:
    """Every write landed, the other tabs built, no worker running, no flash showing."""
    await writes_landed(app, pilot)
    await wait_for_workers(app)
    await until(lambda: not app.query(".-flash"), pilot, what="the flash to fade")
    await pilot.pause()


def seed_rates(db_path: Path, clock: FakeClock, goal: str | None = None) -> None:
    """Starting rates 15% and 1/3 (and, with `goal`, November 2026's standing goal)."""
    with Store(db_path, clock=clock) as store:
        store.set_setting("rate.meetings", "15%")
        store.set_setting("rate.sales", "1/3")
        if goal is not None:
            store.set_setting("goal.from.2026-11", goal)


@pytest.fixture
def app_factory(db_path: Path, clock: FakeClock) -> Callable[[], SalesApp]:
    def build() -> SalesApp:
        return make_app(db_path, clock=clock)

    return build


def seed_history(db_path: Path, clock: FakeClock, days: int = 14) -> None:
    """Plausible, deterministic tallies on the working days before today."""
    today = local("2026-11-27T11:00")
    with Store(db_path, clock=clock) as store:
        for back in range(1, days + 1):
            when = today - timedelta(days=back)
            if when.weekday() >= 5:
                continue
            store.log("calls", 20 + (back * 7) % 17, at=when)
            store.log("meetings", 2 + back % 4 + (back // 60), at=when)
            if back % 3 == 0:
                store.log("sales", 1 + back % 2, at=when)


def seed_goal(db_path: Path, clock: FakeClock) -> None:
    """A goal of 20 sales this month and starting rates."""
    with Store(db_path, clock=clock) as store:
        store.set_setting("goal.from.2026-11", "20")
        store.set_setting("rate.meetings", "15%")
        store.set_setting("rate.sales", "1/3")


async def wait_for_workers(app: SalesApp) -> None:
    """Await the other tabs, then every worker; an exclusive worker cancelled by a newer
    one is not a failure."""
    await asyncio.wait_for(app.tabs_ready.wait(), timeout=10)
    while pending := [worker for worker in app.workers if not worker.is_finished]:
        for worker in pending:
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()


async def writes_landed(app: SalesApp, pilot: Pilot[None], timeout: float = 10.0) -> None:
    """Wait until every write the keys queued is on disk (or failed) and shown."""
    deadline = time.monotonic() + timeout
    while app.waiting_writes:
        assert time.monotonic() < deadline, "writes still waiting"
        await pilot.pause(0.01)
    await pilot.pause()


# -- reading the screen and the database (shared by the TUI tests) --------------------


def shown(app: SalesApp, metric: str) -> int:
    """The count a panel draws (its digits are drawn from exactly this)."""
    summary = app.query_one(f"#panel-{metric}", MetricPanel).summary
    return summary.today if summary else 0


def on_disk(db_path: Path) -> dict[str, int]:
    """Today's net count per metric, straight from the event log."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT metric, SUM(delta) FROM events WHERE day = '2026-11-27' GROUP BY metric"
        ).fetchall()
    finally:
        conn.close()
    return {metric: total for metric, total in rows}


def screen_text(app: SalesApp) -> str:
    """What the terminal shows, as plain text lines."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def rendered(widget: Widget) -> str:
    """A widget's content as plain text."""
    console = Console(width=max(widget.content_size.width, 20), record=True, file=io.StringIO())
    content = widget.content if isinstance(widget, Static) else widget.render()
    console.print(content)
    return console.export_text()


def panel_text(app: SalesApp, metric: str) -> str:
    return rendered(app.query_one(f"#panel-{metric}", MetricPanel))


def status_text(app: SalesApp) -> str:
    """The pace line (or hint) and the last action, under the panels."""
    return rendered(app.query_one("#status", Static))


def after(
    *keys: str,
    theme: str | None = None,
    history_metric: str | None = None,
) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A snapshot's `run_before`: press `keys` once the app has settled (in `theme`, when
    given), then wait until everything they set off is done (the flash fades, the
    figures reload; with `history_metric`, History shows that metric), so the picture
    never depends on timing."""

    async def run(pilot: Pilot[None]) -> None:
        from textual.widgets import Select

        from salestui.tui.goals import GoalsTab

        if theme is not None:
            pilot.app.theme = theme
        await wait_for_workers(pilot.app)
        await pilot.press(*keys)
        await settled(pilot.app, pilot)
        # The first figures come after the tabs exist, by a message and a worker that
        # may not have started when the workers were counted: wait for them on screen.
        goals = pilot.app.query_one(GoalsTab)
        await until(lambda: goals.inputs is not None, pilot, what="the first figures")
        if history_metric is not None:
            pilot.app.query_one("#history-metric", Select).value = history_metric
        await settled(pilot.app, pilot)

    return run
