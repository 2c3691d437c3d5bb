"""peewee models: the one description of the counter database's schema.

They are bound to no database here; code that queries binds them to the connection it
was handed (``db.bind_ctx(MODELS)``), so nothing depends on a global set at start.
Column names match the fields of the records in core/records.py.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from peewee import SQL, BooleanField, CharField, Database, IntegerField, Model, TextField


class BaseModel(Model):
    class Meta:
        database = None  # bound by the caller: see storage/db.py


class Meta(BaseModel):
    """Key/value facts about this database, such as the counter id."""

    key = CharField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "meta"


class SyncedModel(BaseModel):
    """Rows the center's server receives: 0 until the server has committed them."""

    synced = IntegerField(default=0, index=True, constraints=[SQL("DEFAULT 0")])


class UsageEvent(SyncedModel):
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
    ts_local = CharField(default="", constraints=[SQL("DEFAULT ''")])  # wall time (schema 2)
    utc_offset = IntegerField(null=True)  # minutes east of UTC (schema 2); NULL before
    content_version = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # schema 4
    detail = TextField(default="", constraints=[SQL("DEFAULT ''")])  # JSON, no personal data

    class Meta:
        table_name = "usage_event"


class ChecklistRecord(SyncedModel):
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
    utc_offset = IntegerField(null=True)  # schema 2

    class Meta:
        table_name = "checklist_record"


class StaffShift(SyncedModel):
    """Who holds the counter from when (lunch relief, shift change)."""

    uuid = CharField(primary_key=True, max_length=36)
    local_date = CharField(index=True)
    ts_utc = CharField()
    counter_id = CharField()
    staff_id = CharField()
    ts_local = CharField(default="", constraints=[SQL("DEFAULT ''")])  # schema 2
    utc_offset = IntegerField(null=True)  # schema 2

    class Meta:
        table_name = "staff_shift"


RECORD_MODELS = (UsageEvent, ChecklistRecord, StaffShift)
MODELS = (Meta, *RECORD_MODELS)
MODEL_BY_TABLE = {m._meta.table_name: m for m in RECORD_MODELS}

_binding = threading.RLock()


@contextlib.contextmanager
def bound(db: Database) -> Iterator[Database]:
    """The models bound to db for this block. Binding is class-wide in peewee, so
    threads take turns (only background threads query; the GUI thread never does)."""
    with _binding, db.bind_ctx(MODELS):
        yield db
