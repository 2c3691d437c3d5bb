"""Audit: does anything the app does need ICU's data (30 MiB of libicudata)?

    python packaging/linux/audit_icu_data.py [--bundle dist/counter-assistant]

Qt links ICU for collation, legacy text codecs, time zones and some case mappings; the
app renders, sorts and writes text with Python and with Qt's own Unicode tables. The
bundle carries a stub libicudata (build.spec): ICU then looks for each data item it needs
in $ICU_DATA as a file. Under strace, with ICU_DATA pointing at an empty folder, every
such lookup shows, so this runs the app's features (the command line; the counter window
under Xvfb with its hotkeys, checklist, picker and fields dialog; the supervisor window)
and fails if ICU asked for anything. Needs strace, Xvfb and xdotool (root installs them).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "scripts"))
LOOKUP = re.compile(r'"(?P<path>[^"]*icu-probe[^"]*)"')
CONFIG = '[counter]\nid = "ICU-01"\nwindow = "1"\n[app]\nhotkey_backend = "x11"\n'


class Audit:
    def __init__(self, bundle: Path, work: Path) -> None:
        self.exe = bundle / "counter-assistant"
        self.work = work
        self.probe = work / "icu-probe"
        self.probe.mkdir()
        self.config = work / "config.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.found: dict[str, set[str]] = {}
        self.runs = 0

    def env(self, display: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("COUNTER_ASSISTANT_CONFIG",)}
        env["ICU_DATA"] = str(self.probe)
        env["XDG_RUNTIME_DIR"] = str(self.work)
        if display:
            env["DISPLAY"] = display
            env.pop("QT_QPA_PLATFORM", None)
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        return env

    def traced(self, name: str, args: list[str], display: str | None = None) -> subprocess.Popen:
        trace = self.work / f"{name}.trace"
        cmd = ["strace", "-f", "-qq", "-e", "trace=open,openat,stat,newfstatat,access",
               "-o", str(trace), str(self.exe), *args]  # fmt: skip
        self.runs += 1
        return subprocess.Popen(cmd, env=self.env(display), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip

    def collect(self, name: str) -> None:
        text = (self.work / f"{name}.trace").read_text(errors="replace")
        items = {m["path"].split("icu-probe/", 1)[-1] for m in LOOKUP.finditer(text)}
        if items:
            self.found[name] = items

    def run(self, name: str, *args: str) -> None:
        proc = self.traced(name, list(args))
        proc.wait(timeout=120)
        self.collect(name)


def key(display: str, *keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], env={**os.environ, "DISPLAY": display},
                   check=True, timeout=10)  # fmt: skip
    time.sleep(0.4)


def type_text(display: str, text: str) -> None:
    subprocess.run(["xdotool", "type", "--delay", "40", text],
                   env={**os.environ, "DISPLAY": display}, check=True, timeout=20)  # fmt: skip
    time.sleep(0.4)


def window_up(display: str, title: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                             env={**os.environ, "DISPLAY": display}, capture_output=True,
                             text=True)  # fmt: skip
        if out.stdout.strip():
            return True
        time.sleep(0.2)
    return False


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()  # strace passes SIGTERM on: the app quits cleanly
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    from check_running_upgrade import start_xvfb

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "counter-assistant")
    args = ap.parse_args(argv)
    for tool in ("strace", "Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"audit needs {tool}")
    work = Path(tempfile.mkdtemp(prefix="ca-icu-"))
    audit = Audit(args.bundle.resolve(), work)
    xvfb, display = start_xvfb()
    try:
        import bench

        data = work / "data"
        data.mkdir()
        bench.prepare_data_dir(data, audit.config, 2000, 1)  # a prepared day, records
        common = ["--config", str(audit.config)]
        audit.run("version", "--version")
        audit.run("check-config", *common, "check-config", "--data-dir", str(data))
        audit.run("self-check", *common, "self-check", "--data-dir", str(data))
        audit.run("prompts", *common, "prompts", "--json")
        db = str(data / "counter.sqlite3")
        for fmt in ("csv", "xlsx"):
            for report in ("events", "daily", "checklists"):
                out = str(work / f"{report}.{fmt}")
                audit.run(f"export-{report}-{fmt}", *common, "export", "--from", "2025-01-01",
                          "--to", "2030-12-31", "--report", report, "--format", fmt,
                          "--out", out, "--db", db)  # fmt: skip
        audit.run("backup", *common, "backup", "--data-dir", str(data), "--out",
                  str(work / "backup.sqlite3"))  # fmt: skip

        # The counter window on an unprepared day: checklist by keyboard, then prompts.
        fresh = work / "fresh"
        proc = audit.traced("window", [*common, "--data-dir", str(fresh)], display)
        if not window_up(display, "岗前准备"):
            raise SystemExit("FAIL: the checklist did not open")
        for _ in range(4):
            key(display, "space", "Tab")
        type_text(display, "0312")
        key(display, "Return")
        for combo in ("ctrl+alt+2", "ctrl+alt+n", "ctrl+alt+3", "ctrl+alt+0"):
            key(display, combo)
        key(display, "ctrl+alt+p")  # the picker: filter by pinyin initials and words
        if not window_up(display, "选择话术"):
            raise SystemExit("FAIL: the picker did not open")
        type_text(display, "wh")
        key(display, "Down", "Return")
        key(display, "ctrl+alt+f")  # the fields dialog
        if not window_up(display, "本位客户信息"):
            raise SystemExit("FAIL: the fields dialog did not open")
        type_text(display, "Zhang")
        key(display, "Tab", "Tab", "Escape")
        key(display, "ctrl+alt+c", "ctrl+alt+h", "ctrl+alt+h")
        stop(proc)
        audit.collect("window")

        proc = audit.traced("supervisor", [*common, "supervisor"], display)
        if not window_up(display, "统计"):
            raise SystemExit("FAIL: the supervisor window did not open")
        key(display, "Tab", "Tab", "Up", "Tab", "Down")
        time.sleep(1)
        stop(proc)
        audit.collect("supervisor")
    finally:
        xvfb.terminate()
        xvfb.wait()
        if os.environ.get("CA_KEEP_WORK") != "1":
            shutil.rmtree(work, ignore_errors=True)
    if audit.found:
        for name, items in sorted(audit.found.items()):
            print(f"ICU data asked for by {name}: {', '.join(sorted(items))}")
        print("ICU data IS used: keep libicudata (CA_KEEP_ICU_DATA=1 in build.spec)")
        return 1
    print(f"ICU data: not asked for in {audit.runs} runs (command line, window, dialogs, "
          "supervisor)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
