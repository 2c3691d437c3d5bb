"""DayGate with a fake clock and a list for the recorder: no Qt, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from counter_assistant.core.clock import FakeClock
from counter_assistant.core.config import CLOSE_ITEMS, PREP_ITEMS, Config
from counter_assistant.core.day import DayError, DayEvent, DayGate, DayState
from counter_assistant.core.records import ChecklistEntry, Record, StaffChange

CST = timezone(timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=CST)


class Recorder:
    """Stands in for the app's Recorder: keeps what was recorded."""

    def __init__(self) -> None:
        self.rows: list[Record] = []

    def __call__(self, rec: Record) -> None:
        self.rows.append(rec)

    def kinds(self) -> list[str]:
        return [getattr(r, "kind", r.TABLE) for r in self.rows]

    def checklist(self) -> list[ChecklistEntry]:
        return [r for r in self.rows if isinstance(r, ChecklistEntry)]

    def staff(self) -> list[StaffChange]:
        return [r for r in self.rows if isinstance(r, StaffChange)]


def items_of(entry: ChecklistEntry) -> list[str]:
    """The items as stored: the JSON text of the row's items column."""
    return json.loads(entry.as_row()["items"])


@pytest.fixture
def config() -> Config:
    return Config(counter_id="PJ-03")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at(27, 8, 0))


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def gate(config, clock, rec) -> DayGate:
    return DayGate(config, clock, rec)


def test_core_imports_no_qt():
    code = "import sys, counter_assistant.core.day; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_before_opening_needs_prep_then_opens_on_time(gate, rec, clock):
    assert gate.state is DayState.NEEDS_PREP
    assert "第十四条" in gate.notice
    assert gate.staff_on_duty == ""
    assert gate.prep_deadline == at(27, 8, 20)
    assert not gate.is_late
    row = gate.confirm_prep("0312", list(PREP_ITEMS))
    assert gate.state is DayState.OPEN
    assert gate.notice == ""
    assert gate.staff_on_duty == "0312"
    assert rec.rows == [row]
    assert isinstance(row, ChecklistEntry) and row.TABLE == "checklist_record"
    assert row.kind == "prep"
    assert row.late is False
    assert row.local_date == "2026-11-27"
    assert row.ts_local == "2026-11-27T08:00:00"
    assert row.ts_utc == "2026-11-27T00:00:00.000000+00:00"
    assert row.counter_id == "PJ-03"
    assert items_of(row) == list(PREP_ITEMS)


def test_deadline_itself_is_not_late_one_second_after_is(config, rec):
    clock = FakeClock(at(27, 8, 20))
    gate = DayGate(config, clock, rec)
    assert gate.confirm_prep("a", list(PREP_ITEMS)).late is False
    clock.set(at(28, 8, 20, 1))
    gate.tick()
    assert gate.is_late
    assert gate.confirm_prep("a", list(PREP_ITEMS)).late is True


def test_late_is_recorded_not_refused(gate, clock):
    clock.set(at(27, 10, 45))
    row = gate.confirm_prep("0312", list(PREP_ITEMS))
    assert row.late is True
    assert gate.state is DayState.OPEN


def test_prep_minutes_and_opening_come_from_config(rec):
    config = Config(opening="09:00", prep_minutes=30)
    gate = DayGate(config, FakeClock(at(27, 8, 31)), rec)
    assert gate.prep_deadline == at(27, 8, 30)
    assert gate.confirm_prep("a", list(PREP_ITEMS)).late is True


def test_all_items_and_a_staff_id_are_required(gate, rec):
    with pytest.raises(DayError):
        gate.confirm_prep("0312", list(PREP_ITEMS[:3]))
    with pytest.raises(DayError):
        gate.confirm_prep("  ", list(PREP_ITEMS))
    with pytest.raises(DayError):
        gate.confirm_prep("0312", [*PREP_ITEMS, "not an item"])
    assert gate.state is DayState.NEEDS_PREP
    assert rec.rows == []


def test_config_extra_items_are_required_and_stored_exactly(clock, rec):
    extra = "仪容仪表：按规定着装，佩戴工号牌（第九条）"
    config = Config(prep_extra=[extra], close_extra=["桌面整洁（第二十条）"])
    gate = DayGate(config, clock, rec)
    with pytest.raises(DayError):
        gate.confirm_prep("a", list(PREP_ITEMS))
    row = gate.confirm_prep("a", [*PREP_ITEMS, extra])
    assert items_of(row) == [*PREP_ITEMS, extra]
    assert extra in row.as_row()["items"]  # stored as text, not \\u escapes
    close = gate.confirm_close("a", [*CLOSE_ITEMS, "桌面整洁（第二十条）"])
    assert items_of(close)[-1] == "桌面整洁（第二十条）"


def test_restart_same_day_does_not_ask_again(config, clock, rec):
    first = DayGate(config, clock, rec)
    first.confirm_prep("0312", list(PREP_ITEMS))
    first.change_staff("0415")
    clock.advance(hours=3)
    stored, shifts = rec.checklist(), rec.staff()
    assert len(stored) == len(shifts) == 1
    again = DayGate(config, clock, Recorder(), stored, shifts)
    assert again.state is DayState.OPEN
    assert again.staff_on_duty == "0415"


def test_restart_ignores_other_counters_and_reads_db_shaped_rows(config, clock):
    row = {"uuid": "u", "kind": "prep", "local_date": "2026-11-27",
           "ts_utc": "2026-11-27T00:00:00+00:00"}  # fmt: skip
    other = ChecklistEntry.from_row({**row, "counter_id": "PJ-04", "staff_id": "x"})
    assert DayGate(config, clock, Recorder(), [other]).state is DayState.NEEDS_PREP
    stored = ChecklistEntry.from_row(
        {**row, "counter_id": "PJ-03", "staff_id": "x", "items": "[]", "late": 1}
    )
    assert stored.late is True and stored.items == ()
    assert DayGate(config, clock, Recorder(), [stored]).state is DayState.OPEN


def test_restart_after_close_and_after_reopen(config, clock, rec):
    gate = DayGate(config, clock, rec)
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 17, 5))
    gate.confirm_close("a", list(CLOSE_ITEMS))
    assert DayGate(config, clock, Recorder(), rec.checklist()).state is DayState.CLOSED
    clock.advance(minutes=5)
    gate.reopen("b")
    restarted = DayGate(config, clock, Recorder(), rec.checklist())
    assert restarted.state is DayState.OPEN
    assert restarted.staff_on_duty == "b"


def test_restart_yesterday_rows_do_not_open_today(config, rec):
    clock = FakeClock(at(26, 8, 0))
    DayGate(config, clock, rec).confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 8, 0))
    assert DayGate(config, clock, Recorder(), rec.checklist()).state is DayState.NEEDS_PREP


def test_midnight_rollover_while_running(gate, clock):
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 23, 59, 50))
    assert gate.tick() is DayEvent.CLOSING_TIME  # still open late at night
    assert gate.tick() is None
    clock.advance(seconds=30)
    assert gate.tick() is DayEvent.NEW_DAY
    assert gate.state is DayState.NEEDS_PREP
    assert gate.local_date == "2026-11-28"
    assert gate.staff_on_duty == ""
    assert gate.tick() is None  # reported once
    clock.set(at(28, 8, 5))
    row = gate.confirm_prep("b", list(PREP_ITEMS))
    assert row.local_date == "2026-11-28"
    assert gate.state is DayState.OPEN


def test_closed_day_rolls_over_to_a_new_preparation(gate, clock):
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 17, 30))
    gate.confirm_close("a", list(CLOSE_ITEMS))
    clock.set(at(28, 0, 0, 10))
    assert gate.tick() is DayEvent.NEW_DAY
    assert gate.state is DayState.NEEDS_PREP


def test_clock_jump_backwards_within_the_day_keeps_everything(gate, clock, rec):
    clock.set(at(27, 9, 0))
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 8, 40))  # NTP took 20 minutes back
    assert gate.tick() is None
    assert gate.state is DayState.OPEN
    clock.set(at(27, 17, 1))
    assert gate.tick() is DayEvent.CLOSING_TIME
    gate.confirm_close("a", list(CLOSE_ITEMS))
    clock.set(at(27, 16, 59))
    assert gate.tick() is None
    assert gate.state is DayState.CLOSED
    assert rec.kinds() == ["prep", "close"]


def test_clock_jump_backwards_across_midnight_does_not_relock(config, rec):
    # The PC booted a day ahead; the clerk prepared; then the clock was corrected.
    clock = FakeClock(at(28, 8, 10))
    gate = DayGate(config, clock, rec)
    gate.confirm_prep("a", list(PREP_ITEMS))
    gate.change_staff("b")
    clock.set(at(27, 8, 25))
    # Before the next tick: already open (no reminder, no checklist), and nothing written.
    count = len(rec.rows)
    assert gate.state is DayState.OPEN and gate.staff_on_duty == "b"
    assert len(rec.rows) == count
    assert gate.tick() is DayEvent.CARRIED_BACK
    assert gate.tick() is None  # carried once
    assert gate.state is DayState.OPEN
    assert gate.staff_on_duty == "b"
    assert rec.kinds() == ["prep", "staff_shift", "prep"]
    carried = rec.rows[-1]
    assert carried.kind == "prep"
    assert carried.local_date == "2026-11-27"
    assert carried.staff_id == "b"
    assert carried.late is False  # copied: the true time is unknown
    assert carried.ts_local == "2026-11-27T08:25:00"  # stamped with the corrected time
    assert items_of(carried) == list(PREP_ITEMS)
    # A restart on the corrected date does not ask again.
    stored = [r for r in rec.checklist() if r.local_date == "2026-11-27"]
    assert DayGate(config, clock, Recorder(), stored).state is DayState.OPEN
    # The clock going forward again finds the later day as it was; nothing new recorded.
    count = len(rec.rows)
    clock.set(at(28, 9, 0))
    assert gate.tick() is DayEvent.NEW_DAY
    assert gate.state is DayState.OPEN
    assert len(rec.rows) == count


def test_backwards_across_midnight_to_an_unprepared_day_without_later_prep(gate, clock):
    clock.set(at(28, 0, 0, 20))
    assert gate.tick() is DayEvent.NEW_DAY
    clock.set(at(27, 23, 59, 50))  # NTP: the clock was 30 s fast
    assert gate.tick() is DayEvent.NEW_DAY
    assert gate.state is DayState.NEEDS_PREP


def test_forward_jump_to_a_new_date_asks_again(gate, clock):
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(29, 10, 0))
    assert gate.tick() is DayEvent.NEW_DAY
    assert gate.state is DayState.NEEDS_PREP


def test_closing_time_offered_once_and_only_when_open(gate, clock):
    clock.set(at(27, 16, 59, 59))
    assert not gate.is_closing_time
    assert gate.tick() is None
    clock.set(at(27, 17, 0))
    assert gate.is_closing_time
    assert gate.tick() is None  # not prepared: nothing to close yet
    gate.confirm_prep("a", list(PREP_ITEMS))
    assert gate.tick() is DayEvent.CLOSING_TIME
    assert gate.tick() is None


def test_restart_after_closing_time_offers_close_out(config, rec):
    clock = FakeClock(at(27, 8, 0))
    DayGate(config, clock, rec).confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 17, 20))
    gate = DayGate(config, clock, Recorder(), rec.checklist())
    assert gate.tick() is DayEvent.CLOSING_TIME


def test_close_out_then_reopen(gate, clock, rec):
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 17, 2))
    with pytest.raises(DayError):
        gate.reopen("a")  # not closed
    with pytest.raises(DayError):
        gate.confirm_close("a", list(CLOSE_ITEMS[:2]))
    close = gate.confirm_close("a", list(CLOSE_ITEMS))
    assert gate.state is DayState.CLOSED
    assert "第十六条" in gate.notice
    assert close.kind == "close"
    assert items_of(close) == list(CLOSE_ITEMS)
    assert gate.tick() is None  # closing time is not offered again after close-out
    clock.set(at(27, 17, 10, 30))
    row = gate.reopen("b")
    assert gate.state is DayState.OPEN
    assert row.kind == "reopen"
    assert row.ts_local == "2026-11-27T17:10:30"
    assert row.staff_id == "b"
    assert items_of(row) == []
    assert gate.staff_on_duty == "b"
    assert rec.kinds() == ["prep", "close", "reopen"]


def test_close_out_is_possible_without_preparation(gate, clock):
    clock.set(at(27, 17, 30))
    gate.confirm_close("a", list(CLOSE_ITEMS))
    assert gate.state is DayState.CLOSED
    gate.reopen("a")
    assert gate.state is DayState.NEEDS_PREP  # reopening does not skip Article 14


def test_change_staff_records_a_shift(gate, clock, rec):
    gate.confirm_prep("0312", list(PREP_ITEMS))
    clock.set(at(27, 12, 0))
    row = gate.change_staff(" 0415 ")
    assert gate.staff_on_duty == "0415"
    assert rec.rows[-1] == row
    assert isinstance(row, StaffChange) and row.TABLE == "staff_shift"
    assert row.ts_local == "2026-11-27T12:00:00" and row.utc_offset == 480
    assert row.staff_id == "0415"
    assert gate.state is DayState.OPEN  # no new checklist
    clock.set(at(27, 11, 0))  # clock steps back: the later handover still counts
    gate.change_staff("0312")
    assert gate.staff_on_duty == "0312"


def test_rows_have_unique_ids_and_model_field_names(gate, rec):
    from counter_assistant.storage.models import ChecklistRecord, StaffShift

    a = gate.confirm_prep("a", list(PREP_ITEMS))
    b = gate.change_staff("b")
    assert a.uuid != b.uuid
    assert set(a.as_row()) == set(ChecklistRecord._meta.fields) - {"synced"}
    assert set(b.as_row()) == set(StaffShift._meta.fields) - {"synced"}


def test_usage_records_have_the_model_field_names(clock):
    from counter_assistant.core.records import new_record
    from counter_assistant.storage.models import UsageEvent

    rec = new_record(clock, counter_id="PJ-03", staff_id="a", situation="greeting", variant="b")
    assert set(rec.as_row()) == set(UsageEvent._meta.fields) - {"synced"}
    assert (rec.ts_local, rec.utc_offset, rec.local_date) == ("2026-11-27T08:00:00", 480,
                                                              "2026-11-27")  # fmt: skip


def test_reading_the_state_never_records(config, rec):
    clock = FakeClock(at(28, 8, 10))
    gate = DayGate(config, clock, rec)
    gate.confirm_prep("a", list(PREP_ITEMS))
    clock.set(at(27, 8, 25))  # the clock went back; the record of the carry waits for tick()
    for _ in range(3):  # but the counter is not locked in between
        assert gate.state is DayState.OPEN
        assert gate.notice == "" and gate.staff_on_duty == "a" and gate.prepared is not None
        assert gate.is_late and not gate.is_closing_time
    assert rec.kinds() == ["prep"]
    assert gate.tick() is DayEvent.CARRIED_BACK
    assert rec.kinds() == ["prep", "prep"] and gate.state is DayState.OPEN
