"""Opening the counter database: pragmas, schema version, corrupt files, shares, backups."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from counter_assistant.storage import db as dbmod
from counter_assistant.storage.db import (
    DatabaseError,
    backup_to,
    connect_readonly,
    open_database,
    refuse_newer,
    stored_version,
)
from counter_assistant.storage.migrations import SCHEMA_VERSION
from counter_assistant.storage.models import UsageEvent, bound


def add_event(db, uid="u1"):
    with bound(db):
        UsageEvent.create(
            uuid=uid, ts_utc="t", local_date="2026-11-27", counter_id="PJ-03",
            situation="greeting", variant="business", trigger="hotkey", app_version="0",
        )  # fmt: skip


def count_events(db) -> int:
    with bound(db):
        return UsageEvent.select().count()


@pytest.fixture
def opened(tmp_path):
    """A counter database open the way the app has it open while running."""
    opened = open_database(tmp_path / "c.sqlite3", "PJ-03")
    yield opened
    opened.close()


def newer_database(path: Path) -> bytes:
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.execute("create table future (x)")
    con.commit()
    con.close()
    return path.read_bytes()


def test_fresh_database_has_schema_version_wal_and_counter_id(opened):
    assert opened.moved_aside is None
    db = opened.db
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == dbmod.BUSY_TIMEOUT_MS
    assert db.execute_sql("select value from meta where key='counter_id'").fetchone()[0] == "PJ-03"
    assert count_events(db) == 0


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    path = tmp_path / "c.sqlite3"
    first = open_database(path, "PJ-03")
    add_event(first.db)
    first.close()
    again = open_database(path, "PJ-03")
    try:
        assert count_events(again.db) == 1
        assert stored_version(path) == SCHEMA_VERSION
    finally:
        again.close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "c.sqlite3"
    before = newer_database(path)
    assert stored_version(path) == 99
    with pytest.raises(DatabaseError, match="newer Counter Assistant"):
        refuse_newer(path)
    with pytest.raises(DatabaseError, match="newer Counter Assistant"):
        open_database(path, "PJ-03")
    assert path.read_bytes() == before  # still in rollback-journal mode: never switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite3", "home"]


def test_corrupt_database_is_moved_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03").close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    opened = open_database(path, "PJ-03")
    try:
        assert opened.moved_aside is not None and opened.moved_aside.exists()
        assert opened.moved_aside.read_bytes() == bytes(data)  # kept, never deleted
        assert count_events(opened.db) == 0
    finally:
        opened.close()


def test_not_a_database_is_moved_aside(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    opened = open_database(path, "PJ-03")
    opened.close()
    assert opened.moved_aside is not None and ".corrupt-" in opened.moved_aside.name


def test_network_filesystem_is_refused(tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/vda / ext4 rw 0 0\n//server/share {tmp_path / 'share'} cifs rw 0 0\n",
        encoding="utf-8",
    )
    assert dbmod._mount_fs_reason(tmp_path / "share" / "c.sqlite3", str(mounts)) is not None
    assert dbmod._mount_fs_reason(tmp_path / "local" / "c.sqlite3", str(mounts)) is None
    from counter_assistant.storage import sqlite_files

    share = lambda p: "it is a cifs network filesystem"  # noqa: E731
    monkeypatch.setattr(sqlite_files, "network_share_reason", share)
    with pytest.raises(DatabaseError, match="network share"):
        open_database(tmp_path / "share" / "c.sqlite3", "PJ-03")
    with pytest.raises(DatabaseError, match="network share"):  # the check after a quick start
        sqlite_files.check_database(tmp_path / "share" / "c.sqlite3", "PJ-03")


def test_backup_is_a_consistent_copy_while_the_database_is_open(tmp_path, opened):
    path = opened.path
    add_event(opened.db)
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
    from counter_assistant.core.clock import Clock
    from counter_assistant.core.records import new_record
    from counter_assistant.storage.recorder import Recorder

    path = tmp_path / "c.sqlite3"
    before = newer_database(path)
    recorder = Recorder(path, tmp_path / "pending.jsonl")
    recorder.start()
    recorder.record(new_record(Clock(), counter_id="PJ-03", staff_id="s", situation="greeting",
                               variant="business"))  # fmt: skip
    recorder.close()
    assert path.read_bytes() == before
    assert "greeting" in (tmp_path / "pending.jsonl").read_text(encoding="utf-8")


def test_a_locked_database_is_not_mistaken_for_a_corrupt_one(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    open_database(path, "PJ-03").close()

    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(dbmod.sqlite3, "connect", locked)
    with pytest.raises(DatabaseError, match="locked"):
        open_database(path, "PJ-03")
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_backup_refuses_missing_folder_and_a_folder_and_leaves_nothing(tmp_path, opened):
    path = opened.path
    with pytest.raises(DatabaseError, match="保存位置不存在"):
        backup_to(path, tmp_path / "typo" / "b.sqlite3")
    assert not (tmp_path / "typo").exists()
    with pytest.raises(DatabaseError, match="是一个文件夹"):
        backup_to(path, tmp_path)
    with pytest.raises(DatabaseError, match="cannot write"):
        backup_to(path, Path("/proc/b.sqlite3"))
    assert not list(tmp_path.glob("*.part"))


def backup_count(path: Path) -> int:
    con = connect_readonly(path)
    try:
        return con.execute("select count(*) from usage_event").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("force", [False, True], ids=["plain", "forced"])
def test_backup_never_replaces_the_live_database_or_its_wal_and_shm(tmp_path, opened, force):
    add_event(opened.db)
    live = opened.path
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.sqlite3").symlink_to(live)
    targets = [
        live,
        Path(f"{live}-wal"),
        Path(f"{live}-shm"),
        tmp_path / "sub" / ".." / live.name,  # the same file spelled differently
        tmp_path / "link.sqlite3",
    ]
    assert all(t.exists() for t in targets)  # WAL mode: both side files exist while open
    for target in targets:
        with pytest.raises(DatabaseError, match="任何情况下都不会覆盖"):
            backup_to(live, target, force=force)
    assert count_events(opened.db) == 1 and backup_count(live) == 1
    assert not list(tmp_path.glob("*.part"))


def test_backup_replaces_an_earlier_backup_of_the_same_counter(tmp_path, opened):
    out = tmp_path / "nightly.sqlite3"
    backup_to(opened.path, out)
    assert backup_count(out) == 0
    add_event(opened.db)
    backup_to(opened.path, out)  # the nightly copy under one name: no --force needed
    assert backup_count(out) == 1


def test_backup_over_another_file_needs_force_and_never_over_another_database(tmp_path, opened):
    add_event(opened.db)
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("IT's notes", encoding="utf-8")
    other = tmp_path / "PJ-04.sqlite3"
    open_database(other, "PJ-04").close()
    other_bytes = other.read_bytes()
    with pytest.raises(DatabaseError, match="--force"):
        backup_to(opened.path, notes)
    for force in (False, True):  # another counter's database: never, --force or not
        with pytest.raises(DatabaseError, match="数据库文件"):
            backup_to(opened.path, other, force=force)
    assert notes.read_text(encoding="utf-8") == "IT's notes"
    assert other.read_bytes() == other_bytes
    backup_to(opened.path, notes, force=True)
    assert backup_count(notes) == 1


def test_backup_command_refuses_the_live_database_and_replaces_with_force(tmp_path):
    from counter_assistant.cli import main

    data = tmp_path / "data"
    live = data / "counter.sqlite3"
    open_database(live, "PJ-03").close()
    before = live.read_bytes()
    for force in ([], ["--force"]):
        assert main(["--data-dir", str(data), "backup", "--out", str(live), *force]) == 2
        assert live.read_bytes() == before
    out = tmp_path / "copy.sqlite3"
    out.write_text("old", encoding="utf-8")
    assert main(["--data-dir", str(data), "backup", "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "old"
    assert main(["--data-dir", str(data), "backup", "--out", str(out), "--force"]) == 0
    assert backup_count(out) == 0 and out.read_bytes()[:16] == dbmod.SQLITE_HEADER
