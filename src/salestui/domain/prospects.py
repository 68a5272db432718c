"""Prospects: the person or company a tally was about (pure; no I/O).

A prospect is built from append-only changes (one field each, the latest wins) and the
touches linked to it; the store keeps each prospect as it stands (`store.prospects`).
This module holds the record, the rules a name follows and how a name given on the
command line or typed in the app finds its prospect.

Kept light (a `Record`, no dataclasses): `salestui log call --prospect NAME` and
`salestui due` load it on their quick path.
"""

from __future__ import annotations

from salestui.domain.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

SOURCES: tuple[str, ...] = ("cold", "referral", "inbound", "event", "other")
"""Where a prospect came from; `cold` unless told."""
STATUSES: tuple[str, ...] = ("open", "won", "lost")
FIELDS: tuple[str, ...] = ("name", "company", "source", "status", "reason", "follow_up")
"""What one prospect change sets (the schema's check trigger accepts these alone)."""
MAX_NAME = 200
"""The longest name or company accepted (characters)."""
MAX_REASON = 500


class Prospect(Record):
    """One prospect as it stands (immutable): the latest of each field, and its touches
    (linked tallies not undone, each once)."""

    __match_args__ = (
        "id",
        "name",
        "company",
        "source",
        "status",
        "reason",
        "follow_up",
        "created_on",
        "closed_on",
        "touches",
        "first_touch",
        "last_touch",
    )
    __slots__ = __match_args__
    id: str
    name: str
    company: str | None
    source: str
    status: str
    reason: str | None
    follow_up: date | None
    created_on: date | None
    """The local day it was added."""
    closed_on: date | None
    """The local day it was won or lost (None while open)."""
    touches: int
    first_touch: date | None
    last_touch: date | None

    def __init__(
        self,
        id: str,
        name: str,
        company: str | None,
        source: str,
        status: str,
        reason: str | None,
        follow_up: date | None,
        created_on: date | None,
        closed_on: date | None,
        touches: int,
        first_touch: date | None,
        last_touch: date | None,
    ) -> None:
        for field, value in zip(
            self.__slots__,
            (
                id,
                name,
                company,
                source,
                status,
                reason,
                follow_up,
                created_on,
                closed_on,
                touches,
                first_touch,
                last_touch,
            ),
            strict=True,
        ):
            object.__setattr__(self, field, value)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def check_name(text: str, what: str = "name") -> str:
    """A name (or company) as stored: surrounding spaces dropped. Raises ValueError with
    one line for an empty one, one longer than MAX_NAME, or one with control characters."""
    name = " ".join(text.split()) if text.strip() else ""
    if not name:
        raise ValueError(f"a prospect's {what} cannot be empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"a prospect's {what} is at most {MAX_NAME} characters, not {len(name):,}")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name):
        raise ValueError(f"a prospect's {what} cannot hold control characters")
    return name


def check_source(text: str) -> str:
    """A source as stored. Raises ValueError naming the accepted ones."""
    source = text.strip().lower()
    if source not in SOURCES:
        raise ValueError(f"unknown source {text!r} (use {', '.join(SOURCES)})")
    return source


class NoMatch(ValueError):
    """No prospect has that name or starts with it; `close` holds near names."""

    def __init__(self, text: str, close: Sequence[str] = ()) -> None:
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        super().__init__(f"no prospect named {text!r}{hint}")
        self.text = text
        self.close = tuple(close)


class Ambiguous(ValueError):
    """More than one prospect starts with the text given."""

    def __init__(self, text: str, names: Sequence[str]) -> None:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        super().__init__(f"{text!r} matches {len(names)} prospects: {shown}; type more of the name")
        self.text = text
        self.names = tuple(names)


def pick(text: str, candidates: Iterable[Prospect]) -> Prospect:
    """The prospect `text` names: its whole name (case-insensitive), else the only one
    whose name starts with it. Raises Ambiguous or NoMatch (one line each).

    `candidates` are the prospects whose name starts with `text` (case-insensitive),
    as `store.prospects.starting_with` reads them.
    """
    wanted = " ".join(text.split()).casefold()
    found = list(candidates)
    exact = [p for p in found if p.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise Ambiguous(text, [f"{p.name} ({p.company or p.id[:8]})" for p in exact])
    prefixed = [p for p in found if p.name.casefold().startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if prefixed:
        raise Ambiguous(text, sorted(p.name for p in prefixed))
    raise NoMatch(text)
