"""start_ratio: process start to window shown with hotkeys armed, against a bare window.

Both print "ready" after their first paint (`run --exit-when-ready` for the app: the window
with X11 hotkeys armed; it prints "built" once the rest of the counter is built and has
read the prepared day, which the note reports); runs alternate, one warm-up each dropped.
"""

from __future__ import annotations

import shutil
import statistics
import sys

from benchmarks.common import BARE, Row, Run, Target, log, time_until_ready, times_until

TARGETS = [Target("start_ratio", 2.0, "s", "start -> window shown, hotkeys armed")]


def measure(run: Run) -> list[Row]:
    template = run.shared["template"]
    data = run.work / "data-start"
    shutil.copytree(template, data)
    app_cmd = [
        sys.executable,
        "-m",
        "counter_assistant",
        "--config",
        str(run.work / "config.toml"),
        "--data-dir",
        str(data),
        "run",
        "--exit-when-ready",
    ]
    bare_cmd = [sys.executable, str(BARE)]
    log("start: app vs bare window ...")
    for cmd in (bare_cmd, app_cmd):  # warm-up: file cache, font cache, bytecode
        time_until_ready(cmd, run.env, run.work)
    app_t, bare_t, built_t = [], [], []
    for _ in range(run.sizes["start_runs"]):
        bare_t.append(time_until_ready(bare_cmd, run.env, run.work))
        ready, built = times_until(app_cmd, run.env, run.work, ("ready", "built"))
        app_t.append(ready)
        built_t.append(built)
    a, b = statistics.median(app_t), statistics.median(bare_t)
    whole = statistics.median(built_t)
    note = (
        f"median of {len(app_t)} runs each (+1 warm-up), X11 hotkeys armed, day prepared; "
        f"app {a * 1000:.0f} ms (the rest built {whole * 1000:.0f} ms), bare window "
        f"{b * 1000:.0f} ms"
    )
    return [Row(TARGETS[0], a / b, b, a, note)]
