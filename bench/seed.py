"""Create a salestui database holding N events spread over the last 10 years.

    /work/venv/bin/python bench/seed.py PATH [--events N] [--years Y] [--seed S]
        [--prospects P --touches M [--due D]]

The schema is the project's own: `Store(path).close()` creates (or migrates) it,
then the rows go in with plain sqlite3 in one transaction. The `events_rollup`
trigger keeps the per-day `day_totals` table up to date as they go in.

Events: timestamps uniform over [now - Y years, now], appended in time order;
`day` is the local calendar day (honours TZ); metric calls/meetings/sales in
roughly 80/15/5 %; delta 1; note NULL; source 'cli'. With `--metrics N` (4-8), N-3 of
the user's own metrics (emails, referrals, cards, demos, letters) are defined with the
project's own code and take a share of the events (issue 10: the same ratios with 8).

Prospects (issue 11), with `--prospects P --touches M`: P prospects and M touches, each
touch a tally of its own (an event: calls, meetings, sales 70/22/8 %) linked to its
prospect, so the database holds N + M events. Rows go into `prospect_changes`, `events`
and `touches` in the same transaction; the schema's triggers fill `prospects` (each
touch recomputes its prospect's touches, first and last touch). See `seed_prospects`.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

YEAR_SECONDS = 365.2425 * 86400
DUE = 50
"""Open prospects whose follow-up is today or up to two weeks overdue (`due` lists them)."""

OWN_METRICS: tuple[tuple[str, str], ...] = (
    ("emails", "e"),
    ("referrals", "r"),
    ("cards", "b"),
    ("demos", "d"),
    ("letters", "w"),
)
"""The user's own metrics a `--metrics N` database adds after the three built-ins."""


def define_metrics(path: Path, metrics: int) -> tuple[str, ...]:
    """Add `metrics - 3` own metrics to the database at `path` (as `salestui metric add`
    does) and return every metric key, built-ins first."""
    if not 3 <= metrics <= 3 + len(OWN_METRICS):
        raise SystemExit(f"seed: --metrics takes 3 to {3 + len(OWN_METRICS)}, not {metrics}")
    from salestui.domain.keys import reserved_keys
    from salestui.store.events import Store

    with Store(path) as store:
        for key, letter in OWN_METRICS[: metrics - 3]:
            store.set_settings(
                store.catalog().add_metric(key, letter=letter, reserved=reserved_keys())
            )
        return tuple(metric.key for metric in store.catalog().visible)


def seed(
    path: Path,
    events: int = 1_000_000,
    years: float = 10.0,
    rng_seed: int = 1,
    metrics: int = 3,
    *,
    prospects: int = 0,
    touches: int = 0,
    due: int = DUE,
    timings: dict[str, float] | None = None,
) -> float:
    """Create the database at `path` (must not exist) and return the seconds it took.
    `timings`, when given, gets the seconds of each insert (events, prospect changes,
    linked tallies, touches): the triggers' share of the work shows there."""
    from salestui.store.events import Store

    started = time.perf_counter()
    if path.exists():
        raise SystemExit(f"seed: {path} already exists; remove it first")
    Store(path).close()  # the project's schema, migrations and pragmas (WAL)
    keys = define_metrics(path, metrics)

    rng = random.Random(rng_seed)
    now = time.time()
    span = years * YEAR_SECONDS
    instants = sorted(now - rng.random() * span for _ in range(events))
    weights = (80, 15, 5, *(10 for _ in keys[3:]))
    chosen = rng.choices(keys, weights=weights, k=events)
    uuid4 = uuid.uuid4
    fromts = datetime.fromtimestamp

    def rows() -> Iterator[tuple[str, str, str, str, int, None, str]]:
        for instant, metric in zip(instants, chosen, strict=True):
            yield (
                str(uuid4()),
                fromts(instant, UTC).isoformat(timespec="microseconds"),
                fromts(instant).date().isoformat(),  # local day, TZ honoured
                metric,
                1,
                None,
                "cli",
            )

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: random uuid keys
        conn.execute("PRAGMA synchronous = OFF")  # this connection only; file is fsynced below
        conn.execute("BEGIN IMMEDIATE")
        took = time.perf_counter()
        conn.executemany(
            "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
            " VALUES (?,?,?,?,?,?,?,NULL)",
            rows(),
        )
        if timings is not None:
            timings["events"] = time.perf_counter() - took
        if prospects:
            seed_prospects(conn, prospects, touches, now, span, rng, due=due, timings=timings)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    with open(path, "rb+") as handle:  # make it durable like a normal database
        os.fsync(handle.fileno())
    return time.perf_counter() - started


# -- prospects (issue 11) ----------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    """The words of `text` (the name lists below read as prose)."""
    return tuple(text.split())


FIRST_NAMES = words(
    "Ada Alan Alice Amir Anna Arjun Astrid Ben Bianca Carla Carlos Chen Clara Daniel Dara"
    " David Elena Emil Emma Farah Felix Fiona Grace Hana Hugo Ines Ivan Jakob Jana Jonas"
    " Julia Kai Karin Kenji Lara Leo Lina Luca Maja Marco Maria Marta Mila Nadia Nils Noah"
    " Nora Olga Omar Oskar Paula Pedro Priya Rafael Rosa Ruth Sami Sara Selma Sofia Tariq"
    " Theo Tomas Una Vera Viktor Wanda Yara Yusuf Zoe"
)
LAST_NAMES = words(
    "Abbott Adler Ahmed Alvarez Bauer Becker Berg Bianchi Brandt Brooks Carter Costa Dahl"
    " Diaz Dubois Eriksen Fischer Fontaine Garcia Gomez Hansen Hartmann Holm Ito Jensen"
    " Kaur Keller Kim Kowalski Larsen Lindqvist Lopez Marsh Meyer Moreau Nakamura Nielsen"
    " Novak Okafor Olsen Park Petrov Quinn Reyes Richter Romano Rossi Sato Schmidt Silva"
    " Sousa Stein Tanaka Torres Vogel Wagner Weber Wolf Young Zimmer"
)
COMPANY_WORDS = words(
    "Acme Apex Arbor Atlas Beacon Birch Blue Bright Cedar Cobalt Crest Delta Echo Falcon"
    " Granite Harbor Iron Juniper Keystone Lumen Maple Meridian North Nova Oak Orbit Pine"
    " Quartz River Summit Tidal Vertex West"
)
COMPANY_KINDS = words(
    "Logistics Dental Builders Bakery Consulting Motors Print Labs Foods Legal Studio"
    " Clinic Hotels Energy Software Supplies"
)
SOURCE_WEIGHTS = {"cold": 55, "referral": 20, "inbound": 15, "event": 7, "other": 3}
LOST_REASONS = ("price", "no budget", "went with a competitor", "stopped answering")


def prospect_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct names "First X. Last" (up to 70 x 26 x 60 = 109,200), shuffled."""
    space = len(FIRST_NAMES) * 26 * len(LAST_NAMES)
    if count > space:
        raise SystemExit(f"seed: at most {space:,} prospects, not {count:,}")
    names = []
    for index in rng.sample(range(space), count):
        first, rest = divmod(index, 26 * len(LAST_NAMES))
        initial, last = divmod(rest, len(LAST_NAMES))
        names.append(f"{FIRST_NAMES[first]} {chr(65 + initial)}. {LAST_NAMES[last]}")
    return names


def seed_prospects(
    conn: sqlite3.Connection,
    prospects: int,
    touches: int,
    now: float,
    span: float,
    rng: random.Random,
    *,
    due: int = DUE,
    timings: dict[str, float] | None = None,
) -> None:
    """Insert `prospects` prospects and `touches` touches (each with its own tally) inside
    the caller's transaction; the triggers fill `prospects` and `day_totals`.

    Each prospect is added at an instant uniform over the span (changes name, company
    (70 % have one), source, status open, as `prospect add` writes them), is worked for
    a stretch of about two months on average (exponential), and gets its touches at
    instants uniform over that stretch (how many: weights exponential, so ~9 % have none
    and the busiest have ~100). 12 % are won and 28 % lost an hour after their last touch
    (lost with a reason); the rest stay open. `due` open prospects have a follow-up from
    two weeks ago to today; a fifth of the other open ones one in the next 60 days.
    """
    uuid4 = uuid.uuid4
    fromts = datetime.fromtimestamp
    names = prospect_names(prospects, rng)
    ids = [str(uuid4()) for _ in range(prospects)]
    created = [now - rng.random() * span for _ in range(prospects)]
    stretch = [min(rng.expovariate(1 / 60) * 86400, span) for _ in range(prospects)]
    weights = [rng.expovariate(1.0) for _ in range(prospects)]
    owners = rng.choices(range(prospects), weights=weights, k=touches)
    touched = sorted(
        (min(created[p] + rng.random() * stretch[p], now), p) for p in owners
    )  # in time order, as tallies arrive
    last_touch = dict.fromkeys(range(prospects), 0.0)
    for instant, p in touched:
        last_touch[p] = instant

    def stamp(instant: float) -> tuple[str, str]:
        return fromts(instant, UTC).isoformat(timespec="microseconds"), fromts(
            instant
        ).date().isoformat()

    today = date.today()
    sources = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()), k=prospects)
    changes: list[tuple[str, str, str, str, str, str | None]] = []
    open_ones: list[int] = []
    for p in range(prospects):
        ts, day = stamp(created[p])
        company = (
            f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
            if rng.random() < 0.7
            else None
        )
        for field, value in (
            ("name", names[p]),
            ("company", company),
            ("source", sources[p]),
            ("status", "open"),
        ):
            changes.append((str(uuid4()), ts, day, ids[p], field, value))
        fate = rng.random()
        if fate < 0.40:
            closed = min(max(last_touch[p], created[p]) + 3600, now)
            ts, day = stamp(closed)
            changes.append(
                (str(uuid4()), ts, day, ids[p], "status", "won" if fate < 0.12 else "lost")
            )
            if fate >= 0.12:
                reason = rng.choice(LOST_REASONS)
                changes.append((str(uuid4()), ts, day, ids[p], "reason", reason))
        else:
            open_ones.append(p)
    rng.shuffle(open_ones)
    for rank, p in enumerate(open_ones):
        if rank < due:
            on = today - timedelta(days=rng.randrange(15))
        elif rng.random() < 0.2:
            on = today + timedelta(days=1 + rng.randrange(60))
        else:
            continue
        ts, day = stamp(min(max(last_touch[p], created[p]) + 60, now))
        changes.append((str(uuid4()), ts, day, ids[p], "follow_up", on.isoformat()))

    took = time.perf_counter()
    conn.executemany(
        "INSERT INTO prospect_changes (id, ts, day, prospect, field, value, source)"
        " VALUES (?,?,?,?,?,?,'cli')",
        changes,
    )
    if timings is not None:
        timings["prospect_changes"] = time.perf_counter() - took

    metrics = rng.choices(("calls", "meetings", "sales"), weights=(70, 22, 8), k=touches)
    tallies = [
        (str(uuid4()), *stamp(instant), metric, ids[p])
        for (instant, p), metric in zip(touched, metrics, strict=True)
    ]
    took = time.perf_counter()
    conn.executemany(
        "INSERT INTO events (id, ts, day, metric, delta, note, source, cancels)"
        " VALUES (?,?,?,?,1,NULL,'cli',NULL)",
        (tally[:4] for tally in tallies),
    )
    if timings is not None:
        timings["linked_tallies"] = time.perf_counter() - took
    took = time.perf_counter()
    conn.executemany(
        "INSERT INTO touches (id, ts, prospect, event, event_ts, day, metric, source)"
        " VALUES (?,?,?,?,?,?,?,'cli')",
        (
            (str(uuid4()), ts, prospect, event, ts, day, metric)
            for event, ts, day, metric, prospect in tallies
        ),
    )
    if timings is not None:
        timings["touches"] = time.perf_counter() - took


def sample_prospect(path: Path, touches: int = 10) -> str:
    """The name of an open prospect with about `touches` touches (the CLI rows'
    `--prospect NAME`): a typical one, not the busiest."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT name FROM prospects WHERE status = 'open' AND name IS NOT NULL"
            " ORDER BY abs(touches - ?), name LIMIT 1",
            (touches,),
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise SystemExit(f"seed: {path} has no open prospect")
    return str(row[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--metrics", type=int, default=3, help="3 built-ins plus own (up to 8)")
    parser.add_argument("--prospects", type=int, default=0, help="prospects (issue 11)")
    parser.add_argument(
        "--touches", type=int, default=0, help="touches, each a tally linked to a prospect"
    )
    parser.add_argument(
        "--due", type=int, default=DUE, help=f"open prospects due or overdue (default {DUE})"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.touches and not args.prospects:
        parser.error("--touches needs --prospects")
    if args.force:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.path}{suffix}").unlink(missing_ok=True)
    timings: dict[str, float] = {}
    took = seed(
        args.path,
        args.events,
        args.years,
        args.seed,
        args.metrics,
        prospects=args.prospects,
        touches=args.touches,
        due=args.due,
        timings=timings,
    )
    conn = sqlite3.connect(args.path)
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    days = conn.execute("SELECT count(DISTINCT day) FROM day_totals").fetchone()[0]
    found = conn.execute("SELECT count(*), sum(touches) FROM prospects").fetchone()
    conn.close()
    size = args.path.stat().st_size / 1e6
    print(f"seeded {args.path}: {total} events over {days} days, {size:.0f} MB, {took:.1f} s")
    if args.prospects:
        print(f"  {found[0]:,} prospects with {found[1] or 0:,} touches")
    print("  inserts: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
