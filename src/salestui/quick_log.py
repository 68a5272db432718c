"""`salestui log METRIC [COUNT]` as a key binding runs it: read and recorded without click.

A tmux or shell key bound to `salestui log call` starts a new interpreter on every
press, so what it imports is most of what it costs. `salestui.launch` hands this module
the command line; it takes only the exact common form, `[--db PATH] log METRIC [COUNT]`
with values it accepts, and answers None for everything else (an option, a bad metric
or count, `--help`): the click command line (`salestui.cli`) takes those and says what
is wrong, so no refusal is worded twice. `salestui.cli.counting` reads COUNT and records
the tally through the functions here too, so both paths print the same line.

Which metrics exist is the catalog's word (your own metrics, hidden ones): `metric_to_log`
asks it for both paths. A database nobody customised answers from the built-ins without
loading the catalog, and a METRIC the quick path cannot resolve goes to click, which words
the refusal, with nothing written.

It imports the store and the domain, never click or Textual.

Two more forms a shell prompt or a key runs often are taken the same way: `log METRIC
[COUNT] --prospect NAME` (the tally linked to a prospect, `record_touch`) and `due
[--json]` (`due_output`). Their modules (`store.prospects`, `domain.prospects`) are
imported only on those paths, so `log call` loads nothing more than it did.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from salestui.clock import Clock, local_now
from salestui.domain.metrics import MAX_COUNT, Metric, parse_metric
from salestui.domain.text import visible
from salestui.paths import check_db_option, resolve_db_path
from salestui.store.events import Store, StoreError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date

    from salestui.domain.prospects import Prospect

METRIC_PREFIX = "metric."
"""Settings `metric.KEY` define the user's metrics and hide built-ins (domain.catalog)."""


def count_or_none(text: str) -> int | None:
    """COUNT as a whole number from 1 to MAX_COUNT (10,000), or None when it is not one."""
    digits = text.strip()
    # Plain decimal digits only (int() would also take "1_000" and other scripts' digits),
    # and few enough for int(): Python refuses int() of 4,300+ digits.
    unsigned = digits[1:] if digits.startswith("+") else digits
    if not (1 <= len(unsigned) <= 12 and unsigned.isascii() and unsigned.isdigit()):
        return None
    count = int(unsigned)
    return count if 1 <= count <= MAX_COUNT else None


def record(
    store: Store,
    metric: Metric,
    count: int,
    now: datetime,
    *,
    at: datetime | None = None,
    note: str | None = None,
) -> str:
    """Record one tally of `count` and return the line `salestui log` prints for it:
    `+1 call`, or `+2 sales on 2026-11-26` when it landed on a day other than `now`'s."""
    event = store.log(metric.key, count, at=at, note=note, source="cli")
    when = "" if event.day == now.date().isoformat() else f" on {event.day}"
    return f"+{metric.amount(count)}{when}"


def metric_to_log(store: Store, text: str) -> Metric:
    """The metric `log TEXT` counts on this database: a built-in or one of the user's, by
    plural, singular or letter. ValueError with one line for an unknown metric (naming
    the known ones) or a hidden one (saying how to show it again)."""
    own = store.settings_like(METRIC_PREFIX)
    try:
        builtin: Metric | None = parse_metric(text)
    except ValueError:
        builtin = None
    # A built-in's names always mean it (the catalog looks them up first); only whether
    # it is hidden is stored, under its own key. So a built-in never hidden or shown, or a
    # database nobody customised, is answered without loading the catalog (and json):
    # `log call` costs what it did before the user added `emails`.
    if builtin is not None and METRIC_PREFIX + builtin.key not in own:
        return builtin
    if not own:
        return parse_metric(text)  # the built-ins' refusal, naming them
    from salestui.domain.catalog import Catalog  # only for the user's metrics

    # Only `metric.*` settings decide which metrics exist and which are hidden.
    return Catalog.from_settings(own).metric_for_logging(text)


def quick_form(argv: Sequence[str]) -> tuple[Path, str, int] | None:
    """(database, METRIC as given, count) when `argv` (without the program name) is
    exactly `[--db PATH] log METRIC [COUNT]` with a usable PATH and COUNT; else None.
    Whether METRIC names a metric is for `run` to ask the database."""
    args = list(argv)
    db_option: str | None = None
    if args[:1] == ["--db"] and len(args) >= 2:
        db_option, args = args[1], args[2:]
    elif args and args[0].startswith("--db="):
        db_option, args = args[0][len("--db=") :], args[1:]
    if not 2 <= len(args) <= 3 or args[0] != "log":
        return None
    if any(arg.startswith("-") for arg in args) or (db_option or "").startswith("-"):
        return None  # an option, or a value click might read as one: click decides
    try:
        if db_option is not None:
            check_db_option(db_option)
    except (ValueError, OSError):  # OSError: a folder it may not look into
        return None
    count = count_or_none(args[2]) if len(args) == 3 else 1
    if count is None:
        return None
    return resolve_db_path(db_option), args[1], count


def record_touch(
    store: Store,
    metric: Metric,
    count: int,
    now: datetime,
    prospect: Prospect,
    *,
    at: datetime | None = None,
    note: str | None = None,
) -> str:
    """Record one tally linked to `prospect` (and its metric's follow-up rule) and return
    the line `salestui log --prospect` prints: `+1 call for Acme`, with `; follow-up
    2026-12-02` when the rule set one."""
    from salestui.store.prospects import log_touch

    event, follow_up = log_touch(store, metric.key, count, prospect.id, at=at, note=note)
    when = "" if event.day == now.date().isoformat() else f" on {event.day}"
    then = f"; follow-up {follow_up.isoformat()}" if follow_up is not None else ""
    return visible(f"+{metric.amount(count)}{when} for {prospect.name}{then}")


def due_output(store: Store | None, today: date, as_json: bool) -> str:
    """What `salestui due` prints (None: no database): one line per follow-up due today
    or overdue, nothing at all when none (a shell prompt stays quiet); with `as_json`,
    `{"due": [{"prospect", "on", "days_overdue", "last_touch"}]}` on one line."""
    from salestui.store.prospects import due_prospects

    due = due_prospects(store, today) if store is not None else []
    if as_json:
        import json

        rows = [
            {
                "prospect": prospect.name,
                "on": prospect.follow_up.isoformat() if prospect.follow_up else None,
                "days_overdue": (today - prospect.follow_up).days if prospect.follow_up else 0,
                "last_touch": prospect.last_touch.isoformat() if prospect.last_touch else None,
            }
            for prospect in due
        ]
        return json.dumps({"due": rows}, ensure_ascii=False) + "\n"
    lines = []
    for prospect in due:
        on = prospect.follow_up or today
        late = (today - on).days
        when = "due today" if late == 0 else f"{late} day{'s' if late != 1 else ''} overdue"
        touched = (
            f"last touch {prospect.last_touch.isoformat()}" if prospect.last_touch else "no touch"
        )
        company = f" ({prospect.company})" if prospect.company else ""
        lines.append(visible(f"{on.isoformat()}  {prospect.name}{company}: {when}, {touched}"))
    return "".join(line + "\n" for line in lines)


def _split_db(argv: Sequence[str]) -> tuple[str | None, list[str]] | None:
    """(--db value or None, the rest) for `[--db PATH]` or `[--db=PATH]` first; None when
    the PATH is one click should judge."""
    args = list(argv)
    db_option: str | None = None
    if args[:1] == ["--db"] and len(args) >= 2:
        db_option, args = args[1], args[2:]
    elif args and args[0].startswith("--db="):
        db_option, args = args[0][len("--db=") :], args[1:]
    if (db_option or "").startswith("-"):
        return None
    try:
        if db_option is not None:
            check_db_option(db_option)
    except (ValueError, OSError):  # OSError: a folder it may not look into
        return None
    return db_option, args


def prospect_form(argv: Sequence[str]) -> tuple[Path, str, int, str] | None:
    """(database, METRIC, count, NAME) when `argv` is exactly `[--db PATH] log METRIC
    [COUNT] --prospect NAME` (`--prospect=NAME` too, anywhere after `log`); else None."""
    split = _split_db(argv)
    if split is None:
        return None
    db_option, args = split
    if args[:1] != ["log"]:
        return None
    rest, name = [], None
    words = iter(args[1:])
    for word in words:
        if word == "--prospect" and name is None:
            name = next(words, None)
            if name is None:
                return None
        elif word.startswith("--prospect=") and name is None:
            name = word[len("--prospect=") :]
        else:
            rest.append(word)
    if name is None or not name.strip() or name.startswith("-"):
        return None
    if not 1 <= len(rest) <= 2 or any(word.startswith("-") for word in rest):
        return None
    count = count_or_none(rest[1]) if len(rest) == 2 else 1
    if count is None:
        return None
    return resolve_db_path(db_option), rest[0], count, name


def due_form(argv: Sequence[str]) -> tuple[Path, bool] | None:
    """(database, --json given) when `argv` is exactly `[--db PATH] due [--json]`."""
    split = _split_db(argv)
    if split is None:
        return None
    db_option, args = split
    if args not in (["due"], ["due", "--json"]):
        return None
    return resolve_db_path(db_option), len(args) == 2


def _write_out(text: str) -> None:
    if sys.stdout is not None and text:  # no standard output at all: nothing to say
        sys.stdout.write(text)
        sys.stdout.flush()


def run_due(path: Path, as_json: bool, clock: Clock) -> int:
    """`salestui due [--json]`: a missing database has nothing due (and stays missing)."""
    try:
        today = clock().date()
        if not os.path.exists(path):
            _write_out(due_output(None, today, as_json))
            return 0
        with Store.for_reading(path, clock=clock) as store:
            _write_out(due_output(store, today, as_json))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # never a traceback (DESIGN)
        return failed(error)
    return 0


def run_touch(path: Path, text: str, count: int, name: str, clock: Clock) -> int | None:
    """`log METRIC [COUNT] --prospect NAME`; None (nothing written) for click to word a
    refusal: an unknown metric or prospect, an ambiguous name, a missing database."""
    if not os.path.exists(path):
        return None  # nobody to link to: click says so, creating nothing
    try:
        now = clock()
        with Store(path, clock=clock) as store:
            from salestui.store.prospects import find_prospect

            try:
                metric = metric_to_log(store, text)
                prospect = find_prospect(store, name)
            except ValueError:  # click says what is wrong; nothing was written
                return None
            _write_out(record_touch(store, metric, count, now, prospect) + "\n")
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # never a traceback (DESIGN)
        return failed(error)
    return 0


def run(argv: Sequence[str], clock: Clock = local_now) -> int | None:
    """Record the tally `argv` asks for and return the exit code; None (nothing done)
    when `argv` is not the quick form, for the click command line to take."""
    form = quick_form(argv)
    if form is None:
        touch = prospect_form(argv)
        if touch is not None:
            return run_touch(*touch, clock=clock)
        due = due_form(argv)
        if due is not None:
            return run_due(*due, clock=clock)
        return None
    path, text, count = form
    try:
        parse_metric(text)
    except ValueError:
        # Not a built-in: only a database that exists can know it (and opening a missing
        # one would create it for a tally that may be refused).
        if not os.path.exists(path):
            return None
    try:
        now = clock()
        with Store(path, clock=clock) as store:
            try:
                metric = metric_to_log(store, text)
            except ValueError:  # unknown or hidden: click says so; nothing was written
                return None
            line = record(store, metric, count, now)
            if sys.stdout is not None:  # no standard output at all: nothing to say
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # never a traceback (DESIGN)
        return failed(error)
    return 0


def failed(error: Exception) -> int:
    """Say on stderr, in one line, why the tally failed, as the click command line says
    it for a runtime failure, and return the exit code (1)."""
    if isinstance(error, StoreError):
        say(str(error))
    elif isinstance(error, BrokenPipeError):
        # The reader of our output went away: nothing to say to anyone; keep Python
        # from complaining about the unflushed pipe at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    elif isinstance(error, OSError):
        if error.filename is not None:
            say(f"{error.filename}: {error.strerror or error}")
        else:
            say(str(error))
    else:
        say(f"unexpected error ({type(error).__name__}: {error}); please report it")
    return 1


def say(message: str) -> None:
    """One line on stderr, whatever the message holds (control characters made visible)."""
    lines = message.splitlines()
    first = lines[0] if message.strip() else message.strip()
    if sys.stderr is not None:
        sys.stderr.write(f"salestui: {visible(first)}\n")
        sys.stderr.flush()
