"""What every report reads first: the open databases, the range, and who is in it.

The counters of a report (and which of them have no record in the range) are found
here once; every report and the preview use the same answer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from counter_assistant.core.calendar import Calendar
from counter_assistant.core.problems import Problem
from counter_assistant.reports.sources import Cancelled, ExportError, Skipped, Source
from counter_assistant.reports.words import Words

BATCH = 20_000
MAX_RANGE_DAYS = 3653  # ten years
COUNTERS_SQL = (
    "SELECT counter_id, count(*) FROM usage_event "
    "WHERE local_date BETWEEN ? AND ? GROUP BY counter_id"
)


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise ExportError(
            f"日期范围颠倒：开始 {date_from} 晚于结束 {date_to}。请交换开始和结束日期。"
        )
    days = (date_to - date_from).days + 1
    if days > MAX_RANGE_DAYS:
        raise ExportError(
            f"日期范围 {date_from} 至 {date_to} 有 {days} 天，超过十年。"
            "请把范围缩小到十年以内（报表按年或按月导出更便于查看）。"
        )


def dates(first: date, last: date) -> Iterator[date]:
    """Every date from first to last, inclusive (safe at date.max)."""
    for i in range((last - first).days + 1):
        yield first + timedelta(days=i)


def read_error(source: Source, exc: sqlite3.Error) -> ExportError:
    return ExportError(
        f"读取 {source.path} 失败（{exc}）。该数据库可能已损坏：请用该窗口较早的备份代替它，"
        "或将它移出所选文件夹后重试。"
    )


@dataclass
class Scope:
    sources: list[Source]
    date_from: date
    date_to: date
    words: Words
    calendar: Calendar = field(default_factory=Calendar)
    calendar_problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    today: date = field(default_factory=date.today)
    cancel: threading.Event | None = None

    @property
    def span(self) -> tuple[str, str]:
        return self.date_from.isoformat(), self.date_to.isoformat()

    @property
    def merged(self) -> bool:
        return len(self.sources) > 1

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()

    def query(self, source: Source, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return source.con.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise read_error(source, exc) from exc

    def stream(self, source: Source, sql: str, params: tuple = ()) -> Iterator[list[tuple]]:
        """Batches of a query's rows; a cancel is honoured between batches."""
        try:
            cur = source.con.cursor()
            cur.arraysize = BATCH
            cur.execute(sql, params)
            while batch := cur.fetchmany():
                self.check_cancel()
                yield batch
            cur.close()
        except sqlite3.Error as exc:
            raise read_error(source, exc) from exc

    # -- who is in the report ---------------------------------------------------------

    @cached_property
    def activity(self) -> dict[str, int]:
        """Counter -> usage records in the range (merged files may count a record twice);
        counters with only checklist or staff records in the range have 0."""
        return self._activity(None)

    def usage_found(self, usage: dict[str, int]) -> None:
        """What a streamed pass over the usage rows found per counter: saves a pass."""
        self.__dict__["activity"] = self._activity(usage)

    def _activity(self, usage: dict[str, int] | None) -> dict[str, int]:
        out: dict[str, int] = dict(usage or {})
        for source in self.sources:
            if usage is None:
                for counter, n in self.query(source, COUNTERS_SQL, self.span):
                    out[counter] = out.get(counter, 0) + n
            for table in ("checklist_record", "staff_shift"):
                if table in source.columns:
                    sql = (
                        f"SELECT DISTINCT counter_id FROM {table} WHERE local_date BETWEEN ? AND ?"
                    )
                    for (counter,) in self.query(source, sql, self.span):
                        out.setdefault(counter, 0)
        return out

    def count_usage(self) -> int:
        """Usage records in the range (from the date index: no pass over the rows)."""
        sql = "SELECT count(*) FROM usage_event WHERE local_date BETWEEN ? AND ?"
        return sum(self.query(s, sql, self.span)[0][0] for s in self.sources)

    @cached_property
    def counters(self) -> list[str]:
        """Every counter of the report: named by a database, seen in a record, or named
        by a database that could not be read."""
        known = {s.counter_id for s in self.sources if s.counter_id}
        known |= {s.counter_id for s in self.skipped if s.counter_id}
        return sorted(known | set(self.activity))

    @property
    def damaged_counters(self) -> set[str]:
        readable = {s.counter_id for s in self.sources} | set(self.activity)
        return {s.counter_id for s in self.skipped if s.counter_id} - readable

    @property
    def used(self) -> set[str]:
        """Counters with prompts used in the range."""
        return {c for c, n in self.activity.items() if n}

    @property
    def silent(self) -> list[str]:
        """Counters with no record of any kind in the range (and readable databases)."""
        return [
            c for c in self.counters if c not in self.activity and c not in self.damaged_counters
        ]

    @property
    def total_usage(self) -> int:
        return sum(self.activity.values())

    @cached_property
    def held(self) -> tuple[date, date] | None:
        """The first and last dates the databases hold, clipped to the range."""
        first = last = None
        for source in self.sources:
            for table in source.columns:
                lo, hi = self.query(
                    source, f"SELECT min(local_date), max(local_date) FROM {table}"
                )[0]
                if lo:
                    first = lo if first is None else min(first, lo)
                    last = hi if last is None else max(last, hi)
        if first is None:
            return None
        try:
            lo_d, hi_d = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            return self.date_from, self.date_to
        lo_d, hi_d = max(lo_d, self.date_from), min(hi_d, self.date_to)
        return (lo_d, hi_d) if lo_d <= hi_d else None

    def previous(self) -> Scope | None:
        """The same sources over the range of the same length just before, if any."""
        length = self.date_to - self.date_from + timedelta(days=1)
        try:
            first = self.date_from - length
        except OverflowError:
            return None
        return Scope(
            self.sources,
            first,
            self.date_from - timedelta(days=1),
            self.words,
            self.calendar,
            skipped=self.skipped,
            today=self.today,
            cancel=self.cancel,
        )
