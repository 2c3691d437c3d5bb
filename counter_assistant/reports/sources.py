"""Counter databases opened read-only for reports, and finding them in a folder."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from counter_assistant.storage.db import SQLITE_HEADER, connect_readonly

DB_SUFFIXES = (".sqlite3", ".sqlite", ".db", ".bak", ".backup")
SKIP_SUFFIXES = ("-wal", "-shm", "-journal", ".part", ".jsonl", ".log")
USAGE_COLUMNS = {"uuid", "ts_utc", "local_date", "counter_id", "staff_id", "situation"}


class ExportError(Exception):
    """A report problem phrased for the user: what is wrong and what to do."""


@dataclass
class Source:
    path: Path
    con: sqlite3.Connection
    counter_id: str | None  # from the meta table
    has_checklists: bool

    def close(self) -> None:
        self.con.close()


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
        cols = {r[1] for r in con.execute("PRAGMA table_info(usage_event)")}
        if not {"meta", "usage_event"} <= tables or not cols >= USAGE_COLUMNS:
            raise ExportError(
                f"{path} 不是窗口服务助手的数据库（缺少 meta 或 usage_event 表）。"
                "请只选择各窗口的数据库或其备份。"
            )
        row = con.execute("SELECT value FROM meta WHERE key='counter_id'").fetchone()
    except sqlite3.DatabaseError as exc:
        con.close()
        raise ExportError(
            f"{path} 不是可读取的 SQLite 数据库（{exc}）。请只选择各窗口的数据库或其备份。"
        ) from exc
    except ExportError:
        con.close()
        raise
    return Source(path, con, row[0] if row and row[0] else None, "checklist_record" in tables)


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


def is_counter_database(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return False
        open_source(path).close()
    except (OSError, ExportError):
        return False
    return True


def find_databases(folder: Path | str) -> list[Path]:
    """Counter Assistant databases and backups directly inside folder, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"文件夹不存在：{folder}")
    found = []
    for p in sorted(folder.iterdir()):
        name = p.name.lower()
        if not p.is_file() or name.endswith(SKIP_SUFFIXES):
            continue
        if (name.endswith(DB_SUFFIXES) or ".sqlite" in name) and is_counter_database(p):
            found.append(p)
    return found
