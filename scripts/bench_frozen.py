"""Frozen start and bundle size: the app's PyInstaller bundle against a bare frozen window.

    python scripts/bench_frozen.py            a table (builds the bare window once, ~30 s)
    python scripts/bench_frozen.py --json     one JSON object instead
    python scripts/bench_frozen.py --runs 3   fewer runs

How the numbers are made:

- frozen_start_ratio: process start to "ready" of the bundle's executable
  (`dist/counter-assistant/counter-assistant run --exit-when-ready`, day prepared,
  X11 hotkeys armed) over the same for scripts/bench_bare_window.py frozen with
  PyInstaller in one folder with its defaults (built here into build/bench-frozen/,
  rebuilt when that script or PyInstaller changes). Runs alternate; one warm-up each is
  dropped; the median of each side is taken. Target: under 1.6.
- bundle_mb: the app bundle's size on disk in MiB, counted as `du -sm` counts it
  (allocated blocks). Target: at most 100.

The app bundle is not built here: run scripts/build_bundle.py first (or pass --bundle).
Runs on $DISPLAY, or on a private Xvfb when DISPLAY is unset, with private temp, runtime
and config dirs, as scripts/bench.py does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # the X server, child environment and data helpers)

ROOT = bench.ROOT
BUNDLE = ROOT / "dist" / "counter-assistant"
BARE_BUILD = ROOT / "build" / "bench-frozen"
TARGETS = {"frozen_start_ratio": 1.6, "bundle_mb": 100.0}


def disk_mib(path: Path) -> float:
    """Allocated size of a tree in MiB, as `du -sm` counts it (hard links once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for item in [path, *path.rglob("*")]:
        st = item.lstat()
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += st.st_blocks * 512
    return total / 2**20


def bare_bundle() -> Path:
    """scripts/bench_bare_window.py frozen in one folder; built once per script version."""
    import PyInstaller

    key = hashlib.sha256(bench.BARE.read_bytes() + PyInstaller.__version__.encode()).hexdigest()
    exe = BARE_BUILD / "dist" / "bare" / "bare"
    stamp = BARE_BUILD / "key"
    if exe.is_file() and stamp.is_file() and stamp.read_text() == key:
        return exe
    shutil.rmtree(BARE_BUILD, ignore_errors=True)
    BARE_BUILD.mkdir(parents=True)
    bench.log("building the bare frozen window ...")
    cmd = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--windowed",
        "--name", "bare", "--exclude-module", "tkinter",
        "--distpath", str(BARE_BUILD / "dist"), "--workpath", str(BARE_BUILD / "work"),
        "--specpath", str(BARE_BUILD), str(bench.BARE),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stamp.write_text(key)
    return exe


def start_once(cmd: list[str], env: dict, cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=cwd)  # fmt: skip
    try:
        ready = bench.wait_line(proc, "ready", 60)
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if rc != 0:
        raise RuntimeError(f"{cmd[0]} exited {rc}")
    return ready - t0


def measure(bundle: Path, runs: int) -> dict:
    app_exe = bundle / "counter-assistant"
    if not app_exe.is_file():
        raise SystemExit(f"no bundle at {bundle}: run scripts/build_bundle.py first")
    bare_exe = bare_bundle()
    display = bench.Display()
    work = Path(tempfile.mkdtemp(prefix="ca-bench-frozen-"))
    try:
        env = bench.child_env(display.display, work)
        config = work / "config.toml"
        config.write_text(bench.CONFIG, encoding="utf-8")
        data = work / "data"
        data.mkdir()
        bench.prepare_data_dir(data, config, 1000, 1)
        app_cmd = [str(app_exe), "--config", str(config), "--data-dir", str(data), "run",
                   "--exit-when-ready"]  # fmt: skip
        bare_cmd = [str(bare_exe)]
        start_once(bare_cmd, env, work), start_once(app_cmd, env, work)  # warm-up
        app_t, bare_t = [], []
        for _ in range(runs):
            bare_t.append(start_once(bare_cmd, env, work))
            app_t.append(start_once(app_cmd, env, work))
    finally:
        display.stop()
        shutil.rmtree(work, ignore_errors=True)
    a, b = statistics.median(app_t), statistics.median(bare_t)
    return {
        "frozen_start_ratio": round(a / b, 3),
        "frozen_start_s": round(a, 4),
        "bare_frozen_start_s": round(b, 4),
        "runs": runs,
        "app_runs_s": [round(t, 4) for t in app_t],
        "bare_runs_s": [round(t, 4) for t in bare_t],
        "bundle_mb": round(disk_mib(bundle), 1),
        "bare_bundle_mb": round(disk_mib(bare_exe.parent), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--runs", type=int, default=7, help="measured starts of each (default 7)")
    ap.add_argument("--bundle", type=Path, default=BUNDLE, help="the app's one-folder bundle")
    args = ap.parse_args(argv)
    res = measure(args.bundle.resolve(), args.runs)
    res["pass"] = {k: res[k] < t if k.endswith("ratio") else res[k] <= t
                   for k, t in TARGETS.items()}  # fmt: skip
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"{'metric':<20} {'value':>8} {'target':>8}  pass")
        for key, target in TARGETS.items():
            ok = "PASS" if res["pass"][key] else "FAIL"
            print(f"{key:<20} {res[key]:>8} {target:>8}  {ok}")
        print(f"frozen start: app {res['frozen_start_s'] * 1000:.0f} ms, bare frozen window "
              f"{res['bare_frozen_start_s'] * 1000:.0f} ms (median of {res['runs']} each); "
              f"bare bundle {res['bare_bundle_mb']} MiB")  # fmt: skip
    return 0 if all(res["pass"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
