"""Articles 14 and 16: the checklists (day by day) and compliance reports.

Compliance answers the question the standard exists for (Article 2: the basis for
evaluating each employee's service): per counter and per staff member, the days
worked, prepared on time, late, used without preparation, not closed out, reopened,
and the rate of each, with every day that needs action listed and explained.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from counter_assistant.reports.days import Day, counter_days
from counter_assistant.reports.scope import Scope
from counter_assistant.reports.summary import counter_status, head_lines
from counter_assistant.reports.table import Chart, Column, Document, Kind, Sheet, Table
from counter_assistant.reports.words import Mark, PrepStatus

ACTION = (PrepStatus.LATE, PrepStatus.UNPREPARED, PrepStatus.CLOCK)
ON_TIME_RATE = 3  # column of the per-counter table: counter, days worked, on time, rate


@dataclass
class Tally:
    """One counter's or one staff member's figures over the range."""

    days: int = 0  # days worked: days with any record
    on_time: int = 0
    late: int = 0
    unprepared: int = 0
    no_close: int = 0
    reopened: int = 0  # days with a reopening
    clock: int = 0
    idle: int = 0  # working days without any record (counters only)
    counters: set[str] = field(default_factory=set)

    def rate(self, n: int) -> float | None:
        return n / self.days if self.days else None

    def figures(self) -> tuple:
        r = self.rate
        return (
            self.days,
            self.on_time, r(self.on_time),
            self.late, r(self.late),
            self.unprepared, r(self.unprepared),
            self.no_close, r(self.no_close),
            self.reopened, r(self.reopened),
            self.clock,
        )  # fmt: skip


FIGURES = [
    Column("days_worked", Kind.INT),
    Column("on_time", Kind.INT),
    Column("on_time_rate", Kind.RATE),
    Column("late", Kind.INT),
    Column("late_rate", Kind.RATE),
    Column("unprepared", Kind.INT),
    Column("unprepared_rate", Kind.RATE),
    Column("no_close", Kind.INT),
    Column("no_close_rate", Kind.RATE),
    Column("reopened", Kind.INT),
    Column("reopened_rate", Kind.RATE),
    Column("clock", Kind.INT),
]


def _count(tally: Tally, day: Day, *, prep: bool, used: bool, last: bool) -> None:
    status = day.status
    tally.days += 1
    tally.counters.add(day.counter)
    if prep and status is PrepStatus.ON_TIME:
        tally.on_time += 1
    if prep and status is PrepStatus.LATE:
        tally.late += 1
    if used and status is PrepStatus.UNPREPARED:
        tally.unprepared += 1
    if last and day.no_close:
        tally.no_close += 1
    if status is PrepStatus.CLOCK:
        tally.clock += 1


def tallies(days: list[Day]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """(per counter, per staff member). A staff member is counted on the days they have
    any record: for the preparation they made, prompts they used unprepared, a missing
    close-out when they were last on duty, and the reopenings they made."""
    counters: dict[str, Tally] = defaultdict(Tally)
    staff: dict[str, Tally] = defaultdict(Tally)
    for day in days:
        t = counters[day.counter]
        if not day.active:
            t.idle += day.kind.working
            continue
        _count(t, day, prep=True, used=True, last=True)
        t.reopened += bool(day.reopens)
        prep = day.prep or (day.preps[0] if day.preps else None)
        for person in day.staff_seen:
            s = staff[person]
            _count(
                s,
                day,
                prep=prep is not None and prep.staff == person,
                used=day.staff_uses.get(person, 0) > 0,
                last=day.last_staff == person,
            )
            s.reopened += any(r.staff == person for r in day.reopens)
    return counters, staff


def _detail_row(day: Day, scope: Scope, compliance: bool) -> tuple:
    w = scope.words
    prep = day.prep or (day.preps[0] if day.preps else None)
    closers = []
    for c in sorted(day.closes, key=lambda e: e.time):
        if c.staff not in closers:
            closers.append(c.staff)
    base = (
        day.day,
        day.day.weekday(),
        day.kind,
        day.counter,
    )
    tail = (
        prep.staff if prep else "",
        w.staff_name(prep.staff) if prep else "",
        prep.time if prep else None,
        [c.time for c in sorted(day.closes, key=lambda e: e.time)],
        w.sep.join(closers),
        [r.time for r in sorted(day.reopens, key=lambda e: e.time)],
        day.uses,
    )
    if not compliance:
        return (*base, day.status, *tail)
    notes = list(day.notes)
    if day.holiday:
        notes.insert(0, day.holiday)
    if day.no_close:
        notes.append(w.text("closed_after_reopen" if day.reopens else "no_close_note"))
    if not day.finished and not day.closed_at_end and (day.preps or day.uses):
        notes.append(w.text("not_finished"))
    return (*base, day.needs_action, day.status, *tail, w.sep.join(notes))


DAY_COLUMNS = [
    Column("date", Kind.DATE),
    Column("weekday", Kind.WEEKDAY),
    Column("day_kind", Kind.WORD),
    Column("counter", Kind.CODE),
]
TAIL_COLUMNS = [
    Column("prep_staff", Kind.CODE),
    Column("name"),
    Column("prep_time", Kind.TIME),
    Column("close_times", Kind.TIMES),
    Column("close_staff"),
    Column("reopen_times", Kind.TIMES),
    Column("uses", Kind.INT),
]


def checklists_table(scope: Scope, days: list[Day]) -> Table:
    return Table(
        [*DAY_COLUMNS, Column("prep_status", Kind.WORD), *TAIL_COLUMNS],
        rows=[_detail_row(d, scope, False) for d in days],
        highlight=lambda row: row[4] in ACTION,
    )


def detail_table(scope: Scope, days: list[Day]) -> Table:
    return Table(
        [
            *DAY_COLUMNS,
            Column("needs_action", Kind.BOOL),
            Column("prep_status", Kind.WORD),
            *TAIL_COLUMNS,
            Column("notes", max_width=60),
        ],
        rows=[_detail_row(d, scope, True) for d in days],
        highlight=lambda row: row[4],
    )


def counter_table(scope: Scope, counters: dict[str, Tally]) -> Table:
    rows = []
    for c in scope.counters:
        t = counters.get(c, Tally())
        rows.append((c, *t.figures(), t.idle, counter_status(scope, c) if not t.days else None))
    return Table(
        [
            Column("counter", Kind.CODE),
            *FIGURES,
            Column("idle", Kind.INT),
            Column("status", Kind.WORD),
        ],
        rows=rows,
        title=scope.words.text("by_counter"),
        highlight=lambda row: row[-1] is Mark.DAMAGED,
    )


def _staff_table(scope: Scope, staff: dict[str, Tally]) -> Table:
    w = scope.words
    rows = [
        (s, w.staff_name(s), w.sep.join(sorted(t.counters)), *t.figures())
        for s, t in sorted(staff.items())
    ]
    return Table(
        [Column("staff", Kind.CODE), Column("name"), Column("counters", Kind.CODE), *FIGURES],
        rows=rows,
        title=w.text("by_staff"),
    )


def _totals(scope: Scope, days: list[Day]) -> list[tuple[str, int]]:
    w = scope.words
    worked = [d for d in days if d.active]
    return [
        (w.text("needs_action_days"), sum(d.needs_action for d in worked)),
        (
            w.text("prepared_days"),
            sum(d.status in (PrepStatus.ON_TIME, PrepStatus.LATE) for d in worked),
        ),
        (w.text("late_days"), sum(d.status is PrepStatus.LATE for d in worked)),
        (w.text("unprepared_days"), sum(d.status is PrepStatus.UNPREPARED for d in worked)),
        (w.text("no_close_days"), sum(d.no_close for d in worked)),
        (w.text("reopen_count"), sum(len(d.reopens) for d in worked)),
        (w.text("clock_days"), sum(d.status is PrepStatus.CLOCK for d in worked)),
    ]


def compliance_document(scope: Scope) -> Document:
    w = scope.words
    days = counter_days(scope)
    per_counter, per_staff = tallies(days)
    counters = counter_table(scope, per_counter)
    detail = detail_table(scope, days)
    summary = Sheet(
        w.sheet("summary"),
        lines=[*head_lines(scope, "compliance", calendar=True), *_totals(scope, days)],
        tables=[counters],
        charts=[Chart("bar", w.text("on_time_chart"), 0, 0, (ON_TIME_RATE,), percent=True)],
    )
    sheets = [
        summary,
        Sheet(w.sheet("staff"), tables=[_staff_table(scope, per_staff)], data=True),
        Sheet(w.sheet("detail"), tables=[detail], data=True),
    ]
    return Document(w.report("compliance"), scope.date_from, scope.date_to, scope.counters,
                    sheets, detail, w)  # fmt: skip


def checklists_document(scope: Scope) -> Document:
    w = scope.words
    days = counter_days(scope)
    per_counter, _staff = tallies(days)
    table = checklists_table(scope, days)
    summary = Sheet(
        w.sheet("summary"),
        lines=[*head_lines(scope, "checklists", calendar=True), *_totals(scope, days)],
        tables=[counter_table(scope, per_counter)],
        charts=[Chart("bar", w.text("on_time_chart"), 0, 0, (ON_TIME_RATE,), percent=True)],
    )
    sheets = [summary, Sheet(w.sheet("checklists"), tables=[table], data=True)]
    return Document(w.report("checklists"), scope.date_from, scope.date_to, scope.counters,
                    sheets, table, w)  # fmt: skip
