"""The events report: one row per prompt shown (or notice printed), in time order.

Large: the rows are streamed in batches and SQLite turns codes into words, so the
per-row cost in Python stays low. Before anything is written one grouped pass gives
the row count, the counts for the summary and the width of every column.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from counter_assistant.reports import scope as scope_module
from counter_assistant.reports.cells import FORMULA_START, display_width, neutralise
from counter_assistant.reports.scope import Scope
from counter_assistant.reports.sources import Source
from counter_assistant.reports.table import Column, Kind, Table
from counter_assistant.reports.words import (
    ANSWER,
    EXTRA_SITUATIONS,
    NOTICE,
    NOTICE_WORDINGS,
    TRIGGERS,
    WORDINGS_EN,
    Words,
)

COLUMNS = [
    Column("date", Kind.DATE),
    Column("time", Kind.TIME),
    Column("counter", Kind.CODE),
    Column("staff", Kind.CODE),
    Column("situation"),
    Column("wording"),
    Column("business"),
    Column("trigger"),
    Column("situation_key", Kind.CODE),
    Column("wording_code", Kind.CODE),
    Column("business_code", Kind.CODE),
    Column("version", Kind.CODE),
    Column("content_version", Kind.INT),  # the center's published wording shown (0: local)
    Column("uuid", Kind.CODE),
]
UUID = len(COLUMNS) - 1
FIELD_SEP, ROW_SEP = "\x1f", "\x1e"  # ASCII unit/record separators


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _neutral_sql(col: str) -> str:
    # FORMULA_START as code points; the cheap "< 65" test first (measured fastest)
    points = ", ".join(str(ord(c)) for c in FORMULA_START)
    test = f"unicode({col}) < 65 AND unicode({col}) IN ({points})"
    return f"CASE WHEN {test} THEN '''' || {col} ELSE {col} END"


def _case(col: str, mapping: dict[str, str], other: str, neutral: bool) -> str:
    if not mapping:
        return other
    whens = " ".join(
        f"WHEN {_sql_text(k)} THEN {_sql_text(neutralise(v) if neutral else v)}"
        for k, v in mapping.items()
    )
    return f"CASE {col} {whens} ELSE {other} END"


def _words_maps(words: Words) -> tuple[dict, dict, dict, dict]:
    """situation -> title, situation -> {variant -> label}, business -> name, trigger."""
    keys = [*words.titles, *EXTRA_SITUATIONS]
    titles = {k: words.situation(k) for k in keys}
    pairs = set(words.labels) | set(WORDINGS_EN) | {(NOTICE, v) for v in NOTICE_WORDINGS}
    pairs |= {(ANSWER, key) for key in words.names.answers}
    labels: dict[str, dict[str, str]] = {}
    for situation, variant in sorted(pairs):
        label = words.wording(situation, variant)
        if label != variant:
            labels.setdefault(situation, {})[variant] = label
    business = {k: v for k, v in words.names.business.items() if k != v}
    triggers = {k: words.trigger(k) for k in TRIGGERS if words.trigger(k) != k}
    return titles, labels, business, triggers


def column_sql(source: Source, words: Words, neutral: bool) -> list[str]:
    """The SQL expression of each column of COLUMNS, for one database."""

    def n(col: str) -> str:
        return _neutral_sql(col) if neutral else col

    titles, labels, business, triggers = _words_maps(words)
    wording = n("variant")
    if labels:  # a CASE per situation: the same variant id means different words
        whens = " ".join(
            f"WHEN {_sql_text(s)} THEN {_case('variant', m, n('variant'), neutral)}"
            for s, m in labels.items()
        )
        wording = f"CASE situation {whens} ELSE {n('variant')} END"
    return [
        "local_date",
        source.local_time_sql(),
        n("counter_id"),
        n("staff_id"),
        _case("situation", titles, n("situation"), neutral),
        wording,
        _case("business", business, n("business"), neutral),
        _case("trigger", triggers, n("trigger"), neutral),
        n("situation"),
        n("variant"),
        n("business"),
        n("app_version"),
        "content_version" if "content_version" in source.columns.get("usage_event", ()) else "0",
        n("uuid"),
    ]


_FROM = "FROM usage_event WHERE local_date BETWEEN ? AND ? ORDER BY 1, 2, rowid"


def events_sql(source: Source, words: Words, neutral: bool = False) -> str:
    """The events rows of one database by date and local time. Params (from, to)."""
    return f"SELECT {', '.join(column_sql(source, words, neutral))} {_FROM}"


def events_line_sql(source: Source, words: Words) -> str:
    """(rowid, the row as one string, fields joined by FIELD_SEP), by date and time.

    One string per row keeps Python's per-row cost low; the CSV writer turns it into
    CSV and applies the text rule to any batch that needs it. '||' keeps text after a
    NUL (printf's %s would cut it there); a NULL anywhere makes the line NULL, which
    the writer refetches.
    """
    cols = column_sql(source, words, False)
    joined = f" || '{FIELD_SEP}' || ".join(cols)
    return (
        f"SELECT rowid, {joined} FROM usage_event "
        f"WHERE local_date BETWEEN ? AND ? ORDER BY local_date, {cols[1]}, rowid"
    )


def event_row(source: Source, words: Words, rowid: int) -> tuple:
    """One neutralised events row by rowid (the slow path for unusual text)."""
    cols = ", ".join(column_sql(source, words, True))
    return source.con.execute(
        f"SELECT {cols} FROM usage_event WHERE rowid = ?", (rowid,)
    ).fetchone()


def batches(scope: Scope, neutral: bool = False) -> Iterator[list[tuple]]:
    """Batches of event rows by date and time; each record once across databases."""
    if not scope.merged:
        yield from scope.stream(
            scope.sources[0], events_sql(scope.sources[0], scope.words, neutral), scope.span
        )
        return
    streams = [
        (
            row
            for batch in scope.stream(s, events_sql(s, scope.words, neutral), scope.span)
            for row in batch
        )
        for s in scope.sources
    ]
    seen: set[str] = set()
    out: list[tuple] = []
    for row in heapq.merge(*streams, key=lambda r: (r[0], r[1])):
        if row[UUID] in seen:
            continue
        seen.add(row[UUID])
        out.append(row)
        if len(out) >= scope_module.BATCH:
            yield out
            out = []
    if out:
        yield out


@dataclass
class Scan:
    """What the grouped pass found: rows, counts per counter and situation, widths."""

    total: int
    counts: Counter  # (counter, situation) -> uses
    widths: list[int]


_GROUP = ["counter_id", "situation", "variant", "business", "trigger", "app_version"]


def scan(scope: Scope) -> Scan:
    groups: Counter = Counter()
    staff_width = 0
    if not scope.merged:
        source = scope.sources[0]
        c = ", ".join(_GROUP)
        sql = (
            f"SELECT {c}, count(*), max(length(staff_id) + length(CAST(staff_id AS BLOB))) "
            f"FROM usage_event WHERE local_date BETWEEN ? AND ? GROUP BY {c}"
        )
        for row in scope.query(source, sql, scope.span):
            groups[row[:6]] += row[6]
            staff_width = max(staff_width, (row[7] or 0) // 2)
    else:
        staff: set[str] = set()
        seen: set[str] = set()
        for source in scope.sources:
            sql = (
                f"SELECT uuid, staff_id, {', '.join(_GROUP)} "
                "FROM usage_event WHERE local_date BETWEEN ? AND ?"
            )
            for batch in scope.stream(source, sql, scope.span):
                for row in batch:
                    if row[0] not in seen:
                        seen.add(row[0])
                        staff.add(row[1])
                        groups[row[2:]] += 1
        staff_width = max((display_width(s) for s in staff), default=0)
    counts: Counter = Counter()
    for (counter, situation, *_rest), n in groups.items():
        counts[counter, situation] += n
    w = scope.words
    keys = list(groups)

    def widest(values) -> int:
        return max((display_width(str(v)) for v in values), default=0)

    widths = [
        10,
        8,
        widest(k[0] for k in keys),
        staff_width,
        widest(w.situation(k[1]) for k in keys),
        widest(w.wording(k[1], k[2]) for k in keys),
        widest(w.business(k[3]) for k in keys),
        widest(w.trigger(k[4]) for k in keys),
        widest(k[1] for k in keys),
        widest(k[2] for k in keys),
        widest(k[3] for k in keys),
        widest(k[5] for k in keys),
        6,
        36,
    ]
    return Scan(sum(groups.values()), counts, widths)


def table(scope: Scope, found: Scan | None = None) -> Table:
    """The events table for XLSX (widths from the scan) or the general CSV path."""
    return Table(
        COLUMNS,
        batches=batches(scope),
        total=found.total if found else scope.total_usage,
        widths=found.widths if found else None,
    )
