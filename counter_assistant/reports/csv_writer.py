"""CSV for Excel on a Chinese Windows PC: UTF-8 with BOM, no formula can start a cell.

A CSV carries a report's main table only. Every text goes through cells.csv_text
(control characters removed, a formula start neutralised), on both paths.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import BinaryIO

from counter_assistant.reports.cells import FORMULA_START, csv_text
from counter_assistant.reports.events import FIELD_SEP, ROW_SEP
from counter_assistant.reports.table import Kind, Table, as_text
from counter_assistant.reports.words import Words

ENCODING = "utf-8-sig"  # the BOM tells Excel this is UTF-8
EOL = "\r\n"  # csv.writer's default line terminator
# The line path works on UTF-8 bytes: separators, what needs quoting, control
# characters other than the separators (U+FFFE and U+FFFF as their UTF-8; a tab goes
# the careful way too), and a field starting like a formula (at the start or after a
# separator).
_FIELD, _ROW = FIELD_SEP.encode(), ROW_SEP.encode()
_SPECIAL_B = (b",", b'"', b"\r", b"\n", "\ufffe".encode(), "\uffff".encode())
_CONTROL_B = bytes([*range(0x00, 0x0B), 0x0B, 0x0C, *range(0x0E, 0x1E)])  # with tab, LF
_FORMULA_B = tuple(c.encode() for c in FORMULA_START)

Progress = Callable[[int], None]


def _text(value, kind: Kind, words: Words) -> str:
    if isinstance(value, str) and kind in (Kind.TEXT, Kind.CODE, Kind.WORD):
        return csv_text(value)
    return csv_text(as_text(value, kind, words))


def write_csv(fh, table: Table, words: Words, progress: Progress | None = None, check=None) -> int:
    """The header and every row of a typed table. Returns the number of rows."""
    writer = csv.writer(fh, lineterminator=EOL)
    writer.writerow([csv_text(c.header(words)) for c in table.columns])
    kinds = [c.kind for c in table.columns]
    done = 0
    for batch in table.iter_batches():
        writer.writerows(
            [_text(v, k, words) for v, k in zip(row, kinds, strict=True)] for row in batch
        )
        done += len(batch)
        if check is not None:
            check()
        if progress is not None:
            progress(done)
    return done


def _plain(data: bytes, lines: int, ncols: int) -> bool:
    """Whether a batch of joined lines (UTF-8) can be written by swapping separators:
    each line has its fields, no separator is stray, and nothing needs quoting, the
    text rule or a formula guard. Only bytes searches: fast on megabytes."""
    if data.count(_FIELD) != (ncols - 1) * lines or data.count(_ROW) != lines - 1:
        return False
    if any(s in data for s in _SPECIAL_B):  # (a line starts with its date: never a formula)
        return False
    if len(data.translate(None, _CONTROL_B)) != len(data):  # a tab included
        return False
    # '-' is in every date: look after the separators; the rarer ones only when present.
    after = [sep + c for c in _FORMULA_B if c == b"-" or c in data for sep in (_FIELD, _ROW)]
    return not any(s in data for s in after)


def write_csv_lines(
    fh: BinaryIO,
    header: list[str],
    batches: Iterable[list[tuple]],
    refetch: Callable[[int], tuple],
    progress: Progress | None = None,
) -> int:
    """CSV from (rowid, row joined by FIELD_SEP, …) batches (events.events_line_sql), into a
    binary file (the BOM and UTF-8 written here).

    A plain batch (see _plain) is written by swapping the separators for ',' and CRLF
    in one pass. Otherwise it goes through csv.writer and the text rule
    (cells.csv_text), rows with a stray separator or a NULL refetched by rowid.
    """
    ncols = len(header)
    head = io.StringIO()
    csv.writer(head, lineterminator=EOL).writerow([csv_text(h) for h in header])
    fh.write(head.getvalue().encode(ENCODING))
    done = 0
    for batch in batches:
        lines = [r[1] for r in batch]
        data = ROW_SEP.join(lines).encode() if None not in lines else b""
        if data and _plain(data, len(lines), ncols):
            fh.write(data.replace(_FIELD, b",").replace(_ROW, b"\r\n"))
            fh.write(b"\r\n")
        else:
            out = io.StringIO()
            csv.writer(out, lineterminator=EOL).writerows(
                [
                    "" if v is None else csv_text(str(v))
                    for v in (
                        line.split(FIELD_SEP)
                        if line is not None
                        and line.count(FIELD_SEP) == ncols - 1
                        and ROW_SEP not in line
                        else refetch(rowid)
                    )
                ]
                for rowid, line, *_counter in batch
            )
            fh.write(out.getvalue().encode())
        done += len(batch)
        if progress is not None:
            progress(done)
    return done
