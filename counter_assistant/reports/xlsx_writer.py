"""A report document as an XLSX workbook that opens ready to read and to print.

XlsxWriter in constant-memory mode: each row goes to disk once written, so memory
stays flat for a million rows; column widths therefore come from the document (the
longest value per column, found before writing). Data sheets have their header row
frozen, filtered and repeated on every printed page; every sheet prints landscape,
one page wide, with the report's title, range and counters in the page header and
page numbers in the footer. Dates and times are real date/time cells; text is always
a string cell, never a formula.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import date, time
from enum import Enum
from pathlib import Path
from typing import Any

import xlsxwriter

from counter_assistant.reports.cells import CONTROL, clean, display_width
from counter_assistant.reports.table import Chart, Document, Kind, Sheet, Table, as_text, fit_widths

MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included
MAX_WIDTH, PADDING = 60, 3
EXCEL_EPOCH = date(1899, 12, 30)
WARN_COLOR = "#C62828"
NUMBER_FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.TIME: "hh:mm:ss",
    Kind.INT: "0",
    Kind.NUMBER: "0.0",
    Kind.RATE: "0.0%",
    Kind.CODE: "@",
}
RIGHT = (Kind.INT, Kind.NUMBER, Kind.RATE)
CENTERED = (Kind.DATE, Kind.TIME, Kind.TIMES, Kind.BOOL, Kind.WEEKDAY)
PLAIN = (Kind.TEXT, Kind.CODE, Kind.DATE, Kind.TIME, Kind.INT)  # tables written cell by cell
LINE_HEIGHT = 16  # points per line of wrapped text
# A4 landscape at 100 %, in character widths and default rows; charts in characters.
PAGE_WIDTH, PAGE_ROWS, CHART_CHARS, BESIDE_MAX_WIDTH = 140, 34, 110, 70
Progress = Callable[[int], None]


def _serial_date(value: Any, cache: dict) -> float | None:
    serial = cache.get(value)
    if serial is None and value:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        serial = cache[value] = float((day - EXCEL_EPOCH).days)
    return serial


def _serial_time(value: Any, cache: dict) -> float | None:
    serial = cache.get(value)
    if serial is None and value:
        if isinstance(value, time):
            secs = value.hour * 3600 + value.minute * 60 + value.second
        else:
            h, m, s = (int(p) for p in str(value)[:8].split(":"))
            secs = h * 3600 + m * 60 + s
        serial = cache[value] = secs / 86400
    return serial


def _header_text(text: str) -> str:
    return text.replace("&", "&&")


class _Book:
    def __init__(self, path: Path, doc: Document):
        self.doc = doc
        self.words = doc.words
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.wb.set_properties({"title": doc.title, "subject": doc.range_text})
        self.formats: dict[tuple, Any] = {}
        self.dates: dict = {}
        self.times: dict = {}
        self.names: set[str] = set()
        self.wrapped: list[bool] = []  # per column of the data sheet being written
        self.wraps: list[tuple[int, int]] = []  # (column, width) of those that wrap

    def fmt(self, kind: Kind | None, warn: bool = False, **extra) -> Any:
        key = (kind, warn, tuple(sorted(extra.items())))
        if key not in self.formats:
            props: dict[str, Any] = {"valign": "vcenter", **extra}
            if kind in NUMBER_FORMATS:
                props["num_format"] = NUMBER_FORMATS[kind]
            if kind in CENTERED:
                props["align"] = "center"
            elif kind in (Kind.TEXT, Kind.CODE, Kind.WORD):
                props["indent"] = 1  # clear of a number in the column before
            if warn:
                props["font_color"] = WARN_COLOR
            self.formats[key] = self.wb.add_format(props)
        return self.formats[key]

    def header_fmt(self, kind: Kind | None = None) -> Any:
        """A header cell, aligned as its column's values are."""
        align = "right" if kind in RIGHT else "center" if kind in CENTERED else "left"
        return self.fmt(None, bold=True, bg_color="#E8EEF4", bottom=1, text_wrap=True, align=align)

    def sheet_name(self, name: str) -> str:
        name = clean(name)
        for ch in "[]:*?/\\":
            name = name.replace(ch, " ")
        base, n = name[:31], 1
        while base.lower() in self.names:
            n += 1
            base = f"{name[: 31 - len(str(n)) - 3]} ({n})"
        self.names.add(base.lower())
        return base

    def add_sheet(self, name: str, repeat_header: bool) -> Any:
        ws = self.wb.add_worksheet(self.sheet_name(name))
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many pages down as needed
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
        counters = self.doc.counters
        shown = "、".join(counters[:8]) + (f" 等 {len(counters)} 个" if len(counters) > 8 else "")
        if self.words.lang == "en":
            shown = ", ".join(counters[:8]) + (f" ({len(counters)})" if len(counters) > 8 else "")
        head = (
            f'&L&"-,Bold"{_header_text(self.doc.title)}'
            f"&C{_header_text(self.doc.range_text)}&R{_header_text(shown)}"
        )
        ws.set_header(head[:255])
        ws.set_footer(f"&C{self.words.text('page')}")
        if repeat_header:
            ws.repeat_rows(0)
        return ws

    def abort(self) -> None:
        """Close and remove the row files of a workbook that will not be finished."""
        for ws in self.wb.worksheets():
            fh, name = getattr(ws, "row_data_fh", None), getattr(ws, "row_data_filename", None)
            if fh is not None:
                with contextlib.suppress(OSError):
                    fh.close()
            if name:
                with contextlib.suppress(OSError):
                    os.remove(name)

    # -- cells ------------------------------------------------------------------------

    def cell(
        self, ws: Any, r: int, c: int, value: Any, kind: Kind, warn: bool = False, wrap=False
    ) -> None:
        extra = {"text_wrap": True} if wrap else {}
        if value is None or value == "":
            if warn:
                ws.write_blank(r, c, None, self.fmt(kind, warn, **extra))
            return
        if isinstance(value, Enum) or kind in (Kind.BOOL, Kind.WEEKDAY, Kind.TIMES):
            shown = kind if kind in (Kind.TIMES, Kind.BOOL) else Kind.TEXT
            text = clean(as_text(value, kind, self.words))
            ws.write_string(r, c, text, self.fmt(shown, warn, **extra))
        elif kind is Kind.DATE:
            ws.write_number(r, c, _serial_date(value, self.dates), self.fmt(kind, warn))
        elif kind is Kind.TIME:
            ws.write_number(r, c, _serial_time(value, self.times), self.fmt(kind, warn))
        elif kind in (Kind.INT, Kind.NUMBER, Kind.RATE) and isinstance(value, (int, float)):
            ws.write_number(r, c, value, self.fmt(kind, warn))
        else:
            ws.write_string(r, c, clean(str(value)), self.fmt(kind, warn, **extra))

    # -- a data sheet: one table, header frozen and filtered ------------------------------

    def data_sheet(self, sheet: Sheet, progress: Progress | None, check) -> int:
        table = sheet.tables[0]
        widths = fit_widths(table, self.words)
        per_sheet = MAX_SHEET_ROWS - 1
        ws, used, n_sheets, done = None, per_sheet, 0, 0
        for batch in table.iter_batches():
            if CONTROL.search("".join(v for row in batch for v in row if v.__class__ is str)):
                batch = [tuple(clean(v) if v.__class__ is str else v for v in row) for row in batch]
            start = 0
            while start < len(batch):
                if used >= per_sheet:
                    if ws is not None:
                        self.finish_table(ws, table, used)
                    n_sheets += 1
                    name = sheet.name if n_sheets == 1 else f"{sheet.name} ({n_sheets})"
                    ws = self.table_sheet(name, table, widths)
                    used = 0
                chunk = batch[start : start + per_sheet - used]
                self.rows(ws, table, chunk, used + 1)
                used += len(chunk)
                start += len(chunk)
            done += len(batch)
            if check is not None:
                check()
            if progress is not None:
                progress(done)
        if ws is None:
            ws, used = self.table_sheet(sheet.name, table, widths), 0
        self.finish_table(ws, table, used)
        for chart in sheet.charts:  # beside the table (a small one: the trend)
            self.chart(ws, sheet, chart, [(1, used)], 1, len(table.columns) + 1)
        return done

    def table_sheet(self, name: str, table: Table, widths: list[int]) -> Any:
        ws = self.add_sheet(name, repeat_header=True)
        self.wrapped = self.set_widths(ws, table, widths)
        caps = [min(c.max_width, MAX_WIDTH) for c in table.columns]
        self.wraps = [(c, caps[c]) for c, w in enumerate(self.wrapped) if w]
        ws.freeze_panes(1, 0)
        for c, col in enumerate(table.columns):
            ws.write_string(0, c, col.header(self.words), self.header_fmt(col.kind))
        return ws

    def set_widths(self, ws: Any, table: Table, widths: list[int]) -> list[bool]:
        """Set each column's width; returns which columns wrap (text longer than the cap)."""
        wraps: list[bool] = []
        for c, (col, w) in enumerate(zip(table.columns, widths, strict=True)):
            cap = min(col.max_width, MAX_WIDTH)
            wrap = w > cap and col.kind is Kind.TEXT
            ws.set_column(
                c, c, min(w, cap) + PADDING, self.fmt(col.kind, text_wrap=True) if wrap else None
            )
            wraps.append(wrap)
        return wraps

    def finish_table(self, ws: Any, table: Table, rows: int) -> None:
        ws.autofilter(0, 0, max(rows, 1), len(table.columns) - 1)

    def rows(self, ws: Any, table: Table, batch: list[tuple], first: int) -> None:
        kinds = [c.kind for c in table.columns]
        warn = table.highlight
        if warn is None and not self.wraps and all(k in PLAIN for k in kinds):
            self._plain_rows(ws, kinds, batch, first)
            return
        wraps = self.wraps
        times = [c for c, kind in enumerate(kinds) if kind is Kind.TIMES]
        for r, row in enumerate(batch, first):
            flag = bool(warn(row)) if warn else False
            if times:  # one time (a day closed out once) is a time cell; none, a blank
                row = tuple(_one_time(v) if c in times else v for c, v in enumerate(row))
            lines = max(
                (-(-display_width(str(row[c])) // cap) for c, cap in wraps if row[c]), default=1
            )
            if lines > 1:  # a spreadsheet does not grow a row for wrapped text by itself
                ws.set_row(r, LINE_HEIGHT * lines)
            row_kinds = kinds
            if times:
                row_kinds = [Kind.TIME if c in times and not isinstance(row[c], list) else k
                             for c, k in enumerate(kinds)]  # fmt: skip
            for c, kind in enumerate(row_kinds):
                self.cell(ws, r, c, row[c], kind, flag, self.wrapped[c])

    def _plain_rows(self, ws: Any, kinds: list[Kind], batch: list[tuple], first: int) -> None:
        """The events path: text, codes, dates, times and whole numbers only, one call per
        cell."""
        ws_string, ws_number = ws.write_string, ws.write_number
        fmts = [self.fmt(k) for k in kinds]
        dates, times = self.dates, self.times
        for r, row in enumerate(batch, first):
            for c, kind in enumerate(kinds):
                v = row[c]
                if v is None or v == "":
                    continue
                if kind is Kind.DATE:
                    s = dates.get(v)
                    ws_number(r, c, s if s is not None else _serial_date(v, dates), fmts[c])
                elif kind is Kind.TIME:
                    s = times.get(v)
                    ws_number(r, c, s if s is not None else _serial_time(v, times), fmts[c])
                elif kind is Kind.INT and v.__class__ is int:
                    ws_number(r, c, v, fmts[c])
                elif v.__class__ is str:
                    ws_string(r, c, v, fmts[c])
                else:  # a word of the report (an Enum), a number in a text column
                    ws_string(r, c, clean(as_text(v, kind, self.words)), fmts[c])

    # -- a summary sheet: lines, small tables and charts --------------------------------

    def summary_sheet(self, sheet: Sheet) -> None:
        ws = self.add_sheet(sheet.name, repeat_header=False)
        ncols = max([2, *(len(t.columns) for t in sheet.tables)])
        widths = [0] * ncols
        for label, _value in sheet.lines:  # values run on into the empty cells beside
            widths[0] = max(widths[0], display_width(label))
        for table in sheet.tables:
            for c, w in enumerate(fit_widths(table, self.words)):
                widths[c] = max(widths[c], min(w, MAX_WIDTH))
        for c, w in enumerate(widths):
            ws.set_column(c, c, w + PADDING)
        ws.set_row(0, 24)
        ws.write_string(
            0,
            0,
            f"{self.words.text('app')} · {self.doc.title}",
            self.fmt(None, bold=True, font_size=14),
        )
        r = 1
        for label, value in sheet.lines:
            ws.write_string(r, 0, clean(label), self.fmt(None, bold=True))
            if isinstance(value, int):
                ws.write_number(r, 1, value, self.fmt(None, align="left"))
            else:
                self.cell(ws, r, 1, value, Kind.TEXT)
            r += 1
        anchors: list[int] = []
        for chart in sheet.charts:  # charts on top get their rows before the tables
            if chart.top:
                anchors.append(r + 1)
                r += _rows_of(self.chart_size(sheet, chart)[1]) + 1
        spots: list[tuple[int, int]] = []  # (first data row, last data row) per table
        for table in sheet.tables:
            r += 1
            if table.title:
                ws.write_string(r, 0, clean(table.title), self.fmt(None, bold=True, font_size=12))
                r += 1
            for c, col in enumerate(table.columns):
                ws.write_string(r, c, col.header(self.words), self.header_fmt(col.kind))
            r += 1
            first = r
            kinds = [c.kind for c in table.columns]
            for row in table.rows or []:
                flag = bool(table.highlight(row)) if table.highlight else False
                for c, kind in enumerate(kinds):
                    self.cell(ws, r, c, row[c], kind, flag)
                r += 1
            spots.append((first, r - 1))
        top = iter(anchors)
        r += 1
        # Narrow tables: charts beside them. Wide ones: below, on a new page when a
        # chart would not fit under them, so no chart is ever cut by a page break.
        total = sum(w + PADDING for w in widths)
        beside = total <= BESIDE_MAX_WIDTH
        scale = min(1.0, PAGE_WIDTH / (total + (CHART_CHARS if beside else 0)))
        page_rows = PAGE_ROWS / scale
        side_row = 2 + len(sheet.lines)
        breaks = []
        for chart in sheet.charts:
            rows = _rows_of(self.chart_size(sheet, chart)[1])
            if chart.top:
                self.chart(ws, sheet, chart, spots, next(top))
            elif beside:
                self.chart(ws, sheet, chart, spots, side_row, len(widths) + 1)
                side_row += rows + 1
            else:
                if (r % page_rows) + rows > page_rows:
                    breaks.append(r)
                self.chart(ws, sheet, chart, spots, r)
                r += rows + 1
        if breaks:
            ws.set_h_pagebreaks(breaks)

    def chart_size(self, sheet: Sheet, spec: Chart) -> tuple[int, int]:
        points = sheet.tables[spec.table].count
        if spec.kind == "bar":
            return 640, max(240, min(900, 80 + 26 * points))
        return 760, 340

    def chart(self, ws: Any, sheet: Sheet, spec: Chart, spots, row: int, at_col: int = 0) -> None:
        first, last = spots[spec.table]
        if last < first:
            return
        table = sheet.tables[spec.table]
        name = ws.get_name()
        chart = self.wb.add_chart({"type": spec.kind})
        for col in spec.values:
            series: dict[str, Any] = {
                "name": table.columns[col].header(self.words),
                "categories": [name, first, spec.categories, last, spec.categories],
                "values": [name, first, col, last, col],
            }
            if spec.kind != "line":
                series["data_labels"] = {"value": True, "num_format": "0%" if spec.percent else "0"}
            else:
                series["marker"] = {"type": "circle", "size": 4}
            chart.add_series(series)
        chart.set_title({"name": spec.title, "name_font": {"size": 12}})
        chart.set_legend({"none": True} if len(spec.values) == 1 else {"position": "bottom"})
        axis = {"num_format": "0%", "min": 0, "max": 1} if spec.percent else {"min": 0}
        (chart.set_x_axis if spec.kind == "bar" else chart.set_y_axis)(axis)
        if table.columns[spec.categories].kind is Kind.DATE:
            chart.set_x_axis({"num_format": "mm-dd", "num_font": {"rotation": -45}})
        if spec.kind == "bar":
            chart.set_y_axis({"reverse": True})  # the first counter on top, as in the table
        width, height = self.chart_size(sheet, spec)
        chart.set_size({"width": width, "height": height})
        ws.insert_chart(row, at_col, chart, {"object_position": 1})


def _rows_of(pixels: int) -> int:
    return -(-pixels // 20)  # default rows are 20 px high


def write_xlsx(path: Path, doc: Document, progress: Progress | None = None, check=None) -> int:
    """Write every sheet; returns the number of rows of the main table."""
    book = _Book(path, doc)
    rows = 0
    try:
        for sheet in doc.sheets:
            if sheet.data:
                main = sheet.tables[0] is doc.main
                n = book.data_sheet(sheet, progress if main else None, check)
                rows = n if main else rows
            else:
                book.summary_sheet(sheet)
            if check is not None:
                check()
        book.wb.close()
    except BaseException:
        book.abort()
        raise
    return rows


def _one_time(value):
    """A list of times as the cell takes it: one time alone, none as None, else the list."""
    if isinstance(value, list) and len(value) <= 1:
        return value[0] if value else None
    return value
