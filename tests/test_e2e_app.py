"""The app for real: under Xvfb, keys sent with xdotool while another window has focus.

Covers the main flows of a counter day: start with an empty database, a hotkey shows
only the preparation reminder, the checklist is completed with keystrokes alone, the
same hotkey then shows the prompt without taking focus, and a restart asks nothing.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

try:
    from tests.xserver import OtherWindow, focused_window, xdotool, xvfb_display
except ImportError:  # tests/ run as rootdir modules
    from xserver import OtherWindow, focused_window, xdotool, xvfb_display

__all__ = ["xvfb_display"]

pytestmark = pytest.mark.xvfb

CONFIG = """
[counter]
id = "E2E-01"
window = "7"
department = "归集科"

[hotkeys]
greeting = "ctrl+alt+2"
farewell = "ctrl+alt+0"

[app]
hotkey_backend = "x11"
"""


def wait_for(predicate, timeout=15.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def find_windows(display: str, name: str) -> list[int]:
    try:
        out = xdotool(display, "search", "--onlyvisible", "--name", name)
    except subprocess.CalledProcessError:
        return []
    return [int(w) for w in out.split()]


class App:
    def __init__(self, display: str, tmp: Path):
        self.display = display
        self.config = tmp / "config.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.data = tmp / "data"
        self.proc: subprocess.Popen | None = None
        self.stderr_file = tmp / "stderr.txt"

    @property
    def db(self) -> Path:
        return self.data / "counter.sqlite3"

    @property
    def log(self) -> Path:
        return self.data / "logs" / "counter-assistant.log"

    def start(self) -> None:
        env = {**os.environ, "DISPLAY": self.display}
        env.pop("QT_QPA_PLATFORM", None)  # the real xcb platform, not offscreen
        with self.stderr_file.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "counter_assistant", "--config", str(self.config),
                 "--data-dir", str(self.data), "--debug"],
                env=env, stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        wait_for(lambda: "hotkey backend x11 armed" in self.log_text(), what="hotkeys armed")
        wait_for(lambda: find_windows(self.display, "窗口服务助手"), what="the prompt window")

    def log_text(self) -> str:
        if self.proc and self.proc.poll() is not None:
            raise AssertionError(
                f"app exited {self.proc.returncode}: {self.stderr_file.read_text()}"
            )
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(timeout=15) == 0
        self.proc = None

    def rows(self, sql: str) -> list[tuple]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture
def app(xvfb_display, tmp_path):
    app = App(xvfb_display, tmp_path)
    yield app
    if app.proc and app.proc.poll() is None:
        app.proc.kill()
        app.proc.wait()


def complete_checklist_by_keyboard(app: App, windows: list[int], staff_id: str) -> None:
    """The checklist waits without the keyboard; the picker hotkey opens it (as the prompt
    window says), the first item has focus; Space ticks, Tab moves, the ID is typed, Enter
    confirms."""
    d = app.display
    xdotool(d, "key", "ctrl+alt+p")
    wait_for(lambda: focused_window(d) in windows, what="the checklist to take focus")
    for _ in range(4):
        xdotool(d, "key", "space")
        xdotool(d, "key", "Tab")
    xdotool(d, "type", staff_id)
    xdotool(d, "key", "Return")
    wait_for(lambda: app.rows("select count(*) from checklist_record") == [(1,)],
             what="the preparation stored")  # fmt: skip


def shown_count(app: App) -> int:
    return app.log_text().count("shown greeting.")


def test_day_start_gate_then_prompt_without_stealing_focus(app, xvfb_display):
    d = xvfb_display
    with OtherWindow(d, "business system") as other:
        app.start()
        prep = wait_for(lambda: find_windows(d, "岗前准备"), what="the checklist window")
        other.focus()

        # Before preparation: the hotkey shows only the reminder and counts nothing.
        xdotool(d, "key", "ctrl+alt+2")
        wait_for(lambda: "prompt blocked: needs_prep" in app.log_text(), what="the reminder")
        assert app.rows("select count(*) from usage_event") == [(0,)]

        complete_checklist_by_keyboard(app, prep, "0312")
        assert app.rows("select staff_id, kind, counter_id from checklist_record") == [
            ("0312", "prep", "E2E-01")
        ]

        # Now the same hotkey shows the prompt; focus stays on the business system.
        other.focus()
        xdotool(d, "key", "ctrl+alt+2")
        wait_for(lambda: shown_count(app) == 1, what="the greeting shown")
        xdotool(d, "key", "ctrl+alt+2")
        wait_for(lambda: shown_count(app) == 2, what="the second variant shown")
        assert focused_window(d) == other.window_id
        wait_for(lambda: app.rows("select count(*) from usage_event") == [(2,)], what="two records")
        rows = app.rows(
            "select situation, variant, trigger, staff_id, counter_id"
            " from usage_event order by ts_utc"
        )
        assert rows == [
            ("greeting", "business", "hotkey", "0312", "E2E-01"),
            ("greeting", "help", "hotkey", "0312", "E2E-01"),
        ]

        # A restart the same day asks nothing and the hotkey works at once: the first
        # hotkey shows its prompt (a day needing preparation would block it), and by then
        # start-up, which would have shown the checklist, is over.
        app.stop()
        blocked = app.log_text().count("prompt blocked")
        app.start()
        other.focus()
        xdotool(d, "key", "ctrl+alt+0")
        wait_for(lambda: "shown farewell.farewell via hotkey" in app.log_text(), what="farewell")
        assert app.log_text().count("prompt blocked") == blocked
        assert find_windows(d, "岗前准备") == []
        assert focused_window(d) == other.window_id
        app.stop()
        assert app.rows("select count(*) from usage_event") == [(3,)]


def test_a_hotkey_another_program_owns_is_named_and_the_rest_work(app, xvfb_display):
    """Another X client grabs ctrl+alt+5 first: the app says which key and situation, in
    its log (and window), and every other hotkey keeps working."""
    from counter_assistant.core.actions import default_hotkeys
    from counter_assistant.core.hotkeyspec import parse_hotkey
    from counter_assistant.platform.hotkeys.x11 import X11HotkeyBackend

    d = xvfb_display
    owner = X11HotkeyBackend(lambda _action: None, display_name=d)
    assert owner.start({"theirs": parse_hotkey("ctrl+alt+5")}) == []
    try:
        with OtherWindow(d, "business system") as other:
            app.start()
            log = app.log_text()
            assert "hotkey ctrl+alt+5 for refusal failed: 已被其他程序占用" in log
            bound = sum(1 for combo in default_hotkeys().values() if combo)
            assert f"{bound - 1} of {bound} hotkeys" in log
            # Prepare the day from the keyboard, then a hotkey the app does own still works.
            prep = wait_for(lambda: find_windows(d, "岗前准备"), what="the checklist window")
            complete_checklist_by_keyboard(app, prep, "0312")
            other.focus()
            xdotool(d, "key", "ctrl+alt+6")
            wait_for(lambda: "shown outage.short via hotkey" in app.log_text(), what="outage")
            assert focused_window(d) == other.window_id
            app.stop()
    finally:
        owner.stop()
