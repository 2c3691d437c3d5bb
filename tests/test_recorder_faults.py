"""The recorder against the faults that used to lose records (issue 9, items 2 to 4).

The database file deleted, replaced or overwritten while the app runs; a pending file
cut inside a multi-byte character; a log handler that raises; an unexpected exception
anywhere in the writer. Each test waits on the recorder's own signals, never on time.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest

from counter_assistant.core.clock import Clock, FakeClock
from counter_assistant.core.records import checklist_entry, new_record, staff_change
from counter_assistant.storage import live_db, sqlite_files
from counter_assistant.storage import recorder as rec_mod
from counter_assistant.storage.db import backup_to, counter_id_of, open_database
from counter_assistant.storage.recorder import MSG_ADOPTED, MSG_REPLACED, Recorder

COUNTER = "PJ-03"


class Committed:
    """on_committed as a condition: wait until the recorder has written what it holds."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.cond = threading.Condition()
        recorder.on_committed = self

    def __call__(self, _count: int) -> None:
        with self.cond:
            self.cond.notify_all()

    def wait_all_written(self, timeout: float = 10.0) -> bool:
        self.recorder.flush(timeout)
        with self.cond:
            return self.cond.wait_for(lambda: self.recorder.pending_count == 0, timeout)


@pytest.fixture
def fast_retry(monkeypatch):
    monkeypatch.setattr(rec_mod, "RETRY_FIRST", 0.02)
    monkeypatch.setattr(rec_mod, "RETRY_MAX", 0.05)


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    open_database(folder / "counter.sqlite3", COUNTER).close()
    return folder


@pytest.fixture
def recorder(data, fast_retry):
    notices: list[str] = []
    recorder = Recorder(
        data / "counter.sqlite3", data / "pending-records.jsonl", COUNTER,
        on_notice=notices.append,
    )  # fmt: skip
    recorder.notices = notices
    recorder.committed = Committed(recorder)
    recorder.start()
    yield recorder
    recorder.close()


def shown(situation: str = "greeting", staff: str = "0312"):
    return new_record(Clock(), counter_id=COUNTER, staff_id=staff, situation=situation,
                      variant="default")  # fmt: skip


def uuids(path: Path, table: str = "usage_event") -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {row[0] for row in con.execute(f"SELECT uuid FROM {table}")}
    finally:
        con.close()


def replaced_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("counter.replaced-*.sqlite3"))


# --- item 3: the database file goes away or changes while the app runs -------------------


def test_a_deleted_database_is_recreated_with_todays_checklist_and_a_notice(recorder, data):
    db = recorder.db_path
    earlier = checklist_entry(Clock(), "prep", COUNTER, "0312", ["开启机具电源"])
    recorder.remember_today([earlier])  # read back at start, from an earlier run today
    recorder.record(earlier)
    shift = staff_change(Clock(), COUNTER, "0415")
    recorder.record(shift)
    before = shown()
    recorder.record(before)
    assert recorder.committed.wait_all_written()
    assert before.uuid in uuids(db)

    db.unlink()  # IT's cleanup script, an antivirus, a clerk in the file manager
    after = [shown("farewell"), shown("outage")]
    for rec in after:
        recorder.record(rec)
    assert recorder.committed.wait_all_written()

    assert db.is_file()
    assert uuids(db) == {rec.uuid for rec in after}
    assert uuids(db, "checklist_record") == {earlier.uuid}  # today's preparation written again
    assert uuids(db, "staff_shift") == {shift.uuid}
    assert counter_id_of(db) == COUNTER
    assert recorder.notices == [MSG_REPLACED]
    assert recorder._thread.is_alive()


def test_a_restored_backup_of_this_counter_is_adopted(recorder, data, tmp_path):
    db = recorder.db_path
    first = shown()
    recorder.record(first)
    assert recorder.committed.wait_all_written()
    backup = backup_to(db, tmp_path / "nightly.sqlite3")

    os.replace(backup, db)  # IT restores last night's copy over the running database
    later = shown("farewell")
    recorder.record(later)
    assert recorder.committed.wait_all_written()

    assert {first.uuid, later.uuid} <= uuids(db)  # written into the restored file itself
    assert replaced_files(data) == []
    assert recorder.notices == [MSG_ADOPTED]


def _other_counter(path: Path) -> None:
    opened = open_database(path, "PJ-04")
    opened.db.execute_sql(
        "INSERT INTO usage_event (uuid, ts_utc, local_date, counter_id, staff_id, situation,"
        " variant, business, trigger, app_version) VALUES ('theirs', 't', '2026-11-27',"
        " 'PJ-04', 's', 'greeting', 'b', '', 'hotkey', '0')"
    )
    opened.close()


@pytest.mark.parametrize("how", ["other-counter", "junk-replaced", "junk-in-place"])
def test_a_database_replaced_by_something_else_is_kept_aside_and_recreated(
    recorder, data, tmp_path, how
):
    db = recorder.db_path
    prep = checklist_entry(Clock(), "prep", COUNTER, "0312", ["开启机具电源"])
    recorder.record(prep)
    assert recorder.committed.wait_all_written()

    stranger = tmp_path / "stranger"
    if how == "other-counter":
        _other_counter(stranger)
    else:
        stranger.write_bytes(b"not a database " * 300)
    content = stranger.read_bytes()
    if how == "junk-in-place":
        with open(db, "r+b") as fh:  # the same file, its content overwritten
            fh.write(content)
    else:
        os.replace(stranger, db)
    later = shown("farewell")
    recorder.record(later)
    assert recorder.committed.wait_all_written()

    (aside,) = replaced_files(data)
    if how == "other-counter":
        assert counter_id_of(aside) == "PJ-04" and uuids(aside) == {"theirs"}
    elif how == "junk-replaced":
        assert aside.read_bytes() == content  # kept as it was, never deleted
    assert counter_id_of(db) == COUNTER
    assert uuids(db) == {later.uuid}
    assert uuids(db, "checklist_record") == {prep.uuid}
    assert recorder.notices == [MSG_REPLACED]


def test_content_written_over_the_database_in_place_is_kept_as_written(recorder, data):
    recorder.record(shown())
    assert recorder.committed.wait_all_written()
    repeats = recorder.db_path.stat().st_size // 48 + 1
    content = b"IT's file, written over the database by mistake " * repeats  # every page
    with open(recorder.db_path, "r+b") as fh:
        fh.write(content)
    recorder.record(shown("farewell"))
    assert recorder.committed.wait_all_written()
    (aside,) = replaced_files(data)
    assert aside.read_bytes()[: len(content)] == content


# --- item 4: a pending file cut inside a multi-byte character -----------------------------


def torn_pending_file(path: Path, complete: int) -> tuple[list, bytes]:
    """complete whole lines, then a line cut in the middle of a Chinese character."""
    clock = FakeClock(datetime(2026, 11, 27, 9, 0).astimezone())
    recs = [
        new_record(
            clock,
            counter_id=COUNTER,
            staff_id="张丽",
            situation="greeting",
            variant="default",
            business="提取",
        )
        for _ in range(complete + 1)
    ]
    lines = [
        json.dumps({"table": r.TABLE, "row": r.as_row()}, ensure_ascii=False).encode() for r in recs
    ]
    last = lines.pop()
    cut = last.index("张丽".encode()) + 1  # one byte into the three of 张
    torn = last[:cut]
    with pytest.raises(UnicodeDecodeError):
        torn.decode("utf-8")
    path.write_bytes(b"\n".join(lines) + b"\n" + torn)
    return recs[:complete], torn


def test_a_torn_pending_file_replays_every_complete_line_and_keeps_the_tail(data):
    pending = data / "pending-records.jsonl"
    complete, torn = torn_pending_file(pending, 5)
    recorder = Recorder(data / "counter.sqlite3", pending, COUNTER)
    recorder.start()
    try:
        assert recorder.flush(5) and recorder.pending_count == 0
    finally:
        recorder.close()
    assert uuids(data / "counter.sqlite3") == {r.uuid for r in complete}
    (aside,) = data.glob("pending-records.unreadable-*.jsonl")
    assert aside.read_bytes() == torn + b"\n"  # the torn bytes, kept as they were
    assert pending.read_bytes() == b""  # emptied only once every line was in the database


def test_records_held_after_a_torn_tail_are_not_glued_to_it(data, tmp_path, monkeypatch):
    """The database cannot be written at start: the pending file keeps its torn tail and
    new records are appended after it; each must still be a line of its own."""
    pending = data / "pending-records.jsonl"
    db = data / "counter.sqlite3"
    complete, _torn = torn_pending_file(pending, 3)
    kept = tmp_path / "kept.sqlite3"
    os.replace(db, kept)
    con = sqlite3.connect(db)  # a newer release's database: nothing may be written to it
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    first = Recorder(db, pending, COUNTER)
    first.start()
    new = shown("farewell")
    first.record(new)
    assert first.flush(5) and first.pending_count == 4
    first.close()

    os.replace(kept, db)  # the right database is back; the next start replays the file
    second = Recorder(db, pending, COUNTER)
    second.start()
    try:
        assert second.flush(5) and second.pending_count == 0
    finally:
        second.close()
    assert uuids(db) == {r.uuid for r in complete} | {new.uuid}


# --- item 2 and the rest: the writer never stops --------------------------------------


class RaisingHandler(logging.Handler):
    """A log handler that fails like a full disk, on the writer's thread too."""

    def emit(self, record: logging.LogRecord) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failing_log_handler_never_stops_the_writer(data, fast_retry, monkeypatch):
    broken = threading.Event()
    broken.set()
    real = sqlite_files.open_for_writing

    def refusing(path):  # the database refuses writes until broken is cleared
        con = real(path)
        if broken.is_set():
            con.execute("PRAGMA query_only = 1")
        return con

    monkeypatch.setattr(sqlite_files, "open_for_writing", refusing)
    handler = RaisingHandler(logging.WARNING)
    logging.getLogger().addHandler(handler)
    recorder = Recorder(data / "counter.sqlite3", data / "pending-records.jsonl", COUNTER)
    committed = Committed(recorder)
    try:
        recorder.start()
        first = [shown() for _ in range(3)]
        for rec in first:
            recorder.record(rec)
        assert recorder.flush(5) and recorder.pending_count == 3  # failed, and logged that
        assert recorder._thread.is_alive()
        broken.clear()
        later = [shown("farewell") for _ in range(3)]
        for rec in later:
            recorder.record(rec)
        assert committed.wait_all_written()
        assert recorder._thread.is_alive()
    finally:
        logging.getLogger().removeHandler(handler)
        recorder.close()
    assert uuids(data / "counter.sqlite3") == {r.uuid for r in first + later}


@pytest.mark.parametrize("where", ["connect", "loop"])
def test_an_unexpected_exception_never_stops_the_writer(
    data, fast_retry, monkeypatch, caplog, where
):
    """Anything raised once, inside the write or in the writer's loop around it."""
    raised = []

    def once(real):
        def wrapper(*args, **kwargs):
            if not raised:
                raised.append(True)
                raise RuntimeError("something nobody expected")
            return real(*args, **kwargs)

        return wrapper

    if where == "connect":
        monkeypatch.setattr(live_db, "connect_for_writing", once(live_db.connect_for_writing))
    else:
        monkeypatch.setattr(Recorder, "_take", once(Recorder._take))
    recorder = Recorder(data / "counter.sqlite3", data / "pending-records.jsonl", COUNTER)
    committed = Committed(recorder)
    recs = [shown() for _ in range(5)]
    try:
        recorder.start()
        for rec in recs[:2]:
            recorder.record(rec)
        assert recorder.flush(5)  # the work waiting when it raised is not left asleep
        for rec in recs[2:]:
            recorder.record(rec)
        assert committed.wait_all_written()
        assert raised and recorder._thread.is_alive()
    finally:
        recorder.close()
    assert uuids(data / "counter.sqlite3") == {r.uuid for r in recs}
    assert "something nobody expected" in caplog.text


def test_the_writer_still_writes_after_a_deleted_data_folder(recorder, data):
    """The whole folder gone (a profile reset): recreated, and nothing after it is lost."""
    first = shown()
    recorder.record(first)
    assert recorder.committed.wait_all_written()
    shutil.rmtree(data)
    later = shown("farewell")
    recorder.record(later)
    assert recorder.committed.wait_all_written()
    assert uuids(recorder.db_path) == {later.uuid}
    assert recorder.notices == [MSG_REPLACED]


def test_a_row_the_schema_refuses_is_kept_aside_and_the_others_are_written(recorder, data):
    """A row that breaks a constraint (here NOT NULL) neither blocks the rows around it
    nor vanishes: INSERT OR IGNORE used to drop it without a word."""
    good = [shown() for _ in range(3)]
    bad_row = {**shown("farewell").as_row(), "situation": None}
    recorder.record(good[0])
    recorder._queue.append(("usage_event", bad_row))  # a row as a replayed file could hold
    recorder.record(good[1])
    recorder.record(good[2])
    assert recorder.committed.wait_all_written()
    assert uuids(data / "counter.sqlite3") == {r.uuid for r in good}
    (refused,) = data.glob("pending-records.refused-*.jsonl")
    kept = [json.loads(line) for line in refused.read_text(encoding="utf-8").splitlines()]
    assert [k["row"]["uuid"] for k in kept] == [bad_row["uuid"]]
    assert "NOT NULL" in kept[0]["error"]
