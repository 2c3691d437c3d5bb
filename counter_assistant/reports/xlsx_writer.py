"""Streamed XLSX: a summary sheet with a native bar chart, then detail sheets.

openpyxl write-only mode keeps memory bounded; text that looks like a formula is
written as a string cell (data_type 's'), never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference

MAX_SHEET_ROWS = 1_048_576  # Excel's limit per sheet, header row included
_RISKY = re.compile(r"^=|[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_cell(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("", value))
    cell.data_type = "s"
    return cell


def safe_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    row = list(values)
    for i, v in enumerate(row):
        if v.__class__ is str and _RISKY.search(v):
            row[i] = text_cell(ws, v)
    return row


def write_xlsx(
    path: Path,
    *,
    summary_lines: list[tuple[str, Any]],
    extra_lines: list[tuple[str, Any]] = (),
    situation_rows: list[tuple[str, str, int]],
    counter_rows: list[tuple[str, int, str]],
    labels: dict[str, str],
    detail_title: str,
    header: list[str],
    batches: Iterable[list[tuple]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Returns the number of detail rows written.

    labels: summary, situation, key, count, counter, status, chart.
    """
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(labels["summary"])
    summary.append([labels["title"]])
    lines = [*summary_lines, *extra_lines]
    for name, value in lines:
        summary.append(safe_row(summary, [name, value]))
    summary.append([])
    first = len(lines) + 3  # header row of the situation table
    summary.append([labels["situation"], labels["key"], labels["count"]])
    for row in situation_rows:
        summary.append(safe_row(summary, row))
    last = first + len(situation_rows)
    if situation_rows:
        chart = BarChart()
        chart.type = "col"
        chart.title = labels["chart"]
        chart.y_axis.title = labels["count"]
        chart.legend = None
        chart.add_data(
            Reference(summary, min_col=3, min_row=first, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(summary, min_col=1, min_row=first + 1, max_row=last))
        chart.width, chart.height = 18, 9
        summary.add_chart(chart, "E2")
    summary.append([])
    summary.append([labels["counter"], labels["count"], labels["status"]])
    for row in counter_rows:
        summary.append(safe_row(summary, row))

    per_sheet = MAX_SHEET_ROWS - 1
    sheet, used, n_sheets, done = None, per_sheet, 0, 0
    for batch in batches:
        start = 0
        while start < len(batch):
            if used >= per_sheet:
                n_sheets += 1
                name = detail_title if n_sheets == 1 else f"{detail_title} ({n_sheets})"
                sheet = wb.create_sheet(name)
                sheet.append(header)
                used = 0
            chunk = batch[start : start + per_sheet - used]
            for row in chunk:
                sheet.append(safe_row(sheet, row))
            used += len(chunk)
            start += len(chunk)
        done += len(batch)
        if progress is not None:
            progress(done)
    if sheet is None:
        wb.create_sheet(detail_title).append(header)
    wb.save(path)
    return done
