"""Opening counter databases with peewee: creating and migrating them, backups.

The pragmas, the writer's plain connection and the checks are in storage/sqlite_files.py
(re-exported here). Every read-only open in the app (reports, backups, checks, today's
counts) goes through connect_readonly() (storage/readonly.py): a path becomes a URI
through Path.as_uri(), never by string formatting, so folders named with '#', '?', '%'
or spaces work.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from peewee import SqliteDatabase

from counter_assistant.storage.migrations import SchemaTooNew, upgrade
from counter_assistant.storage.models import Meta, bound
from counter_assistant.storage.readonly import BUSY_TIMEOUT_MS, connect_readonly
from counter_assistant.storage.sqlite_files import (  # noqa: F401  (re-exported)
    NETWORK_FS,
    PRAGMAS,
    SIDECARS,
    SQLITE_HEADER,
    DatabaseError,
    _mount_fs_reason,
    _move_aside,
    counter_id_of,
    done_writing,
    is_sqlite_file,
    network_share_reason,
    prepare_to_open,
    quick_check,
    read_header,
    refuse_newer,
    refuse_share,
    sidecars,
    stored_version,
    writing_here,
)


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
    moved = prepare_to_open(path, check)
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
