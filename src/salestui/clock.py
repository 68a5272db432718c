"""The wall clock, read each time it is needed (midnight rollover, libfaketime)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]
"""Returns the current aware local datetime."""


def local_now() -> datetime:
    """Now, in the local time zone (TZ is honoured)."""
    return datetime.now().astimezone()
