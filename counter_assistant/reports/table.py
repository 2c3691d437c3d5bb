"""What a report is before it is written: typed tables on sheets, with charts.

Rows hold typed values (dates, times, counts, rates, booleans, enums, codes); a
Column's Kind says how each writer shows them. A document is written to XLSX whole,
or to CSV as its main table only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum
from typing import Any

from counter_assistant.reports.cells import display_width
from counter_assistant.reports.words import Words


class Kind(Enum):
    TEXT = "text"  # words: situation, wording, business, names, notes
    CODE = "code"  # codes and ids: shown as stored, always text
    DATE = "date"  # a date, or an ISO date string
    TIME = "time"  # a time, or "HH:MM:SS"
    TIMES = "times"  # a list of times (every close-out of a day)
    INT = "int"
    NUMBER = "number"  # one decimal
    RATE = "rate"  # a fraction shown as a percentage; None when there is no base
    BOOL = "bool"
    WORD = "word"  # an Enum value, or text
    WEEKDAY = "weekday"  # date.weekday() number


# Display width of kinds whose width does not depend on the value.
FIXED_WIDTH = {Kind.DATE: 10, Kind.TIME: 8, Kind.INT: 6, Kind.NUMBER: 7, Kind.RATE: 7}


@dataclass(frozen=True)
class Column:
    key: str  # the header's key in words.HEADERS
    kind: Kind = Kind.TEXT
    max_width: int = 50  # longer text wraps in XLSX
    label: str = ""  # a header that is data (a situation, a counter), used as it is

    def header(self, words: Words) -> str:
        return self.label or words.header(self.key)


@dataclass
class Table:
    columns: list[Column]
    rows: list[tuple] | None = None  # small tables: all rows at hand
    batches: Iterable[list[tuple]] | None = None  # large tables: streamed
    total: int = 0  # rows in batches, for progress
    widths: list[int] | None = None  # longest value per column, taken before writing
    highlight: Callable[[tuple], bool] | None = None  # rows shown in the warning colour
    title: str = ""  # a caption above the table on a summary sheet (already in words)

    def iter_batches(self) -> Iterator[list[tuple]]:
        if self.rows is not None:
            yield self.rows
        elif self.batches is not None:
            yield from self.batches

    @property
    def count(self) -> int:
        return len(self.rows) if self.rows is not None else self.total


@dataclass(frozen=True)
class Chart:
    """A chart of one table on the same sheet: categories from one column, one series
    per value column."""

    kind: str  # "column", "bar" or "line"
    title: str  # already in words
    table: int  # index of the table on its sheet
    categories: int  # column index
    values: tuple[int, ...]
    percent: bool = False
    top: bool = False  # above the tables (else below them)


@dataclass
class Sheet:
    name: str  # already in words
    lines: list[tuple[str, Any]] = field(default_factory=list)  # (label, value) at the top
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: bool = False  # one table whose header row is frozen, filtered and repeated


@dataclass
class Document:
    title: str  # the report's name, in words
    date_from: date
    date_to: date
    counters: list[str]
    sheets: list[Sheet]
    main: Table  # what a CSV carries
    words: Words

    @property
    def range_text(self) -> str:
        return f"{self.date_from}{self.words.text('to')}{self.date_to}"


# --- values as text: the CSV writer and the report window --------------------------


def as_text(value: Any, kind: Kind, words: Words) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return words.enum(value)
    if kind is Kind.BOOL:
        return words.yes_no(value)
    if kind is Kind.TIME:
        return value.strftime("%H:%M:%S") if isinstance(value, time) else str(value)
    if kind is Kind.TIMES:
        return words.sep.join(as_text(v, Kind.TIME, words) for v in value)
    if kind is Kind.RATE:
        return f"{value * 100:.1f}%"
    if kind is Kind.NUMBER:
        return f"{value:.1f}"
    if kind is Kind.WEEKDAY:
        return words.weekday(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return words.sep.join(str(v) for v in value)
    return str(value)


def fit_widths(table: Table, words: Words) -> list[int]:
    """Display width of the header and the longest value of each column."""
    widths = [display_width(c.header(words)) for c in table.columns]
    if table.widths is not None:
        return [max(w, v) for w, v in zip(widths, table.widths, strict=True)]
    for i, col in enumerate(table.columns):
        fixed = FIXED_WIDTH.get(col.kind)
        if fixed:
            widths[i] = max(widths[i], fixed)
    for batch in table.iter_batches():
        for row in batch:
            for i, col in enumerate(table.columns):
                if col.kind in FIXED_WIDTH:
                    continue
                widths[i] = max(widths[i], display_width(as_text(row[i], col.kind, words)))
    return widths
