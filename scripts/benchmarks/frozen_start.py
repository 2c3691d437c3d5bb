"""frozen_start_ratio: the bundle's start against a bare PySide6 window frozen the same way.

Process start to "ready" of `dist/counter-assistant/counter-assistant run
--exit-when-ready` (the window painted, X11 hotkeys armed; the rest of the counter is
built right after, and the time to its "built" line is in the note) over the same for
scripts/bench_bare_window.py frozen by PyInstaller in one folder with its defaults (built
into build/bench-frozen/, rebuilt when that script or PyInstaller changes, ~30 s). Runs
alternate; one warm-up each is dropped; medians. Not measured without a built bundle
(scripts/build_bundle.py), nor with --quick unless asked for with --only.
"""

from __future__ import annotations

import hashlib
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.bundle import BUNDLE, disk_mib
from benchmarks.common import BARE, ROOT, Row, Run, Target, log, time_until_ready, times_until

TARGETS = [Target("frozen_start_ratio", 1.6, "s", "frozen start -> window shown, hotkeys armed")]
BARE_BUILD = ROOT / "build" / "bench-frozen"


def bare_bundle() -> Path:
    """scripts/bench_bare_window.py frozen in one folder; built once per script version."""
    import PyInstaller

    key = hashlib.sha256(BARE.read_bytes() + PyInstaller.__version__.encode()).hexdigest()
    exe = BARE_BUILD / "dist" / "bare" / "bare"
    stamp = BARE_BUILD / "key"
    if exe.is_file() and stamp.is_file() and stamp.read_text() == key:
        return exe
    shutil.rmtree(BARE_BUILD, ignore_errors=True)
    BARE_BUILD.mkdir(parents=True)
    log("frozen start: building the bare frozen window ...")
    cmd = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--windowed",
        "--name", "bare", "--exclude-module", "tkinter",
        "--distpath", str(BARE_BUILD / "dist"), "--workpath", str(BARE_BUILD / "work"),
        "--specpath", str(BARE_BUILD), str(BARE),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stamp.write_text(key)
    return exe


def measure(run: Run, bundle: Path = BUNDLE) -> list[Row]:
    app_exe = bundle / "counter-assistant"
    if not app_exe.is_file():
        return [Row(TARGETS[0], None, note=f"not built (no {app_exe})")]
    if run.sizes.get("frozen", True) is False:
        return [Row(TARGETS[0], None, note="not measured with --quick (--only frozen_start_ratio)")]
    bare_cmd = [str(bare_bundle())]
    data = run.work / "data-frozen"
    shutil.copytree(run.shared["template"], data)
    app_cmd = [str(app_exe), "--config", str(run.work / "config.toml"), "--data-dir", str(data),
               "run", "--exit-when-ready"]  # fmt: skip
    log("frozen start: app bundle vs bare frozen window ...")
    for cmd in (bare_cmd, app_cmd):  # warm-up: file cache, font cache
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
        f"median of {len(app_t)} runs each (+1 warm-up); app {a * 1000:.0f} ms (the rest "
        f"built {whole * 1000:.0f} ms), bare frozen window {b * 1000:.0f} ms; bare bundle "
        f"{disk_mib(Path(bare_cmd[0]).parent):.1f} MiB"
    )
    return [Row(TARGETS[0], a / b, b, a, note)]
