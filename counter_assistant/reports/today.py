"""The clerk's "today" counts: each prompt's uses today at this counter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from counter_assistant.reports.words import situation_titles
from counter_assistant.storage.readonly import connect_readonly

SQL = (
    "SELECT situation, count(*) FROM usage_event "
    "WHERE local_date = ? AND counter_id = ? GROUP BY situation"
)


def today_counts(db: Any, counter_id: str, local_date: str) -> list[tuple[str, str, int]]:
    """(title, key, count) for every catalog situation in catalog order, then other keys.

    db: the database path (opened read-only), a peewee database or a sqlite3 connection.
    """
    params = (local_date, counter_id)
    if isinstance(db, (str, Path)):
        path = Path(db)
        if not path.is_file():
            counts = {}
        else:
            con = connect_readonly(path)
            try:
                counts = dict(con.execute(SQL, params).fetchall())
            finally:
                con.close()
    elif hasattr(db, "execute_sql"):
        counts = dict(db.execute_sql(SQL, params).fetchall())
    else:
        counts = dict(db.execute(SQL, params).fetchall())
    out = [(title, key, counts.pop(key, 0)) for key, title in situation_titles().items()]
    out.extend((key, key, n) for key, n in sorted(counts.items()))
    return out
