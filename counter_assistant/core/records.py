"""What the counter records: a prompt shown, a checklist confirmed, a change of staff.

Typed values, never customer data. Each knows its table and turns itself into a row
(column name -> value) only on the writer thread. Every record carries the counter's
wall time and UTC offset at the moment it was made, so reports show the counter's
local time whatever the time zone of the PC that exports.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from counter_assistant import __version__
from counter_assistant.core.clock import Clock


@dataclass(frozen=True)
class Stamp:
    """One moment as the counter saw it."""

    ts_utc: str  # ISO 8601 with +00:00, microseconds
    ts_local: str  # the counter's wall time, YYYY-MM-DDTHH:MM:SS
    utc_offset: int  # minutes east of UTC at the counter then
    local_date: str  # YYYY-MM-DD at the counter

    @classmethod
    def of(cls, now: datetime) -> Stamp:
        """``now`` is timezone-aware (Clock.now()). Plain arithmetic and isoformat: this
        runs on the GUI thread at every prompt."""
        offset = now.utcoffset() or timedelta(0)
        local = now.isoformat(timespec="seconds")[:19]  # YYYY-MM-DDTHH:MM:SS
        return cls(
            ts_utc=(now - offset).replace(tzinfo=UTC).isoformat(timespec="microseconds"),
            ts_local=local,
            utc_offset=int(offset.total_seconds() // 60),
            local_date=local[:10],
        )


def new_id() -> str:
    """A random (version 4) UUID as text, as str(uuid.uuid4()) writes it; the uuid module
    is not imported at start (it imports platform, which costs as much again)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Record:
    """Base of the stored records: a table name and a flat row."""

    TABLE: ClassVar[str]

    def as_row(self) -> dict[str, Any]:
        return dict(vars(self))  # flat fields: no need for asdict's deep copy


@dataclass(frozen=True)
class UsageRecord(Record):
    """One prompt shown (or one notice printed). Never holds customer data."""

    TABLE: ClassVar[str] = "usage_event"

    uuid: str
    ts_utc: str
    ts_local: str
    utc_offset: int
    local_date: str
    counter_id: str
    staff_id: str
    situation: str
    variant: str
    business: str
    trigger: str
    app_version: str
    content_version: int = 0  # the center's published content it was shown under
    detail: str = ""  # JSON of non-personal facts, e.g. the catalog materials a notice listed


def new_record(
    clock: Clock,
    *,
    counter_id: str,
    staff_id: str,
    situation: str,
    variant: str,
    business: str = "",
    trigger: str = "hotkey",
    content_version: int = 0,
    detail: str = "",
) -> UsageRecord:
    s = Stamp.of(clock.now())
    return UsageRecord(
        uuid=new_id(),
        ts_utc=s.ts_utc,
        ts_local=s.ts_local,
        utc_offset=s.utc_offset,
        local_date=s.local_date,
        counter_id=counter_id,
        staff_id=staff_id,
        situation=situation,
        variant=variant,
        business=business,
        trigger=trigger,
        app_version=__version__,
        content_version=content_version,
        detail=detail,
    )


@dataclass(frozen=True)
class ChecklistEntry(Record):
    """A confirmed Article 14 preparation, Article 16 close-out, or a reopening."""

    TABLE: ClassVar[str] = "checklist_record"
    KINDS: ClassVar[tuple[str, ...]] = ("prep", "close", "reopen")

    uuid: str
    kind: str
    local_date: str
    ts_utc: str
    ts_local: str
    utc_offset: int
    counter_id: str
    staff_id: str
    items: tuple[str, ...]
    late: bool = False
    app_version: str = __version__

    def as_row(self) -> dict[str, Any]:
        row = dict(vars(self))
        row["items"] = json.dumps(list(self.items), ensure_ascii=False)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ChecklistEntry:
        items = row.get("items") or "[]"
        return cls(
            uuid=row["uuid"],
            kind=row["kind"],
            local_date=row["local_date"],
            ts_utc=row.get("ts_utc") or "",
            ts_local=row.get("ts_local") or "",
            utc_offset=int(row.get("utc_offset") or 0),
            counter_id=row.get("counter_id") or "",
            staff_id=row.get("staff_id") or "",
            items=tuple(json.loads(items) if isinstance(items, str) else items),
            late=bool(row.get("late")),
            app_version=row.get("app_version") or "",
        )


def checklist_entry(
    clock: Clock, kind: str, counter_id: str, staff_id: str, items=(), late: bool = False
) -> ChecklistEntry:
    s = Stamp.of(clock.now())
    return ChecklistEntry(
        uuid=new_id(),
        kind=kind,
        local_date=s.local_date,
        ts_utc=s.ts_utc,
        ts_local=s.ts_local,
        utc_offset=s.utc_offset,
        counter_id=counter_id,
        staff_id=staff_id,
        items=tuple(items),
        late=bool(late),
    )


@dataclass(frozen=True)
class StaffChange(Record):
    """Who holds the counter from when (lunch relief, shift change)."""

    TABLE: ClassVar[str] = "staff_shift"

    uuid: str
    local_date: str
    ts_utc: str
    ts_local: str
    utc_offset: int
    counter_id: str
    staff_id: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StaffChange:
        return cls(
            uuid=row["uuid"],
            local_date=row["local_date"],
            ts_utc=row.get("ts_utc") or "",
            ts_local=row.get("ts_local") or "",
            utc_offset=int(row.get("utc_offset") or 0),
            counter_id=row.get("counter_id") or "",
            staff_id=row.get("staff_id") or "",
        )


def staff_change(clock: Clock, counter_id: str, staff_id: str) -> StaffChange:
    s = Stamp.of(clock.now())
    return StaffChange(
        new_id(), s.local_date, s.ts_utc, s.ts_local, s.utc_offset, counter_id, staff_id
    )


RECORD_TYPES: dict[str, type[Record]] = {
    t.TABLE: t for t in (UsageRecord, ChecklistEntry, StaffChange)
}
