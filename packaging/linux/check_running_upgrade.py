"""CI (root, Debian): a counter window of the installed package, open during an upgrade and
a removal, as IT's unattended rollout would find it.

    python packaging/linux/check_running_upgrade.py --new dist/counter-assistant_X.deb

With the package installed and its config in /etc/counter-assistant, this starts
/usr/bin/counter-assistant under a private Xvfb on a data dir whose day is prepared,
presses hotkeys with xdotool, then runs `dpkg -i NEW </dev/null` under it. It proves:
the upgrade exits 0; the window keeps answering hotkeys and opens a dialog (read from its
own, replaced, archive); it restarts itself into the new files at the next quiet moment
with its window where it was; upgraded again, it loads the native code it would load later
(Qt's print support, extension modules) before dpkg replaces those files; no record is
lost; and `dpkg -r` makes it quit cleanly, with
every record written, leaving no autostart entry. Exit status 0 when all of that held.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
PROGRAM = "/usr/bin/counter-assistant"
CONFIG = Path("/etc/counter-assistant/config.toml")
AUTOSTART = Path("/etc/xdg/autostart/counter-assistant.desktop")
HOTKEY = "ctrl+alt+2"  # greeting, in the default hotkeys
FIELDS_TITLE = "本位客户信息"  # the dialog of Ctrl+Alt+F, built on first use


def say(msg: str) -> None:
    print(f"[running-upgrade] {msg}", flush=True)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"FAIL: timed out after {timeout:.0f} s waiting for {what}")


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A private Xvfb on a display number it picks; retried when it loses a race for one
    with another X server starting at the same moment."""
    for _ in range(5):
        read, write = os.pipe()
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten",
             "tcp", "-noreset"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write)
        ready, _, _ = select.select([read], [], [], 15)
        number = os.read(read, 64).decode().strip() if ready else ""
        os.close(read)
        time.sleep(0.5)
        if number and proc.poll() is None:
            return proc, f":{number}"
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    raise SystemExit("FAIL: Xvfb did not start")


class Counter:
    def __init__(self, display: str, data: Path) -> None:
        self.display = display
        self.data = data
        self.pressed = 0
        env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM",
               "COUNTER_ASSISTANT_CONFIG", "XDG_RUNTIME_DIR")}  # fmt: skip
        env["DISPLAY"] = display
        self.stderr = (data.parent / "stderr.txt").open("wb")
        self.proc = subprocess.Popen([PROGRAM, "--data-dir", str(data)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)  # fmt: skip

    @property
    def log(self) -> str:
        path = self.data / "logs" / "counter-assistant.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def rows(self) -> int:
        con = sqlite3.connect(self.data / "counter.sqlite3", timeout=10)
        try:
            return con.execute("select count(*) from usage_event").fetchone()[0]
        finally:
            con.close()

    def key(self, combo: str) -> None:
        subprocess.run(["xdotool", "key", combo], env={**os.environ, "DISPLAY": self.display},
                       check=True, timeout=10)  # fmt: skip

    def press(self, times: int = 1) -> None:
        for _ in range(times):
            self.key(HOTKEY)
            self.pressed += 1
            time.sleep(0.3)
        wait_for(lambda: self.rows() == self.pressed, 15, f"{self.pressed} records")

    def windows(self, title: str) -> list[str]:
        """Visible windows whose title contains ``title``."""
        out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                             env={**os.environ, "DISPLAY": self.display},
                             capture_output=True, text=True, timeout=10)  # fmt: skip
        return out.stdout.split()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def armed_count(self) -> int:
        return self.log.count("hotkey backend x11 armed")


def prepare(data: Path) -> None:
    """Today's preparation confirmed, as a counter has it mid-morning (hotkeys show prompts)."""
    import bench

    data.mkdir(parents=True)
    bench.prepare_data_dir(data, CONFIG, 0, 1)


def geometry(data: Path) -> dict:
    path = data / "window-state.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new", type=Path, required=True, help="the .deb to upgrade to")
    args = ap.parse_args(argv)
    if not Path(PROGRAM).exists():
        raise SystemExit("FAIL: install the package first")
    work = Path(tempfile.mkdtemp(prefix="ca-upgrade-"))
    data = work / "data"
    prepare(data)
    xvfb, display = start_xvfb()
    counter = Counter(display, data)
    try:
        wait_for(lambda: counter.armed_count() == 1, 30, "the window with hotkeys armed")
        say(f"window up (pid {counter.proc.pid}) on {display}")
        counter.press(3)
        window_before = geometry(data)

        say(f"dpkg -i {args.new.name} under the open window")
        t0 = time.monotonic()
        upgrade = subprocess.run(["dpkg", "-i", str(args.new)], stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=300)  # fmt: skip
        print(upgrade.stdout[-2000:], upgrade.stderr[-2000:], sep="\n")
        if upgrade.returncode != 0:
            raise SystemExit(f"FAIL: dpkg -i exited {upgrade.returncode}")
        say(f"upgrade rc 0 in {time.monotonic() - t0:.1f} s")
        if "told 1 running" not in upgrade.stdout + upgrade.stderr:  # this one, once
            raise SystemExit("FAIL: postinst did not reach the running window")

        # Still answering, and a dialog imports its module from the replaced executable.
        counter.press(2)
        wait_for(lambda: "upgrade: a new version is installed" in counter.log, 10,
                 "the window to learn of the upgrade")  # fmt: skip
        counter.key("ctrl+alt+f")  # its module is read now, from the executable dpkg replaced
        wait_for(lambda: counter.windows(FIELDS_TITLE), 15, "the fields dialog")
        counter.key("Escape")
        wait_for(lambda: not counter.windows(FIELDS_TITLE), 15, "the fields dialog to close")
        if "uncaught exception" in counter.log or not counter.alive():
            raise SystemExit(f"FAIL: the window broke after the upgrade:\n{counter.log[-3000:]}")
        say("window answered hotkeys and opened a dialog after the upgrade")

        # The restart: at the next quiet moment (30 s after the last prompt, no dialog).
        t1 = time.monotonic()
        wait_for(lambda: counter.armed_count() == 2, 120, "the restart into the new version")
        say(f"restarted itself {time.monotonic() - t1:.0f} s after the last prompt "
            f"(same pid {counter.proc.pid}, alive: {counter.alive()})")  # fmt: skip
        if "upgrade: restarting as" not in counter.log:
            raise SystemExit("FAIL: armed twice but no restart logged")
        counter.press(2)
        window_after = geometry(data)
        if not window_before or not window_after:
            raise SystemExit(f"FAIL: no window-state.json in {data} to compare")
        if window_before != window_after:
            raise SystemExit(f"FAIL: window moved: {window_before} -> {window_after}")
        say(f"{counter.rows()} records for {counter.pressed} presses; window kept its place")

        # The window now runs this release, whose prerm says "upgrading" before dpkg unpacks:
        # native code it would load later (Qt's print support, csv, ssl ...) must then be
        # mapped from the files it started with, shown as "(deleted)" once they are replaced.
        say(f"dpkg -i {args.new.name} again: the native code is loaded before the files go")
        again = subprocess.run(["dpkg", "-i", str(args.new)], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=300)  # fmt: skip
        print(again.stdout[-2000:], again.stderr[-2000:], sep="\n")
        if again.returncode != 0:
            raise SystemExit(f"FAIL: dpkg -i (again) exited {again.returncode}")
        if "running counter-assistant window(s): upgrading" not in again.stdout + again.stderr:
            raise SystemExit("FAIL: prerm did not tell the running window of the upgrade")
        maps = Path(f"/proc/{counter.proc.pid}/maps").read_text()
        for name in ("libQt6PrintSupport.so", "libcupsprintersupport.so", "/_csv."):
            lines = [line for line in maps.splitlines() if name in line]
            if not lines or not all(line.endswith("(deleted)") for line in lines):
                raise SystemExit(f"FAIL: {name} not loaded from the replaced files: {lines[:2]}")
        counter.press(1)  # and it still answers
        say("Qt's print support and the extension modules were loaded before the unpack")

        say("dpkg -r with the window open")
        remove = subprocess.run(["dpkg", "-r", "counter-assistant"], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        print(remove.stdout[-1000:], remove.stderr[-1000:], sep="\n")
        if remove.returncode != 0:
            raise SystemExit(f"FAIL: dpkg -r exited {remove.returncode}")
        code = counter.proc.wait(timeout=30)
        if code != 0:
            raise SystemExit(f"FAIL: the window exited {code} on removal")
        if counter.rows() != counter.pressed:
            raise SystemExit(f"FAIL: {counter.rows()} records for {counter.pressed} presses")
        if AUTOSTART.exists() or AUTOSTART.is_symlink():
            raise SystemExit(f"FAIL: {AUTOSTART} left after dpkg -r")
        say(f"window quit cleanly on removal; {counter.pressed} of {counter.pressed} records kept")
        return 0
    finally:
        if counter.alive():
            counter.proc.kill()
            counter.proc.wait()
        counter.stderr.close()
        xvfb.terminate()
        xvfb.wait()
        if os.environ.get("CA_KEEP_WORK") != "1":
            import shutil

            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
