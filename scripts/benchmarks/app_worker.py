"""The real app in a child process, driven like a clerk's hotkeys, measured from inside.

A thread plays the hotkey backend's hook thread: it calls Bridge.fire(action) (what a
backend's on_fire is) and waits for the prompt's paint before the next trigger. The app
is built by run_app() (the real composition, X11 hotkeys armed) on a copy of a data dir.
Measured per trigger: hotkey callback -> paint; GUI-thread cost of making and queueing
the record; prompt shown -> its record committed on disk (the writer's fsynced commit).
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

from benchmarks.common import ROOT, vm_rss_kb


def singleton_leaks() -> dict[str, int]:
    """References lost per call by a broken PySide6 build (6.12.0): on Python < 3.12 the
    process aborts ("none_dealloc") after a few hundred to a few thousand calls."""
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        sig = Signal()

    probe = Probe()
    t0, n0 = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(10):
        probe.sig.emit()
    t1 = sys.getrefcount(True)
    for _ in range(10):
        probe.setObjectName("probe")
    n1 = sys.getrefcount(None)
    return {"emit_true": max(0, (t0 - t1) // 10), "void_none": max(0, (n0 - n1) // 10)}


def plan_triggers(ctx, count: int) -> list[str]:
    """Every situation in turn; every 4th trigger a next_variant where there is another one."""
    situations = [s.key for s in ctx.catalog if s.variants]
    n_variants = {s.key: len(s.variants) for s in ctx.catalog}
    plan, last, j = [], None, 0
    for i in range(count):
        if i % 4 == 3 and last and n_variants[last] > 1:
            plan.append("next_variant")
        else:
            last = situations[j % len(situations)]
            j += 1
            plan.append(last)
    return plan


class Probe:
    """Instruments a built Counter: paint latency, record cost, durable latency."""

    def __init__(self, counter) -> None:
        self.counter = counter
        self.latency: list[float] = []
        self.record_ms: list[float] = []
        self.durable_ms: list[float] = []
        self.misses = 0
        self.expect = False
        self.last_fire = 0.0
        self.painted = threading.Event()
        self._submitted: deque[float] = deque()
        ui, recorder = counter.ui, counter.recorder
        real_record = recorder.record

        def timed_record(rec) -> None:
            # No lock here: one the writer thread also takes would be timed as the app's
            # cost (deque appends and pops are atomic; commits come in submission order).
            self._submitted.append(time.perf_counter())
            real_record(rec)
            self.record_ms.append((time.perf_counter() - self.t_made) * 1000)

        ui.controller._record = timed_record
        recorder.on_committed = self._committed
        ui.window.prompt_label.painted.connect(self._painted)
        self.started = False

    def before_new_record(self) -> None:
        self.t_made = time.perf_counter()

    def _committed(self, n: int) -> None:  # the writer thread, after the commit returned
        now = time.perf_counter()
        for _ in range(min(n, len(self._submitted))):
            self.durable_ms.append((now - self._submitted.popleft()) * 1000)

    def _painted(self, when: float) -> None:
        fired = self.counter.ui.hotkeys.last_fired_at
        if self.expect and fired > self.last_fire and when >= fired:
            self.last_fire = fired
            self.latency.append((when - fired) * 1000)
            self.expect = False
            self.painted.set()


def worker_main(params_file: str) -> int:
    from PySide6.QtCore import QObject, QTimer, Signal

    import counter_assistant.app as app_mod
    import counter_assistant.ui.controller as controller_mod
    from counter_assistant.context import load_context

    p = json.loads(Path(params_file).read_text(encoding="utf-8"))
    leaks = singleton_leaks()
    if any(leaks.values()) and sys.version_info < (3, 12):
        raise SystemExit(f"this PySide6 build loses references per call ({leaks}); reinstall")
    rng = random.Random(p["seed"])
    st: dict = {}
    real_build, real_new_record = app_mod.build_counter, controller_mod.new_record

    def build(*args, **kwargs):
        counter = real_build(*args, **kwargs)
        st["probe"] = Probe(counter)
        counter.ui.after_paint.add(lambda: first_paint(0.0))  # painted before it was built
        return counter

    def timed_new_record(*args, **kwargs):
        st["probe"].before_new_record()
        return real_new_record(*args, **kwargs)

    app_mod.build_counter = build
    controller_mod.new_record = timed_new_record

    class Relay(QObject):
        done = Signal()

    relay = Relay()
    ctx = load_context(p["config"], p["data_dir"])
    plan = plan_triggers(ctx, p["triggers"])
    lo, hi = p["gap_ms"]

    def drive() -> None:
        probe = st["probe"]
        try:
            for action in plan:
                probe.painted.clear()
                probe.expect = True
                probe.counter.bridge.fire(action)  # exactly what a backend's hook thread calls
                if not probe.painted.wait(2.0):
                    probe.misses += 1
                    probe.expect = False
                time.sleep(rng.uniform(lo, hi) / 1000)
            probe.counter.recorder.flush(5.0)
            st["rss_kb"] = vm_rss_kb()
            st["wall_s"] = time.monotonic() - st["t_start"]
        except BaseException as exc:  # report, and still quit the app
            st["error"] = repr(exc)
        finally:
            relay.done.emit()  # queued to the GUI thread

    def first_paint(_when: float) -> None:
        probe = st["probe"]
        if probe.started:
            return
        probe.started = True
        from PySide6.QtWidgets import QApplication

        relay.done.connect(QApplication.instance().quit)
        # let start-up paints settle, then drive from a hook-style thread
        QTimer.singleShot(500, lambda: threading.Thread(target=drive, daemon=True).start())

    st["t_start"] = time.monotonic()
    rc = app_mod.run_app(ctx)
    probe = st.get("probe")
    with contextlib.closing(sqlite3.connect(Path(p["data_dir"]) / "counter.sqlite3")) as con:
        rows = con.execute("SELECT count(*) FROM usage_event").fetchone()[0]
    backend = probe.counter.ui.hotkeys.backend if probe else None
    result = {
        "rc": rc,
        "backend": backend.name if backend else "none",
        "latency_ms": probe.latency if probe else [],
        "record_ms": probe.record_ms if probe else [],
        "durable_ms": probe.durable_ms if probe else [],
        "misses": probe.misses if probe else 0,
        "rss_kb": st.get("rss_kb"),
        "wall_s": st.get("wall_s"),
        "rows_expected": p["logged"] + (len(probe.record_ms) if probe else 0),
        "rows_in_db": rows,
        "error": st.get("error"),
        "leaks": leaks,
    }
    Path(p["out"]).write_text(json.dumps(result), encoding="utf-8")
    return 0 if rc == 0 and not st.get("error") else 1


def run_worker(
    run,
    template: Path,
    tag: str,
    triggers: int,
    seed: int,
    gap_ms: tuple[float, float],
    timeout: float,
) -> dict:
    """Run the app worker on a copy of template; its measurements as a dict."""
    work = run.work
    data = work / f"data-{tag}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data)
    out = work / f"result-{tag}.json"
    params = {
        "config": str(work / "config.toml"),
        "data_dir": str(data),
        "triggers": triggers,
        "logged": run.sizes["logged"],
        "seed": seed,
        "gap_ms": list(gap_ms),
        "out": str(out),
    }
    pfile = work / f"params-{tag}.json"
    pfile.write_text(json.dumps(params), encoding="utf-8")
    errlog = work / f"worker-{tag}.stderr"
    with errlog.open("wb") as err:
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "bench.py"), "--worker-app", str(pfile)],
            env=run.env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0 or not out.exists():
        tail = errlog.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"app worker {tag} failed ({done.returncode}):\n{tail}")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["rows_lost"] = result["rows_expected"] - result["rows_in_db"]
    return result
