"""The writer's connection to the counter database, and a watch on the file under it.

A database deleted, replaced or written over while the app runs must be noticed, or
records go into a file nobody will see again. Before each batch the writer asks
ensure(): the path's device and inode and the file's header are compared with what the
connection opened; after SQLite reports the file corrupt ("malformed", "not a
database") the file is examined the same way. (Size or mtime would also change when
another of our connections checkpoints, so they are not evidence.) When it differs:

- a database of this counter (a restored backup) is adopted and written into;
- anything else is kept aside under a new name and the database recreated in place.

A file overwritten in place is copied aside before our connection closes, because
closing checkpoints our WAL into whatever the file now holds.

The header is read through one descriptor kept open beside the connection, never by
opening the file again: on POSIX, closing any descriptor of a file drops every lock this
process holds on it, SQLite's included. Another process reading the database (IT's
backup, an export) would then take itself for the last connection when it closes, and
checkpoint and delete the WAL that our connection still writes into.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from counter_assistant.storage.sqlite_files import (
    SQLITE_HEADER,
    connect_for_writing,
    counter_id_of,
    done_writing,
    sidecars,
    writing_here,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Stamp:
    dev: int
    ino: int

    @classmethod
    def of(cls, path: Path) -> _Stamp:
        st = os.stat(path)
        return cls(st.st_dev, st.st_ino)


class LiveDatabase:
    def __init__(self, path: Path, counter_id: str = "") -> None:
        self.path = Path(path)
        self.counter_id = counter_id
        self.db: sqlite3.Connection | None = None
        self._file: BinaryIO | None = None  # the file the connection opened, for its header
        self._registered: tuple[int, int] | None = None  # see storage/sqlite_files.py _WRITING
        self._stamp: _Stamp | None = None
        self._pending: str | None = None  # what happened to the file, until handled
        self._moved = False  # the foreign file is dealt with (adopted or kept aside)
        self._aside: Path | None = None
        self._adopted = False

    def ensure(self) -> tuple[sqlite3.Connection, str | None]:
        """The connection to write with; and, once after a recovery, "adopted" or
        "recreated" (the caller then writes today's checklist records again and says so).

        Each step can fail (a full disk) and is taken again on the next call.
        """
        if self.db is not None and self._pending is None:
            self._pending = self._changed()
        if self._pending and not self._moved:
            self._move_aside(self._pending)
        if self.db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = connect_for_writing(self.path)
            if self.counter_id:  # a file made just now says whose it is (one made by an
                # earlier start already does: nothing changes then)
                self.db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('counter_id', ?)",
                    (self.counter_id,),
                )
            self._stamp = _Stamp.of(self.path)
            self._registered = writing_here(self.path)
            with contextlib.suppress(OSError):  # unreadable: the write itself will tell
                self._file = open(self.path, "rb", buffering=0)  # noqa: SIM115 (kept open)
        if self._pending is None:
            return self.db, None
        if not self._adopted and self.counter_id:  # a new file says whose it is, as at start
            self.db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('counter_id', ?)",
                (self.counter_id,),
            )
        how = "a database of this counter: writing into it" if self._adopted else "recreated"
        log.warning("database %s was %s while running; %s", self.path, self._pending, how)
        self._pending, self._moved, self._aside = None, False, None
        return self.db, "adopted" if self._adopted else "recreated"

    def failed(self, exc: BaseException) -> None:
        """A write failed: when SQLite says the file is corrupt, look at it before retrying."""
        text = str(exc).lower()
        if self.db is not None and ("malformed" in text or "not a database" in text):
            self._pending = "overwritten"

    @property
    def suspect(self) -> bool:
        """The file is to be examined before the next write (keep the connection till then:
        closing it would write our WAL into whatever the file now holds)."""
        return self._pending is not None and not self._moved

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self.db.close()
            self.db = None
        if self._file is not None:  # after the connection: nothing of its locks is left
            self._file.close()
            self._file = None
        done_writing(self._registered)
        self._registered = None

    # -- noticing ---------------------------------------------------------------------
    def _changed(self) -> str | None:
        try:
            now = _Stamp.of(self.path)
        except FileNotFoundError:
            return "deleted"
        except OSError:
            return None  # unreadable for a moment: the write itself will tell
        before = self._stamp
        if before is None:
            return None
        if now != before:
            return "replaced"
        return None if self._header_ok() else "overwritten"

    def _header_ok(self) -> bool:
        if self._file is None:
            return True
        try:
            self._file.seek(0)
            header = self._file.read(16)
        except OSError:
            return True
        return header in (SQLITE_HEADER, b"")

    def _copy_to(self, target: Path) -> None:
        """The file as it is now, through our own descriptor (see the module docstring)."""
        if self._file is None:
            shutil.copyfile(self.path, target)
            return
        self._file.seek(0)
        with open(target, "wb") as out:
            shutil.copyfileobj(self._file, out)

    # -- recovering -------------------------------------------------------------------
    def _move_aside(self, what: str) -> None:
        """Adopt the file now at the path, or keep it aside; our connection is closed."""
        path = self.path
        if self._aside is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            self._aside = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}")
        aside = self._aside
        in_place = what == "overwritten"
        if in_place and not aside.exists():  # before closing: closing writes our WAL into it
            self._copy_to(aside)
        self.close()
        if in_place:
            for file in (path, *sidecars(path)):
                file.unlink(missing_ok=True)
        candidate = aside if in_place else (path if path.exists() else None)
        owner = counter_id_of(candidate) if candidate is not None else None
        self._adopted = owner is not None and (not self.counter_id or owner == self.counter_id)
        if self._adopted and in_place:
            os.replace(aside, path)
        elif not self._adopted and candidate is not None:
            if not in_place:
                path.rename(aside)
                for side in sidecars(path):
                    if side.exists():
                        side.rename(Path(str(aside) + side.name[len(path.name) :]))
            log.error(
                "database %s was %s by a file that is not this counter's; kept as %s",
                path,
                what,
                aside,
            )
        self._moved = True
