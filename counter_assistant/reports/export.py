"""Supervisor reports to CSV or XLSX, and the report window's preview.

A report is built as a typed document (tables on sheets, see table.py) and written
to a temporary file beside the output, which replaces the output only when complete:
a failed or cancelled export leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from counter_assistant.core.calendar import Calendar
from counter_assistant.core.problems import Problem
from counter_assistant.reports import events
from counter_assistant.reports.compliance import checklists_document, compliance_document
from counter_assistant.reports.csv_writer import ENCODING, write_csv, write_csv_lines
from counter_assistant.reports.scope import COUNTERS_SQL, Scope, check_range
from counter_assistant.reports.sources import (
    Cancelled,
    ExportError,
    Skipped,
    find_databases,
    open_sources,
    resolve_inputs,
    scan_folder,
)
from counter_assistant.reports.table import Document
from counter_assistant.reports.usage import daily_document, events_document
from counter_assistant.reports.words import LANGS, Names, Words
from counter_assistant.reports.xlsx_writer import write_xlsx
from counter_assistant.storage.outputs import OutputRefused, check_output
from counter_assistant.storage.readonly import connect_readonly

__all__ = [
    "FORMATS",
    "REPORTS",
    "Cancelled",
    "ExportError",
    "ExportSummary",
    "Options",
    "export_report",
    "find_databases",
    "open_scope",
    "scan_folder",
]

REPORTS = ("events", "daily", "checklists", "compliance")
FORMATS = ("csv", "xlsx")
FINISH_SHARE = 10  # the last 1/10 of an XLSX's progress bar is zipping the workbook

Progress = Callable[[int, int], None]


@dataclass
class Options:
    """What a report needs from the config in force."""

    calendar: Calendar = field(default_factory=Calendar)
    calendar_problems: list[Problem] = field(default_factory=list)
    names: Names | None = None
    today: date | None = None

    @classmethod
    def from_context(cls, ctx) -> Options:
        """The calendar, business catalog, roster and frequent answers of an app Context."""
        calendar, problems = getattr(ctx, "calendar", None), []
        if calendar is None:  # a context built without one (tests)
            from counter_assistant.core.calendar import from_config

            calendar, problems = from_config(ctx.config)
        else:
            problems = list(getattr(ctx, "calendar_problems", []))
        answers = getattr(getattr(ctx, "answers", None), "items", ())
        names = Names.of(ctx.business.items, ctx.config.roster, answers)
        return cls(calendar, problems, names)


@dataclass
class ExportSummary:
    rows: int
    counters: list[str]
    missing_counters: list[str]  # counters with no record in the range
    out: Path
    skipped: list[Skipped] = field(default_factory=list)  # files named but not read
    problems: list[str] = field(default_factory=list)  # calendar problems, in words


@contextlib.contextmanager
def open_scope(
    inputs: list[Path],
    date_from: date,
    date_to: date,
    lang: str = "zh",
    options: Options | None = None,
    cancel: threading.Event | None = None,
):
    """The open databases (folders resolved) for one report; closed afterwards."""
    if lang not in LANGS:
        raise ExportError(f"未知语言 {lang!r}，可选：zh、en。")
    check_range(date_from, date_to)
    options = options or Options()
    paths, skipped = resolve_inputs(list(inputs))
    if not paths:
        names = "；".join(str(s) for s in skipped)
        raise ExportError(f"所选位置没有可读取的窗口服务助手数据库。{names}")
    sources = open_sources(paths)
    try:
        yield Scope(
            sources,
            date_from,
            date_to,
            Words(lang, options.names),
            options.calendar,
            options.calendar_problems,
            skipped,
            options.today or date.today(),
            cancel,
        )
    except sqlite3.Error as exc:
        raise ExportError(f"读取数据库失败（{exc}）。请确认数据库文件完好。") from exc
    finally:
        for s in sources:
            s.close()


def build_document(scope: Scope, report: str, fmt: str) -> Document:
    xlsx = fmt == "xlsx"
    if report == "events":
        return events_document(scope, xlsx)
    if report == "daily":
        return daily_document(scope, xlsx)
    if report == "checklists":
        return checklists_document(scope)
    return compliance_document(scope)


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
    progress: Progress | None = None,
    *,
    force: bool = False,
    protected: list[Path] = (),
    options: Options | None = None,
    cancel: threading.Event | None = None,
) -> ExportSummary:
    """Write one report. db_paths: databases, backups or folders of them. An existing
    out is replaced only with force; a database (an input, the live one in protected,
    or any other) is never replaced. cancel: checked between row batches."""
    if report not in REPORTS:
        raise ExportError(f"未知报表 {report!r}，可选：{'、'.join(REPORTS)}。")
    if fmt not in FORMATS:
        raise ExportError(f"未知格式 {fmt!r}，可选：csv、xlsx。")
    out = Path(out)
    tmp = None
    with open_scope(db_paths, date_from, date_to, lang, options, cancel) as scope:
        try:
            tmp = _temp_for(out, [*(s.path for s in scope.sources), *protected], force)
            n, total = _write(scope, report, fmt, tmp, progress)
            scope.check_cancel()
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
            tmp = None
        except OSError as exc:
            raise ExportError(
                f"无法写入 {out}（{exc.strerror or exc}）。若文件正在 Excel 中打开请先关闭，"
                "或选择其他保存位置。"
            ) from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        if progress is not None:
            progress(total, total)
        return ExportSummary(
            rows=n,
            counters=scope.counters,
            missing_counters=scope.silent,
            out=out,
            skipped=scope.skipped,
            problems=[str(p) for p in scope.calendar_problems],
        )


def _write(
    scope: Scope, report: str, fmt: str, tmp: Path, progress: Progress | None
) -> tuple[int, int]:
    """Rows written and the progress total."""
    if report == "events" and fmt == "csv" and not scope.merged:
        return _events_csv(scope, tmp, progress)
    doc = build_document(scope, report, fmt)
    rows = doc.main.count
    finish = rows // FINISH_SHARE if fmt == "xlsx" else 0
    total = rows + finish
    if progress is not None:
        progress(0, total)
    if fmt == "csv":
        with open(tmp, "w", encoding=ENCODING, newline="") as fh:
            n = write_csv(fh, doc.main, doc.words, _rows(progress, total), scope.check_cancel)
    else:
        n = write_xlsx(tmp, doc, _rows(progress, total), scope.check_cancel)
    return n, total


def _events_csv(scope: Scope, tmp: Path, progress: Progress | None) -> tuple[int, int]:
    """The fast path: SQLite joins each row. Meanwhile a second connection finds the
    counters in the range (the summary names them), on the other core."""
    source = scope.sources[0]
    usage: dict[str, int] = {}

    def find_counters() -> None:
        try:
            con = connect_readonly(source.path)
            try:
                usage.update(con.execute(COUNTERS_SQL, scope.span).fetchall())
            finally:
                con.close()
        except sqlite3.Error:
            usage.clear()  # found the usual way afterwards

    finder = threading.Thread(target=find_counters, name="report-counters", daemon=True)
    finder.start()
    total = scope.count_usage()
    if progress is not None:
        progress(0, total)
    lines = scope.stream(source, events.events_line_sql(source, scope.words), scope.span)
    refetch = functools.partial(events.event_row, source, scope.words)
    header = [c.header(scope.words) for c in events.COLUMNS]
    try:
        with open(tmp, "wb") as fh:
            n = write_csv_lines(fh, header, lines, refetch, _rows(progress, total))
    finally:
        finder.join()
    if usage or not total:
        scope.usage_found(usage)
    return n, total


def _rows(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    return lambda done: progress(min(done, total), total)
