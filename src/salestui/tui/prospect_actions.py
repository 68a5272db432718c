"""What the app does when the Prospects tab, a prospect's screen or `p` asks for a
change: each change is one write on the app's write queue (in key order, never freezing
the screen), said in one line when refused; `ProspectsChanged` follows each that lands,
so the tab and Today's follow-up line read again.

Kept out of app.py (which only routes): the app calls these with itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from salestui.domain.prospects import Prospect
from salestui.domain.text import visible
from salestui.store.events import Event, Store
from salestui.tui import writer
from salestui.tui.messages import ProspectsChanged
from salestui.tui.prospect_screen import ProspectScreen
from salestui.tui.prospects import NEW, ProspectForm, ProspectFormScreen, ProspectPicker, last_tally
from salestui.tui.today import error_text
from salestui.tui.writer import Write

if TYPE_CHECKING:
    from salestui.tui.app import SalesApp


def _write(
    app: SalesApp,
    label: str,
    change: Callable[[Store], object],
    said: Callable[[object], str | None],
) -> None:
    """Queue `change`; once it landed, say `said(result)` (None: nothing) and tell the
    tab and Today; a refusal is one line."""

    def landed(result: object) -> None:
        sentence = said(result)
        if sentence:
            app.notify(sentence, markup=False)
        app.post_message(ProspectsChanged())

    def failed(error: Exception) -> None:
        app.notify(f"Not saved ({label}): {error_text(error)}", severity="error", markup=False)

    app.writes.submit(Write(label, writer.using_store(change), landed=landed, failed=failed))


def open_prospect(app: SalesApp, prospect_id: str) -> None:
    """The prospect's screen over the tabs."""
    app.push_screen(ProspectScreen(prospect_id, app.store, app.writes, app.clock, app.catalog))


def add(app: SalesApp, name: str = "", then: Callable[[Prospect], None] | None = None) -> None:
    """Ask for a new prospect (name, company, source) and add it."""
    from salestui.store import prospects as stored

    def chosen(form: ProspectForm | None) -> None:
        if form is None:
            return

        def change(store: Store) -> Prospect:
            return stored.add_prospect(
                store, form.name, company=form.company, source=form.source, origin="tui"
            )

        def said(result: object) -> str | None:
            if isinstance(result, Prospect) and then is not None:
                then(result)
            return f"Added {visible(form.name)}."

        _write(app, "new prospect", change, said)

    app.push_screen(ProspectFormScreen("Add a prospect", name=name), chosen)


def change(app: SalesApp, message: ProspectScreen.ChangeWanted) -> None:
    """Won, lost, a follow-up, an edit or an add asked for on a prospect's screen."""
    from salestui.store import prospects as stored

    prospect_id = message.prospect_id
    if message.what == "won":
        _write(
            app, "won", lambda store: stored.won(store, prospect_id, origin="tui"), lambda _: "Won."
        )
    elif message.what == "lost":
        reason = message.value if isinstance(message.value, str) else None
        _write(
            app,
            "lost",
            lambda store: stored.lost(store, prospect_id, reason, origin="tui"),
            lambda _: "Lost.",
        )
    elif message.what == "follow_up":
        day = message.value if isinstance(message.value, date) else None
        _write(
            app,
            "follow-up",
            lambda store: stored.set_follow_up(store, prospect_id, day, origin="tui"),
            lambda _: f"Follow up on {day:%a %-d %b}." if day else "Follow-up cleared.",
        )
    elif message.what == "edit" and isinstance(message.value, Prospect):
        edit(app, message.value)
    elif message.what == "add":
        add(app, then=lambda prospect: open_prospect(app, prospect.id))


def edit(app: SalesApp, prospect: Prospect) -> None:
    """The form filled with the prospect's fields; a changed name is a rename (the
    history keeps the old one), company and source an edit."""
    from salestui.store import prospects as stored

    def chosen(form: ProspectForm | None) -> None:
        if form is None:
            return

        def change(store: Store) -> None:
            stored.rename(store, prospect.id, form.name, origin="tui")
            stored.edit(store, prospect.id, company=form.company, source=form.source, origin="tui")

        _write(app, "edit", change, lambda _: f"Saved {visible(form.name)}.")

    app.push_screen(ProspectFormScreen(f"Edit {visible(prospect.name)}", prospect), chosen)


def link_last_tally(app: SalesApp) -> None:
    """`p`: link this window's last tally to a prospect picked (or added) by name."""
    if app.writes.waiting:
        app.notify("The last tally is still waiting for the database; press p once it is saved.")
        return
    tally = last_tally(app.store, app.writes.own_tallies)
    if tally is None:
        app.notify("Tally something first: p links this window's last tally to a prospect.")
        return
    metric = writer.wording(app.catalog, tally.metric)
    about = f"{metric.change(tally.delta)} at {tally.local_time:%H:%M}"

    def picked(choice: str | None) -> None:
        if choice is None:
            return
        if choice.startswith(NEW):
            add(app, choice[len(NEW) :], then=lambda prospect: _link(app, tally, prospect, about))
            return
        from salestui.store import prospects as stored

        prospect = stored.get_prospect(app.store, choice)
        if prospect is not None:
            _link(app, tally, prospect, about)

    app.push_screen(ProspectPicker(app.store, f"Link {about} to:"), picked)


def _link(app: SalesApp, tally: Event, prospect: Prospect, about: str) -> None:
    from salestui.store import prospects as stored

    def said(follow_up: object) -> str:
        then = f"; follow up on {follow_up:%a %-d %b}" if isinstance(follow_up, date) else ""
        return f"Linked {about} to {visible(prospect.name)}{then}."

    _write(
        app,
        "link",
        lambda store: stored.link_touch(store, tally, prospect.id, origin="tui"),
        said,
    )
