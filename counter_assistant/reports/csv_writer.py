"""CSV for Excel on a Chinese Windows PC: UTF-8 with BOM, no formula can start a cell.

A CSV carries a report's main table only. Every text goes through cells.csv_text
(control characters removed, a formula start neutralised), on both paths.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable

from counter_assistant.reports.cells import csv_text
from counter_assistant.reports.events import FIELD_SEP, ROW_SEP
from counter_assistant.reports.table import Kind, Table, as_text
from counter_assistant.reports.words import Words

ENCODING = "utf-8-sig"  # the BOM tells Excel this is UTF-8
EOL = "\r\n"  # csv.writer's default line terminator
_SPECIAL = (",", '"', "\r", "\n")
# Control characters other than the two separators of the line path.
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1d\ufffe\uffff]")

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


def write_csv_lines(
    fh,
    header: list[str],
    batches: Iterable[list[tuple[int, str]]],
    refetch: Callable[[int], tuple],
    progress: Progress | None = None,
) -> int:
    """CSV from (rowid, row joined by FIELD_SEP) batches (events.events_line_sql).

    A batch with no comma, quote, CR, LF, control character or stray separator needs
    no quoting: the separators are swapped for ',' and CRLF in one pass. Otherwise the
    batch goes through csv.writer and the text rule, rows with a stray separator
    refetched by rowid.
    """
    ncols = len(header)
    writer = csv.writer(fh, lineterminator=EOL)
    writer.writerow([csv_text(h) for h in header])
    done = 0
    for batch in batches:
        lines = [r[1] for r in batch]
        text = ROW_SEP.join(lines)
        if (
            text.count(FIELD_SEP) == (ncols - 1) * len(lines)
            and text.count(ROW_SEP) == len(lines) - 1
            and not any(c in text for c in _SPECIAL)
            and not _CONTROL_IN_LINES.search(text)
        ):
            fh.write(text.replace(FIELD_SEP, ",").replace(ROW_SEP, EOL))
            fh.write(EOL)
        else:
            writer.writerows(
                [
                    "" if v is None else csv_text(str(v))
                    for v in (
                        line.split(FIELD_SEP)
                        if line.count(FIELD_SEP) == ncols - 1 and ROW_SEP not in line
                        else refetch(rowid)
                    )
                ]
                for rowid, line, *_order in batch
            )
        done += len(batch)
        if progress is not None:
            progress(done)
    return done
