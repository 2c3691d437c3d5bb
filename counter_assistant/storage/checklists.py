"""Reading today's checklist and staff records back at start, so a restart keeps the day.

Writing goes through the app's Recorder, never through here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from peewee import SqliteDatabase

from counter_assistant.core.records import ChecklistEntry, StaffChange
from counter_assistant.storage.db import sidecars
from counter_assistant.storage.models import ChecklistRecord, StaffShift, bound
from counter_assistant.storage.readonly import connect_readonly, readonly_uri
from counter_assistant.storage.start_read import today_rows


def load_today(
    db: SqliteDatabase, counter_id: str, local_date: str
) -> tuple[list[ChecklistEntry], list[StaffChange]]:
    """(checklist entries, staff changes) of this counter on this date, oldest first.

    Raises peewee errors when the database cannot be read; the app then starts the day
    from nothing (the checklist comes up) and says why.
    """
    with bound(db):
        checklist = (
            ChecklistRecord.select()
            .where(
                (ChecklistRecord.counter_id == counter_id)
                & (ChecklistRecord.local_date == local_date)
            )
            .order_by(ChecklistRecord.ts_utc, ChecklistRecord.uuid)
            .dicts()
        )
        staff = (
            StaffShift.select()
            .where((StaffShift.counter_id == counter_id) & (StaffShift.local_date == local_date))
            .order_by(StaffShift.ts_utc, StaffShift.uuid)
            .dicts()
        )
        return (
            [ChecklistEntry.from_row(r) for r in checklist],
            [StaffChange.from_row(r) for r in staff],
        )


def load_today_readonly(
    path: Path, counter_id: str, local_date: str
) -> tuple[list[ChecklistEntry], list[StaffChange]]:
    """The same, when the database cannot be opened for writing (a full disk, a read-only
    file): today's preparation must not be asked for again just because of that.

    SQLite needs to create the -shm file even to read a WAL database; when that fails and
    no -wal file holds unmerged changes, the file is read as immutable.
    """
    try:
        con = connect_readonly(path, timeout=1.0)
        try:
            return today_rows(con, counter_id, local_date)
        finally:
            con.close()
    except sqlite3.OperationalError:
        wal = sidecars(Path(path))[0]
        if wal.exists() and wal.stat().st_size > 0:
            raise
    uri = readonly_uri(path) + "&immutable=1"
    con = sqlite3.connect(uri, uri=True, timeout=1.0)
    try:
        return today_rows(con, counter_id, local_date)
    finally:
        con.close()
