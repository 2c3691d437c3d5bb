"""The usage writer's INSERT for each table, in raw SQL: the batch insert is hot, and the
writer needs no peewee. The columns and defaults are the models' (storage/models.py);
tests/test_insert_sql.py holds the two equal. Only a record already there (same uuid: a
replay) is skipped; any other constraint fails.
"""

from __future__ import annotations

from functools import cache
from typing import Any

COLUMNS: dict[str, tuple[str, ...]] = {
    "usage_event": (
        "uuid", "ts_utc", "local_date", "counter_id", "staff_id", "situation", "variant",
        "business", "trigger", "app_version", "ts_local", "utc_offset", "content_version",
        "detail",
    ),
    "checklist_record": (
        "uuid", "kind", "local_date", "ts_utc", "ts_local", "counter_id", "staff_id", "items",
        "late", "app_version", "utc_offset",
    ),
    "staff_shift": (
        "uuid", "local_date", "ts_utc", "counter_id", "staff_id", "ts_local", "utc_offset",
    ),
}  # fmt: skip
DEFAULTS: dict[str, dict[str, Any]] = {
    "usage_event": {"staff_id": "", "business": "", "ts_local": "", "content_version": 0,
                    "detail": ""},
    "checklist_record": {"staff_id": "", "items": "[]", "late": False, "app_version": ""},
    "staff_shift": {"ts_local": ""},
}  # fmt: skip


@cache
def insert_sql(table: str) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """(the statement, the row keys in its order, the values of keys a row may lack)."""
    names = COLUMNS[table]
    cols = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ("uuid") DO NOTHING'
    return sql, names, DEFAULTS[table]
