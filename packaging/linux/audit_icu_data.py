"""Audit: does anything the app does need ICU's data (30 MiB of libicudata)?

    python packaging/linux/audit_icu_data.py [--bundle dist/counter-assistant]

Qt links ICU for collation, legacy text codecs, time zones and some case mappings; the
app renders, sorts and writes text with Python and with Qt's own Unicode tables. The
bundle carries a stub libicudata (build.spec): ICU then looks for each data item it needs
in $ICU_DATA as a file. Under strace, with ICU_DATA pointing at an empty folder, every
such lookup shows, so this runs the app's features and fails if ICU asked for anything:
- the command line: check-config, self-check, prompts, every export, backup, and the
  one-time notice saved as PDF and printed through a real CUPS queue (a private cupsd
  with cups-pdf, tests/cupsserver.py: Qt's CUPS plugin, the system's libcups, a PPD);
- the counter window under Xvfb: checklist, hotkeys, picker, fields dialog, the notice
  printed from the key and its preview, sending its records to the center's server;
- the supervisor window on local files, and its live page (今日实况) on a throwaway
  PostgreSQL cluster with a few counters (tests/pgcluster.py, scripts/live_page_demo.py).
Needs strace, Xvfb, xdotool, CUPS with cups-pdf, poppler-utils and PostgreSQL (as root;
scripts/test and scripts/ci_bundle.sh install them).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))
LOOKUP = re.compile(r'"(?P<path>[^"]*icu-probe[^"]*)"')
CENTER = "PJ"  # the live page's center (scripts/live_page_demo.py)
CONFIG = f"""[center]
id = "{CENTER}"
address = "兴隆台区市府大路 1 号"
phone = "0427-2825678"
[counter]
id = "ICU-01"
window = "1"
department = "归集科"
[app]
hotkey_backend = "x11"
[hotkeys]
notice_dialog = "ctrl+alt+j"
"""
NOTICE = ["--business", "loan", "--missing", "户口簿", "婚姻证明", "--staff", "0312"]


class Audit:
    def __init__(self, bundle: Path, work: Path) -> None:
        self.exe = bundle / "counter-assistant"
        self.work = work
        self.probe = work / "icu-probe"
        self.probe.mkdir()
        self.runtime = work / "runtime"  # the user's own: mode 0700, as the lock asks
        self.runtime.mkdir(mode=0o700)
        self.config = work / "config.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.found: dict[str, set[str]] = {}
        self.runs = 0
        self.extra: dict[str, str] = {}  # CUPS_SERVER, the server's password

    def env(self, display: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("COUNTER_ASSISTANT_CONFIG",)}
        env.update(self.extra)
        env["ICU_DATA"] = str(self.probe)
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
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
        if proc.wait(timeout=120) != 0:
            raise SystemExit(f"FAIL: {name} exited {proc.returncode}")
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
    """SIGTERM to the app itself (strace, signalled, would only stop tracing it): it quits
    cleanly, and strace exits with it. Killed after 20 s, the app too."""
    app = traced_app(proc.pid)
    if app is None:
        proc.terminate()
    else:
        os.kill(app, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        if app is not None:
            os.kill(app, signal.SIGKILL)
        proc.kill()
        proc.wait()
        raise SystemExit("FAIL: the app did not quit on SIGTERM within 20 s") from None


def traced_app(strace_pid: int) -> int | None:
    """The process strace started: its first child (from /proc)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{strace_pid}\n" in text:
            return int(status.parent.name)
    return None


def wait_until(predicate, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise SystemExit(f"FAIL: timed out waiting for {what}")


def command_line(audit: Audit, common: list[str], data: Path, cups) -> None:
    work = audit.work
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
    pdf = work / "notice.pdf"
    audit.run("notice-pdf", *common, "notice", "--data-dir", str(data), *NOTICE, "--pdf",
              str(pdf))  # fmt: skip
    if not pdf.is_file() or pdf.stat().st_size < 1000:
        raise SystemExit("FAIL: the notice was not saved as PDF")
    audit.run("notice-print", *common, "notice", "--data-dir", str(data), *NOTICE, "--print",
              "--printer", cups.queue, "--paper", "A5")  # fmt: skip
    wait_until(lambda: list(cups.out.glob("*.pdf")), "cups-pdf to print the notice", 90)


def counter_window(audit: Audit, common: list[str], display: str, cups) -> None:
    """An unprepared day: the checklist by keyboard, prompts, the picker, the customer's
    details, the notice printed from its key and previewed, records sent to the server."""
    fresh = audit.work / "fresh"
    proc = audit.traced("window", [*common, "--data-dir", str(fresh)], display)
    if not window_up(display, "岗前准备"):
        raise SystemExit("FAIL: the checklist did not open")
    key(display, "ctrl+alt+p")  # the checklist waits without the keyboard until asked
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
    key(display, "ctrl+alt+f")  # the fields dialog: the business by initials, two missing
    if not window_up(display, "本位客户信息"):
        raise SystemExit("FAIL: the fields dialog did not open")
    type_text(display, "gf")
    key(display, "Down", "Return")
    key(display, "alt+m", "Tab", "space", "Tab", "space", "Return")
    printed = len(list(cups.out.glob("*.pdf")))
    key(display, "ctrl+alt+g")  # the notice, printed on the configured queue
    wait_until(lambda: len(list(cups.out.glob("*.pdf"))) > printed, "the notice printed", 90)
    key(display, "ctrl+alt+j")  # its preview, with the citizen's name
    if not window_up(display, "一次性告知单"):
        raise SystemExit("FAIL: the notice preview did not open")
    type_text(display, "Wang")
    time.sleep(1)
    key(display, "Escape")
    key(display, "ctrl+alt+c", "ctrl+alt+h", "ctrl+alt+h")
    time.sleep(6)  # a sync round ([sync] poll_seconds = 5)
    stop(proc)
    audit.collect("window")


def supervisor(audit: Audit, common: list[str], display: str) -> None:
    proc = audit.traced("supervisor", [*common, "supervisor"], display)
    if not window_up(display, "统计"):
        raise SystemExit("FAIL: the supervisor window did not open")
    key(display, "Tab", "Tab", "Up", "Tab", "Down")
    time.sleep(1)
    stop(proc)
    audit.collect("supervisor")


def live_page(audit: Audit, display: str, cluster, password: str) -> None:
    config = audit.work / "supervisor.toml"
    config.write_text(f'[center]\nid = "{CENTER}"\nname = "盘锦市住房公积金管理中心"\n',
                      encoding="utf-8")  # fmt: skip
    url = cluster.url("sup_demo", "").replace(":@", "@")
    audit.extra["COUNTER_ASSISTANT_SYNC_PASSWORD"] = password
    proc = audit.traced("live-page", ["--config", str(config), "--data-dir",
                                      str(audit.work / "sup"), "supervisor", "--url", url],
                        display)  # fmt: skip
    if not window_up(display, "统计"):
        raise SystemExit("FAIL: the live page did not open")
    time.sleep(4)  # the first refresh from the server, the table filled and sorted
    stop(proc)
    audit.collect("live-page")


def main(argv: list[str] | None = None) -> int:
    from check_running_upgrade import start_xvfb
    from cupsserver import Cups, missing_tools

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "counter-assistant")
    args = ap.parse_args(argv)
    os.environ["PATH"] += os.pathsep + "/usr/sbin"  # cupsd, lpadmin
    for tool in ("strace", "Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"audit needs {tool}")
    if missing_tools():
        raise SystemExit(f"audit needs CUPS with cups-pdf: {missing_tools()} missing")
    work = Path(tempfile.mkdtemp(prefix="ca-icu-"))
    work.chmod(0o755)  # cups-pdf writes as lp under it
    audit = Audit(args.bundle.resolve(), work)
    cups = Cups(work / "cups")
    cups.base.mkdir()
    xvfb, display = start_xvfb()
    try:
        import bench
        from live_page_demo import seed
        from pgcluster import PgCluster

        from counter_assistant.sync import schema
        from counter_assistant.sync.connection import connect

        cups.start()
        audit.extra["CUPS_SERVER"] = str(cups.socket)
        with PgCluster() as cluster:
            sup_password = seed(cluster, work)  # eight counters with today's records
            admin = connect(cluster.admin_url)
            account = schema.add_counter(admin, "ICU-01", CENTER)
            admin.close()
            sync_url = cluster.url(account.role, "").replace(":@", "@")
            with audit.config.open("a", encoding="utf-8") as fh:
                fh.write(f'[notice]\nprinter = "{cups.queue}"\n[sync]\nurl = "{sync_url}"\n'
                         "poll_seconds = 5\n")  # fmt: skip
            audit.extra["COUNTER_ASSISTANT_SYNC_PASSWORD"] = account.password
            data = work / "data"
            data.mkdir()
            bench.prepare_data_dir(data, audit.config, 2000, 1)  # a prepared day, records
            common = ["--config", str(audit.config)]
            command_line(audit, common, data, cups)
            counter_window(audit, common, display, cups)
            admin = connect(cluster.admin_url)
            sent = admin.run("SELECT count(*) FROM ca.usage_event WHERE counter_id = 'ICU-01'")
            admin.close()
            if not sent[0][0]:
                raise SystemExit("FAIL: the window sent no record to the server")
            supervisor(audit, common, display)
            live_page(audit, display, cluster, sup_password)
    finally:
        cups.stop()
        xvfb.terminate()
        xvfb.wait()
        if os.environ.get("CA_KEEP_WORK") != "1":
            shutil.rmtree(work, ignore_errors=True)
    if audit.found:
        for name, items in sorted(audit.found.items()):
            print(f"ICU data asked for by {name}: {', '.join(sorted(items))}")
        print("ICU data IS used: keep libicudata (CA_KEEP_ICU_DATA=1 in build.spec)")
        return 1
    print(f"ICU data: not asked for in {audit.runs} runs (command line, notice as PDF and "
          "printed through CUPS, window, dialogs, supervisor, live page)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
