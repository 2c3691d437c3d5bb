"""The usage writer's raw INSERTs (storage/insert_sql.py) say what the models say."""

from counter_assistant.core.records import RECORD_TYPES
from counter_assistant.storage.insert_sql import COLUMNS, insert_sql
from counter_assistant.storage.models import MODEL_BY_TABLE


def from_models(table: str):
    fields = [f for f in MODEL_BY_TABLE[table]._meta.sorted_fields if f.name != "synced"]
    names = tuple(f.column_name for f in fields)
    cols = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in fields)
    sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ("uuid") DO NOTHING'
    defaults = {f.name: f.default for f in fields if f.default is not None}
    return sql, names, defaults


def test_every_record_table_has_the_models_columns_and_defaults():
    assert set(COLUMNS) == set(MODEL_BY_TABLE) == set(RECORD_TYPES)
    for table in MODEL_BY_TABLE:
        assert insert_sql(table) == from_models(table), table
