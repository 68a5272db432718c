"""The SQLite file: schema and migrations, the append-only event log, and queries."""

from salestui.store.events import BelowZeroError, Event, Store, StoreError

__all__ = ["BelowZeroError", "Event", "Store", "StoreError"]
