"""Usage recording off the GUI thread: queue, batch, write; keep what cannot be written.

The GUI thread only appends to a deque and sets an event. One writer thread owns its
own peewee connection, writes each batch in one BEGIN IMMEDIATE transaction with
INSERT OR IGNORE (uuid primary keys make replays harmless), and when the database
cannot be written (locked, read-only, disk full) appends the rows to a JSON-lines
pending file, keeps them in memory, tells the clerk quietly and retries with backoff.
Only counts and error texts are logged, never row contents.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_assistant.core.usage import UsageRecord
from counter_assistant.storage.db import make_database, migrate, refuse_newer
from counter_assistant.storage.models import ChecklistRecord, StaffShift, UsageEvent

log = logging.getLogger(__name__)

RETRY_FIRST = 1.0  # seconds before the first retry; doubles up to RETRY_MAX
RETRY_MAX = 30.0
MSG_DB_FAILED = "数据库暂时无法写入，{n} 条记录已暂存，恢复后自动写入"
MSG_ALL_FAILED = "数据库和暂存文件都无法写入，{n} 条记录仅在内存中，请勿关闭程序并联系 IT"

TABLES = {m._meta.table_name: m for m in (UsageEvent, ChecklistRecord, StaffShift)}


def _table_sql(model: Any) -> tuple[str, list[str], dict[str, Any]]:
    fields = model._meta.sorted_fields
    names = [f.name for f in fields]
    cols = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join("?" for _ in fields)
    sql = f'INSERT OR IGNORE INTO "{model._meta.table_name}" ({cols}) VALUES ({marks})'
    defaults = {f.name: f.default for f in fields if f.default is not None}
    return sql, names, defaults


_SQL = {name: _table_sql(model) for name, model in TABLES.items()}


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
        on_status: Callable[[str | None], None] | None = None,
    ):
        self.db_path = Path(db_path)
        self.pending_file = Path(pending_file)
        self.on_status = on_status
        self._queue: collections.deque = collections.deque()  # (table, row)
        self._markers: collections.deque = collections.deque()  # flush requests
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # guards _held against pending_count readers
        self._held: list[tuple[str, dict]] = []  # taken from the queue, not yet in the DB
        self._in_file = 0  # how many of _held are already in the pending file
        self._thread: threading.Thread | None = None
        self._failing = False
        self._retry_at = 0.0
        self._backoff = RETRY_FIRST
        self._status: str | None = None
        self._db = None

    # GUI thread -------------------------------------------------------------
    def submit(self, table: str, row: dict) -> None:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        self._queue.append((table, row))
        self._wake.set()

    def record(self, rec: UsageRecord) -> None:
        self.submit("usage_event", rec.as_dict())

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
        try:
            while True:
                wait = None
                if self._failing and self._held:
                    wait = max(0.0, self._retry_at - time.monotonic())
                self._wake.wait(wait)
                self._wake.clear()
                stopping = self._stop.is_set()
                markers = self._take()
                due = not self._failing or time.monotonic() >= self._retry_at
                if self._held and due:
                    self._write_db()
                ok = not self._held or self._save_pending()
                for marker in markers:
                    marker.ok = ok
                    marker.done.set()
                if stopping and not self._queue and not self._markers:
                    break
        except Exception:  # never die silently; rows stay in the pending file
            log.exception("usage writer stopped")
        finally:
            self._disconnect()

    def _take(self) -> list[_Marker]:
        # Markers first: every row submitted before a marker is already queued.
        markers = []
        while self._markers:
            markers.append(self._markers.popleft())
        with self._lock:
            while self._queue:
                self._held.append(self._queue.popleft())
        return markers

    def _connect(self):
        if self._db is None:
            if self.db_path.exists():
                refuse_newer(self.db_path)  # before our pragmas could change its header
            db = make_database(self.db_path)
            try:
                db.connect()
                migrate(db, self.db_path)
            except Exception:
                db.close()
                raise
            self._db = db
        return self._db

    def _disconnect(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self._db.close()
            self._db = None

    def _write_db(self) -> None:
        held = list(self._held)
        try:
            db = self._connect()
            with db.atomic("IMMEDIATE"):
                cursor = db.connection().cursor()
                for table in {t for t, _ in held}:
                    sql, names, defaults = _SQL[table]
                    values = [
                        tuple(row.get(n, defaults.get(n)) for n in names)
                        for t, row in held
                        if t == table
                    ]
                    cursor.executemany(sql, values)
        except Exception as exc:
            self._disconnect()  # reopen on retry: the file may be replaced or repaired
            self._failed(exc)
            return
        with self._lock:
            del self._held[: len(held)]
        if self._in_file:
            self._truncate_pending()
        if self._failing:
            log.warning("usage log storage is back; wrote %d held records", len(held))
            self._failing = False
            self._backoff = RETRY_FIRST
            self._set_status(None)

    def _failed(self, exc: BaseException) -> None:
        while exc.__context__ is not None:  # e.g. SQLITE_FULL hidden behind a failed rollback
            exc = exc.__context__
        delay = self._backoff if self._failing else RETRY_FIRST
        self._failing = True
        self._retry_at = time.monotonic() + delay
        self._backoff = min(delay * 2, RETRY_MAX)
        log.warning(
            "usage log write failed (%s: %s); %d records held, retry in %.1f s",
            type(exc).__name__,
            exc,
            len(self._held),
            delay,
        )

    def _save_pending(self) -> bool:
        """Append held rows not yet in the pending file. True when all are on disk."""
        new = self._held[self._in_file :]
        if new:
            try:
                self.pending_file.parent.mkdir(parents=True, exist_ok=True)
                text = "".join(
                    json.dumps({"table": t, "row": r}, ensure_ascii=False) + "\n" for t, r in new
                )
                with open(self.pending_file, "a", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                self._in_file = len(self._held)
            except OSError as exc:
                log.warning("pending file %s not writable (%s)", self.pending_file, exc)
                self._set_status(MSG_ALL_FAILED.format(n=len(self._held)))
                return False
        self._set_status(MSG_DB_FAILED.format(n=len(self._held)))
        return True

    def _truncate_pending(self) -> None:
        try:
            with open(self.pending_file, "w", encoding="utf-8") as fh:
                fh.flush()
                os.fsync(fh.fileno())
            self._in_file = 0
        except OSError as exc:  # harmless: replays are INSERT OR IGNORE
            log.warning("cannot empty pending file %s (%s)", self.pending_file, exc)
            self._in_file = 0

    def _read_pending(self) -> list[tuple[str, dict]]:
        rows: list[tuple[str, dict]] = []
        try:
            lines = self.pending_file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return rows
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read pending file %s (%s)", self.pending_file, exc)
            return rows
        bad = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                table, row = item["table"], item["row"]
                if table not in TABLES or not isinstance(row, dict):
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            rows.append((table, row))
        if bad:
            log.warning("pending file %s: skipped %d unreadable lines", self.pending_file, bad)
        if rows:
            log.info("replaying %d records from %s", len(rows), self.pending_file)
        return rows

    def _set_status(self, message: str | None) -> None:
        if message == self._status:
            return
        self._status = message
        if self.on_status is not None:
            try:
                self.on_status(message)
            except Exception:
                log.exception("status callback failed")
