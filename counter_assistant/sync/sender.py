"""The sender: a background thread that copies the counter's outbox to the server.

Each round: connect (with timeouts), send every unsent row in batches (one server
transaction per batch: COPY into a temporary table, then ``INSERT … ON CONFLICT (id)
DO NOTHING``), mark the batch sent locally only after COMMIT returned, upsert the
counter's status row about once a minute, and now and then prune old sent rows. A
crash between COMMIT and the local mark sends the batch again; the server keeps each
record once. Failures back off (5 s doubling to 5 min) and are logged once per change
of cause. Nothing here touches the GUI: state goes out through ``on_state``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from counter_assistant.sync.columns import TABLES, server_columns, temp_table_sql
from counter_assistant.sync.connection import (
    Connection,
    ServerError,
    classify,
    close_quietly,
    connect,
)
from counter_assistant.sync.content_poll import ContentPoller
from counter_assistant.sync.outbox import Batch, Outbox
from counter_assistant.sync.status import (
    STATUS_UPSERT,
    CounterSnapshot,
    SyncState,
    status_params,
)

log = logging.getLogger(__name__)

BATCH_ROWS = 10_000  # about 2 MB of COPY text
STATUS_EVERY = 60.0  # seconds between status rows
PRUNE_EVERY = 6 * 3600.0
BACKOFF_FIRST, BACKOFF_MAX = 5.0, 300.0

# (stage, connection): called at "before_commit" and "after_commit" of every batch. Tests
# use it to drop the connection or stop the sender at an exact point; None in the app.
Failpoint = Callable[[str, Connection], None]


class SyncService:
    def __init__(
        self,
        url: str,
        db_path: Path,
        counter_id: str,
        center_id: str = "",
        *,
        password: Callable[[], str | None] = lambda: None,
        poll_seconds: float = 30.0,
        keep_days: int = 400,
        on_state: Callable[[SyncState], None] | None = None,
        batch_rows: int = BATCH_ROWS,
        today: Callable[[], date] = date.today,
    ):
        self.url = url
        self.counter_id = counter_id
        self.center_id = center_id
        self.password = password
        self.poll_seconds = poll_seconds
        self.keep_days = keep_days
        self.on_state = on_state
        self.batch_rows = batch_rows
        self.today = today
        self.failpoint: Failpoint | None = None
        self.content: ContentPoller | None = None  # the center's content; None: not asked
        self.outbox = Outbox(db_path, counter_id)
        self.sent = 0  # rows the server committed, this run
        self._con: Connection | None = None
        self._snapshot: CounterSnapshot | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = SyncState("connecting")
        self._cause = ""
        self.backoff_first, self.backoff_max = BACKOFF_FIRST, BACKOFF_MAX
        self._backoff = BACKOFF_FIRST
        self._last_status = -STATUS_EVERY
        self._last_prune = -PRUNE_EVERY
        self._other_logged = 0

    # --- any thread --------------------------------------------------------------
    @property
    def state(self) -> SyncState:
        return self._state

    def push_snapshot(self, snapshot: CounterSnapshot) -> None:
        """From the GUI thread: the latest is sent with the next status row."""
        self._snapshot = snapshot

    def wake(self) -> None:
        self._wake.set()

    def status_soon(self) -> None:
        """Send the status row in the next round, and start that round now."""
        self._last_status = -STATUS_EVERY
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sync-sender", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop; never waits longer than timeout (the network may hang)."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.info("sync sender still busy with the server; leaving it to exit")
            else:
                self._thread = None

    def close(self) -> None:
        """Drop the server connection and the local one (after stop, or without a thread)."""
        self._drop()
        self.outbox.close()

    # --- the thread ----------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            delay = self._round_safely()
            if not self._cause:  # a round every poll_seconds, however long one took
                delay = max(0.0, delay - (time.monotonic() - started))
            self._wake.wait(delay)
            self._wake.clear()
        close_quietly(self._con)
        self._con = None
        with contextlib.suppress(Exception):
            self.outbox.close()

    def _round_safely(self) -> float:
        """One round; returns how long to wait before the next."""
        try:
            self.round()
        except ServerError as exc:
            return self._failed(exc)
        except Exception as exc:  # a bug or a local database fault: log it, keep going
            if self._cause != "internal":
                log.exception("sync: unexpected error")
            return self._failed(ServerError("internal", str(exc)))
        self._backoff = self.backoff_first
        return min(self.poll_seconds, STATUS_EVERY)

    def round(self) -> int:
        """Connect, send everything waiting, status row, prune. Raises ServerError."""
        try:
            con = self._connection()
            if self.content is not None:  # first: one cheap row, even during a catch-up
                self.content.poll(con)
            sent = self._send_all(con)
            if time.monotonic() - self._last_status >= STATUS_EVERY - 1 or sent:
                self._send_status(con)
        except ServerError:
            self._drop()
            raise
        except Exception as exc:
            if not _is_local(exc):
                self._drop()
                raise classify(exc) from exc
            raise
        if time.monotonic() - self._last_prune >= PRUNE_EVERY:
            self._last_prune = time.monotonic()
            pruned = self.outbox.prune(self.today(), self.keep_days)
            if pruned:
                log.info("sync: pruned %d local records older than %d days that the server "
                         "holds", pruned, self.keep_days)  # fmt: skip
        waiting, _other = self.outbox.waiting()
        if self._cause:
            log.warning("sync: the server is reachable again; %d records sent", sent)
        self._cause = ""
        self._set_state(SyncState("ok", waiting, datetime.now().astimezone()))
        return sent

    def _connection(self) -> Connection:
        if self._con is None:
            con = connect(self.url, self.password())
            try:
                for table in TABLES:
                    con.run(temp_table_sql(table))
            except Exception as exc:
                close_quietly(con)
                raise classify(exc) from exc
            self._con = con
        return self._con

    def _drop(self) -> None:
        close_quietly(self._con)
        self._con = None

    def _send_all(self, con: Connection) -> int:
        """Every waiting row. While the server works on one batch, a helper thread reads
        the next from SQLite and marks the one before as sent (after its COMMIT)."""
        sent = 0
        local: ThreadPoolExecutor | None = None
        marks: list[Future] = []
        try:
            for table in TABLES:
                if local is None:
                    batch = self.outbox.take(table, self.batch_rows)
                else:  # the helper owns the local connection while it runs
                    batch = local.submit(self.outbox.take, table, self.batch_rows).result()
                while batch is not None and not self._stop.is_set():
                    upcoming = None
                    if len(batch) == self.batch_rows:
                        local = local or ThreadPoolExecutor(1, thread_name_prefix="sync-outbox")
                        upcoming = local.submit(
                            self.outbox.take, table, self.batch_rows, batch.last
                        )
                    self._send(con, batch)
                    if local is not None:
                        marks.append(local.submit(self.outbox.mark_sent, batch))
                    else:
                        self.outbox.mark_sent(batch)
                    sent += len(batch)
                    batch = upcoming.result() if upcoming is not None else None
        finally:
            if local is not None:
                local.shutdown(wait=True)  # every batch the server committed gets marked
        for mark in marks:
            mark.result()  # a local error marking is raised here: those rows go again
        self._check_other_counters()
        return sent

    def _send(self, con: Connection, batch: Batch) -> None:
        cols = server_columns(batch.table)
        con.run("BEGIN")
        con.run(
            f"COPY batch_{batch.table} ({cols}) FROM STDIN",
            stream=io.BytesIO(batch.copy_data()),
        )
        con.run(
            f"INSERT INTO ca.{batch.table} (center_id, {cols}) "
            f"SELECT CAST(:center AS text), {cols} FROM batch_{batch.table} "
            "ON CONFLICT (id) DO NOTHING",
            center=self.center_id,
        )
        self._at("before_commit", con)
        con.run("COMMIT")
        self._at("after_commit", con)
        self.sent += len(batch)

    def _at(self, stage: str, con: Connection) -> None:
        if self.failpoint is not None:
            self.failpoint(stage, con)

    def _send_status(self, con: Connection) -> None:
        snap = self._snapshot or CounterSnapshot()
        local_date = snap.local_date or self.today().isoformat()
        waiting, _other = self.outbox.waiting()
        if not snap.local_date:
            snap = replace(snap, local_date=local_date)
        if not snap.last_error and self.content is not None and self.content.problem:
            snap = replace(snap, last_error=self.content.problem)
        params = status_params(
            snap,
            self.center_id,
            self.counter_id,
            datetime.now(UTC),
            self.outbox.prompts_on(local_date),
            waiting,
        )
        con.run(STATUS_UPSERT, **params)
        self._last_status = time.monotonic()

    def _check_other_counters(self) -> None:
        _own, other = self.outbox.waiting()
        if other and other != self._other_logged:
            log.warning(
                "sync: %d local records carry another counter id than %r (the id was changed?); "
                "they stay in the local database and are not sent as this counter",
                other,
                self.counter_id,
            )
        self._other_logged = other

    def _failed(self, exc: ServerError) -> float:
        delay = min(self._backoff, self.backoff_max)
        self._backoff = min(delay * 2, self.backoff_max)
        if exc.cause != self._cause:
            log.warning("sync: %s (%s); records stay local and are sent later; retrying "
                        "with back-off", exc, exc.cause)  # fmt: skip
            self._cause = exc.cause
        try:
            waiting = self.outbox.waiting()[0]
        except Exception:
            waiting = self._state.waiting
        self._set_state(SyncState("failing", waiting, self._state.last_success, exc.cause))
        return delay

    def _set_state(self, state: SyncState) -> None:
        if state == self._state:
            return
        self._state = state
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("sync: state callback failed")


def _is_local(exc: BaseException) -> bool:
    import sqlite3

    return isinstance(exc, sqlite3.Error)


def from_config(cfg, db_path: Path, on_state: Callable[[SyncState], None] | None = None):
    """The sender for a counter's config, or None when no server is configured."""
    from counter_assistant.sync.connection import read_password

    if not cfg.sync_url:
        return None
    warned: set[str] = set()

    def warn_once(message: str) -> None:
        if message not in warned:
            warned.add(message)
            log.warning("sync: %s", message)

    return SyncService(
        cfg.sync_url,
        db_path,
        cfg.counter_id,
        cfg.center_id,
        password=lambda: read_password(cfg.sync_password_file, warn=warn_once),
        poll_seconds=cfg.poll_seconds,
        keep_days=cfg.keep_days,
        on_state=on_state,
    )
