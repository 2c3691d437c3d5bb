"""Faults that used to lose records (issue 9), reproduced with real parts.

A full disk is a small tmpfs mounted here; a read-only database sits on a tmpfs remounted
read-only (root ignores file modes, not a read-only mount); a locked database is held by
a second connection. The app runs for real under Xvfb and its prompts come from xdotool.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_assistant.core.clock import Clock
from counter_assistant.core.records import new_record
from counter_assistant.logsetup import dropped_lines, setup_logging
from counter_assistant.storage import recorder as recorder_mod
from counter_assistant.storage.db import open_database
from counter_assistant.storage.recorder import Recorder

try:
    from tests.xserver import XServer, require_xvfb, xdotool
except ImportError:  # tests/ run as rootdir modules
    from xserver import XServer, require_xvfb, xdotool

COUNTER = "FAULT-01"
CONFIG = f"""
[counter]
id = "{COUNTER}"
window = "5"
department = "归集科"

[app]
hotkey_backend = "x11"
"""


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def tmpfs(tmp_path):
    """A 2 MiB tmpfs; yields its path; unmounted afterwards."""
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; returns it (delete it to free the space)."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 512)
    return filler


def rec(i: int, detail: str = ""):
    return new_record(
        Clock(),
        counter_id=COUNTER,
        staff_id="0312",
        situation="greeting",
        variant="business",
        business=f"b{i}",
        detail=detail,
    )


def count(db: Path, table: str = "usage_event") -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# --- item 2: a full disk ----------------------------------------------------------------


def test_full_disk_never_stops_the_writer_and_everything_is_written_once_freed(tmpfs, monkeypatch):
    """The log, the pending file and the database share one disk that fills up: log lines
    are dropped and counted, the writer keeps going, and once the space is back every
    record is written."""
    monkeypatch.setattr(recorder_mod, "RETRY_MAX", 0.2)
    monkeypatch.setattr(recorder_mod, "RETRY_FIRST", 0.05)
    data = tmpfs / "data"
    setup_logging(data / "logs" / "counter-assistant.log")
    db = data / "counter.sqlite3"
    open_database(db, COUNTER).close()
    statuses: list = []
    recorder = Recorder(db, data / "pending-records.jsonl", COUNTER, on_status=statuses.append)
    recorder.start()
    try:
        for i in range(10):
            recorder.record(rec(i))
        assert recorder.flush(5)
        filler = fill(tmpfs)
        big = "x" * 3000  # rows that need new pages: the database cannot grow either
        for i in range(10, 65):
            recorder.record(rec(i, big))
            logging.getLogger("test").warning("a log line on a full disk %d", i)
        wait_for(lambda: statuses and statuses[-1] is not None, what="the failure noticed")
        assert recorder._thread.is_alive()
        assert dropped_lines() > 0
        filler.unlink()
        wait_for(lambda: count(db) == 65, what="all 65 records written")
        wait_for(lambda: statuses[-1] is None, what="the all-clear")
        assert recorder._thread.is_alive()
    finally:
        recorder.close()
    assert count(db) == 65


class App:
    """The real app as a subprocess, on a display, with its own data dir."""

    def __init__(self, display: str, tmp: Path, data: Path, database: Path | None = None):
        self.display, self.data = display, data
        self.config = tmp / "config.toml"
        extra = f'database = "{database}"\n' if database else ""
        self.config.write_text(CONFIG + extra, encoding="utf-8")
        self.db = database or data / "counter.sqlite3"
        self.stderr = tmp / "stderr.txt"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "DISPLAY": self.display}
        env.pop("QT_QPA_PLATFORM", None)
        with self.stderr.open("ab") as err:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "counter_assistant",
                    "--config",
                    str(self.config),
                    "--data-dir",
                    str(self.data),
                    "--debug",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        wait_for(self._window_shown, what="the prompt window")

    def _window_shown(self) -> bool:
        assert self.proc.poll() is None, self.stderr.read_text(errors="replace")[-2000:]
        try:
            return bool(xdotool(self.display, "search", "--onlyvisible", "--name", "窗口服务助手"))
        except subprocess.CalledProcessError:
            return False

    def stderr_text(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def prepare_today(db: Path) -> None:
    """Today's Article 14 preparation already stored: hotkeys show prompts at once."""
    opened = open_database(db, COUNTER)
    opened.close()
    now = datetime.now().astimezone()
    con = sqlite3.connect(db)
    with con:
        con.execute(
            "insert into checklist_record (uuid, kind, local_date, ts_utc, ts_local, counter_id,"
            " staff_id, items, late, app_version) values (?,?,?,?,?,?,?,?,?,?)",
            (
                str(uuid.uuid4()),
                "prep",
                now.date().isoformat(),
                now.astimezone(UTC).isoformat(),
                now.strftime("%Y-%m-%dT%H:%M:%S"),
                COUNTER,
                "0312",
                json.dumps([]),
                0,
                "test",
            ),
        )
    con.close()


def press(display: str, combo: str, times: int) -> None:
    for _ in range(times):
        xdotool(display, "key", combo)
        time.sleep(0.15)


@pytest.fixture
def display():
    require_xvfb()
    with XServer() as server:
        yield server.display


@pytest.mark.xvfb
def test_the_app_starts_on_a_full_disk_and_keeps_every_prompt(tmpfs, tmp_path, display):
    """Today's day prepared, then the disk fills: the app still starts (it exited 1
    before), prompts work, and their records reach the database once there is room."""
    data = tmpfs / "data"
    data.mkdir()
    prepare_today(data / "counter.sqlite3")
    filler = fill(tmpfs)
    app = App(display, tmp_path, data)
    app.start()
    press(display, "ctrl+alt+2", 5)
    time.sleep(1.0)
    filler.unlink()
    assert app.stop() == 0, app.stderr_text()[-2000:]
    assert count(app.db) == 5


@pytest.fixture
def readonly_disk(tmpfs):
    """A tmpfs that tests remount read-only and back: root cannot write it either."""

    def set_readonly(readonly: bool) -> None:
        mode = "ro" if readonly else "rw"
        subprocess.run(["mount", "-o", f"remount,{mode}", str(tmpfs)], check=True)

    yield tmpfs, set_readonly
    set_readonly(False)


@pytest.mark.xvfb
def test_a_read_only_database_at_start_keeps_every_prompt_until_it_is_writable(
    readonly_disk, tmp_path, display
):
    """Start-up on a database that cannot be written (it exited 1 in 0.2 s): the app
    starts, says so, keeps the prompts in its pending file, and writes them later."""
    disk, set_readonly = readonly_disk
    db = disk / "counter.sqlite3"
    prepare_today(db)
    set_readonly(True)
    data = tmp_path / "data"
    app = App(display, tmp_path, data, database=db)
    app.start()
    press(display, "ctrl+alt+2", 4)
    pending = data / "pending-records.jsonl"
    wait_for(
        lambda: pending.exists() and len(pending.read_text().splitlines()) == 4,
        what="four records in the pending file",
    )
    log = (data / "logs" / "counter-assistant.log").read_text(encoding="utf-8")
    assert "database" in log and "read" in log.lower()
    set_readonly(False)
    wait_for(lambda: count(db) == 4, timeout=45, what="the records written once writable")
    assert app.stop() == 0
    assert count(db) == 4


@pytest.mark.xvfb
def test_a_database_locked_longer_than_the_busy_timeout_at_start(tmp_path, display):
    """Another process holds the write lock for longer than 5 s while the app starts and
    the clerk works: nothing is lost, everything is written once the lock goes."""
    data = tmp_path / "data"
    data.mkdir()
    db = data / "counter.sqlite3"
    prepare_today(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        app = App(display, tmp_path, data)
        app.start()
        press(display, "ctrl+alt+2", 3)
        time.sleep(6)  # longer than the busy timeout: the writer gives up and retries
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    wait_for(lambda: count(db) == 3, timeout=45, what="the records written after the lock")
    assert app.stop() == 0


# --- item 8: a time-zone change while running ---------------------------------------------


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix only")
def test_records_follow_a_time_zone_change_while_running(monkeypatch):
    clock = Clock()
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        before = new_record(
            clock, counter_id="c", staff_id="s", situation="greeting", variant="business"
        )
        monkeypatch.setenv("TZ", "Europe/Berlin")
        assert clock.refresh_zone() is True
        after = new_record(
            clock, counter_id="c", staff_id="s", situation="greeting", variant="business"
        )
        assert clock.refresh_zone() is False  # nothing changed since
    finally:
        monkeypatch.undo()
        time.tzset()
    assert before.utc_offset == 480
    assert after.utc_offset in (60, 120)  # CET or CEST
    # The wall time each record keeps is its own zone's: a report shows it unchanged.
    for r in (before, after):
        utc = datetime.fromisoformat(r.ts_utc)
        local = datetime.fromisoformat(r.ts_local)
        assert abs((local - utc.replace(tzinfo=None)).total_seconds() / 60 - r.utc_offset) <= 1
