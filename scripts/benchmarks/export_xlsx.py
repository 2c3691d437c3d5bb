"""export_xlsx_ratio: the events report to XLSX against XlsxWriter alone.

The baseline, in the same run: XlsxWriter in constant-memory mode writing the same
query's rows, a plain loop of write_row with no formats. The app's export adds what a
supervisor needs: the grouped pass for widths and the summary, date and time cells,
the summary sheet with its chart, frozen and filtered header, print setup.
"""

from __future__ import annotations

import statistics
import time

from benchmarks.common import Row, Run, Target, log
from benchmarks.data import export_db

TARGETS = [Target("export_xlsx_ratio", 1.5, "s", "events to XLSX vs XlsxWriter alone")]


def baseline(db, d0: str, d1: str, out) -> int:
    """The same rows through XlsxWriter (constant memory), nothing else."""
    import xlsxwriter

    from counter_assistant.reports.events import COLUMNS, events_sql
    from counter_assistant.reports.sources import open_source
    from counter_assistant.reports.words import Words

    source = open_source(db)
    words = Words("zh")
    try:
        wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, [c.header(words) for c in COLUMNS])
        n = 0
        cur = source.con.execute(events_sql(source, words), (d0, d1))
        while batch := cur.fetchmany(20_000):
            for row in batch:
                n += 1
                ws.write_row(n, 0, row)
        wb.close()
    finally:
        source.close()
    return n


def measure(run: Run) -> list[Row]:
    from counter_assistant.reports.export import export_report

    sizes = run.sizes
    db, days = export_db(sizes["export_rows"], run.seed)
    frac = min(1.0, sizes["xlsx_rows"] / sizes["export_rows"])
    d0, x1 = days[0], days[max(0, round(len(days) * frac) - 1)]
    log(f"export: about {sizes['xlsx_rows']:,} events to XLSX, and XlsxWriter alone ...")
    out, plain = run.work / "events.xlsx", run.work / "plain.xlsx"
    app_t, base_t, rows, base_rows = [], [], 0, 0
    for _ in range(sizes["xlsx_runs"]):
        t0 = time.perf_counter()
        base_rows = baseline(db, d0.isoformat(), x1.isoformat(), plain)
        base_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = export_report([db], d0, x1, "events", "xlsx", out, force=True).rows
        app_t.append(time.perf_counter() - t0)
    for f in (out, plain):
        f.unlink(missing_ok=True)
    a, b = statistics.median(app_t), statistics.median(base_t)
    note = (
        f"{rows:,} rows ({base_rows:,} by XlsxWriter alone), median of {len(app_t)}: "
        f"app {a:.2f} s ({a / max(rows, 1) * 100_000:.1f} s per 100k), XlsxWriter {b:.2f} s"
    )
    return [Row(TARGETS[0], a / b, b, a, note)]
