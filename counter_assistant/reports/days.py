"""Each counter's days: preparation, close-out, reopenings, use, and clock faults.

The facts behind the checklists and compliance reports. A day is listed for every
counter on every working day of the calendar (clipped to the dates the databases
hold), and on any other day only where the counter has a record.

A clock fault never makes a day look prepared that was not. A preparation dated
after the counter's next checklist record (a PC a day ahead whose clock was then
put right), or records that run backwards by more than ten minutes, flag the days
involved: their preparation is shown but counted as a clock fault, not as prepared.
(Records of different tables share no sequence, so "next" is within the checklist
records; usage and staff records are checked for running backwards.)
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from counter_assistant.core.calendar import DayKind
from counter_assistant.reports.query import backward_runs, usage_groups
from counter_assistant.reports.scope import Scope, dates
from counter_assistant.reports.words import PrepStatus

BACKWARDS_MINUTES = 10


@dataclass(frozen=True)
class Entry:
    """One checklist record: a preparation, a close-out or a reopening."""

    kind: str
    time: str  # HH:MM:SS, the counter's local time
    staff: str
    late: bool = False
    uuid: str = ""


@dataclass
class Day:
    day: date
    counter: str
    kind: DayKind
    holiday: str = ""
    preps: list[Entry] = field(default_factory=list)
    closes: list[Entry] = field(default_factory=list)
    reopens: list[Entry] = field(default_factory=list)
    uses: int = 0
    staff_uses: Counter = field(default_factory=Counter)
    staff_seen: dict[str, str] = field(default_factory=dict)  # staff -> latest time seen
    notes: list[str] = field(default_factory=list)  # clock faults, in words
    clock_fault: bool = False  # records ran backwards on this day
    suspect: set[str] = field(default_factory=set)  # uuids of untrusted preparations
    finished: bool = True  # the day is over (not today or later)

    @property
    def active(self) -> bool:
        """The counter has any record this day."""
        return bool(self.preps or self.closes or self.reopens or self.uses or self.staff_seen)

    @property
    def prep(self) -> Entry | None:
        """The first preparation that can be trusted."""
        good = [p for p in self.preps if p.uuid not in self.suspect]
        return min(good, key=lambda p: p.time) if good else None

    @property
    def status(self) -> PrepStatus:
        if self.clock_fault or (self.preps and self.prep is None):
            return PrepStatus.CLOCK
        prep = self.prep
        if prep is not None:
            return PrepStatus.LATE if prep.late else PrepStatus.ON_TIME
        return PrepStatus.UNPREPARED if self.uses else PrepStatus.NOT_PREPARED

    @property
    def closed_at_end(self) -> bool:
        events = sorted([*self.closes, *self.reopens], key=lambda e: e.time)
        return bool(events) and events[-1].kind == "close"

    @property
    def no_close(self) -> bool:
        """Worked (prepared or used) and the day is over, but not closed at its end."""
        worked = bool(self.preps or self.uses or self.reopens)
        return worked and self.finished and not self.closed_at_end

    @property
    def needs_action(self) -> bool:
        late_or_worse = self.status in (PrepStatus.LATE, PrepStatus.UNPREPARED, PrepStatus.CLOCK)
        return late_or_worse or self.no_close

    @property
    def last_staff(self) -> str:
        return max(self.staff_seen.items(), key=lambda kv: kv[1])[0] if self.staff_seen else ""


def _see(day: Day, staff: str, when: str) -> None:
    if staff:
        day.staff_seen[staff] = max(day.staff_seen.get(staff, ""), when or "")


def counter_days(scope: Scope) -> list[Day]:
    """Every listed counter-day, by date then counter."""
    cal = scope.calendar
    days: dict[tuple[date, str], Day] = {}

    def get(iso: str, counter: str) -> Day | None:
        try:
            d = date.fromisoformat(iso)
        except ValueError:
            return None
        if not scope.date_from <= d <= scope.date_to:
            return None
        key = (d, counter)
        if key not in days:
            days[key] = Day(d, counter, cal.kind(d), cal.name_of(d), finished=d < scope.today)
        return days[key]

    _checklists(scope, get)
    _staff_shifts(scope, get)
    for (iso, counter, staff), (n, last) in usage_groups(
        scope, ["local_date", "counter_id", "staff_id"]
    ).items():
        day = get(iso, counter)
        if day is not None:
            day.uses += n
            day.staff_uses[staff] += n
            _see(day, staff, last)
    _clock_faults(scope, get)
    held = scope.held
    if held is not None:
        for d in dates(*held):
            if cal.is_workday(d):
                for counter in scope.counters:
                    if counter not in scope.damaged_counters:
                        get(d.isoformat(), counter)
    return [days[k] for k in sorted(days)]


def _checklists(scope: Scope, get) -> None:
    seen: set[str] = set()
    d0, d1 = scope.span
    for source in scope.sources:
        if not source.has_checklists:
            continue
        t = source.local_time_sql("checklist_record")
        sql = (
            f"SELECT uuid, local_date, counter_id, kind, {t}, staff_id, late, ts_utc "
            "FROM checklist_record WHERE local_date BETWEEN date(?, '-2 days') "
            "AND date(?, '+2 days') ORDER BY counter_id, rowid"
        )
        rows = scope.query(source, sql, (d0, d1))
        # A preparation dated after the next checklist record of its counter.
        for this, after in itertools.pairwise(rows):
            if this[3] == "prep" and this[2] == after[2] and _later(this[7], after[7]):
                day = get(this[1], this[2])
                if day is not None and this[0] not in day.suspect:
                    day.suspect.add(this[0])
                    day.notes.append(
                        scope.words.text(
                            "clock_prep_ahead",
                            a=f"{this[1]} {this[4]}",
                            b=f"{after[1]} {after[4]}",
                        )
                    )
        for uid, iso, counter, kind, when, staff, late, _ts in rows:
            if uid in seen:
                continue
            seen.add(uid)
            day = get(iso, counter)
            if day is None:
                continue
            entry = Entry(kind, when or "", staff or "", bool(late), uid)
            {"prep": day.preps, "close": day.closes, "reopen": day.reopens}.get(kind, []).append(
                entry
            )
            _see(day, entry.staff, entry.time)


def _staff_shifts(scope: Scope, get) -> None:
    seen: set[str] = set()
    for source in scope.sources:
        if not source.has_staff:
            continue
        t = source.local_time_sql("staff_shift")
        sql = (
            f"SELECT uuid, local_date, counter_id, staff_id, {t} FROM staff_shift "
            "WHERE local_date BETWEEN ? AND ?"
        )
        for uid, iso, counter, staff, when in scope.query(source, sql, scope.span):
            if uid not in seen:
                seen.add(uid)
                day = get(iso, counter)
                if day is not None:
                    _see(day, staff, when)


def _clock_faults(scope: Scope, get) -> None:
    noted: set[tuple] = set()
    for source in scope.sources:
        for table in ("usage_event", "staff_shift"):
            if table not in source.columns:
                continue
            for counter, d_a, t_a, d_b, t_b, ts_a, ts_b in backward_runs(
                scope, source, table, BACKWARDS_MINUTES
            ):
                if (counter, ts_a, ts_b) in noted:
                    continue
                noted.add((counter, ts_a, ts_b))
                minutes = round(
                    (datetime.fromisoformat(ts_a) - datetime.fromisoformat(ts_b)).total_seconds()
                    / 60
                )
                note = scope.words.text(
                    "clock_backwards", n=minutes, a=f"{d_a} {t_a}", b=f"{d_b} {t_b}"
                )
                for iso in {d_a, d_b}:
                    day = get(iso, counter)
                    if day is not None:
                        day.clock_fault = True
                        if note not in day.notes:
                            day.notes.append(note)


def _later(ts_a: str, ts_b: str) -> bool:
    try:
        return datetime.fromisoformat(ts_a) > datetime.fromisoformat(ts_b)
    except (TypeError, ValueError):
        return False


def listed_counters(days: list[Day]) -> list[str]:
    return sorted({d.counter for d in days})


def by_counter(days: list[Day]) -> dict[str, list[Day]]:
    out: dict[str, list[Day]] = defaultdict(list)
    for d in days:
        out[d.counter].append(d)
    return out
