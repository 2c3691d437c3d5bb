"""Reading the server back: a date range into local-schema SQLite files, one per counter.

Reports from the server run the same code as reports from counters' files: the rows are
copied into temporary databases with the counter's own schema (and its counter id in
meta), so a report from the server equals the merge of the counters' own databases by
construction. Rows stream through a server-side cursor: a year of a whole center never
sits in memory at once.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

from counter_assistant.storage.db import open_database
from counter_assistant.sync.columns import TABLES, fetch_sql, local_columns
from counter_assistant.sync.connection import Connection

CHUNK = 20_000


def known_counters(con: Connection, center_id: str, d0: str, d1: str) -> list[str]:
    """Every counter of the center the server knows: accounts, status rows, and any with
    records in the range."""
    parts = [
        "SELECT counter_id FROM ca.counter_account WHERE center_id = :c",
        "SELECT counter_id FROM ca.counter_status WHERE center_id = :c",
    ]
    parts += [
        f"SELECT DISTINCT counter_id FROM ca.{t} WHERE center_id = :c "
        "AND local_date BETWEEN CAST(:d0 AS date) AND CAST(:d1 AS date)"
        for t in TABLES
    ]
    rows = con.run(" UNION ".join(parts), c=center_id, d0=d0, d1=d1)
    return sorted(r[0] for r in rows)


def _file_name(counter_id: str, index: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", counter_id) or "counter"
    return f"{index:03d}-{safe}.sqlite3"


def fetch_range(
    con: Connection,
    folder: Path,
    date_from: date,
    date_to: date,
    center_id: str = "",
    counters: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """One database per counter (all the center's, or those named) in folder, in counter
    order; returns their paths. A named counter without records still gets its file, so
    a report lists it as having none."""
    d0, d1 = date_from.isoformat(), date_to.isoformat()
    wanted = sorted(set(counters)) if counters else known_counters(con, center_id, d0, d1)
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    targets: dict[str, sqlite3.Connection] = {}
    try:
        for i, counter in enumerate(wanted):
            path = folder / _file_name(counter, i)
            open_database(path, counter, check=False).close()
            paths[counter] = path
            target = sqlite3.connect(path, isolation_level=None)
            target.execute("PRAGMA synchronous = OFF")
            target.execute("BEGIN")
            targets[counter] = target
        done = 0
        for table in TABLES:
            done += _copy_table(con, table, targets, center_id, d0, d1, bool(counters))
            if progress is not None:
                progress(done)
        for target in targets.values():
            target.execute("COMMIT")
    finally:
        for target in targets.values():
            target.close()
    return [paths[c] for c in wanted]


def _copy_table(con, table, targets, center_id, d0, d1, filtered) -> int:
    names = local_columns(table)
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    insert = f'INSERT OR IGNORE INTO "{table}" ({cols}, synced) VALUES ({marks}, 1)'
    counter_at = names.index("counter_id")
    sql = fetch_sql(table)
    params: dict = {"c": center_id, "d0": d0, "d1": d1}
    if filtered:
        sql += " AND counter_id = ANY(CAST(:ids AS text[]))"
        params["ids"] = list(targets)
    sql += " ORDER BY counter_id, local_date, ts_utc, id"
    copied = 0
    con.run("BEGIN READ ONLY")
    try:
        con.run(f"DECLARE fetch_rows NO SCROLL CURSOR FOR {sql}", **params)
        while rows := con.run(f"FETCH {CHUNK} FROM fetch_rows"):
            by_counter: dict[str, list] = {}
            for row in rows:
                by_counter.setdefault(row[counter_at], []).append(row)
            for counter, chunk in by_counter.items():
                target = targets.get(counter)
                if target is not None:
                    target.executemany(insert, chunk)
                    copied += len(chunk)
        con.run("COMMIT")
    except BaseException:
        con.run("ROLLBACK")
        raise
    return copied
