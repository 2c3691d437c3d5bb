"""Usage queries over one or more read-only counter databases.

One database: SQLite does the work. Several: rows are streamed per database and a set
of uuids drops a record already seen in an earlier file (backups overlap).
"""

from __future__ import annotations

from collections.abc import Iterator

from counter_assistant.reports.scope import Scope
from counter_assistant.reports.sources import Source

_RANGE = "FROM usage_event WHERE local_date BETWEEN ? AND ?"


def usage_rows(scope: Scope, cols: list[str]) -> Iterator[tuple]:
    """(cols..., local time) of every usage record in the range, each record once."""
    seen: set[str] = set()
    for source in scope.sources:
        sql = f"SELECT uuid, {', '.join(cols)}, {source.local_time_sql()} {_RANGE}"
        for batch in scope.stream(source, sql, scope.span):
            for row in batch:
                if row[0] not in seen:
                    seen.add(row[0])
                    yield row[1:]


def usage_groups(scope: Scope, cols: list[str]) -> dict[tuple, tuple[int, str]]:
    """Key (cols) -> (number of records, latest local time HH:MM:SS), each record once."""
    if not scope.merged:
        source = scope.sources[0]
        c = ", ".join(cols)
        sql = f"SELECT {c}, count(*), max({source.local_time_sql()}) {_RANGE} GROUP BY {c}"
        n = len(cols)
        return {r[:n]: (r[n], r[n + 1] or "") for r in scope.query(source, sql, scope.span)}
    out: dict[tuple, tuple[int, str]] = {}
    n = len(cols)
    for row in usage_rows(scope, cols):
        key, when = row[:n], row[n] or ""
        count, last = out.get(key, (0, ""))
        out[key] = (count + 1, max(last, when))
    return out


def usage_counts(scope: Scope, cols: list[str]) -> dict[tuple, int]:
    return {k: v[0] for k, v in usage_groups(scope, cols).items()}


def notice_rows(scope: Scope) -> list[tuple[str, str, str]]:
    """(counter, business key, detail JSON) of every notice printed or saved."""
    out, seen = [], set()
    for source in scope.sources:
        detail = "detail" if source.has_detail else "''"
        sql = f"SELECT uuid, counter_id, business, {detail} {_RANGE} AND situation = 'notice'"
        for uid, counter, business, text in scope.query(source, sql, scope.span):
            if uid not in seen:
                seen.add(uid)
                out.append((counter, business or "", text or ""))
    return out


def backward_runs(
    scope: Scope, source: Source, table: str, minutes: int
) -> list[tuple[str, str, str, str, str, str]]:
    """Consecutive records of a counter (in the order written) whose time runs back by
    more than `minutes`: (counter, date before, time before, date after, time after,
    ts_utc before, ts_utc after) per jump."""
    d0, d1 = scope.span
    t = source.local_time_sql(table)
    sql = f"""
        SELECT counter_id, prev_date, prev_time, local_date, time, prev_ts, ts_utc FROM (
          SELECT counter_id, local_date, ts_utc, {t} AS time,
                 lag(local_date) OVER w AS prev_date, lag({t}) OVER w AS prev_time,
                 lag(ts_utc) OVER w AS prev_ts
          FROM {table} WHERE local_date BETWEEN date(?, '-2 days') AND date(?, '+2 days')
          WINDOW w AS (PARTITION BY counter_id ORDER BY rowid))
        WHERE prev_ts IS NOT NULL
          AND (julianday(prev_ts) - julianday(ts_utc)) * 1440 > ?"""
    return scope.query(source, sql, (d0, d1, minutes))
