"""Events to XLSX: seconds per 100,000 rows (a date range of the export database)."""

from __future__ import annotations

import statistics
import time

from benchmarks.common import Row, Run, Target, log
from benchmarks.data import export_db

TARGETS = [Target("export_xlsx_s_per_100k", None, "s", "events to XLSX per 100k rows")]


def measure(run: Run) -> list[Row]:
    from counter_assistant.reports.export import export_report

    sizes = run.sizes
    db, days = export_db(sizes["export_rows"], run.seed)
    frac = min(1.0, sizes["xlsx_rows"] / sizes["export_rows"])
    d0, x1 = days[0], days[max(0, round(len(days) * frac) - 1)]
    log(f"export: about {sizes['xlsx_rows']:,} events to XLSX ...")
    out = run.work / "events.xlsx"
    times, rows = [], 0
    for _ in range(sizes["xlsx_runs"]):
        t0 = time.perf_counter()
        rows = export_report([db], d0, x1, "events", "xlsx", out, force=True).rows
        times.append(time.perf_counter() - t0)
    out.unlink(missing_ok=True)
    x = statistics.median(times)
    per = x / max(rows, 1) * 100_000
    note = (
        f"{rows:,} rows (a date range of the same DB) in {x:.2f} s, median of {len(times)}, "
        "scaled to 100k"
    )
    return [Row(TARGETS[0], per, note=note)]
