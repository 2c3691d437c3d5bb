"""Counter database files through plain sqlite3: the pragmas, the writer's connection,
the checks before writing (no peewee: the app's start and its usage writer need none).

storage/db.py adds what needs peewee and the models: creating and migrating a database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from counter_assistant.storage.readonly import BUSY_TIMEOUT_MS, connect_readonly
from counter_assistant.storage.schema_version import SCHEMA_VERSION, SchemaTooNew, check_not_newer

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "busy_timeout": BUSY_TIMEOUT_MS,
    "foreign_keys": 1,
    "cache_size": -256,  # KiB; appends need few pages, and a counter PC has little RAM
}
SIDECARS = ("-wal", "-shm", "-journal")
SQLITE_HEADER = b"SQLite format 3\x00"
NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb",
    "smb2",
    "smbfs",
    "smb3",
    "9p",
    "afs",
    "sshfs",
    "fuse.sshfs",
    "davfs",
    "fuse.davfs2",
    "ceph",
    "glusterfs",
}


class DatabaseError(Exception):
    """An expected database problem, phrased for the clerk and IT."""


def sidecars(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in SIDECARS]


# Database files this process writes through SQLite. Closing any other descriptor of such
# a file drops SQLite's POSIX locks on it for the whole process (a reader elsewhere then
# resets the WAL under the writer), so their header is never read with a plain open().
_WRITING: dict[tuple[int, int], int] = {}
_writing_lock = threading.Lock()


def _key(path: Path | str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def writing_here(path: Path | str) -> tuple[int, int] | None:
    """Register a database this process keeps a write connection to; returns its key."""
    key = _key(path)
    if key is not None:
        with _writing_lock:
            _WRITING[key] = _WRITING.get(key, 0) + 1
    return key


def done_writing(key: tuple[int, int] | None) -> None:
    if key is None:
        return
    with _writing_lock:
        count = _WRITING.get(key, 0) - 1
        if count > 0:
            _WRITING[key] = count
        else:
            _WRITING.pop(key, None)


def read_header(path: Path | str) -> bytes:
    """The first 16 bytes of a file; raises OSError. A database this process writes is
    not opened here (see _WRITING): its header is SQLite's."""
    key = _key(path)
    with _writing_lock:
        if key is not None and key in _WRITING:
            return SQLITE_HEADER
    with open(path, "rb") as fh:
        return fh.read(16)


def is_sqlite_file(path: Path | str) -> bool:
    try:
        return read_header(path) == SQLITE_HEADER
    except OSError:
        return False


def network_share_reason(path: Path) -> str | None:
    """Why this path is on a network share, or None."""
    text = str(path)
    if sys.platform == "win32":
        if text.startswith(("\\\\", "//")):
            return "it is a UNC network path"
        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive:
            import ctypes  # Windows only

            if ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4:  # DRIVE_REMOTE
                return f"drive {drive} is a mapped network drive"
        return None
    return _mount_fs_reason(Path(os.path.abspath(text)))


def _mount_fs_reason(path: Path, mounts_file: str = "/proc/mounts") -> str | None:
    try:
        with open(mounts_file, encoding="utf-8") as fh:
            mounts = [line.split()[:3] for line in fh if len(line.split()) >= 3]
    except OSError:
        return None
    best = ("", "")
    for _dev, mount_point, fstype in mounts:
        mp = mount_point.replace("\\040", " ")
        inside = str(path) == mp or str(path).startswith(mp.rstrip("/") + "/")
        if inside and len(mp) >= len(best[0]):
            best = (mp, fstype)
    if best[1].lower() in NETWORK_FS:
        return f"{best[0]} is a {best[1]} network filesystem"
    return None


def quick_check(path: Path) -> str | None:
    """None if SQLite finds the file sound, else what it said.

    A file that cannot be opened or is locked is not corrupt: that raises DatabaseError,
    so a healthy database is never moved aside for a passing fault.
    """
    try:
        con = connect_readonly(path)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"{path}: cannot read the database ({exc}).") from exc
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return str(exc)
    result = "; ".join(r[0] for r in rows)
    return None if result == "ok" else result


def stored_version(path: Path) -> int:
    """The schema version, read without changing anything (our pragmas would switch to WAL)."""
    con = connect_readonly(path)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def refuse_newer(path: Path) -> None:
    """DatabaseError for a database written by a newer release; it is never altered."""
    con = connect_readonly(path)
    try:
        check_not_newer(con, path)
    except SchemaTooNew as exc:
        raise DatabaseError(str(exc)) from None
    finally:
        con.close()


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    path.rename(target)
    for side in sidecars(path):
        if side.exists():
            side.rename(Path(str(target) + side.name[len(path.name) :]))
    return target


def refuse_share(path: Path) -> None:
    reason = network_share_reason(path)
    if reason:
        raise DatabaseError(
            f"{path}: {reason}. SQLite on a network share corrupts; keep the database on the "
            "local disk (set [app] database or --data-dir) and copy backups to the share."
        )


def counter_id_of(path: Path) -> str | None:
    """The counter id a database names in its meta table, read-only; None if unreadable."""
    try:
        con = connect_readonly(path, timeout=1.0)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='counter_id'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row and row[0] else None


def open_for_writing(path: Path | str) -> sqlite3.Connection:
    """A connection with our pragmas in autocommit mode: transactions are explicit
    (transaction(), savepoint()). The database must be of this release's schema."""
    con = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
    )
    try:
        for name, value in PRAGMAS.items():
            con.execute(f"PRAGMA {name} = {value}")
    except Exception:
        con.close()
        raise
    return con


def connect_for_writing(path: Path) -> sqlite3.Connection:
    """open_for_writing(), after a database that is missing, empty or of an older schema
    was created or migrated (storage/db.py, peewee); a newer one raises DatabaseError."""
    path = Path(path)
    version = stored_version(path) if path.exists() and path.stat().st_size > 0 else 0
    if version > SCHEMA_VERSION:
        raise DatabaseError(str(SchemaTooNew(path, version)))
    if version < SCHEMA_VERSION:
        from counter_assistant.storage.db import connect

        connect(path).close()  # created or migrated (it refuses a newer one too)
    return open_for_writing(path)


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT; rolled back when the block raises."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:  # the block raised, or COMMIT itself failed
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def savepoint(con: sqlite3.Connection, name: str = "one") -> Iterator[None]:
    """A savepoint inside a transaction: the block's changes go back when it raises."""
    con.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        con.execute(f"ROLLBACK TO {name}")
        con.execute(f"RELEASE {name}")
        raise
    con.execute(f"RELEASE {name}")


def prepare_to_open(path: Path, check: bool = True) -> Path | None:
    """Before a database is opened for writing: refused on a network share, its folder
    made, and (with check) a corrupt file moved aside; returns where that went."""
    refuse_share(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if check and path.exists() and path.stat().st_size > 0 and quick_check(path):
        return _move_aside(path)
    return None


class CheckFailed(DatabaseError):
    """check_database() could not finish; ``moved_aside`` says whether it had already
    moved a corrupt file aside."""

    def __init__(self, message: str, moved_aside: Path | None = None) -> None:
        super().__init__(message)
        self.moved_aside = moved_aside


def check_database(path: Path, counter_id: str | None) -> Path | None:
    """What opening a database at start checks, after a quick read of today's records:
    not on a share, not newer, sound (else moved aside and a fresh one made), migrated,
    and naming this counter. Returns where a corrupt file was moved; raises CheckFailed.
    peewee is imported only when a database is created or migrated."""
    path = Path(path)
    moved = None
    try:
        moved = prepare_to_open(path)
        con = connect_for_writing(path)
        key = writing_here(path)  # a write connection: see _WRITING
        try:
            if counter_id:
                con.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('counter_id', ?)",
                    (counter_id,),
                )
        finally:
            con.close()
            done_writing(key)
    except Exception as exc:
        raise CheckFailed(str(exc), moved) from exc
    return moved
