"""Schema versions of the counter database, in PRAGMA user_version.

A new database is created from the models and stamped with the latest version. An
older one is upgraded step by step, each step small, in its own transaction, and
tested on a populated database of the version before (tests/test_migrations.py).
A database newer than this release is refused and never altered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from counter_assistant.storage.models import (
    MODELS,
    RECORD_MODELS,
    ChecklistRecord,
    StaffShift,
    UsageEvent,
    bound,
)
from counter_assistant.storage.schema_version import SCHEMA_VERSION, SchemaTooNew

MIN_VERSION = 1  # the first release's schema; nothing older exists


def _migrator(db: SqliteDatabase):
    """peewee's schema migrator, imported only when a database is upgraded (start-up time)."""
    from playhouse.migrate import SqliteMigrator, migrate

    return SqliteMigrator(db), migrate


def _v2_local_time(db: SqliteDatabase) -> None:
    """Every record keeps the counter's wall time and UTC offset (time-zone safe reports)."""
    m, migrate = _migrator(db)
    migrate(
        m.add_column("usage_event", "ts_local", UsageEvent.ts_local),
        m.add_column("usage_event", "utc_offset", UsageEvent.utc_offset),
        m.add_column("checklist_record", "utc_offset", ChecklistRecord.utc_offset),
        m.add_column("staff_shift", "ts_local", StaffShift.ts_local),
        m.add_column("staff_shift", "utc_offset", StaffShift.utc_offset),
    )
    # Older rows: the upgrading PC is the counter itself, so its zone is the best guess;
    # kept only where it gives the date the counter stored.
    for table in ("usage_event", "staff_shift"):
        db.execute_sql(
            f"UPDATE {table} SET ts_local = strftime('%Y-%m-%dT%H:%M:%S', ts_utc, 'localtime') "
            f"WHERE ts_local = '' AND date(ts_utc, 'localtime') = local_date"
        )
    for table in ("usage_event", "checklist_record", "staff_shift"):
        db.execute_sql(
            f"UPDATE {table} SET utc_offset = "
            "CAST(round((julianday(ts_local) - julianday(ts_utc)) * 1440) AS INTEGER) "
            "WHERE utc_offset IS NULL AND ts_local != '' AND ts_utc != ''"
        )


def _v3_sync_state(db: SqliteDatabase) -> None:
    """Which rows the center's server already holds (the outbox)."""
    m, migrate = _migrator(db)
    # add_column would also index the column, under its own index name: the models'
    # indexes are made below, so an upgraded database has the names a new one has.
    ops = []
    for model in RECORD_MODELS:
        column = model.synced.clone()
        column.index = False
        ops.append(m.add_column(model._meta.table_name, "synced", column))
    migrate(*ops)
    with bound(db):
        for model in RECORD_MODELS:
            model._schema.create_indexes(safe=True)


def _v4_content(db: SqliteDatabase) -> None:
    """The content version a prompt was shown under, and non-personal details."""
    m, migrate = _migrator(db)
    migrate(
        m.add_column("usage_event", "content_version", UsageEvent.content_version),
        m.add_column("usage_event", "detail", UsageEvent.detail),
    )


STEPS: dict[int, Callable[[SqliteDatabase], None]] = {
    2: _v2_local_time,
    3: _v3_sync_state,
    4: _v4_content,
}
assert max(STEPS) == SCHEMA_VERSION, "storage/schema_version.py names the last step"


def user_version(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def _set_version(db: SqliteDatabase, version: int) -> None:
    db.execute_sql(f"PRAGMA user_version = {int(version)}")


def upgrade(db: SqliteDatabase, path: Path) -> int:
    """Bring an open database to SCHEMA_VERSION; returns the version it had."""
    version = user_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(path, version)
    if version == 0:
        with db.atomic("IMMEDIATE"):
            if user_version(db) == 0:  # another process may have just created it
                with bound(db):
                    db.create_tables(MODELS, safe=True)
                _set_version(db, SCHEMA_VERSION)
        return 0
    for step in range(version + 1, SCHEMA_VERSION + 1):
        with db.atomic("IMMEDIATE"):
            if user_version(db) < step:
                STEPS[step](db)
                _set_version(db, step)
    return version
