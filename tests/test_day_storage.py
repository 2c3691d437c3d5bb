"""load_today through the real models on a temp database, and DayGate restarted from it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from counter_assistant.core.clock import FakeClock
from counter_assistant.core.config import PREP_ITEMS, Config
from counter_assistant.core.day import CHECKLIST_TABLE, STAFF_TABLE, DayGate, DayState
from counter_assistant.storage.checklists import load_today
from counter_assistant.storage.db import close_database, open_database
from counter_assistant.storage.models import ChecklistRecord, StaffShift

CST = timezone(timedelta(hours=8))
MODELS = {"checklist_record": ChecklistRecord, "staff_shift": StaffShift}


@pytest.fixture
def db(tmp_path):
    open_database(tmp_path / "counter.db", "PJ-03")
    yield
    close_database()


def insert(table: str, row: dict) -> None:
    """What the Recorder does, minus the thread."""
    MODELS[table].insert(**row).execute()


def test_load_today_returns_this_counter_and_date_only(db):
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

    checklist, staff = load_today("PJ-03", "2026-11-27")
    assert checklist == [prep]  # late stored and read back as a bool, items as exact JSON text
    assert staff == [shift]
    assert checklist[0]["late"] is True

    restarted = DayGate(config, clock, insert, checklist, staff)
    assert restarted.state is DayState.OPEN
    assert restarted.staff_on_duty == "0415"


def test_load_today_of_an_empty_database(db):
    assert load_today("PJ-03", "2026-11-27") == ([], [])
    gate = DayGate(Config(counter_id="PJ-03"), FakeClock(datetime(2026, 11, 27, 8, 0)), insert)
    assert gate.state is DayState.NEEDS_PREP
    assert set(MODELS) == {CHECKLIST_TABLE, STAFF_TABLE}  # the Recorder's table names
