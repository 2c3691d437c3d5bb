"""The day gate: Article 14 preparation before prompts, Article 16 close-out after.

Pure logic with an injected clock and an injected ``submit(table, row)`` (the
app's Recorder). Memory is updated before anything is submitted, so a storage
fault never locks the counter; a row whose submit raised is kept and retried
on every tick().

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
  later date was prepared (a wrong clock corrected by NTP or by hand): the
  later preparation is carried back, so the counter is not locked again for
  a preparation the clerk has just done. The carry is recorded as a prep row
  for the corrected date (same staff and items, stamped with the corrected
  time, late flag copied, since the true time cannot be recovered), so a
  restart that day does not ask again and reports show the day prepared.
  A close-out is not carried back: the counter opens and close-out is
  offered again at closing time.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from counter_assistant import __version__
from counter_assistant.core.clock import Clock
from counter_assistant.core.config import Config

log = logging.getLogger(__name__)

CHECKLIST_TABLE = "checklist_record"
STAFF_TABLE = "staff_shift"
KEEP_DAYS = 8  # dates kept in memory; enough for any clock jump worth surviving

PREP_NOTICE = "请先完成岗前准备（第十四条），确认后即可使用提示。"
CLOSED_NOTICE = "今日已日终收尾（第十六条）。如需继续办理，请在菜单 ☰ 中选择“重新开始营业”。"

Submit = Callable[[str, dict], None]


class DayState(Enum):
    NEEDS_PREP = "needs_prep"
    OPEN = "open"
    CLOSED = "closed"


class DayEvent(Enum):
    """What tick() noticed; truthy, so ``if gate.tick():`` works."""

    NEW_DAY = "new_day"  # the local date changed: show the checklist if state needs it
    CLOSING_TIME = "closing_time"  # closing time reached on an open day: offer close-out


class DayError(ValueError):
    """A call the day logic refuses (missing items, no staff, nothing to reopen)."""


@dataclass
class _Day:
    prep: dict | None = None  # the prep row that opened this day
    closed: bool = False
    closing_offered: bool = False
    staff: list[str] = field(default_factory=list)  # in the order the handovers happened

    def staff_on_duty(self) -> str:
        return self.staff[-1] if self.staff else ""


class DayGate:
    """Whether prompts may be shown today, and the records that decide it."""

    def __init__(
        self,
        config: Config,
        clock: Clock,
        submit: Submit,
        records_today: Iterable[dict] = (),
        staff_today: Iterable[dict] = (),
    ):
        self._config = config
        self._clock = clock
        self._submit = submit
        self._days: dict[date, _Day] = {}
        self._unsent: list[tuple[str, dict]] = []
        self.last_error: str = ""  # why the last submit failed; "" once all are sent
        self._restore(records_today, staff_today)
        self._last_date = self._today()

    # -- reading --------------------------------------------------------------

    @property
    def local_date(self) -> str:
        return self._today().isoformat()

    @property
    def state(self) -> DayState:
        day = self._current()
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
        return self._current().staff_on_duty()

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

    @property
    def unsent(self) -> int:
        """Rows kept in memory because submit raised; retried on tick()."""
        return len(self._unsent)

    # -- the timer --------------------------------------------------------------

    def tick(self) -> DayEvent | None:
        """Call every ~30 s. Retries unsent rows and reports a new day or closing time."""
        self._retry()
        today = self._today()
        day = self._current()
        if today != self._last_date:
            self._last_date = today
            self._prune(today)
            return DayEvent.NEW_DAY
        if self.state is DayState.OPEN and self.is_closing_time and not day.closing_offered:
            day.closing_offered = True
            return DayEvent.CLOSING_TIME
        return None

    # -- actions ----------------------------------------------------------------

    def confirm_prep(self, staff_id: str, items: list[str]) -> dict:
        """Open the day. Late is recorded, never refused."""
        staff_id = self._staff(staff_id)
        self._check_items(items, self._config.prep_items)
        day = self._current()
        row = self._checklist_row("prep", staff_id, items, late=self.is_late)
        day.prep = row
        day.staff.append(staff_id)
        self._send(CHECKLIST_TABLE, row)
        return row

    def confirm_close(self, staff_id: str, items: list[str]) -> dict:
        """Close the day; allowed without a preparation so a close-out is never refused."""
        staff_id = self._staff(staff_id)
        self._check_items(items, self._config.close_items)
        day = self._current()
        row = self._checklist_row("close", staff_id, items)
        day.closed = True
        day.closing_offered = True
        self._send(CHECKLIST_TABLE, row)
        return row

    def reopen(self, staff_id: str) -> dict:
        """Serve one more customer after close-out; the reopening is recorded."""
        staff_id = self._staff(staff_id)
        day = self._current()
        if not day.closed:
            raise DayError("today is not closed")
        row = self._checklist_row("reopen", staff_id, [])
        day.closed = False
        day.staff.append(staff_id)
        self._send(CHECKLIST_TABLE, row)
        return row

    def change_staff(self, staff_id: str) -> dict:
        """Record who holds the counter from now, without a new checklist."""
        staff_id = self._staff(staff_id)
        day = self._current()
        row = {
            "uuid": str(uuid.uuid4()),
            "local_date": self.local_date,
            "ts_utc": self._ts_utc(),
            "counter_id": self._config.counter_id,
            "staff_id": staff_id,
        }
        day.staff.append(staff_id)
        self._send(STAFF_TABLE, row)
        return row

    # -- internals --------------------------------------------------------------

    def _today(self) -> date:
        return self._clock.now().date()

    def _at(self, hhmm: str) -> datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        return self._clock.now().replace(hour=hour, minute=minute, second=0, microsecond=0)

    def _ts_utc(self) -> str:
        return self._clock.utcnow().isoformat(timespec="microseconds")

    def _current(self) -> _Day:
        """Today's state, carrying a later preparation back after a backward jump."""
        today = self._today()
        day = self._days.get(today)
        if day is None:
            day = self._days[today] = _Day()
        if day.prep is None:
            later = [d for d, v in self._days.items() if d > today and v.prep]
            if later:
                self._carry_back(day, self._days[max(later)])
        return day

    def _carry_back(self, day: _Day, source: _Day) -> None:
        assert source.prep is not None
        prep = source.prep
        items = json.loads(prep["items"])
        staff = source.staff_on_duty() or prep["staff_id"]
        row = self._checklist_row("prep", staff, items, late=bool(prep["late"]))
        log.warning("clock moved back to %s; carrying preparation of %s", row["local_date"], prep)
        day.prep = row
        day.staff.append(staff)
        self._send(CHECKLIST_TABLE, row)

    def _prune(self, today: date) -> None:
        for old in sorted(self._days)[:-KEEP_DAYS]:
            if old != today:
                del self._days[old]

    def _checklist_row(self, kind: str, staff_id: str, items: list[str], late=False) -> dict:
        now = self._clock.now()
        return {
            "uuid": str(uuid.uuid4()),
            "kind": kind,
            "local_date": now.date().isoformat(),
            "ts_utc": self._ts_utc(),
            "ts_local": now.strftime("%Y-%m-%dT%H:%M:%S"),
            "counter_id": self._config.counter_id,
            "staff_id": staff_id,
            "items": json.dumps(list(items), ensure_ascii=False),
            "late": bool(late),
            "app_version": __version__,
        }

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

    def _send(self, table: str, row: dict) -> None:
        try:
            self._submit(table, row)
        except Exception as exc:  # the Recorder should not raise; if it does, keep the row
            log.exception("could not hand %s row to the recorder", table)
            self.last_error = f"{type(exc).__name__}: {exc}"
            self._unsent.append((table, row))

    def _retry(self) -> None:
        pending, self._unsent = self._unsent, []
        for table, row in pending:
            self._send(table, row)
        if not self._unsent:
            self.last_error = ""

    def _restore(self, records: Iterable[dict], shifts: Iterable[dict]) -> None:
        """Rebuild days from stored rows (a restart), oldest first."""
        counter = self._config.counter_id
        events = [("c", r) for r in records] + [("s", r) for r in shifts]
        events.sort(key=lambda e: str(e[1].get("ts_utc", "")))
        for source, row in events:
            if row.get("counter_id", counter) != counter:
                continue
            day = self._days.setdefault(date.fromisoformat(row["local_date"]), _Day())
            kind = row.get("kind") if source == "c" else "shift"
            if kind == "prep" and day.prep is None:
                day.prep = dict(row)
            elif kind == "close":
                day.closed = day.closing_offered = True
            elif kind == "reopen":
                day.closed = False
            if kind in ("prep", "reopen", "shift") and row.get("staff_id"):
                day.staff.append(row["staff_id"])
