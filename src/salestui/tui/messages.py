"""Messages that flow up to the app from more than one tab or thread.

A message owned by one widget lives on that widget's class (`TodayView.DayChanged`,
`FunnelTab.PeriodChosen`); these are the shared ones."""

from __future__ import annotations

from textual.message import Message


class FiguresWanted(Message):
    """The funnel, plan and history figures should be read again: at once, or (`soon`)
    once a burst of key presses is over, so the read stays off the keys' path."""

    def __init__(self, *, soon: bool = False) -> None:
        super().__init__()
        self.soon = soon


class DatabaseChanged(Message):
    """Another process (or this window's writer) changed the database, or the local
    date changed: posted by the watcher thread."""


class CatalogChanged(Message):
    """The metrics or funnels changed (here, or in another process): `app.catalog` holds
    the new catalog. Posted to the screen; each tab that shows metrics re-reads it."""


class ProspectsChanged(Message):
    """A prospect was added, changed or touched here: the Prospects tab and Today's
    follow-up line read again."""
