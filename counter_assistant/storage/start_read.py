"""Today's checklist and staff records, read at start before the window first paints.

Plain sqlite3, read-only, nothing written, no peewee: a database of this release and of
this counter answers in about a millisecond. Anything else (no file yet, a schema to
migrate, another counter's file, any error) answers None, and start-up takes the full
open of storage/db.py, which creates, migrates and moves a corrupt file aside. That
open's integrity check reads the whole file, which grows all year: after a quick read
it runs on the usage writer's thread once the window is up (Recorder.verify_soon).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from counter_assistant.core.records import ChecklistEntry, StaffChange
from counter_assistant.storage.readonly import connect_readonly
from counter_assistant.storage.schema_version import SCHEMA_VERSION

Today = tuple[list[ChecklistEntry], list[StaffChange]]


def read_today_quick(path: Path, counter_id: str, local_date: str) -> Today | None:
    """(checklist entries, staff changes) of this counter today, or None: take the full open."""
    try:
        if Path(path).stat().st_size == 0:
            return None
        con = connect_readonly(path, timeout=1.0)
    except (OSError, sqlite3.Error):
        return None
    try:
        if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return None
        owner = con.execute("SELECT value FROM meta WHERE key = 'counter_id'").fetchone()
        if owner is None or owner[0] != counter_id:
            return None
        return today_rows(con, counter_id, local_date)
    except Exception:  # SQLite's errors, and rows it cannot read back (bad JSON, types)
        return None
    finally:
        con.close()


def today_rows(con: sqlite3.Connection, counter_id: str, local_date: str) -> Today:
    con.row_factory = sqlite3.Row
    where = "WHERE counter_id = ? AND local_date = ? ORDER BY ts_utc, uuid"
    checklist = con.execute(f"SELECT * FROM checklist_record {where}", (counter_id, local_date))
    entries = [ChecklistEntry.from_row(dict(r)) for r in checklist]
    staff = con.execute(f"SELECT * FROM staff_shift {where}", (counter_id, local_date))
    return entries, [StaffChange.from_row(dict(r)) for r in staff]
