"""Counter databases opened read-only for reports, and finding them in folders.

A file in a chosen folder that cannot be read as a counter database is never dropped
without a word: it is kept as a Skipped entry with the reason, and every report and
the preview name it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from counter_assistant.storage.db import SQLITE_HEADER, counter_id_of, read_header
from counter_assistant.storage.readonly import connect_readonly

DB_SUFFIXES = (".sqlite3", ".sqlite", ".db", ".bak", ".backup")
SKIP_SUFFIXES = ("-wal", "-shm", "-journal", ".part", ".jsonl", ".log")
RECORD_TABLES = ("usage_event", "checklist_record", "staff_shift")
USAGE_COLUMNS = {"uuid", "ts_utc", "local_date", "counter_id", "staff_id", "situation"}


class ExportError(Exception):
    """A report problem phrased for the user: what is wrong and what to do."""


class NotCounterDatabase(ExportError):
    """A readable SQLite file that is not a Counter Assistant database."""


class Damaged(ExportError):
    """A file that SQLite cannot read as a database."""


class Cancelled(ExportError):
    """The supervisor cancelled the export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("导出已取消，未写入任何文件。")


@dataclass(frozen=True)
class Skipped:
    """A file in a chosen folder that is not a readable counter database."""

    path: Path
    reason: str
    counter_id: str | None = None  # when the damaged file still names its counter

    def __str__(self) -> str:
        who = f"（窗口 {self.counter_id}）" if self.counter_id else ""
        return f"{self.path.name}{who}：{self.reason}"


@dataclass
class Source:
    path: Path
    con: sqlite3.Connection
    counter_id: str | None  # from the meta table
    columns: dict[str, set[str]] = field(default_factory=dict)  # table -> its columns

    @property
    def has_checklists(self) -> bool:
        return "checklist_record" in self.columns

    @property
    def has_staff(self) -> bool:
        return "staff_shift" in self.columns

    @property
    def has_detail(self) -> bool:
        return "detail" in self.columns.get("usage_event", ())

    def local_time_sql(self, table: str = "usage_event") -> str:
        """The counter's wall time HH:MM:SS of a row: ts_local (schema 2 on), else ts_utc
        shifted by the stored UTC offset, else by this PC's zone (first-release rows)."""
        cols = self.columns.get(table, set())
        fallback = "strftime('%H:%M:%S', ts_utc, 'localtime')"
        if "utc_offset" in cols:
            fallback = (
                "CASE WHEN utc_offset IS NOT NULL THEN strftime('%H:%M:%S', ts_utc, "
                f"utc_offset || ' minutes') ELSE {fallback} END"
            )
        if "ts_local" in cols:
            return f"CASE WHEN ts_local != '' THEN substr(ts_local, 12, 8) ELSE {fallback} END"
        return fallback

    def close(self) -> None:
        self.con.close()


def _not_ours(path: Path) -> ExportError:
    return NotCounterDatabase(
        f"{path} 不是窗口服务助手的数据库（缺少 meta 或 usage_event 表）。"
        "请只选择各窗口的数据库或其备份。"
    )


def open_source(path: Path | str) -> Source:
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"找不到数据库文件：{path}。请检查路径。")
    try:
        con = connect_readonly(path)
    except sqlite3.Error as exc:
        raise ExportError(f"无法打开 {path}（{exc}）。请确认文件可读。") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {
            t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")}
            for t in RECORD_TABLES
            if t in tables
        }
        if "meta" not in tables or not columns.get("usage_event", set()) >= USAGE_COLUMNS:
            raise _not_ours(path)
        row = con.execute("SELECT value FROM meta WHERE key='counter_id'").fetchone()
    except sqlite3.DatabaseError as exc:
        con.close()
        raise Damaged(f"{path} 已损坏，无法读取（{exc}）。请用该窗口较早的备份代替它。") from exc
    except ExportError:
        con.close()
        raise
    return Source(path, con, row[0] if row and row[0] else None, columns)


def open_sources(paths: list[Path]) -> list[Source]:
    if not paths:
        raise ExportError("没有选择数据库。请选择各窗口的数据库文件或所在文件夹。")
    sources: list[Source] = []
    seen: set[Path] = set()
    try:
        for p in paths:
            key = Path(p).resolve()
            if key in seen:
                continue
            seen.add(key)
            sources.append(open_source(p))
    except BaseException:
        for s in sources:
            s.close()
        raise
    return sources


def why_unreadable(path: Path) -> Skipped | None:
    """None for a readable counter database, else why it is not one (for the supervisor)."""
    try:
        head = read_header(path)  # never a plain open() of a database this process writes
    except OSError as exc:
        return Skipped(path, f"无法读取（{exc.strerror or exc}）")
    if head != SQLITE_HEADER:
        return Skipped(path, "不是 SQLite 数据库（文件头不对，可能已损坏或不完整）")
    try:
        open_source(path).close()
    except NotCounterDatabase:
        return Skipped(path, "不是窗口服务助手的数据库")
    except Damaged as exc:
        reason = f"已损坏，无法读取（{exc.__cause__}）。请用该窗口较早的备份代替它"
        return Skipped(path, reason, counter_id_of(path))
    except ExportError as exc:
        return Skipped(path, f"无法读取（{exc.__cause__ or exc}）")
    return None


def _looks_like_database(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(SKIP_SUFFIXES):
        return False
    return name.endswith(DB_SUFFIXES) or ".sqlite" in name


def scan_folder(folder: Path | str) -> tuple[list[Path], list[Skipped]]:
    """Counter databases directly inside folder (sorted by name), and the files named
    like databases that could not be read, each with the reason."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"文件夹不存在：{folder}")
    found: list[Path] = []
    skipped: list[Skipped] = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or not _looks_like_database(p):
            continue
        problem = why_unreadable(p)
        if problem is None:
            found.append(p)
        else:
            skipped.append(problem)
    return found, skipped


def find_databases(folder: Path | str) -> list[Path]:
    """Counter databases and backups directly inside folder, sorted by name."""
    return scan_folder(folder)[0]


def resolve_inputs(items: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files stay as given; a folder becomes the databases inside it."""
    paths: list[Path] = []
    skipped: list[Skipped] = []
    for item in items:
        item = Path(item)
        if item.is_dir():
            found, bad = scan_folder(item)
            if not found and not bad:
                raise ExportError(f"{item} 中没有找到窗口服务助手的数据库。")
            paths += found
            skipped += bad
        else:
            paths.append(item)
    return paths, skipped
