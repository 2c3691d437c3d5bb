"""Recording off the GUI thread: queue, batch, write; keep what cannot be written.

The GUI thread only appends a record to a deque and sets an event. One writer thread
owns its own connection and writes each batch in one BEGIN IMMEDIATE transaction
(ON CONFLICT (uuid) DO NOTHING: replays are harmless; a row the schema refuses is kept
aside in a file of its own). When the database cannot be written (locked, read-only,
disk full, newer schema) the rows go to a JSON-lines pending file, stay in memory, and
are retried with backoff until they are written.

Before each batch the writer asks storage/live_db.py whether the file is still the one
it opened: a database deleted, replaced or overwritten while the app runs is noticed, a
restored backup of this counter adopted, anything else kept aside and the database
recreated in place, with today's checklist records written again. The writer never
stops on an exception. Only counts and error texts are logged, never row contents.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from counter_assistant.core.records import RECORD_TYPES, ChecklistEntry, Record, StaffChange
from counter_assistant.storage.insert_sql import insert_sql
from counter_assistant.storage.live_db import LiveDatabase
from counter_assistant.storage.sqlite_files import (
    CheckFailed,
    check_database,
    savepoint,
    transaction,
)

log = logging.getLogger(__name__)
DayRecord = ChecklistEntry | StaffChange

RETRY_FIRST = 1.0  # seconds before the first retry; doubles up to RETRY_MAX
RETRY_MAX = 30.0
MSG_DB_FAILED = "数据库暂时无法写入，{n} 条记录已暂存，恢复后自动写入"
MSG_ALL_FAILED = "数据库和暂存文件都无法写入，{n} 条记录仅在内存中，请勿关闭程序并联系 IT"
MSG_REPLACED = "数据库文件在运行中被删除或替换：已在原处重建（今日准备记录已补写），记录未丢失。"
MSG_ADOPTED = "数据库文件在运行中被替换为本窗口的备份：已接着写入该文件。"
MSG_CORRUPT = "数据库文件已损坏，已另存为 {name} 并新建数据库（今日准备记录已补写）。"
MSG_NOT_WRITABLE = "数据库暂时无法写入，使用记录先暂存，恢复后自动写入：{exc}"


def _ends_mid_line(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except OSError:  # no file, or an empty one
        return False


class _Marker:
    """A flush request: set once the rows queued before it are durable."""

    __slots__ = ("done", "ok")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False


class Recorder:
    def __init__(
        self,
        db_path: Path,
        pending_file: Path,
        counter_id: str = "",
        on_status: Callable[[str | None], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ):
        self.db_path = Path(db_path)
        self.pending_file = Path(pending_file)
        self.counter_id = counter_id
        self.on_status = on_status  # the lasting state: None when everything is written
        self.on_notice = on_notice  # one-off events worth telling the clerk
        self.on_committed: Callable[[int], None] | None = None  # rows written (tests, bench)
        self._queue: collections.deque[Record | tuple[str, dict]] = collections.deque()
        self._markers: collections.deque[_Marker] = collections.deque()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards _held against pending_count readers
        self._held: list[tuple[str, dict]] = []  # taken from the queue, not yet in the DB
        self._in_file = 0  # how many of _held are already in the pending file
        self._keep_file = False  # the pending file holds lines we could not copy aside
        self._thread: threading.Thread | None = None
        self._failing = False
        self._retry_at = 0.0
        self._backoff = RETRY_FIRST
        self._status: str | None = None
        self._live = LiveDatabase(self.db_path, counter_id)
        self._verify = False  # the check of storage/sqlite_files.py is still to run
        self._today: dict[str, DayRecord] = {}  # today's checklist/staff records, to rewrite
        self.written = 0

    # GUI thread -------------------------------------------------------------
    def record(self, rec: Record) -> None:
        """Queue one record; never raises, never blocks."""
        self._queue.append(rec)
        self._wake.set()

    def remember_today(self, records: list[DayRecord]) -> None:
        """Today's checklist and staff records read at start: rewritten if the file goes."""
        for rec in records:
            self._today[rec.uuid] = rec

    def verify_before_writing(self) -> None:
        """Start-up read today's records the quick way (storage/start_read.py): the full
        open (whole-file check, corrupt file moved aside, migration, whose file) runs on
        the writer thread at its first wake-up, before anything is written: once the
        window is up (verify_soon), or sooner when records wait in the pending file."""
        self._verify = True

    def verify_soon(self) -> None:
        """Wake the writer for that check now (once the window is up)."""
        if self._verify:
            self._wake.set()

    @property
    def pending_count(self) -> int:
        with self._lock:
            return len(self._held) + len(self._queue)

    def start(self) -> None:
        """Load rows left in the pending file, then start the writer (it writes them first)."""
        if self._thread is not None:
            return
        self._held = self._read_pending()
        self._in_file = len(self._held)
        self._thread = threading.Thread(target=self._run, name="usage-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)
        if self._held:
            self._wake.set()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything submitted so far is in the DB or the pending file."""
        if self._thread is None or not self._thread.is_alive():
            return not self._queue and not self._held
        marker = _Marker()
        self._markers.append(marker)
        self._wake.set()
        return marker.done.wait(timeout) and marker.ok

    def close(self, timeout: float = 10.0) -> None:
        atexit.unregister(self.close)
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("usage writer did not stop within %.0f s", timeout)
        else:
            self._thread = None

    # writer thread ----------------------------------------------------------
    def _run(self) -> None:
        while True:
            try:
                if self._step():
                    break
            except Exception as exc:  # never die: rows stay held (and in the pending file)
                with contextlib.suppress(Exception):
                    log.exception("usage writer: unexpected error; retrying")
                self._schedule_retry(exc)
                if self._stop.is_set():
                    with contextlib.suppress(Exception):
                        self._save_pending()
                    break
        self._disconnect()

    def _step(self) -> bool:
        """One round; True when stopped and everything was handled."""
        wait = None
        if self._failing and (self._held or self._queue or self._markers):
            # after a failure, work left waiting is retried without a new wake-up
            wait = max(0.0, self._retry_at - time.monotonic())
        self._wake.wait(wait)
        self._wake.clear()
        if self._verify:
            self._verify = False
            self._verify_file()
        stopping = self._stop.is_set()
        markers = self._take_markers()
        try:
            self._take()
            due = not self._failing or time.monotonic() >= self._retry_at or stopping
            if self._held and due:
                self._write_db()
            ok = not self._held or self._save_pending()
        except BaseException:  # the flush requests wait for the retry, not for a new record
            self._markers.extendleft(reversed(markers))
            raise
        for marker in markers:
            marker.ok = ok
            marker.done.set()
        return stopping and not self._queue and not self._markers

    def _take_markers(self) -> list[_Marker]:
        # Markers first: every row submitted before a marker is already queued.
        markers = []
        while self._markers:
            markers.append(self._markers.popleft())
        return markers

    def _take(self) -> None:
        today = datetime.now().date().isoformat()
        if any(r.local_date != today for r in self._today.values()):
            self._today = {k: r for k, r in self._today.items() if r.local_date == today}
        with self._lock:
            while self._queue:
                item = self._queue[0]  # converted before it leaves the queue: never dropped
                if isinstance(item, (ChecklistEntry, StaffChange)) and item.local_date == today:
                    self._today[item.uuid] = item
                row = (item.TABLE, item.as_row()) if isinstance(item, Record) else item
                self._held.append(row)
                self._queue.popleft()

    # -- the database file ----------------------------------------------------
    def _disconnect(self) -> None:
        self._live.close()

    def _verify_file(self) -> None:
        try:
            moved = check_database(self.db_path, self.counter_id or None)
        except CheckFailed as exc:  # a share, a newer schema, a locked or read-only file
            moved = exc.moved_aside
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                log.warning("database %s busy; checked again at the next write", self.db_path)
                self._verify = True  # a passing lock: nothing to tell the clerk yet
            else:
                log.error("database %s cannot be opened for writing: %s", self.db_path, exc)
                self._notify(MSG_NOT_WRITABLE.format(exc=exc))
        if moved is not None:
            log.error("corrupt database moved aside to %s; a fresh one was started", moved)
            self._rewrite_today("corrupt")  # the fresh file gets today's preparation too
            self._notify(MSG_CORRUPT.format(name=moved.name))

    def _notify(self, message: str) -> None:
        if self.on_notice is not None:
            with contextlib.suppress(Exception):
                self.on_notice(message)

    def _rewrite_today(self, outcome: str) -> None:
        """After the file was recreated, adopted or started afresh (a corrupt one moved
        aside): today's checklist records go in again."""
        with self._lock:
            known = {row["uuid"] for _t, row in self._held}
            self._held.extend(
                (r.TABLE, r.as_row()) for r in self._today.values() if r.uuid not in known
            )
        if outcome in ("adopted", "recreated"):
            self._notify(MSG_ADOPTED if outcome == "adopted" else MSG_REPLACED)

    def _write_db(self) -> None:
        try:
            db, outcome = self._live.ensure()
            if outcome:
                self._rewrite_today(outcome)
            held = list(self._held)
            try:
                self._insert(db, held)
            except sqlite3.IntegrityError:  # a row the schema refuses: set it aside, keep the rest
                held = list(self._held)
                self._insert_one_by_one(db, held)
        except Exception as exc:
            self._live.failed(exc)
            if not self._live.suspect:
                self._disconnect()  # reopen on retry: the file may be replaced or repaired
            self._failed(exc)
            return
        with self._lock:
            del self._held[: len(held)]
            self._in_file = max(0, self._in_file - len(held))
        self.written += len(held)
        if self._in_file == 0 and not self._keep_file:
            self._truncate_pending()
        if self._failing:
            with contextlib.suppress(Exception):
                log.warning("usage log storage is back; wrote %d held records", len(held))
            self._failing = False
            self._backoff = RETRY_FIRST
        self._set_status(None)
        if self.on_committed is not None:
            self.on_committed(len(held))

    @staticmethod
    def _values(table: str, rows: list[dict]) -> tuple[str, list[tuple]]:
        sql, names, defaults = insert_sql(table)
        return sql, [tuple(row.get(n, defaults.get(n)) for n in names) for row in rows]

    def _insert(self, db: sqlite3.Connection, held: list[tuple[str, dict]]) -> None:
        with transaction(db):
            cursor = db.cursor()
            for table in {t for t, _ in held}:
                cursor.executemany(*self._values(table, [r for t, r in held if t == table]))

    def _insert_one_by_one(self, db: sqlite3.Connection, held: list[tuple[str, dict]]) -> None:
        refused = []
        with transaction(db):
            cursor = db.cursor()
            for table, row in held:
                sql, values = self._values(table, [row])
                try:
                    with savepoint(db):  # one per row
                        cursor.execute(sql, values[0])
                except sqlite3.IntegrityError as exc:
                    refused.append((table, row, str(exc)))
        if refused:
            self._set_aside_rows(refused)

    def _set_aside_rows(self, refused: list[tuple[str, dict, str]]) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.pending_file.with_name(f"{self.pending_file.stem}.refused-{stamp}.jsonl")
        lines = "".join(
            json.dumps({"table": t, "row": r, "error": e}, ensure_ascii=False) + "\n"
            for t, r, e in refused
        )
        with open(aside, "a", encoding="utf-8") as fh:  # must succeed, or the batch is retried
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(Exception):
            log.error(
                "%d record(s) refused by the database schema (%s); kept in %s",
                len(refused),
                refused[0][2],
                aside,
            )

    def _failed(self, exc: BaseException) -> None:
        while exc.__context__ is not None:  # e.g. SQLITE_FULL hidden behind a failed rollback
            exc = exc.__context__
        delay = self._schedule_retry(exc)
        with contextlib.suppress(Exception):
            log.warning(
                "usage log write failed (%s: %s); %d records held, retry in %.1f s",
                type(exc).__name__,
                exc,
                len(self._held),
                delay,
            )

    def _schedule_retry(self, exc: BaseException) -> float:
        delay = self._backoff if self._failing else RETRY_FIRST
        self._failing = True
        self._retry_at = time.monotonic() + delay
        self._backoff = min(delay * 2, RETRY_MAX)
        return delay

    # -- the pending file -----------------------------------------------------
    def _save_pending(self) -> bool:
        """Append held rows not yet in the pending file. True when all are on disk."""
        with self._lock:
            new = self._held[self._in_file :]
            count = len(self._held)
        if new:
            try:
                self.pending_file.parent.mkdir(parents=True, exist_ok=True)
                text = "".join(
                    json.dumps({"table": t, "row": r}, ensure_ascii=False) + "\n" for t, r in new
                )
                if _ends_mid_line(self.pending_file):  # a torn tail: start on a line of our own
                    text = "\n" + text
                with open(self.pending_file, "a", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                self._in_file += len(new)
            except OSError as exc:
                with contextlib.suppress(Exception):
                    log.warning("pending file %s not writable (%s)", self.pending_file, exc)
                self._set_status(MSG_ALL_FAILED.format(n=count))
                return False
        self._set_status(MSG_DB_FAILED.format(n=count))
        return True

    def _truncate_pending(self) -> None:
        try:
            if self.pending_file.exists() and self.pending_file.stat().st_size:
                with open(self.pending_file, "w", encoding="utf-8") as fh:
                    fh.flush()
                    os.fsync(fh.fileno())
        except OSError as exc:  # harmless: replays are INSERT OR IGNORE
            with contextlib.suppress(Exception):
                log.warning("cannot empty pending file %s (%s)", self.pending_file, exc)

    def _read_pending(self) -> list[tuple[str, dict]]:
        """Every complete, readable line; the rest is copied aside, never thrown away."""
        try:
            data = self.pending_file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("cannot read pending file %s (%s); it is kept", self.pending_file, exc)
            self._keep_file = True
            return []
        rows: list[tuple[str, dict]] = []
        bad: list[bytes] = []
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the file ends with a newline; else a torn last line
        if tail.strip():
            bad.append(tail)
        for line in lines:
            if not line.strip():
                continue
            try:
                item = json.loads(line.decode("utf-8"))
                table, row = item["table"], item["row"]
                if table not in RECORD_TYPES or not isinstance(row, dict) or "uuid" not in row:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                bad.append(line)
                continue
            rows.append((table, row))
        if bad:
            self._set_aside(bad)
        if rows:
            log.info("replaying %d records from %s", len(rows), self.pending_file)
        return rows

    def _set_aside(self, lines: list[bytes]) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.pending_file.with_name(f"{self.pending_file.stem}.unreadable-{stamp}.jsonl")
        try:
            with open(aside, "ab") as fh:
                fh.write(b"\n".join(lines) + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            log.warning(
                "pending file %s: %d unreadable or torn line(s) kept in %s",
                self.pending_file,
                len(lines),
                aside,
            )
        except OSError as exc:
            self._keep_file = True  # never truncate what we could not copy aside
            log.warning(
                "pending file %s: %d unreadable line(s); cannot copy them aside (%s), "
                "so the file is kept as it is",
                self.pending_file,
                len(lines),
                exc,
            )

    def _set_status(self, message: str | None) -> None:
        if message == self._status:
            return
        self._status = message
        if self.on_status is not None:
            try:
                self.on_status(message)
            except Exception:
                with contextlib.suppress(Exception):
                    log.exception("status callback failed")


__all__ = ["MSG_ALL_FAILED", "MSG_DB_FAILED", "MSG_NOT_WRITABLE", "Recorder"]
