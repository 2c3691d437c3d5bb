"""How each record table travels: local SQLite column <-> server column, both ways.

The server keeps typed columns (uuid, date, timestamptz) for the center's own SQL; the
conversions below give back exactly the text the counter stored, so a report made
from the server equals one made from the counters' own databases.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # the same on both sides, except uuid -> id
    pg_type: str
    to_copy: str  # SQLite expression: the value in COPY text format
    from_pg: str  # PostgreSQL expression: the value as the local column holds it

    @property
    def server_name(self) -> str:
        return "id" if self.name == "uuid" else self.name


def escaped(col: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return escaped."""
    inner = f"replace(replace({col}, '\\', '\\\\'), char(9), '\\t')"
    return f"replace(replace({inner}, char(10), '\\n'), char(13), '\\r')"


SPECIAL = "'*[\\\t\n\r]*'"  # a GLOB matching text with any of the four


def text(name: str) -> Column:
    return Column(name, "text", f"ifnull({name}, '')", name)


def plain(name: str, pg_type: str) -> Column:
    """Values our code writes in a fixed format (ids, dates): no escaping needed."""
    return Column(name, pg_type, f"ifnull({name}, '\\N')", f"{name}")


ID = Column("uuid", "uuid", "uuid", "id::text")
LOCAL_DATE = Column("local_date", "date", "local_date", "to_char(local_date, 'YYYY-MM-DD')")
TS_UTC = Column(
    "ts_utc",
    "timestamptz",
    "ts_utc",
    "to_char(ts_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
)
TS_LOCAL = Column(
    "ts_local",
    "timestamp",
    "CASE WHEN ts_local IS NULL OR ts_local = '' THEN '\\N' ELSE ts_local END",
    "coalesce(to_char(ts_local, 'YYYY-MM-DD\"T\"HH24:MI:SS'), '')",
)
UTC_OFFSET = plain("utc_offset", "integer")
INT = lambda name: Column(name, "integer", f"ifnull({name}, 0)", name)  # noqa: E731

TABLES: dict[str, tuple[Column, ...]] = {
    "usage_event": (
        ID, text("counter_id"), LOCAL_DATE, TS_UTC, TS_LOCAL, UTC_OFFSET, text("staff_id"),
        text("situation"), text("variant"), text("business"), text("trigger"),
        text("app_version"), INT("content_version"), text("detail"),
    ),
    "checklist_record": (
        ID, text("counter_id"), text("kind"), LOCAL_DATE, TS_UTC, TS_LOCAL, UTC_OFFSET,
        text("staff_id"), text("items"),
        Column("late", "boolean", "CASE WHEN late THEN 't' ELSE 'f' END", "late"),
        text("app_version"),
    ),
    "staff_shift": (
        ID, text("counter_id"), LOCAL_DATE, TS_UTC, TS_LOCAL, UTC_OFFSET, text("staff_id"),
    ),
}  # fmt: skip


def copy_line_sql(table: str) -> str:
    """SELECT rowid, <the row as one COPY text line> of unsent rows of one counter, after
    a rowid (the batch before, still being sent).

    One test per row (do its texts hold a character COPY escapes?) and the escaping only
    for such rows: the usual row is joined as it is, in SQLite, without Python per value.
    """
    cols = TABLES[table]
    plain = " || char(9) || ".join(c.to_copy for c in cols)
    texts = [c for c in cols if c.pg_type == "text"]
    full = " || char(9) || ".join(
        f"ifnull({escaped(c.name)}, '')" if c in texts else c.to_copy for c in cols
    )
    flag = " || ".join(c.to_copy for c in texts)
    return (
        f"SELECT rowid, CASE WHEN ({flag}) GLOB {SPECIAL} THEN {full} ELSE {plain} END "
        f"FROM {table} WHERE synced = 0 AND counter_id = ? AND rowid > ? ORDER BY rowid LIMIT ?"
    )


def server_columns(table: str) -> str:
    return ", ".join(c.server_name for c in TABLES[table])


def temp_table_sql(table: str) -> str:
    cols = ", ".join(f"{c.server_name} {c.pg_type}" for c in TABLES[table])
    return f"CREATE TEMP TABLE IF NOT EXISTS batch_{table} ({cols}) ON COMMIT DELETE ROWS"


def fetch_sql(table: str) -> str:
    """The server's rows in the local format; parameters :d0, :d1 (dates), :c (center)."""
    cols = ", ".join(c.from_pg for c in TABLES[table])
    return (
        f"SELECT {cols} FROM ca.{table} WHERE center_id = :c "
        "AND local_date BETWEEN CAST(:d0 AS date) AND CAST(:d1 AS date)"
    )


def local_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]
