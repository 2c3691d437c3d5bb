"""Hotkey to paint, the GUI-thread cost of recording, and prompt to record on disk.

hotkey_to_paint_p99_ms: Bridge.fire's stamp to the prompt label's paint, 10,000 records
logged first. record_gui_ms_p99: new_record + Recorder.record on the GUI thread.
record_durable_ms_p99: Recorder.record to the writer's commit returning (WAL, synchronous
FULL: the record is on disk). A crash inside that window can lose the records in it.
"""

from __future__ import annotations

import statistics

from benchmarks.app_worker import run_worker
from benchmarks.common import Row, Run, Target, log, percentile

TARGETS = [
    Target("hotkey_to_paint_p99_ms", 16.0, "ms", "hotkey callback -> new text painted, p99"),
    Target("record_gui_ms_p99", 0.2, "ms", "record one use, GUI thread, p99"),
    Target("record_durable_ms_p99", 20.0, "ms", "prompt shown -> record committed, p99"),
]


def measure(run: Run) -> list[Row]:
    sizes = run.sizes
    log(f"hotkey -> paint: {sizes['latency_runs']} x {sizes['latency_triggers']} triggers ...")
    runs = [
        run_worker(
            run,
            run.shared["template"],
            f"lat{i}",
            sizes["latency_triggers"],
            run.seed + i,
            (2.0, 8.0),
            timeout=600,
        )
        for i in range(sizes["latency_runs"])
    ]
    for r in runs:
        if not r["latency_ms"]:
            raise RuntimeError(f"no paint measured: {r}")
    paint = [percentile(r["latency_ms"], 99) for r in runs]
    record = [percentile(r["record_ms"], 99) for r in runs]
    durable = [percentile(r["durable_ms"], 99) for r in runs if r["durable_ms"]]
    every = lambda key: [v for r in runs for v in r[key]]  # noqa: E731
    lost = sum(r["rows_lost"] for r in runs)
    p = every("latency_ms")
    rec = every("record_ms")
    dur = every("durable_ms")
    return [
        Row(
            TARGETS[0],
            statistics.median(paint),
            note=f"median p99 of {len(runs)} runs x {sizes['latency_triggers']} triggers "
            f"({sizes['logged']:,} records logged first; backend {runs[0]['backend']} armed, "
            f"fired via Bridge.fire from a hook-style thread); p50 {statistics.median(p):.2f} ms, "
            f"max {max(p):.2f} ms, {sum(r['misses'] for r in runs)} without paint",
        ),
        Row(
            TARGETS[1],
            statistics.median(record),
            note=f"new_record + Recorder.record in those runs, median p99; p50 "
            f"{statistics.median(rec):.3f} ms, max {max(rec):.3f} ms; {len(rec)} records, "
            f"{lost} missing from the DB after normal exit",
        ),
        Row(
            TARGETS[2],
            statistics.median(durable) if durable else None,
            note=f"Recorder.record -> commit returned (fsynced WAL), median p99; p50 "
            f"{statistics.median(dur):.2f} ms, max {max(dur):.2f} ms; {len(dur)} records"
            if dur
            else "no commit measured",
        ),
    ]
