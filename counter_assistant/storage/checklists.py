"""Reading today's checklist and staff records back at start, so a restart keeps the day.

Writing goes through the app's Recorder, never through here.
"""

from __future__ import annotations

from peewee import SqliteDatabase

from counter_assistant.core.records import ChecklistEntry, StaffChange
from counter_assistant.storage.models import ChecklistRecord, StaffShift, bound


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
