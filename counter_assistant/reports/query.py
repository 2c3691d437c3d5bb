"""Report queries over one or more read-only counter databases.

One database: SQLite does the work. Several: rows are streamed per database and a
set of uuids drops a record already seen in an earlier file (backups overlap).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from counter_assistant.reports.sources import Source

log = logging.getLogger(__name__)

BATCH = 20_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRIGGERS_ZH = {"hotkey": "热键", "click": "点击", "tray": "托盘", "picker": "选择"}

HEADERS = {
    "events": {
        "zh": ["记录编号", "日期", "时间", "窗口", "工作人员", "情形", "情形键", "说法代码",
               "业务代码", "触发方式", "版本"],
        "en": ["uuid", "date", "local_time", "counter", "staff", "situation", "situation_key",
               "variant", "business", "trigger", "app_version"],
    },
    "daily": {
        "zh": ["日期", "窗口", "工作人员", "情形", "情形键", "次数"],
        "en": ["date", "counter", "staff", "situation", "situation_key", "count"],
    },
    "checklists": {
        "zh": ["日期", "窗口", "准备人员", "准备时间", "准备是否迟到", "收尾人员", "收尾时间",
               "重新开启时间", "当日提示次数"],
        "en": ["date", "counter", "prep_staff", "prep_time", "prep_late", "close_staff",
               "close_time", "reopen_times", "prompts_used"],
    },
}  # fmt: skip
WORDS = {
    "zh": {"yes": "是", "no": "否", "none": "未确认", "sep": "、", "no_records": "（无记录）"},
    "en": {
        "yes": "yes",
        "no": "no",
        "none": "not confirmed",
        "sep": ", ",
        "no_records": "(no records)",
    },
}


@functools.cache
def situation_titles() -> dict[str, str]:
    """Situation key -> Chinese title from the built-in catalog, in catalog order."""
    try:
        from counter_assistant.core.prompts import load_builtin

        return {s.key: s.title for s in load_builtin()}
    except Exception as exc:  # reports still work with bare keys
        log.warning("prompt catalog not loaded for reports (%s)", exc)
        return {}


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet could read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _neutral_sql(col: str) -> str:
    # FORMULA_START as code points; the cheap "< 65" test first (measured fastest)
    test = f"unicode({col}) < 65 AND unicode({col}) IN (61, 43, 45, 64, 9, 13)"
    return f"CASE WHEN {test} THEN '''' || {col} ELSE {col} END"


_WHERE = "FROM usage_event WHERE local_date BETWEEN ? AND ? ORDER BY local_date, rowid"


def _event_columns(lang: str, neutral: bool) -> list[str]:
    """The SQL expression of each events column."""

    def n(col: str) -> str:
        return _neutral_sql(col) if neutral else col

    titles = " ".join(
        f"WHEN {_sql_text(k)} THEN {_sql_text(neutralise(t) if neutral else t)}"
        for k, t in situation_titles().items()
    )
    title = f"CASE situation {titles} ELSE {n('situation')} END" if titles else n("situation")
    trigger = n("trigger")
    if lang == "zh":
        words = " ".join(f"WHEN {_sql_text(k)} THEN {_sql_text(v)}" for k, v in TRIGGERS_ZH.items())
        trigger = f"CASE trigger {words} ELSE {trigger} END"
    return [
        n("uuid"),
        n("local_date"),
        "strftime('%Y-%m-%d %H:%M:%S', ts_utc, 'localtime')",
        n("counter_id"),
        n("staff_id"),
        title,
        n("situation"),
        n("variant"),
        n("business"),
        trigger,
        n("app_version"),
    ]


def events_sql(lang: str = "zh", neutral: bool = True) -> str:
    """SELECT of the events report, by date then recording order (the local_date index
    order, so no sort). Parameters (date_from, date_to) as YYYY-MM-DD."""
    return f"SELECT {', '.join(_event_columns(lang, neutral))} {_WHERE}"


FIELD_SEP, ROW_SEP = "\x1f", "\x1e"  # ASCII unit/record separators


def events_line_sql(lang: str = "zh") -> str:
    """(rowid, the neutralised row as one string, fields joined by FIELD_SEP).

    One string per row keeps Python's per-row cost low; csv_writer turns it into CSV.
    """
    cols = _event_columns(lang, True)
    fmt = FIELD_SEP.join(["%s"] * len(cols))
    return f"SELECT rowid, printf('{fmt}', {', '.join(cols)}) {_WHERE}"


def count_events(sources: list[Source], date_from: str, date_to: str) -> int:
    sql = "SELECT count(*) FROM usage_event WHERE local_date BETWEEN ? AND ?"
    return sum(s.con.execute(sql, (date_from, date_to)).fetchone()[0] for s in sources)


def iter_events(
    sources: list[Source], date_from: str, date_to: str, lang: str, neutral: bool
) -> Iterator[list[tuple]]:
    """Batches of event rows; uuid first. Deduplicated by uuid across sources."""
    sql = events_sql(lang, neutral)
    seen: set[str] | None = set() if len(sources) > 1 else None
    for source in sources:
        cur = source.con.cursor()
        cur.arraysize = BATCH
        cur.execute(sql, (date_from, date_to))
        while batch := cur.fetchmany():
            if seen is not None:
                batch = [r for r in batch if r[0] not in seen and not seen.add(r[0])]
            yield batch
        cur.close()


def iter_event_lines(
    source: Source, date_from: str, date_to: str, lang: str
) -> Iterator[list[tuple[int, str]]]:
    """Batches of (rowid, joined row) from one database (see events_line_sql)."""
    cur = source.con.cursor()
    cur.arraysize = BATCH
    cur.execute(events_line_sql(lang), (date_from, date_to))
    while batch := cur.fetchmany():
        yield batch
    cur.close()


def event_row(source: Source, rowid: int, lang: str) -> tuple:
    """One neutralised events row by rowid (the slow path for unusual text)."""
    cols = ", ".join(_event_columns(lang, True))
    sql = f"SELECT {cols} FROM usage_event WHERE rowid = ?"
    return source.con.execute(sql, (rowid,)).fetchone()


def counters_in_range(sources: list[Source], date_from: str, date_to: str) -> set[str]:
    sql = "SELECT DISTINCT counter_id FROM usage_event WHERE local_date BETWEEN ? AND ?"
    return {r[0] for s in sources for r in s.con.execute(sql, (date_from, date_to))}


def _dedup_rows(
    sources: list[Source], cols: str, table: str, date_from: str, date_to: str
) -> Iterator[tuple]:
    """Rows (uuid first) from all sources, each uuid once."""
    seen: set[str] = set()
    sql = f"SELECT uuid, {cols} FROM {table} WHERE local_date BETWEEN ? AND ?"
    for source in sources:
        cur = source.con.cursor()
        cur.arraysize = BATCH
        cur.execute(sql, (date_from, date_to))
        while batch := cur.fetchmany():
            for row in batch:
                if row[0] not in seen:
                    seen.add(row[0])
                    yield row[1:]


def _grouped_counts(
    sources: list[Source], cols: list[str], date_from: str, date_to: str
) -> Counter:
    if len(sources) == 1:
        c = ", ".join(cols)
        sql = f"SELECT {c}, count(*) FROM usage_event WHERE local_date BETWEEN ? AND ? GROUP BY {c}"
        return Counter({r[:-1]: r[-1] for r in sources[0].con.execute(sql, (date_from, date_to))})
    return Counter(_dedup_rows(sources, ", ".join(cols), "usage_event", date_from, date_to))


def usage_counts(sources: list[Source], date_from: str, date_to: str) -> Counter:
    """(counter_id, situation) -> number of uses, each record once."""
    return _grouped_counts(sources, ["counter_id", "situation"], date_from, date_to)


def situation_order(key: str) -> tuple[int, str]:
    keys = list(situation_titles())
    return (keys.index(key), "") if key in keys else (len(keys), key)


def known_counters(sources: list[Source]) -> set[str]:
    return {s.counter_id for s in sources if s.counter_id}


def daily_rows(
    sources: list[Source], date_from: str, date_to: str, lang: str = "zh"
) -> list[tuple]:
    """Counts per date x counter x staff x situation; a counter with none in the range
    gets one row saying so, so it is never silently absent."""
    cols = ["local_date", "counter_id", "staff_id", "situation"]
    counts = _grouped_counts(sources, cols, date_from, date_to)
    titles = situation_titles()
    keys = sorted(counts, key=lambda k: (k[0], k[1], k[2], situation_order(k[3])))
    rows = [(d, c, s, titles.get(k, k), k, counts[d, c, s, k]) for d, c, s, k in keys]
    silent = known_counters(sources) - {k[1] for k in keys}
    span = f"{date_from}~{date_to}"
    rows += [(span, c, "", WORDS[lang]["no_records"], "", 0) for c in sorted(silent)]
    return rows


def checklist_rows(
    sources: list[Source], date_from: str, date_to: str, lang: str = "zh"
) -> list[tuple]:
    """Per date x counter: preparation, close-out and reopenings.

    Every counter is listed on every date of the range: a day without a confirmed
    preparation says so, with how many prompts were used that day (none on a closed day).
    """
    words = WORDS[lang]
    days: dict[tuple[str, str], dict[str, list]] = {}
    with_table = [s for s in sources if s.has_checklists]
    cols = "local_date, counter_id, kind, ts_local, staff_id, late"
    for date, counter, kind, ts_local, staff, late in _dedup_rows(
        with_table, cols, "checklist_record", date_from, date_to
    ):
        entry = days.setdefault((date, counter), {})
        entry.setdefault(kind, []).append((ts_local or "", staff or "", bool(late)))
    uses = _grouped_counts(sources, ["local_date", "counter_id"], date_from, date_to)
    counters = known_counters(sources) | {c for _d, c in days} | {c for _d, c in uses}
    for day in _dates(date_from, date_to):
        for counter in counters:
            days.setdefault((day, counter), {})
    out = []
    for (date, counter), entry in sorted(days.items()):
        preps = sorted(entry.get("prep", []))
        closes = sorted(entry.get("close", []))
        reopens = sorted(entry.get("reopen", []))
        prep = preps[0] if preps else None
        close = closes[-1] if closes else None
        out.append(
            (
                date,
                counter,
                prep[1] if prep else "",
                _clock(prep[0]) if prep else "",
                (words["yes"] if prep[2] else words["no"]) if prep else words["none"],
                close[1] if close else "",
                _clock(close[0]) if close else "",
                words["sep"].join(_clock(r[0]) for r in reopens),
                uses.get((date, counter), 0),
            )
        )
    return out


def _dates(date_from: str, date_to: str) -> Iterator[str]:
    day, last = dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)
    while day <= last:
        yield day.isoformat()
        day += dt.timedelta(days=1)


def _clock(ts_local: str) -> str:
    """'2026-03-02T08:15:30' -> '08:15:30'."""
    return ts_local[11:19] if len(ts_local) >= 19 else ts_local
