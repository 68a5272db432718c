"""Where the database lives: --db PATH > SALESTUI_DB > the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SALESTUI_DB"


def default_db_path() -> Path:
    """The per-user default, e.g. ~/.local/share/salestui/salestui.db on Linux."""
    from platformdirs import user_data_path

    return user_data_path("salestui") / "salestui.db"


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database path in force for this process."""
    if option:
        return Path(option).expanduser()
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return default_db_path()
