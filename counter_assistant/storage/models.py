"""peewee models of the counter database. The database is bound at start."""

from __future__ import annotations

from peewee import BooleanField, CharField, DatabaseProxy, Model, TextField

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database


class Meta(BaseModel):
    """Key/value facts about this database, such as the counter id."""

    key = CharField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "meta"


class UsageEvent(BaseModel):
    """One prompt shown. Never holds customer data."""

    uuid = CharField(primary_key=True, max_length=36)
    ts_utc = CharField(index=True)  # ISO 8601, UTC, e.g. 2026-11-27T01:02:03.456789+00:00
    local_date = CharField(index=True)  # YYYY-MM-DD at the counter
    counter_id = CharField()
    staff_id = CharField(default="")
    situation = CharField()
    variant = CharField()
    business = CharField(default="")
    trigger = CharField()  # hotkey | click | tray | picker
    app_version = CharField()

    class Meta:
        table_name = "usage_event"


class ChecklistRecord(BaseModel):
    """A confirmed Article 14 preparation, Article 16 close-out, or a reopening."""

    uuid = CharField(primary_key=True, max_length=36)
    kind = CharField()  # prep | close | reopen
    local_date = CharField(index=True)
    ts_utc = CharField()
    ts_local = CharField()  # local wall time, YYYY-MM-DDTHH:MM:SS
    counter_id = CharField()
    staff_id = CharField(default="")
    items = TextField(default="[]")  # JSON list of the exact texts confirmed
    late = BooleanField(default=False)
    app_version = CharField(default="")

    class Meta:
        table_name = "checklist_record"


class StaffShift(BaseModel):
    """Who holds the counter from when (lunch relief, shift change)."""

    uuid = CharField(primary_key=True, max_length=36)
    local_date = CharField(index=True)
    ts_utc = CharField()
    counter_id = CharField()
    staff_id = CharField()

    class Meta:
        table_name = "staff_shift"


ALL_MODELS = (Meta, UsageEvent, ChecklistRecord, StaffShift)
