"""Opening the counter database: pragmas, schema version, corrupt files, shares, backups."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from counter_assistant.storage import db as dbmod
from counter_assistant.storage.db import (
    SCHEMA_VERSION,
    DatabaseError,
    backup_to,
    close_database,
    open_database,
)
from counter_assistant.storage.models import UsageEvent, database


def add_event():
    UsageEvent.create(
        uuid="u1", ts_utc="t", local_date="2026-11-27", counter_id="PJ-03",
        situation="greeting", variant="business", trigger="hotkey", app_version="0",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def closed():
    yield
    close_database()


def test_fresh_database_has_schema_version_wal_and_counter_id(tmp_path):
    path = tmp_path / "c.sqlite3"
    opened = open_database(path, "PJ-03")
    assert opened.moved_aside is None
    db = database.obj
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    assert db.execute_sql("select value from meta where key='counter_id'").fetchone()[0] == "PJ-03"
    assert UsageEvent.select().count() == 0


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03")
    add_event()
    close_database()
    open_database(path, "PJ-03")
    assert UsageEvent.select().count() == 1


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "c.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.execute("create table future (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer Counter Assistant"):
        open_database(path, "PJ-03")
    assert path.read_bytes() == before


def test_corrupt_database_is_moved_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03")
    close_database()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    opened = open_database(path, "PJ-03")
    assert opened.moved_aside is not None and opened.moved_aside.exists()
    assert opened.moved_aside.read_bytes() == bytes(data)  # kept, never deleted
    assert UsageEvent.select().count() == 0


def test_not_a_database_is_moved_aside(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    opened = open_database(path, "PJ-03")
    assert opened.moved_aside is not None


def test_network_filesystem_is_refused(tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/vda / ext4 rw 0 0\n//server/share {tmp_path / 'share'} cifs rw 0 0\n",
        encoding="utf-8",
    )
    assert dbmod._mount_fs_reason(tmp_path / "share" / "c.sqlite3", str(mounts)) is not None
    assert dbmod._mount_fs_reason(tmp_path / "local" / "c.sqlite3", str(mounts)) is None
    monkeypatch.setattr(dbmod, "network_share_reason", lambda p: "it is a cifs network filesystem")
    with pytest.raises(DatabaseError, match="network share"):
        open_database(tmp_path / "share" / "c.sqlite3", "PJ-03")


def test_backup_is_a_consistent_copy_while_the_database_is_open(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03")
    add_event()
    (tmp_path / "backups").mkdir()
    out = backup_to(path, tmp_path / "backups" / "PJ-03.sqlite3")
    con = sqlite3.connect(out)
    try:
        assert con.execute("select count(*) from usage_event").fetchone() == (1,)
        assert con.execute("pragma journal_mode").fetchone() == ("delete",)
    finally:
        con.close()
    assert not (tmp_path / "backups" / "PJ-03.sqlite3.part").exists()


def test_backup_command_line(tmp_path):
    data = tmp_path / "data"
    run = [sys.executable, "-m", "counter_assistant", "--data-dir", str(data)]
    assert subprocess.run([*run, "self-check"], capture_output=True).returncode == 0
    done = subprocess.run([*run, "backup", "--out", str(tmp_path / "b.sqlite3")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "b.sqlite3").stat().st_size > 0
    missing = subprocess.run(
        [sys.executable, "-m", "counter_assistant", "--data-dir", str(tmp_path / "none"),
         "backup", "--out", str(tmp_path / "x.sqlite3")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert missing.returncode == 2 and "no such database" in missing.stderr


def test_recorder_never_touches_a_newer_database(tmp_path):
    from counter_assistant.core.usage import new_record

    from counter_assistant.core.clock import Clock
    from counter_assistant.storage.recorder import Recorder

    path = tmp_path / "c.sqlite3"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    before = path.read_bytes()
    recorder = Recorder(path, tmp_path / "pending.jsonl")
    recorder.start()
    recorder.record(new_record(Clock(), counter_id="PJ-03", staff_id="s", situation="greeting",
                               variant="business"))  # fmt: skip
    recorder.close()
    assert path.read_bytes() == before
    assert "greeting" in (tmp_path / "pending.jsonl").read_text(encoding="utf-8")


def test_a_locked_database_is_not_mistaken_for_a_corrupt_one(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03")
    close_database()

    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(dbmod.sqlite3, "connect", locked)
    with pytest.raises(DatabaseError, match="locked"):
        open_database(path, "PJ-03")
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_backup_refuses_missing_folder_and_a_folder_and_leaves_nothing(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03")
    with pytest.raises(DatabaseError, match="no such folder"):
        backup_to(path, tmp_path / "typo" / "b.sqlite3")
    assert not (tmp_path / "typo").exists()
    with pytest.raises(DatabaseError, match="is a folder"):
        backup_to(path, tmp_path)
    with pytest.raises(DatabaseError, match="cannot write"):
        backup_to(path, Path("/proc/b.sqlite3"))
    assert not list(tmp_path.glob("*.part"))
