"""load_today through the real models on a temp database, and DayGate restarted from it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from counter_assistant.core.clock import FakeClock
from counter_assistant.core.config import PREP_ITEMS, Config
from counter_assistant.core.day import DayGate, DayState
from counter_assistant.core.records import ChecklistEntry, Record, StaffChange
from counter_assistant.storage import recorder as rec_mod
from counter_assistant.storage.checklists import load_today
from counter_assistant.storage.db import open_database
from counter_assistant.storage.models import MODEL_BY_TABLE, bound
from counter_assistant.storage.recorder import Recorder

CST = timezone(timedelta(hours=8))


@pytest.fixture
def db(tmp_path):
    opened = open_database(tmp_path / "counter.db", "PJ-03")
    yield opened.db
    opened.close()


@pytest.fixture
def insert(db):
    def insert(rec: Record) -> None:
        """What the Recorder does, minus the thread."""
        with bound(db):
            MODEL_BY_TABLE[rec.TABLE].insert(**rec.as_row()).execute()

    return insert


def test_load_today_returns_this_counter_and_date_only(db, insert):
    clock = FakeClock(datetime(2026, 11, 27, 8, 25, tzinfo=CST))
    config = Config(counter_id="PJ-03")
    gate = DayGate(config, clock, insert)
    prep = gate.confirm_prep("0312", list(PREP_ITEMS))
    clock.advance(hours=4)
    shift = gate.change_staff("0415")
    # Noise: another counter today, this counter yesterday.
    DayGate(Config(counter_id="PJ-04"), clock, insert).confirm_prep("x", list(PREP_ITEMS))
    yesterday = FakeClock(datetime(2026, 11, 26, 8, 0, tzinfo=CST))
    DayGate(config, yesterday, insert).confirm_prep("y", list(PREP_ITEMS))

    checklist, staff = load_today(db, "PJ-03", "2026-11-27")
    assert checklist == [prep]  # late read back as a bool, items as the exact texts
    assert staff == [shift]
    assert isinstance(checklist[0], ChecklistEntry) and isinstance(staff[0], StaffChange)
    assert checklist[0].late is True and checklist[0].items == tuple(PREP_ITEMS)

    restarted = DayGate(config, clock, insert, checklist, staff)
    assert restarted.state is DayState.OPEN
    assert restarted.staff_on_duty == "0415"


def test_load_today_of_an_empty_database(db, insert):
    assert load_today(db, "PJ-03", "2026-11-27") == ([], [])
    gate = DayGate(Config(counter_id="PJ-03"), FakeClock(datetime(2026, 11, 27, 8, 0)), insert)
    assert gate.state is DayState.NEEDS_PREP
    assert {ChecklistEntry.TABLE, StaffChange.TABLE} <= set(MODEL_BY_TABLE)  # Recorder's tables


def test_an_unwritable_database_never_locks_the_counter_and_records_reach_storage(
    tmp_path, monkeypatch
):
    """The gate has no retry queue of its own: the Recorder never raises and keeps what
    it cannot write (pending file), then writes it once the database can be opened."""
    monkeypatch.setattr(rec_mod, "RETRY_FIRST", 0.05)
    monkeypatch.setattr(rec_mod, "RETRY_MAX", 0.1)
    path = tmp_path / "data" / "counter.sqlite3"
    path.mkdir(parents=True)  # a folder where the database should be: cannot be opened
    pending = tmp_path / "data" / "pending.jsonl"
    recorder = Recorder(path, pending, "PJ-03")
    committed = threading.Event()
    recorder.on_committed = lambda _n: committed.set()
    recorder.start()
    try:
        clock = FakeClock(datetime(2026, 11, 27, 8, 5, tzinfo=CST))
        gate = DayGate(Config(counter_id="PJ-03"), clock, recorder.record)
        prep = gate.confirm_prep("0312", list(PREP_ITEMS))
        shift = gate.change_staff("0415")
        assert gate.state is DayState.OPEN and gate.staff_on_duty == "0415"
        assert recorder.flush(5)
        assert recorder.pending_count == 2
        assert prep.uuid in pending.read_text(encoding="utf-8")
        path.rmdir()  # IT fixes it: the held records are written on the next retry
        assert committed.wait(5) and recorder.pending_count == 0
        opened = open_database(path)
        try:
            assert load_today(opened.db, "PJ-03", "2026-11-27") == ([prep], [shift])
        finally:
            opened.close()
    finally:
        recorder.close()
