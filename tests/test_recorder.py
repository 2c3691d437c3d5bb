import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from datetime import datetime

import pytest

from counter_assistant.core.clock import FakeClock
from counter_assistant.core.records import checklist_entry, new_record, staff_change
from counter_assistant.storage import db as db_mod
from counter_assistant.storage import recorder as rec_mod
from counter_assistant.storage import sqlite_files
from counter_assistant.storage.db import open_database
from counter_assistant.storage.recorder import Recorder


@pytest.fixture
def dbpath(tmp_path):
    path = tmp_path / "data" / "counter.sqlite3"
    open_database(path, "PJ-03").close()
    return path


@pytest.fixture
def fast_retry(monkeypatch):
    monkeypatch.setattr(rec_mod, "RETRY_FIRST", 0.1)
    monkeypatch.setattr(rec_mod, "RETRY_MAX", 0.2)


def make_rec(i=0, **kw):
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, i))
    args = dict(counter_id="PJ-03", staff_id="S01", situation="greeting", variant="hello")
    args.update(kw)
    return new_record(clock, **args)


def rows(path, table="usage_event"):
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f"SELECT * FROM {table} ORDER BY ts_utc")]
    finally:
        con.close()


def wait_until(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def test_every_field_recorded(dbpath, tmp_path):
    r = Recorder(dbpath, tmp_path / "pending.jsonl")
    r.start()
    rec = make_rec(business="withdraw", trigger="tray", variant="after_wait",
                   content_version=3, detail='{"materials": 2}')  # fmt: skip
    r.record(rec)
    clock = FakeClock(datetime(2026, 3, 2, 8, 15).astimezone())
    check = checklist_entry(clock, "prep", "PJ-03", "S01", ["开启机具电源"], late=True)
    r.record(check)
    clock.advance(hours=4)
    shift = staff_change(clock, "PJ-03", "S02")
    r.record(shift)
    assert r.flush()
    r.close()
    assert rows(dbpath) == [{**rec.as_row(), "synced": 0}]
    got = rows(dbpath, "checklist_record")[0]
    assert got == {**check.as_row(), "late": 1, "synced": 0}
    assert json.loads(got["items"]) == ["开启机具电源"]
    assert rows(dbpath, "staff_shift") == [{**shift.as_row(), "synced": 0}]
    assert r.pending_count == 0


def test_a_pending_line_naming_no_known_table_is_kept_aside_not_replayed(dbpath, tmp_path):
    pending = tmp_path / "p.jsonl"
    good = make_rec()
    lines = [
        {"table": "customers", "row": {"uuid": str(uuid.uuid4()), "name": "王"}},
        {"table": "usage_event", "row": good.as_row()},
        {"table": "usage_event", "row": {"no": "uuid"}},
    ]
    pending.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    r = Recorder(dbpath, pending)
    r.start()
    assert r.flush()
    r.close()
    assert [x["uuid"] for x in rows(dbpath)] == [good.uuid]
    (aside,) = tmp_path.glob("p.unreadable-*.jsonl")
    kept = [json.loads(x) for x in aside.read_text(encoding="utf-8").splitlines()]
    assert kept == [lines[0], lines[2]]
    assert pending.read_text() == ""


def test_submit_is_cheap_and_close_writes_all(dbpath, tmp_path):
    r = Recorder(dbpath, tmp_path / "pending.jsonl")
    r.start()
    recs = [make_rec(i % 60) for i in range(2000)]
    t0 = time.perf_counter()
    for rec in recs:
        r.record(rec)
    per_call = (time.perf_counter() - t0) / len(recs)
    r.close()
    assert per_call < 0.0002, per_call
    assert len(rows(dbpath)) == 2000
    assert r.pending_count == 0
    assert not (tmp_path / "pending.jsonl").exists()


def test_sigkill_100ms_after_shown_loses_nothing(dbpath, tmp_path):
    child = textwrap.dedent(
        f"""
        import sys, time
        from datetime import datetime
        from pathlib import Path
        from counter_assistant.core.clock import FakeClock
        from counter_assistant.core.records import new_record
        from counter_assistant.storage.recorder import Recorder
        r = Recorder(Path({str(dbpath)!r}), Path({str(tmp_path / "pending.jsonl")!r}))
        r.start()
        rec = new_record(FakeClock(datetime(2026, 3, 2, 9, 0)), counter_id="PJ-03",
                         staff_id="S01", situation="farewell", variant="default")
        r.record(rec)
        print("shown", rec.uuid, flush=True)
        time.sleep(30)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        line = proc.stdout.readline().split()
        assert line[0] == "shown"
        time.sleep(0.1)
        proc.kill()
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert proc.returncode == -9
    assert [r["uuid"] for r in rows(dbpath)] == [line[1]]


def test_locked_database_keeps_records_and_writes_later(dbpath, tmp_path, monkeypatch, fast_retry):
    monkeypatch.setitem(db_mod.PRAGMAS, "busy_timeout", 200)
    statuses = []
    pending = tmp_path / "pending.jsonl"
    locker = sqlite3.connect(dbpath, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    r = Recorder(dbpath, pending, on_status=statuses.append)
    r.start()
    try:
        rec = make_rec()
        r.record(rec)
        assert r.flush(10)
        assert r.pending_count == 1
        assert [json.loads(x)["row"] for x in pending.read_text().splitlines()] == [rec.as_row()]
        assert statuses and "无法写入" in statuses[-1]
        assert locker.execute("SELECT count(*) FROM usage_event").fetchone()[0] == 0
        locker.execute("ROLLBACK")
        assert wait_until(lambda: r.pending_count == 0)
        assert [x["uuid"] for x in rows(dbpath)] == [rec.uuid]
        assert wait_until(lambda: statuses[-1] is None)  # told right after the write
        assert pending.read_text() == ""
    finally:
        locker.close()
        r.close()


def _failing_factory(monkeypatch, extra_pragmas):
    broken = threading.Event()
    broken.set()
    real = sqlite_files.open_for_writing

    def fake(path):
        con = real(path)
        if broken.is_set():
            for name, value in extra_pragmas.items():
                con.execute(f"PRAGMA {name} = {value}")
        return con

    monkeypatch.setattr(sqlite_files, "open_for_writing", fake)
    return broken


@pytest.mark.parametrize(
    "pragmas, error",
    [
        ({"query_only": 1}, "readonly"),  # a read-only database, as SQLite reports it
        ({"max_page_count": 1}, "full"),  # SQLITE_FULL: the disk-full error path
    ],
)
def test_unwritable_database_keeps_records(
    dbpath, tmp_path, monkeypatch, fast_retry, caplog, pragmas, error
):
    # Tests run as root, where chmod does not stop writes, so the failure comes from
    # SQLite itself through connection pragmas; the chmod variant is below.
    broken = _failing_factory(monkeypatch, pragmas)
    pending = tmp_path / "pending.jsonl"
    r = Recorder(dbpath, pending)
    recs = [make_rec(i % 60, staff_id=f"S{i:04d}" * 20) for i in range(300)]
    for rec in recs:
        r.record(rec)
    r.start()
    try:
        assert r.flush(10)
        assert r.pending_count == 300
        assert len(pending.read_text().splitlines()) == 300
        assert rows(dbpath) == []
        assert error in caplog.text
        assert "S0001" not in caplog.text  # no row contents in the log
        broken.clear()
        assert wait_until(lambda: r.pending_count == 0)
        assert {x["uuid"] for x in rows(dbpath)} == {rec.uuid for rec in recs}
        assert pending.read_text() == ""
    finally:
        r.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores chmod")
def test_chmod_read_only_database(dbpath, tmp_path, fast_retry):
    os.chmod(dbpath, 0o444)
    r = Recorder(dbpath, tmp_path / "pending.jsonl")
    r.start()
    try:
        r.record(make_rec())
        assert r.flush(10)
        assert r.pending_count == 1
        os.chmod(dbpath, 0o644)
        assert wait_until(lambda: r.pending_count == 0)
    finally:
        r.close()


def test_pending_file_unwritable_keeps_in_memory(dbpath, tmp_path, monkeypatch, fast_retry):
    broken = _failing_factory(monkeypatch, {"query_only": 1})
    pending = tmp_path / "pending.jsonl"
    pending.mkdir()  # cannot be opened for append, even by root
    statuses = []
    r = Recorder(dbpath, pending, on_status=statuses.append)
    r.start()
    try:
        r.record(make_rec())
        assert not r.flush(10)
        assert r.pending_count == 1
        assert "内存" in statuses[-1]
        broken.clear()
        assert wait_until(lambda: r.pending_count == 0)
        assert len(rows(dbpath)) == 1
        assert wait_until(lambda: statuses[-1] is None)
    finally:
        r.close()


def test_close_while_failing_leaves_rows_in_pending_file_then_replays(
    dbpath, tmp_path, monkeypatch, fast_retry
):
    broken = _failing_factory(monkeypatch, {"query_only": 1})
    pending = tmp_path / "pending.jsonl"
    r = Recorder(dbpath, pending)
    r.start()
    recs = [make_rec(i) for i in range(3)]
    for rec in recs:
        r.record(rec)
    r.close()
    assert len(pending.read_text().splitlines()) == 3
    assert rows(dbpath) == []
    broken.clear()
    # an already-written duplicate and a torn last line must not hurt the replay
    con = sqlite3.connect(dbpath)
    with con:
        row = recs[0].as_row()
        con.execute(
            f"INSERT INTO usage_event ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
    con.close()
    with open(pending, "a") as fh:
        fh.write('{"table": "usage_ev')
    r2 = Recorder(dbpath, pending)
    r2.start()
    assert r2.flush()
    r2.close()
    assert sorted(x["uuid"] for x in rows(dbpath)) == sorted(rec.uuid for rec in recs)
    assert pending.read_text() == ""
    (aside,) = tmp_path.glob("pending.unreadable-*.jsonl")
    assert aside.read_text() == '{"table": "usage_ev\n'


def test_a_reader_in_another_process_never_takes_the_writers_wal(dbpath, tmp_path):
    """IT's nightly backup or a supervisor's export reads the database while the window
    writes. When that reader closes, SQLite checkpoints and deletes the WAL if it finds no
    other connection's lock: the writer's checks of the file must not drop its locks (closing
    any descriptor of the file does, on POSIX), or the next records go into a deleted WAL,
    invisible to every reader and lost in a crash."""
    count = [sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3
        con = sqlite3.connect({str(dbpath)!r}, timeout=5)
        print(con.execute("SELECT count(*) FROM usage_event").fetchone()[0])
        con.close()
    """)]  # fmt: skip
    rec = Recorder(dbpath, tmp_path / "pending.jsonl", "PJ-03")
    rec.start()
    try:
        for i in range(1, 5):
            rec.record(make_rec(i))
            assert rec.flush(5)
            seen = subprocess.run(count, capture_output=True, text=True, check=True).stdout
            assert int(seen) == i, f"record {i} is not visible to another process"
            assert os.path.exists(str(dbpath) + "-wal")
    finally:
        rec.close()


def test_a_folder_scan_in_the_same_process_keeps_the_writers_locks(dbpath, tmp_path):
    """The report window opened from the counter's menu runs in the window's own process
    and may scan the folder that holds the live database: reading its header with a plain
    open() and close() would drop the writer's locks just the same."""
    from counter_assistant.reports.sources import why_unreadable
    from counter_assistant.storage.db import is_sqlite_file

    count = [sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3
        con = sqlite3.connect({str(dbpath)!r}, timeout=5)
        print(con.execute("SELECT count(*) FROM usage_event").fetchone()[0])
        con.close()
    """)]  # fmt: skip
    rec = Recorder(dbpath, tmp_path / "pending.jsonl", "PJ-03")
    rec.start()
    try:
        for i in range(1, 4):
            rec.record(make_rec(i))
            assert rec.flush(5)
            assert is_sqlite_file(dbpath) and why_unreadable(dbpath) is None
            seen = subprocess.run(count, capture_output=True, text=True, check=True).stdout
            assert int(seen) == i, f"record {i} is not visible to another process"
    finally:
        rec.close()
