"""The local side of sync: which rows are still to send, marking them sent, pruning.

The sender has its own connection to the counter's database (WAL lets it read and
mark beside the recorder's writer; every write is a short BEGIN IMMEDIATE). It marks
rows ``synced = 1`` only after the server committed them.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from counter_assistant.storage.db import connect
from counter_assistant.sync.columns import TABLES, copy_line_sql

PRUNE_CHUNK = 5000


@dataclass
class Batch:
    table: str
    first: int  # rowids, inclusive
    last: int
    lines: list[str]

    def __len__(self) -> int:
        return len(self.lines)

    def copy_data(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


class Outbox:
    def __init__(self, path: Path, counter_id: str):
        self.path = Path(path)
        self.counter_id = counter_id
        self._db = None
        self._identity: tuple[int, int] | None = None
        self._sql = {t: copy_line_sql(t) for t in TABLES}

    @property
    def con(self) -> sqlite3.Connection:
        """The connection, reopened when the file at the path is another one."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self.close()
            raise sqlite3.OperationalError(f"{self.path}: no database yet") from None
        if self._db is not None and (st.st_dev, st.st_ino) != self._identity:
            self.close()  # the recorder recreated or adopted a file: follow it
        if self._db is None:
            self._db = connect(self.path)
            # A mark lost to a power cut only sends its rows again (the server keeps each
            # once): this connection need not wait for the disk on every commit.
            self._db.execute_sql("PRAGMA synchronous = NORMAL")
            self._identity = (st.st_dev, st.st_ino)
        return self._db.connection()

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            finally:
                self._db = None
                self._identity = None

    def take(self, table: str, limit: int, after: int = 0) -> Batch | None:
        """The oldest unsent rows of this counter after a rowid, as COPY lines, or None."""
        rows = self.con.execute(self._sql[table], (self.counter_id, after, limit)).fetchall()
        if not rows:
            return None
        return Batch(table, rows[0][0], rows[-1][0], [r[1] for r in rows])

    def mark_sent(self, batch: Batch) -> None:
        """Every unsent row of this counter in the batch's rowid range was in the batch:
        rowids only grow, so rows written since have larger ones."""
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute(
                f"UPDATE {batch.table} SET synced = 1 "
                "WHERE rowid BETWEEN ? AND ? AND synced = 0 AND counter_id = ?",
                (batch.first, batch.last, self.counter_id),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def waiting(self) -> tuple[int, int]:
        """(unsent rows of this counter, unsent rows under other counter ids)."""
        own = other = 0
        for table in TABLES:
            for counter, n in self.con.execute(
                f"SELECT counter_id, count(*) FROM {table} WHERE synced = 0 GROUP BY counter_id"
            ):
                if counter == self.counter_id:
                    own += n
                else:
                    other += n
        return own, other

    def prompts_on(self, local_date: str) -> int:
        return self.con.execute(
            "SELECT count(*) FROM usage_event WHERE local_date = ? AND counter_id = ?",
            (local_date, self.counter_id),
        ).fetchone()[0]

    def prune(self, today: date, keep_days: int) -> int:
        """Delete rows the server holds that are older than keep_days; never unsent ones."""
        cutoff = (today - timedelta(days=keep_days)).isoformat()
        con, deleted = self.con, 0
        for table in TABLES:
            while True:
                con.execute("BEGIN IMMEDIATE")
                try:
                    n = con.execute(
                        f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
                        "WHERE synced = 1 AND local_date < ? LIMIT ?)",
                        (cutoff, PRUNE_CHUNK),
                    ).rowcount
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                deleted += n
                if n < PRUNE_CHUNK:
                    break
        return deleted
