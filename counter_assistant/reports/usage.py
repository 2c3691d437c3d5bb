"""The usage reports: events (one row per use) and daily (counts), with the daily
workbook's per-staff, trend, unused-situation, comparison and notice sheets."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta

from counter_assistant.reports import events
from counter_assistant.reports.query import notice_rows, usage_counts
from counter_assistant.reports.scope import Scope, dates
from counter_assistant.reports.summary import head_lines, usage_tables
from counter_assistant.reports.table import Chart, Column, Document, Kind, Sheet, Table
from counter_assistant.reports.words import Mark, situation_keys, situation_order

WEEKLY_AFTER_DAYS = 62  # a longer range is charted per week
TOP_MISSING = 10


def events_document(scope: Scope, for_xlsx: bool) -> Document:
    """The events table; for XLSX also a summary (the grouped pass gives the widths)."""
    w = scope.words
    # The grouped pass: widths for XLSX, an exact row count when files overlap.
    found = events.scan(scope) if for_xlsx or scope.merged else None
    table = events.table(scope, found)
    sheets = []
    if for_xlsx and found is not None:
        tables, charts = usage_tables(scope, found.counts)
        sheets.append(
            Sheet(
                w.sheet("summary"), lines=head_lines(scope, "events"), tables=tables, charts=charts
            )
        )
    sheets.append(Sheet(w.sheet("events"), tables=[table], data=True))
    return Document(w.report("events"), scope.date_from, scope.date_to, scope.counters,
                    sheets, table, w)  # fmt: skip


def daily_table(scope: Scope, counts: dict[tuple, int]) -> Table:
    """Uses per date x counter x staff x situation; a counter without any use in the
    range gets one row saying so, so it is never silently absent."""
    w = scope.words
    keys = sorted(counts, key=lambda k: (k[0], k[1], k[2], situation_order(k[3])))
    rows: list[tuple] = [
        (date.fromisoformat(d), c, s, w.staff_name(s), w.situation(k), counts[d, c, s, k], k)
        for d, c, s, k in keys
    ]
    used = {k[1] for k in keys}
    rows += [(None, c, "", "", Mark.NO_RECORDS, 0, "") for c in scope.counters if c not in used]
    return Table(
        [
            Column("date", Kind.DATE),
            Column("counter", Kind.CODE),
            Column("staff", Kind.CODE),
            Column("name"),
            Column("situation", Kind.WORD),
            Column("count", Kind.INT),
            Column("situation_key", Kind.CODE),
        ],
        rows=rows,
        highlight=lambda row: row[4] is Mark.NO_RECORDS,
    )


def daily_document(scope: Scope, for_xlsx: bool) -> Document:
    w = scope.words
    counts = usage_counts(scope, ["local_date", "counter_id", "staff_id", "situation"])
    table = daily_table(scope, counts)
    if not for_xlsx:
        return Document(w.report("daily"), scope.date_from, scope.date_to, scope.counters,
                        [Sheet(w.sheet("daily"), tables=[table], data=True)], table, w)  # fmt: skip
    by_counter: Counter = Counter()
    for (_d, c, _s, k), n in counts.items():
        by_counter[c, k] += n
    notices = notice_rows(scope)
    tables, charts = usage_tables(scope, by_counter)
    summary = Sheet(
        w.sheet("summary"),
        lines=[*head_lines(scope, "daily"), *_notice_lines(scope, notices)],
        tables=tables,
        charts=charts,
    )
    sheets = [
        summary,
        Sheet(w.sheet("daily"), tables=[table], data=True),
        Sheet(w.sheet("staff"), tables=[_staff_table(scope, counts)], data=True),
        _trend_sheet(scope, counts),
        Sheet(w.sheet("unused"), tables=[_unused_table(scope, by_counter)], data=True),
        Sheet(w.sheet("compare"), tables=_compare_tables(scope, by_counter)),
        _notices_sheet(scope, notices),
    ]
    return Document(w.report("daily"), scope.date_from, scope.date_to, scope.counters,
                    sheets, table, w)  # fmt: skip


def _staff_table(scope: Scope, counts: dict[tuple, int]) -> Table:
    """Per staff member: counters, days with use, uses, uses per day, per situation."""
    w = scope.words
    situations = sorted({k[3] for k in counts}, key=situation_order)
    per: dict[str, dict] = defaultdict(lambda: {"counters": set(), "days": set(), "n": Counter()})
    for (d, c, s, k), n in counts.items():
        p = per[s]
        p["counters"].add(c)
        p["days"].add((d, c))
        p["n"][k] += n
    rows = []
    for s in sorted(per):
        p = per[s]
        total = sum(p["n"].values())
        rows.append((
            s, w.staff_name(s), w.sep.join(sorted(p["counters"])), len(p["days"]), total,
            total / len(p["days"]), *(p["n"][k] for k in situations),
        ))  # fmt: skip
    columns = [
        Column("staff", Kind.CODE),
        Column("name"),
        Column("counters", Kind.CODE),
        Column("days_used", Kind.INT),
        Column("uses", Kind.INT),
        Column("per_day", Kind.NUMBER),
    ]
    columns += [Column("count", Kind.INT, label=w.situation(k)) for k in situations]
    return Table(columns, rows=rows)


def _periods(scope: Scope) -> tuple[bool, list[date]]:
    weekly = (scope.date_to - scope.date_from).days + 1 > WEEKLY_AFTER_DAYS
    if not weekly:
        return False, list(dates(scope.date_from, scope.date_to))
    first = scope.date_from - timedelta(days=scope.date_from.weekday())
    return True, list(dates(first, scope.date_to))[::7]


def _trend_sheet(scope: Scope, counts: dict[tuple, int]) -> Sheet:
    w = scope.words
    weekly, periods = _periods(scope)
    per: Counter = Counter()
    for (d, c, _s, _k), n in counts.items():
        day = date.fromisoformat(d)
        if weekly:
            day -= timedelta(days=day.weekday())
        per[day, c] += n
    counters = [c for c in scope.counters if c not in scope.damaged_counters]
    rows = [(p, *(per[p, c] for c in counters), sum(per[p, c] for c in counters)) for p in periods]
    table = Table(
        [
            Column("week" if weekly else "date", Kind.DATE),
            *(Column("count", Kind.INT, label=c) for c in counters),
            Column("total", Kind.INT),
        ],
        rows=rows,
    )
    chart = Chart(
        "line",
        w.text("trend_chart_week" if weekly else "trend_chart_day"),
        0,
        0,
        tuple(range(1, len(counters) + 1)),
    )
    return Sheet(w.sheet("trend"), tables=[table], charts=[chart], data=True)


def _unused_table(scope: Scope, by_counter: Counter) -> Table:
    """The Article 8 situations each counter never used in the range."""
    w = scope.words
    rows: list[tuple] = []
    for c in scope.counters:
        used = {k for (cc, k), n in by_counter.items() if cc == c and n}
        if not used:
            rows.append((c, Mark.NO_RECORDS, ""))
            continue
        rows += [(c, w.situation(k), k) for k in situation_keys() if k not in used]
    return Table(
        [Column("counter", Kind.CODE), Column("situation", Kind.WORD),
         Column("situation_key", Kind.CODE)],
        rows=rows,
    )  # fmt: skip


def _change(now: int, before: int) -> tuple[int, int, int, float | None]:
    return now, before, now - before, ((now - before) / before if before else None)


def _compare_tables(scope: Scope, by_counter: Counter) -> list[Table]:
    w = scope.words
    prev_scope = scope.previous()
    before: Counter = Counter()
    if prev_scope is not None:
        for (_d, c, _s, k), n in usage_counts(
            prev_scope, ["local_date", "counter_id", "staff_id", "situation"]
        ).items():
            before[c, k] += n
    figures = [
        Column("this_range", Kind.INT),
        Column("previous_range", Kind.INT),
        Column("change", Kind.INT),
        Column("change_rate", Kind.RATE),
    ]

    def total(counter: Counter, pick) -> int:
        return sum(n for key, n in counter.items() if pick(key))

    counters = Table(
        [Column("counter", Kind.CODE), *figures],
        rows=[
            (c, *_change(total(by_counter, lambda k, c=c: k[0] == c),
                         total(before, lambda k, c=c: k[0] == c)))
            for c in scope.counters
        ],
        title=w.text("by_counter"),
    )  # fmt: skip
    keys = sorted({k for _c, k in by_counter} | {k for _c, k in before}, key=situation_order)
    situations = Table(
        [Column("situation"), *figures, Column("situation_key", Kind.CODE)],
        rows=[
            (w.situation(k), *_change(total(by_counter, lambda x, k=k: x[1] == k),
                                      total(before, lambda x, k=k: x[1] == k)), k)
            for k in keys
        ],
        title=w.text("by_situation"),
    )  # fmt: skip
    span = f"{prev_scope.date_from}{w.text('to')}{prev_scope.date_to}" if prev_scope else "-"
    if w.lang == "en":
        counters.title = f"{w.text('by_counter')} ({w.text('previous')}: {span})"
    else:
        counters.title = f"{w.text('by_counter')}（{w.text('previous')}：{span}）"
    return [counters, situations]


def _missing_of(detail: str) -> list[str]:
    try:
        items = json.loads(detail).get("missing", []) if detail else []
    except (ValueError, AttributeError):
        return []
    return [str(i) for i in items if isinstance(i, str)] if isinstance(items, list) else []


def _notice_lines(scope: Scope, notices: list[tuple[str, str, str]]) -> list[tuple[str, object]]:
    w = scope.words
    lines: list[tuple[str, object]] = [(w.text("notices_total"), len(notices))]
    missing = Counter(m for _c, _b, d in notices for m in _missing_of(d))
    if missing:
        top = w.sep.join(f"{m} {n}" for m, n in missing.most_common(3))
        lines.append((w.text("top_missing"), top))
    return lines


def _notices_sheet(scope: Scope, notices: list[tuple[str, str, str]]) -> Sheet:
    w = scope.words
    per_counter = Counter(c for c, _b, _d in notices)
    per_business = Counter(b for _c, b, _d in notices)
    missing = Counter(m for _c, _b, d in notices for m in _missing_of(d))
    tables = [
        Table(
            [Column("counter", Kind.CODE), Column("notices", Kind.INT)],
            rows=[(c, per_counter.get(c, 0)) for c in scope.counters],
            title=w.text("notices_by_counter"),
        ),
        Table(
            [Column("business"), Column("notices", Kind.INT), Column("business_code", Kind.CODE)],
            rows=[(w.business(b), n, b) for b, n in per_business.most_common()],
            title=w.text("notices_by_business"),
        ),
        Table(
            [Column("material"), Column("count", Kind.INT)],
            rows=missing.most_common(TOP_MISSING),
            title=w.text("top_missing"),
        ),
    ]
    return Sheet(w.sheet("notices"), lines=[(w.text("notices_total"), len(notices))], tables=tables)
