"""The lines every summary sheet starts with, and the per-counter table of usage."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from counter_assistant.reports.scope import Scope
from counter_assistant.reports.table import Chart, Column, Kind, Table
from counter_assistant.reports.words import Mark, situation_order


def head_lines(scope: Scope, report: str, calendar: bool = False) -> list[tuple[str, Any]]:
    """Report, range, counters, files; every file not read; the calendar used."""
    w = scope.words
    lines: list[tuple[str, Any]] = [
        (w.text("report"), w.report(report)),
        (w.text("range"), f"{scope.date_from}{w.text('to')}{scope.date_to}"),
        (w.text("counters_line"), w.sep.join(scope.counters) or "-"),
        (w.text("files"), len(scope.sources)),
    ]
    for skipped in scope.skipped:
        lines.append((w.text("skipped"), f"{skipped.path.name}：{skipped.reason}"))
    if calendar:
        if not scope.calendar.source:
            lines.append((w.text("calendar"), w.text("no_calendar")))
        else:
            lines.append((w.text("calendar"), Path(scope.calendar.source).name))
            missing = scope.calendar.missing_years(scope.date_from, scope.date_to)
            if missing:
                years = w.sep.join(str(y) for y in missing)
                lines.append((w.text("calendar"), w.text("calendar_missing_years") + years))
    return lines


def counter_status(scope: Scope, counter: str) -> Mark | None:
    if counter in scope.damaged_counters:
        return Mark.DAMAGED
    if counter not in scope.activity:
        return Mark.NO_RECORDS
    if counter not in scope.used:
        return Mark.NO_USES
    return None


def usage_tables(scope: Scope, counts: Counter) -> tuple[list[Table], list[Chart]]:
    """Uses per situation (with its chart) and per counter, every counter listed."""
    w = scope.words
    per_situation: Counter = Counter()
    per_counter: Counter = Counter()
    for (counter, situation), n in counts.items():
        per_situation[situation] += n
        per_counter[counter] += n
    situations = Table(
        [Column("situation"), Column("count", Kind.INT), Column("situation_key", Kind.CODE)],
        rows=[
            (w.situation(k), per_situation[k], k)
            for k in sorted(per_situation, key=situation_order)
        ],
        title=w.text("by_situation"),
    )
    counters = Table(
        [Column("counter", Kind.CODE), Column("count", Kind.INT), Column("status", Kind.WORD)],
        rows=[(c, per_counter[c], counter_status(scope, c)) for c in scope.counters],
        title=w.text("by_counter"),
        highlight=lambda row: row[2] in (Mark.DAMAGED, Mark.NO_RECORDS),
    )
    chart = Chart("column", w.text("by_situation"), 0, 0, (1,))
    return [situations, counters], [chart]
