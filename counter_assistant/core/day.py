"""The day gate: Article 14 preparation before prompts, Article 16 close-out after.

Pure logic with an injected clock and an injected ``record(entry)`` (the app's
Recorder, which never raises). Memory is updated before anything is recorded, so
a storage fault never locks the counter. Reading state never writes: the clock
is looked at, and records are made, only in actions and in tick().

Days and clock jumps (the rules, and why):

- The day is always the clock's current local date. Each date keeps its own
  state (prepared, closed, staff on duty, close-out offered).
- Forward into a new date (midnight, or a jump) needs a new preparation. A
  forward jump cannot be told apart from a real new day or a PC waking from
  sleep, so the safe side is to ask: the checklist costs half a minute, a
  day that was never prepared cannot be undone.
- Backward within the same date changes nothing: the confirmation, a
  close-out and the "closing time offered" flag all stay.
- Backward to an earlier date that has no preparation of its own, after a
  later date was prepared (a wrong clock corrected by NTP or by hand): at the
  next tick() the later preparation is carried back, so the counter is not locked again for
  a preparation the clerk has just done. The carry is recorded as a prep row
  for the corrected date (same staff and items, stamped with the corrected
  time, late flag copied, since the true time cannot be recovered), so a
  restart that day does not ask again and reports show the day prepared.
  A close-out is not carried back: the counter opens and close-out is
  offered again at closing time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from counter_assistant.core.clock import Clock
from counter_assistant.core.config import Config
from counter_assistant.core.records import (
    ChecklistEntry,
    Record,
    StaffChange,
    checklist_entry,
    staff_change,
)

log = logging.getLogger(__name__)

KEEP_DAYS = 8  # dates kept in memory; enough for any clock jump worth surviving

PREP_NOTICE = "请先完成岗前准备（第十四条），确认后即可使用提示。"
CLOSED_NOTICE = "今日已日终收尾（第十六条）。如需继续办理，请在菜单 ☰ 中选择“重新开始营业”。"

RecordFn = Callable[[Record], None]


class DayState(Enum):
    NEEDS_PREP = "needs_prep"
    OPEN = "open"
    CLOSED = "closed"


class DayEvent(Enum):
    """What tick() noticed; truthy, so ``if gate.tick():`` works."""

    NEW_DAY = "new_day"  # the local date changed: show the checklist if state needs it
    CLOSING_TIME = "closing_time"  # closing time reached on an open day: offer close-out
    CARRIED_BACK = "carried_back"  # the clock went back; a later preparation now counts


class DayError(ValueError):
    """A call the day logic refuses (missing items, no staff, nothing to reopen)."""


@dataclass
class _Day:
    prep: ChecklistEntry | None = None  # the preparation that opened this day
    closed: bool = False
    closing_offered: bool = False
    staff: list[str] = field(default_factory=list)  # in the order the handovers happened

    def staff_on_duty(self) -> str:
        return self.staff[-1] if self.staff else ""


_EMPTY = _Day()


class DayGate:
    """Whether prompts may be shown today, and the records that decide it."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        record: RecordFn,
        checklist_today: Iterable[ChecklistEntry] = (),
        staff_today: Iterable[StaffChange] = (),
    ):
        self._config = config
        self._clock = clock
        self._record = record
        self._days: dict[date, _Day] = {}
        self._restore(checklist_today, staff_today)
        self._last_date = self._today()

    # -- reading (never writes) --------------------------------------------------

    @property
    def local_date(self) -> str:
        return self._today().isoformat()

    @property
    def state(self) -> DayState:
        day = self._peek()
        if day.closed:
            return DayState.CLOSED
        return DayState.OPEN if day.prep else DayState.NEEDS_PREP

    @property
    def notice(self) -> str:
        """The short reminder a hotkey shows instead of a prompt; "" when open."""
        return {DayState.NEEDS_PREP: PREP_NOTICE, DayState.CLOSED: CLOSED_NOTICE}.get(
            self.state, ""
        )

    @property
    def staff_on_duty(self) -> str:
        return self._peek().staff_on_duty()

    @property
    def prepared(self) -> ChecklistEntry | None:
        """Today's preparation, if any (for the status the server shows)."""
        return self._peek().prep

    @property
    def prep_deadline(self) -> datetime:
        return self._at(self._config.opening) - timedelta(minutes=self._config.prep_minutes)

    @property
    def closing_at(self) -> datetime:
        return self._at(self._config.closing)

    @property
    def is_late(self) -> bool:
        """Whether a preparation confirmed now would be recorded as late."""
        return self._clock.now() > self.prep_deadline

    @property
    def is_closing_time(self) -> bool:
        return self._clock.now() >= self.closing_at

    # -- the timer --------------------------------------------------------------

    def tick(self) -> DayEvent | None:
        """Call every ~30 s: a new day, a clock moved back, or closing time."""
        today = self._today()
        day = self._current()
        if day.prep is None and self._carry_back(day, today):
            self._last_date = today
            return DayEvent.CARRIED_BACK
        if today != self._last_date:
            self._last_date = today
            self._prune(today)
            return DayEvent.NEW_DAY
        if self.state is DayState.OPEN and self.is_closing_time and not day.closing_offered:
            day.closing_offered = True
            return DayEvent.CLOSING_TIME
        return None

    # -- actions ----------------------------------------------------------------

    def confirm_prep(self, staff_id: str, items: list[str]) -> ChecklistEntry:
        """Open the day. Late is recorded, never refused."""
        staff_id = self._staff(staff_id)
        self._check_items(items, self._config.prep_items)
        entry = self._entry("prep", staff_id, items, late=self.is_late)
        day = self._current()
        day.prep = entry
        day.staff.append(staff_id)
        self._record(entry)
        return entry

    def confirm_close(self, staff_id: str, items: list[str]) -> ChecklistEntry:
        """Close the day; allowed without a preparation so a close-out is never refused."""
        staff_id = self._staff(staff_id)
        self._check_items(items, self._config.close_items)
        entry = self._entry("close", staff_id, items)
        day = self._current()
        day.closed = True
        day.closing_offered = True
        self._record(entry)
        return entry

    def reopen(self, staff_id: str) -> ChecklistEntry:
        """Serve one more customer after close-out; the reopening is recorded."""
        staff_id = self._staff(staff_id)
        day = self._current()
        if not day.closed:
            raise DayError("today is not closed")
        entry = self._entry("reopen", staff_id, [])
        day.closed = False
        day.staff.append(staff_id)
        self._record(entry)
        return entry

    def change_staff(self, staff_id: str) -> StaffChange:
        """Record who holds the counter from now, without a new checklist."""
        staff_id = self._staff(staff_id)
        change = staff_change(self._clock, self._config.counter_id, staff_id)
        self._current().staff.append(staff_id)
        self._record(change)
        return change

    # -- internals --------------------------------------------------------------

    def _today(self) -> date:
        return self._clock.now().date()

    def _at(self, hhmm: str) -> datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        return self._clock.now().replace(hour=hour, minute=minute, second=0, microsecond=0)

    def _peek(self) -> _Day:
        """Today's state without writing anything. After the clock went back and before
        tick() has carried the later preparation back, the day reads as it will then."""
        today = self._today()
        day = self._days.get(today, _EMPTY)
        if day.prep is None and not day.closed:
            later = [d for d, v in self._days.items() if d > today and v.prep]
            if later:
                source = self._days[max(later)]
                return _Day(prep=source.prep, staff=[*day.staff, source.staff_on_duty()])
        return day

    def _current(self) -> _Day:
        return self._days.setdefault(self._today(), _Day())

    def _carry_back(self, day: _Day, today: date) -> bool:
        """After the clock went back: the latest later preparation opens this date too."""
        later = [d for d, v in self._days.items() if d > today and v.prep]
        if not later:
            return False
        source = self._days[max(later)]
        assert source.prep is not None
        staff = source.staff_on_duty() or source.prep.staff_id
        entry = self._entry("prep", staff, list(source.prep.items), late=source.prep.late)
        log.warning(
            "clock moved back to %s; carrying the preparation of %s",
            entry.local_date,
            source.prep.local_date,
        )
        day.prep = entry
        day.staff.append(staff)
        self._record(entry)
        return True

    def _prune(self, today: date) -> None:
        for old in sorted(self._days)[:-KEEP_DAYS]:
            if old != today:
                del self._days[old]

    def _entry(self, kind: str, staff_id: str, items: list[str], late=False) -> ChecklistEntry:
        return checklist_entry(self._clock, kind, self._config.counter_id, staff_id, items, late)

    @staticmethod
    def _staff(staff_id: str) -> str:
        staff_id = (staff_id or "").strip()
        if not staff_id:
            raise DayError("no staff id given")
        return staff_id

    @staticmethod
    def _check_items(items: list[str], required: list[str]) -> None:
        missing = [text for text in required if text not in items]
        unknown = [text for text in items if text not in required]
        if missing or unknown:
            raise DayError(f"items not ticked: {missing}; unknown items: {unknown}")

    def _restore(self, entries: Iterable[ChecklistEntry], changes: Iterable[StaffChange]) -> None:
        """Rebuild days from stored records (a restart), oldest first."""
        counter = self._config.counter_id
        events: list[ChecklistEntry | StaffChange] = [*entries, *changes]
        events.sort(key=lambda e: e.ts_utc)
        for event in events:
            if event.counter_id and event.counter_id != counter:
                continue
            day = self._days.setdefault(date.fromisoformat(event.local_date), _Day())
            if isinstance(event, StaffChange):
                day.staff.append(event.staff_id)
                continue
            if event.kind == "prep" and day.prep is None:
                day.prep = event
            elif event.kind == "close":
                day.closed = day.closing_offered = True
            elif event.kind == "reopen":
                day.closed = False
            if event.kind in ("prep", "reopen") and event.staff_id:
                day.staff.append(event.staff_id)
