"""Where the database lives: --db PATH > SALESTUI_DB > the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

from salestui.domain.text import shown, visible

ENV_VAR = "SALESTUI_DB"


def default_db_path() -> Path:
    """The per-user default, e.g. ~/.local/share/salestui/salestui.db on Linux."""
    # platformdirs imports tempfile, random and more (several ms): only for this
    # default, never when --db or SALESTUI_DB names the file.
    from platformdirs import user_data_path

    return user_data_path("salestui") / "salestui.db"


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """The database path in force for this process.

    An explicit `--db` (any string, even empty) must pass `check_db_option` first:
    an empty one is refused there rather than silently meaning the default.
    """
    if option is not None and os.fspath(option) != "":
        return _expand(Path(option))
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _expand(Path(from_env))
    return default_db_path()


def _expand(path: Path) -> Path:
    """`~` expanded; `~name` of an unknown user is left as it is (a literal folder name)."""
    try:
        return path.expanduser()
    except RuntimeError:
        return path


def check_db_option(option: str) -> Path:
    """The path `--db OPTION` names, or ValueError with one line saying why it cannot be.

    An explicit path is taken literally: its folder must exist (a typo must not create
    a new, empty database somewhere). A default location has its folder created on the
    first tally instead.
    """
    if not option.strip():
        raise ValueError(f"--db {shown(option)}: give a database file path, e.g. ~/sales.db")
    if "\x00" in option:  # only possible in-process; no OS path can hold it
        raise ValueError(f"--db {shown(option)}: a file path cannot contain a NUL character")
    try:
        path = Path(option).expanduser()
    except RuntimeError:  # `~name/...` for a user this machine does not know
        raise ValueError(f"--db {shown(option)}: no such user's home folder") from None
    if path.is_dir():
        raise ValueError(
            f"--db {_as_text(path)}: is a folder; give a database file, "
            f"e.g. {_as_text(path / 'salestui.db')}"
        )
    folder = path.parent
    if not folder.exists():
        raise ValueError(f"--db {_as_text(path)}: the folder {_as_text(folder)} does not exist")
    if not folder.is_dir():
        raise ValueError(f"--db {_as_text(path)}: {_as_text(folder)} is not a folder")
    return path


def _as_text(path: Path) -> str:
    """A path for a message: control characters and undecodable bytes written out."""
    return visible(str(path))
