"""Supervisor reports: events, daily counts and checklists, to CSV or XLSX."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from counter_assistant.reports import query
from counter_assistant.reports.csv_writer import write_csv, write_csv_lines
from counter_assistant.reports.sources import ExportError, Source, find_databases, open_sources
from counter_assistant.reports.xlsx_writer import write_xlsx
from counter_assistant.storage.outputs import OutputRefused, check_output

__all__ = ["REPORTS", "ExportError", "ExportSummary", "export_report", "find_databases", "preview"]

REPORTS = ("events", "daily", "checklists")
FORMATS = ("csv", "xlsx")
REPORT_NAMES = {
    "zh": {"events": "使用明细", "daily": "每日汇总", "checklists": "准备与收尾"},
    "en": {"events": "events", "daily": "daily", "checklists": "checklists"},
}
LABELS = {
    "zh": {
        "title": "窗口服务助手 统计报表",
        "summary": "汇总",
        "situation": "情形",
        "key": "情形键",
        "count": "次数",
        "counter": "窗口",
        "status": "状态",
        "chart": "各情形使用次数",
        "range": "日期范围",
        "report": "报表",
        "files": "数据库文件数",
        "missing": "无记录",
        "to": " 至 ",
    },
    "en": {
        "title": "Counter Assistant report",
        "summary": "summary",
        "situation": "situation",
        "key": "situation_key",
        "count": "count",
        "counter": "counter",
        "status": "status",
        "chart": "Use per situation",
        "range": "date range",
        "report": "report",
        "files": "database files",
        "missing": "no records",
        "to": " to ",
    },
}


@dataclass
class ExportSummary:
    rows: int
    counters: list[str]
    missing_counters: list[str]  # counters in the given DBs with no record in the range
    out: Path


def _check_range(date_from: date, date_to: date) -> tuple[str, str]:
    if date_from > date_to:
        raise ExportError(
            f"日期范围颠倒：开始 {date_from} 晚于结束 {date_to}。请交换开始和结束日期。"
        )
    return date_from.isoformat(), date_to.isoformat()


def _counters(sources: list[Source], used: set[str]) -> tuple[list[str], list[str]]:
    known = {s.counter_id for s in sources if s.counter_id} | used
    return sorted(known), sorted(known - used)


def preview(db_paths: list[Path], date_from: date, date_to: date) -> list[dict]:
    """Per counter x situation counts; a counter without records gets one 'missing' row."""
    d0, d1 = _check_range(date_from, date_to)
    sources = open_sources(list(db_paths))
    try:
        counts = query.usage_counts(sources, d0, d1)
        counters, missing = _counters(sources, {c for c, _s in counts})
    except sqlite3.Error as exc:
        raise ExportError(f"读取数据库失败（{exc}）。") from exc
    finally:
        for s in sources:
            s.close()
    titles = query.situation_titles()
    out = []
    for counter in counters:
        if counter in missing:
            out.append(
                {"counter": counter, "situation": "", "title": "", "count": 0, "missing": True}
            )
            continue
        keys = sorted((k for c, k in counts if c == counter), key=query.situation_order)
        for key in keys:
            out.append(
                {
                    "counter": counter,
                    "situation": key,
                    "title": titles.get(key, key),
                    "count": counts[counter, key],
                    "missing": False,
                }
            )
    return out


def preview_checklists(db_paths: list[Path], date_from: date, date_to: date) -> list[tuple]:
    """The checklists report's rows (every counter on every date), for the report window."""
    d0, d1 = _check_range(date_from, date_to)
    sources = open_sources(list(db_paths))
    try:
        return query.checklist_rows(sources, d0, d1)
    except sqlite3.Error as exc:
        raise ExportError(f"读取数据库失败（{exc}）。") from exc
    finally:
        for s in sources:
            s.close()


def _temp_for(out: Path, protected: list[Path], force: bool) -> Path:
    try:
        check_output(out, protected=protected, force=force)
    except OutputRefused as exc:
        raise ExportError(str(exc)) from None
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise ExportError(f"无法写入 {out}（{exc.strerror}）。请选择其他保存位置。") from exc
    os.close(fd)
    return Path(tmp)


def export_report(
    db_paths: list[Path],
    date_from: date,
    date_to: date,
    report: str,
    fmt: str,
    out: Path,
    lang: str = "zh",
    progress: Callable[[int, int], None] | None = None,
    *,
    force: bool = False,
    protected: list[Path] = (),
) -> ExportSummary:
    """Write one report. An existing out is replaced only with force; a database (an input,
    the live one in protected, or any other) is never replaced."""
    if report not in REPORTS:
        raise ExportError(f"未知报表 {report!r}，可选：{'、'.join(REPORTS)}。")
    if fmt not in FORMATS:
        raise ExportError(f"未知格式 {fmt!r}，可选：csv、xlsx。")
    if lang not in LABELS:
        raise ExportError(f"未知语言 {lang!r}，可选：zh、en。")
    d0, d1 = _check_range(date_from, date_to)
    out = Path(out)
    sources = open_sources(list(db_paths))
    tmp = None
    try:
        if fmt == "xlsx":  # the summary sheet needs per-situation counts
            counts = query.usage_counts(sources, d0, d1)
            used = {c for c, _s in counts}
        else:
            used = query.counters_in_range(sources, d0, d1)
        counters, missing = _counters(sources, used)
        fast = report == "events" and fmt == "csv" and len(sources) == 1
        if report == "events":
            total = query.count_events(sources, d0, d1)
            if fast:
                batches = query.iter_event_lines(sources[0], d0, d1, lang)
            else:
                batches = query.iter_events(sources, d0, d1, lang, neutral=False)
        elif report == "daily":
            rows = query.daily_rows(sources, d0, d1, lang)
            total, batches = len(rows), [rows]
        else:
            rows = query.checklist_rows(sources, d0, d1, lang)
            total, batches = len(rows), [rows]
        report_progress = None
        if progress is not None:
            progress(0, total)

            def report_progress(done: int) -> None:
                progress(min(done, total), total)

        header = query.HEADERS[report][lang]
        tmp = _temp_for(out, [*db_paths, *protected], force)
        if fmt == "csv":
            if fast:
                refetch = functools.partial(query.event_row, sources[0], lang=lang)
                n = write_csv_lines(tmp, header, batches, refetch, progress=report_progress)
            else:
                n = write_csv(tmp, header, batches, progress=report_progress)
        else:
            n = write_xlsx(
                tmp,
                **_xlsx_summary(sources, counts, counters, missing, report, lang, d0, d1),
                extra_lines=_checklist_totals(rows, lang) if report == "checklists" else [],
                header=header,
                batches=batches,
                progress=report_progress,
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
        tmp = None
    except sqlite3.Error as exc:
        raise ExportError(f"读取数据库失败（{exc}）。请确认数据库文件完好。") from exc
    except OSError as exc:
        raise ExportError(
            f"无法写入 {out}（{exc.strerror or exc}）。若文件正在 Excel 中打开请先关闭，"
            "或选择其他保存位置。"
        ) from exc
    finally:
        for s in sources:
            s.close()
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
    if progress is not None:
        progress(total, total)
    return ExportSummary(rows=n, counters=counters, missing_counters=missing, out=out)


def _checklist_totals(rows: list[tuple], lang: str) -> list[tuple[str, int]]:
    """Counter-days prepared, late, and used without preparation: what a supervisor checks."""
    words = query.WORDS[lang]
    prepared = sum(1 for r in rows if r[4] != words["none"])
    late = sum(1 for r in rows if r[4] == words["yes"])
    unprepared = sum(1 for r in rows if r[4] == words["none"] and r[-1] > 0)
    names = CHECKLIST_TOTALS[lang]
    return [(names[0], prepared), (names[1], late), (names[2], unprepared)]


CHECKLIST_TOTALS = {
    "zh": ("已确认准备（窗口·天）", "其中迟到", "有使用但未确认准备"),
    "en": ("prepared (counter-days)", "of which late", "used without preparation"),
}


def _xlsx_summary(sources, counts, counters, missing, report, lang, d0, d1) -> dict:
    labels = LABELS[lang]
    titles = query.situation_titles()
    per_situation: dict[str, int] = {}
    per_counter: dict[str, int] = dict.fromkeys(counters, 0)
    for (counter, key), n in counts.items():
        per_situation[key] = per_situation.get(key, 0) + n
        per_counter[counter] = per_counter.get(counter, 0) + n
    situation_rows = [
        (titles.get(k, k), k, per_situation[k])
        for k in sorted(per_situation, key=query.situation_order)
    ]
    counter_rows = [
        (c, n, labels["missing"] if c in missing else "") for c, n in sorted(per_counter.items())
    ]
    lines = [
        (labels["report"], REPORT_NAMES[lang][report]),
        (labels["range"], f"{d0}{labels['to']}{d1}"),
        (labels["files"], len(sources)),
    ]
    return {
        "summary_lines": lines,
        "situation_rows": situation_rows,
        "counter_rows": counter_rows,
        "labels": labels,
        "detail_title": REPORT_NAMES[lang][report],
    }
