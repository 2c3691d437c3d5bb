"""CSV for Excel on a Chinese Windows PC: UTF-8 with BOM, no formula can start a cell."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from counter_assistant.reports.query import FIELD_SEP, ROW_SEP, neutralise

ENCODING = "utf-8-sig"  # the BOM tells Excel this is UTF-8
EOL = "\r\n"  # csv.writer's default line terminator
_SPECIAL = (",", '"', "\r", "\n")


def write_csv(
    path: Path,
    header: list[str],
    batches: Iterable[list[tuple]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Header and rows through csv.writer; text cells are neutralised here.

    Returns the number of data rows; progress(rows_so_far) after each batch.
    """
    done = 0
    with open(path, "w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh, lineterminator=EOL)
        writer.writerow(header)
        for batch in batches:
            writer.writerows([tuple(neutralise(v) for v in row) for row in batch])
            done += len(batch)
            if progress is not None:
                progress(done)
    return done


def write_csv_lines(
    path: Path,
    header: list[str],
    batches: Iterable[list[tuple[int, str]]],
    refetch: Callable[[int], tuple],
    progress: Callable[[int], None] | None = None,
) -> int:
    """CSV from (rowid, row joined by FIELD_SEP) batches (query.iter_event_lines).

    A batch with no comma, quote, CR, LF or stray separator needs no quoting: the
    separators are swapped for ',' and CRLF in one pass. Otherwise the batch goes
    through csv.writer, rows with a stray separator refetched by rowid.
    """
    ncols = len(header)
    done = 0
    with open(path, "w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh, lineterminator=EOL)
        writer.writerow(header)
        for batch in batches:
            lines = [r[1] for r in batch]
            text = ROW_SEP.join(lines)
            if (
                text.count(FIELD_SEP) == (ncols - 1) * len(lines)
                and text.count(ROW_SEP) == len(lines) - 1
                and not any(c in text for c in _SPECIAL)
            ):
                fh.write(text.replace(FIELD_SEP, ",").replace(ROW_SEP, EOL))
                fh.write(EOL)
            else:
                writer.writerows(
                    line.split(FIELD_SEP)
                    if line.count(FIELD_SEP) == ncols - 1 and ROW_SEP not in line
                    else refetch(rowid)
                    for rowid, line in batch
                )
            done += len(batch)
            if progress is not None:
                progress(done)
    return done
