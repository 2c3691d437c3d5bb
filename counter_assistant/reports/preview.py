"""What the report window shows before an export: a small typed table per report."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from counter_assistant.reports.compliance import checklists_table, counter_table, tallies
from counter_assistant.reports.days import counter_days
from counter_assistant.reports.export import Options, open_scope
from counter_assistant.reports.query import usage_counts
from counter_assistant.reports.sources import Skipped
from counter_assistant.reports.summary import counter_status
from counter_assistant.reports.table import Column, Kind, Table
from counter_assistant.reports.words import Mark, Words, situation_order


@dataclass
class Preview:
    table: Table
    words: Words
    counters: list[str]
    silent: list[str]  # counters with no record in the range
    skipped: list[Skipped] = field(default_factory=list)
    uses: int = 0
    flagged: int = 0  # rows needing action (checklists, compliance)


def _usage_table(scope) -> tuple[Table, int]:
    """Uses per counter and situation; every counter listed, marked when it has none."""
    w = scope.words
    counts = usage_counts(scope, ["counter_id", "situation"])
    rows: list[tuple] = []
    for counter in scope.counters:
        keys = sorted((k for c, k in counts if c == counter), key=situation_order)
        if not keys:
            rows.append((counter, counter_status(scope, counter) or Mark.NO_RECORDS, 0, ""))
        rows += [(counter, w.situation(k), counts[counter, k], k) for k in keys]
    table = Table(
        [Column("counter", Kind.CODE), Column("situation", Kind.WORD), Column("count", Kind.INT),
         Column("situation_key", Kind.CODE)],
        rows=rows,
        highlight=lambda row: isinstance(row[1], Mark),
    )  # fmt: skip
    return table, sum(counts.values())


def preview(
    inputs: list[Path],
    date_from: date,
    date_to: date,
    report: str,
    options: Options | None = None,
    cancel: threading.Event | None = None,
) -> Preview:
    with open_scope(inputs, date_from, date_to, "zh", options, cancel) as scope:
        flagged = uses = 0
        if report in ("events", "daily"):
            table, uses = _usage_table(scope)
        else:
            days = counter_days(scope)
            scope.check_cancel()
            if report == "checklists":
                table = checklists_table(scope, days)
            else:
                table = counter_table(scope, tallies(days)[0])
            flagged = sum(d.needs_action for d in days)
            uses = sum(d.uses for d in days)
        return Preview(
            table, scope.words, scope.counters, scope.silent, scope.skipped, uses, flagged
        )
