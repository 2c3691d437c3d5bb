"""Opening counter databases: the one place that sets pragmas, migrates, and opens read-only.

Every read-only open in the app (reports, backups, checks, today's counts) goes through
connect_readonly() (storage/readonly.py, re-exported here): a path becomes a URI through
Path.as_uri(), never by string formatting, so folders named with '#', '?', '%' or
spaces work.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peewee import SqliteDatabase

from counter_assistant.storage.migrations import SchemaTooNew, check_not_newer, upgrade
from counter_assistant.storage.models import Meta, bound
from counter_assistant.storage.readonly import BUSY_TIMEOUT_MS, connect_readonly

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


@dataclass
class Opened:
    db: SqliteDatabase  # connected and migrated; the caller closes it
    path: Path
    moved_aside: Path | None = None  # a corrupt file kept under a new name

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()


def make_database(path: Path | str) -> SqliteDatabase:
    """A peewee database with our pragmas (not yet connected)."""
    return SqliteDatabase(
        str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )


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


def connect(path: Path) -> SqliteDatabase:
    """Connect with our pragmas and bring the schema up to date.

    A newer database is checked read-only first: our WAL pragma would change its header.
    """
    if path.exists() and path.stat().st_size > 0:
        refuse_newer(path)
    db = make_database(path)
    try:
        db.connect(reuse_if_open=True)
        upgrade(db, path)
    except SchemaTooNew as exc:
        db.close()
        raise DatabaseError(str(exc)) from None
    except Exception:
        db.close()
        raise
    return db


def open_database(path: Path | str, counter_id: str | None = None, *, check: bool = True) -> Opened:
    """Open (creating or migrating) the database at path; the caller closes it."""
    path = Path(path)
    refuse_share(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    moved = None
    if check and path.exists() and path.stat().st_size > 0 and quick_check(path):
        moved = _move_aside(path)
    try:
        db = connect(path)
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(f"{path}: cannot open the database ({exc}).") from exc
    if counter_id:
        try:
            with bound(db), db.atomic("IMMEDIATE"):
                Meta.insert(key="counter_id", value=counter_id).on_conflict_replace().execute()
        except Exception as exc:
            db.close()
            raise DatabaseError(f"{path}: cannot write to the database ({exc}).") from exc
    return Opened(db, path, moved)


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


def backup_to(source: Path | str, target: Path | str, *, force: bool = False) -> Path:
    """A consistent snapshot through SQLite's backup API, written atomically.

    Never onto the live database or its WAL/SHM, nor onto any other database (another
    counter's, or one that names none), force or not. An existing file is replaced when it
    is an earlier backup of the same counter (a nightly copy under one name); any other
    file only with force.
    """
    from counter_assistant.storage.outputs import OutputRefused, check_output

    source, target = Path(source), Path(target)
    if not source.is_file():
        raise DatabaseError(f"{source}: no such database to back up.")
    same_counter = (
        target.is_file()
        and is_sqlite_file(target)
        and counter_id_of(target) is not None
        and counter_id_of(target) == counter_id_of(source)
    )
    try:
        check_output(
            target, protected=[source], force=force or same_counter, allow_sqlite=same_counter
        )
    except OutputRefused as exc:
        raise DatabaseError(str(exc)) from None
    tmp = target.with_name(target.name + ".part")
    try:
        src = connect_readonly(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(tmp, target)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise DatabaseError(f"cannot write the backup {target}: {exc}") from exc
    return target
