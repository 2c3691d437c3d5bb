"""Reading today's checklist and staff records back at start, so a restart keeps the day.

Writing goes through the app's Recorder, never through here.
"""

from __future__ import annotations

from counter_assistant.storage.models import ChecklistRecord, StaffShift


def load_today(counter_id: str, local_date: str) -> tuple[list[dict], list[dict]]:
    """(checklist rows, staff rows) of this counter on this date, oldest first.

    Rows are dicts keyed by model field names, as DayGate takes them. Raises
    peewee errors when the database cannot be read; the app then starts the day
    from nothing (the checklist comes up) and says why.
    """
    checklist = list(
        ChecklistRecord.select()
        .where(
            (ChecklistRecord.counter_id == counter_id) & (ChecklistRecord.local_date == local_date)
        )
        .order_by(ChecklistRecord.ts_utc, ChecklistRecord.uuid)
        .dicts()
    )
    staff = list(
        StaffShift.select()
        .where((StaffShift.counter_id == counter_id) & (StaffShift.local_date == local_date))
        .order_by(StaffShift.ts_utc, StaffShift.uuid)
        .dicts()
    )
    return checklist, staff
