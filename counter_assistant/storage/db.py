"""Opening the counter database: the one place that sets pragmas and migrates."""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peewee import SqliteDatabase

from counter_assistant.storage.models import ALL_MODELS, Meta, database

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000
PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "full",
    "busy_timeout": BUSY_TIMEOUT_MS,
    "foreign_keys": 1,
    "cache_size": -256,  # KiB; appends need few pages, and a counter PC has little RAM
}
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
class OpenResult:
    path: Path
    moved_aside: Path | None = None  # a corrupt file kept under a new name


def make_database(path: Path | str) -> SqliteDatabase:
    """A peewee database with our pragmas and BEGIN IMMEDIATE write transactions."""
    return SqliteDatabase(
        str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )


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
        if (str(path) == mp or str(path).startswith(mp.rstrip("/") + "/")) and len(mp) >= len(
            best[0]
        ):
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
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
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


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            side.rename(Path(str(target) + suffix))
    return target


def user_version(db: SqliteDatabase) -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def refuse_newer(path: Path, version: int | None = None) -> None:
    """Raise DatabaseError for a database written by a newer release; never alter it."""
    if version is None:
        version = stored_version(path)
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer Counter Assistant (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); it is left untouched. Install the newer version or point "
            "--data-dir elsewhere."
        )


def stored_version(path: Path) -> int:
    """The schema version read without changing anything (our pragmas would switch to WAL)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def migrate(db: SqliteDatabase, path: Path) -> None:
    version = user_version(db)
    refuse_newer(path, version)
    if version < 1:
        with db.atomic("IMMEDIATE"):
            db.create_tables(ALL_MODELS, safe=True)
            db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    # Later releases add: if version < 2: ... ; each step in its own transaction.


def open_database(
    path: Path | str, counter_id: str | None = None, *, check: bool = True
) -> OpenResult:
    """Open (creating or migrating) the database at path and bind the models to it."""
    path = Path(path)
    reason = network_share_reason(path)
    if reason:
        raise DatabaseError(
            f"{path}: {reason}. SQLite on a network share corrupts; keep the database on the "
            "local disk (set [app] database or --data-dir) and copy backups to the share."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    result = OpenResult(path)
    if check and path.exists() and path.stat().st_size > 0:
        problem = quick_check(path)
        if problem:
            result.moved_aside = _move_aside(path)
        else:
            refuse_newer(path)
    db = make_database(path)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        migrate(db, path)
    except DatabaseError:
        db.close()
        raise
    except Exception as exc:
        db.close()
        raise DatabaseError(f"{path}: cannot open the database ({exc}).") from exc
    if counter_id:
        with db.atomic("IMMEDIATE"):
            Meta.insert(key="counter_id", value=counter_id).on_conflict_replace().execute()
    return result


def close_database() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def backup_to(source: Path | str, target: Path | str) -> Path:
    """A consistent snapshot through SQLite's backup API, written atomically."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise DatabaseError(f"{source}: no such database to back up.")
    if target.is_dir():
        raise DatabaseError(f"{target} is a folder; give the backup file's name.")
    if not target.parent.is_dir():  # a mistyped share path must not become a new folder
        raise DatabaseError(f"{target.parent}: no such folder; create it or fix the path.")
    tmp = target.with_name(target.name + ".part")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
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
