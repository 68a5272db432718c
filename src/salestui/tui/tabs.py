"""The tab row: Today at once; Funnel, Goals and History built after the first paint,
in pauses of the typing; and which control each tab opens on."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane, Tabs

from salestui.clock import Clock
from salestui.tui.messages import CatalogChanged, FiguresWanted
from salestui.tui.writer import WriteQueue

if TYPE_CHECKING:
    from salestui.tui.background import Figures

OTHER_TABS = ("funnel", "goals", "history", "prospects")


@runtime_checkable
class OpensOnAControl(Protocol):
    """A tab that knows which of its controls takes focus when it opens."""

    def focus_first(self) -> None: ...


class SalesTabs(TabbedContent):
    """Today, Funnel, Goals and History. Funnel, Goals and History are built no sooner
    than FIRST_DELAY after the first screen, one at a time, each once the keys have been
    quiet for QUIET_SECONDS (or all at once when one of them is asked for)."""

    FIRST_DELAY = 0.5
    """Seconds after the first screen before the other tabs are built (tests: 1 ms)."""
    QUIET_SECONDS = 0.8
    """Start-up work (building the other tabs, loading the figures) waits until no tally
    or undo key has been pressed for this long: a person who opens the app and counts at
    once gets the same quick key presses as later; the work is done in the first pause
    (tests: 1 ms)."""
    STEP_GAP = 0.05
    """Between the steps that build the other tabs (one tab each), so keys get in
    between (tests: 1 ms)."""

    class Built(Message):
        """Funnel, Goals and History exist and the keys are quiet: time for figures."""

    def __init__(self, clock: Clock, writes: WriteQueue, *, initial: str) -> None:
        super().__init__(initial=initial)
        self.clock = clock
        self.writes = writes
        self.ready = asyncio.Event()
        """Set once the Funnel, Goals and History tabs exist (tests wait on it)."""
        self._building = False
        self._stopped = False
        """The app is closing: no further tab is built."""
        self._asked = False
        """A tab key asked for the other tabs: build them at once, not in pauses."""
        self._last_key = 0.0
        """time.monotonic() of the last tally or undo key."""
        self._focus_on_open: tuple[str, str | None] | None = None
        """A tab just opened and what to focus in it (None: its first control), kept
        until that is done (the tab may not be built yet)."""

    def on_mount(self) -> None:
        self.set_timer(self.FIRST_DELAY, self._build_step)

    def key_pressed(self) -> None:
        """A tally or undo key: start-up work waits for the next pause."""
        self._last_key = time.monotonic()

    def _quiet_left(self) -> float:
        """Seconds until the keys have been quiet for QUIET_SECONDS (0: quiet now)."""
        if self._asked:
            return 0.0
        return max(0.0, self._last_key + self.QUIET_SECONDS - time.monotonic())

    # -- building the other tabs -------------------------------------------------

    async def _build_step(self) -> None:
        """Build one of the other tabs in a pause of the typing, then the next a moment
        later, so no key press waits behind more than one short step (a timer callback,
        never a long wait: the app's messages wait while it runs)."""
        if self.ready.is_set() or self._building or self._stopped:
            return
        left = self._quiet_left()
        if left > 0:
            self.set_timer(left, self._build_step)
            return
        await self._build(all_of_them=False)
        if not self.ready.is_set():
            self.set_timer(self.STEP_GAP, self._build_step)

    async def stop_building(self, timeout: float = 2.0) -> None:
        """Build no further tab, and let the one being built finish mounting first:
        closing the app in the middle of a mount leaves a half-built widget failing
        (a Select whose overlay is already gone)."""
        self._stopped = True
        deadline = time.monotonic() + timeout

        def half_built() -> bool:
            return self._building or any(
                not widget.is_mounted
                for pane_id in OTHER_TABS
                for pane in self.query(f"#{pane_id}")
                for widget in pane.query("*")
            )

        while half_built() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    async def build_all(self) -> None:
        """Build whatever is left of Funnel, Goals and History at once (one was asked for)."""
        self._asked = True
        await self._build(all_of_them=True)

    async def _build(self, *, all_of_them: bool) -> None:
        if self._building or self.ready.is_set() or self._stopped:
            return
        self._building = True
        try:
            from salestui.tui.funnel import FunnelTab
            from salestui.tui.goals import GoalsTab
            from salestui.tui.history import HistoryTab
            from salestui.tui.prospects import ProspectsTab

            builders: tuple[Callable[[], Widget], ...] = (
                lambda: FunnelTab(self.clock, self.writes.db_path),
                lambda: GoalsTab(self.clock, self.writes),
                HistoryTab,
                lambda: ProspectsTab(self.clock, self.writes.db_path),
            )
            for pane_id, build in zip(OTHER_TABS, builders, strict=True):
                try:
                    pane = self.query_one(f"#{pane_id}", TabPane)
                except NoMatches:
                    return  # the app is closing
                if pane.children:
                    continue  # built in an earlier step
                if self._stopped:
                    return
                await pane.mount(build())
                if not (all_of_them or self._asked):
                    return  # the next step comes in the next pause
        finally:
            self._building = False
        self.call_after_refresh(self._focus_wanted)  # a tab opened before it was there
        # Everything built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, which otherwise pause a key press for ~50 ms now and then.
        gc.freeze()
        self.ready.set()
        self._built_when_quiet()

    def _built_when_quiet(self) -> None:
        """Say the tabs are built in a pause of the typing (unless a tab is waiting)."""
        left = self._quiet_left()
        if left > 0:
            self.set_timer(left, self._built_when_quiet)
            return
        self.post_message(self.Built())

    def show_figures(self, figures: Figures) -> None:
        """Hand freshly read figures to the tabs built so far."""
        from salestui.tui.funnel import FunnelTab
        from salestui.tui.goals import GoalsTab
        from salestui.tui.history import HistoryTab

        for history_tab in self.query(HistoryTab):
            history_tab.figures = figures.history
        for funnel_tab in self.query(FunnelTab):
            funnel_tab.show_figures(figures.funnel)
        for goals_tab in self.query(GoalsTab):
            goals_tab.best_months = figures.best_months
            goals_tab.inputs = figures.inputs

    def funnel_choice(self) -> str | None:
        """The funnel the Funnel tab shows when one other than the active one was picked
        there (for the figures read: `background.load_figures(..., funnel=...)`)."""
        from salestui.tui.funnel import FunnelTab

        for funnel_tab in self.query(FunnelTab):
            return funnel_tab.chosen
        return None

    def on_catalog_changed(self, message: CatalogChanged) -> None:
        """The metrics or funnels changed (`app.catalog` holds them): the Funnel, Goals
        and History tabs follow at once, and their figures are read again (the active
        funnel, and with it the plan, may be another one now)."""
        from salestui.tui.funnel import FunnelTab
        from salestui.tui.history import HistoryTab

        # Goals follows the plan read next (its form has a field per rate of the funnel).
        for tab in self.query(FunnelTab):
            tab.follow_catalog()
        for history_tab in self.query(HistoryTab):
            history_tab.follow_catalog()
        from salestui.tui.prospects import ProspectsTab

        for prospects_tab in self.query(ProspectsTab):
            prospects_tab.follow_catalog()
        if self.ready.is_set():
            self.post_message(FiguresWanted())

    # -- which control a tab opens on ----------------------------------------------

    def open_tab(self, tab_id: str, focus: str | None = None) -> None:
        """Show a tab with focus on `focus` or its first control, whatever had focus."""
        screen = self.screen
        pane = pane_of(screen.focused)
        if pane is not None and pane.id != tab_id:
            # A focused widget in the pane being hidden would pass its focus to a sibling
            # (Textual's blur on hide), and a pane whose widget takes focus becomes the
            # active tab again: the switch bounced back.
            screen.set_focus(None)
        self._focus_on_open = (tab_id, focus)
        if self.active == tab_id:
            self.call_after_refresh(self._focus_wanted)
        else:
            self.active = tab_id

    async def edit_goal(self) -> None:
        """Straight to the goal field on the Goals tab."""
        self.open_tab("goals", "#goal-input")
        await self.build_all()
        await self.ready.wait()
        self.call_after_refresh(self._focus_wanted)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id or ""
        wanted = self._focus_on_open
        if wanted is None or wanted[0] != pane_id:
            # Arrows or clicks on the tab bar leave focus there; otherwise the tab opens
            # on its first control.
            on_tab_bar = isinstance(self.screen.focused, Tabs)
            self._focus_on_open = None if on_tab_bar else (pane_id, None)
        if pane_id != "today":
            await self.build_all()  # asked for before they were built
        self.call_after_refresh(self._focus_wanted)  # once the pane is visible

    def _focus_wanted(self) -> None:
        """Focus what the tab just opened wants, once it is built and showing."""
        if self._focus_on_open is None:
            return
        pane_id, selector = self._focus_on_open
        try:
            if self.active == pane_id:
                self.focus_first(pane_id, selector)
        except NoMatches:
            return  # not built yet: tried again once it is
        self._focus_on_open = None

    def focus_first(self, pane_id: str, selector: str | None = None) -> None:
        """Focus `selector` in a tab, or its first useful control: the tab bar on Today,
        the period picker on Funnel, the Goals tab itself (not the goal field, where
        letters would type instead of tallying), the day grid on History. Raises
        NoMatches while the tab is not built."""
        pane = self.get_pane(pane_id)
        if selector is not None:
            pane.query_one(selector).focus()
        elif pane_id == "today":
            self.query_one(Tabs).focus()
        else:
            tab = pane.children[0] if pane.children else None
            if not isinstance(tab, OpensOnAControl):
                raise NoMatches(f"the {pane_id} tab is not built yet")
            tab.focus_first()

    def leave_field(self) -> None:
        """Escape leaves a text field for its tab's first control, so letter keys tally
        again and focus stays visible."""
        pane = pane_of(self.screen.focused)
        if pane is not None and pane.id is not None:
            self.focus_first(pane.id)
        else:
            self.screen.set_focus(None)


def pane_of(widget: Widget | None) -> TabPane | None:
    """The tab pane holding `widget`, if any."""
    for node in widget.ancestors if widget is not None else ():
        if isinstance(node, TabPane):
            return node
    return None
