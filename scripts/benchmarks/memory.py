"""rss_ratio: resident memory of the app after N prompts, against a bare window.

The bare window starts first and stays idle; the app worker then runs its triggers; VmRSS
of both is read at the same moment.
"""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.app_worker import run_worker
from benchmarks.common import BARE, Row, Run, Target, log, percentile, vm_rss_kb, wait_line

TARGETS = [Target("rss_ratio", 1.5, "MB", "RSS after N triggers vs bare window")]


def measure(run: Run) -> list[Row]:
    n = run.sizes["rss_triggers"]
    log(f"memory: bare window idle vs app after {n:,} triggers ...")
    bare = subprocess.Popen(
        [sys.executable, str(BARE), "--hold"],
        env=run.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=run.work,
    )
    try:
        wait_line(bare, "ready", 60)
        t0 = time.monotonic()
        r = run_worker(run, run.shared["template"], "rss", n, run.seed + 99, (0.3, 1.2), 900)
        bare_kb, bare_s = vm_rss_kb(bare.pid), time.monotonic() - t0
    finally:
        bare.terminate()
        try:
            bare.wait(timeout=5)
        except subprocess.TimeoutExpired:
            bare.kill()
            bare.wait()
        bare.stdout.close()
    note = (
        f"VmRSS after {n:,} triggers in {r['wall_s']:.0f} s (app child via run_app, X11 "
        "armed, triggers via Bridge.fire from a thread, not X key events) vs a bare window "
        f"idle for {bare_s:.0f} s; app {r['rss_kb'] / 1024:.1f} MB, bare "
        f"{bare_kb / 1024:.1f} MB; p99 paint {percentile(r['latency_ms'], 99):.2f} ms, "
        f"{r['rows_lost']} records missing"
    )
    return [Row(TARGETS[0], r["rss_kb"] / bare_kb, bare_kb / 1024, r["rss_kb"] / 1024, note)]
