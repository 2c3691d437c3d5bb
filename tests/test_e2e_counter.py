"""A counter day from the keyboard, under Xvfb with a real window manager (openbox), while
the clerk types into a stand-in business system that writes down every key it receives.

What must hold: no keystroke meant for the business system is lost or lands in one of
our windows (the checklist at start and at the day's rollover waits without taking the
keyboard); the last customer's details are not spoken to the next (the events export
shows it); the picker's numbers are the headings'; a long sentence turns its pages; a
hotkey another program held comes back by itself.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

try:
    from tests.test_e2e_app import find_windows, wait_for
    from tests.test_e2e_wm import prepared_today, wm_display
    from tests.xserver import focused_window, xdotool
except ImportError:
    from test_e2e_app import find_windows, wait_for
    from test_e2e_wm import prepared_today, wm_display
    from xserver import focused_window, xdotool

__all__ = ["wm_display"]
pytestmark = pytest.mark.xvfb

HERE = Path(__file__).parent
DATA = HERE / "data" / "counter"  # eight documents, a 40-character rule
CONFIG = f"""
[counter]
id = "E2E-01"
window = "7"
department = "归集科"

[prompts]
business_catalog = "{DATA.as_posix()}/business.toml"
rules = "{DATA.as_posix()}/rules.toml"

[app]
hotkey_backend = "x11"
"""


class Counter:
    """The app as a clerk's PC runs it (or through tests/e2e_runner.py to move the clock)."""

    def __init__(self, display: str, tmp: Path, runner: bool = False, scale: str = "") -> None:
        self.display, self.tmp = display, tmp
        self.config = tmp / "config.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.data = tmp / "data"
        self.db = self.data / "counter.sqlite3"
        self.log = self.data / "logs" / "counter-assistant.log"
        self.offset = tmp / "clock-offset"
        self.offset.write_text("0", encoding="utf-8")
        self.runner, self.scale = runner, scale
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "DISPLAY": self.display, "CA_TEST_CLOCK_OFFSET": str(self.offset)}
        env.pop("QT_QPA_PLATFORM", None)
        if self.scale:
            env["QT_SCALE_FACTOR"] = self.scale
        program = [str(HERE / "e2e_runner.py")] if self.runner else ["-m", "counter_assistant"]
        args = ["--config", str(self.config), "--data-dir", str(self.data)]
        with (self.tmp / "stderr.txt").open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, *program, *args, *([] if self.runner else ["--debug"])],
                env=env, stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        wait_for(lambda: "hotkey backend x11 armed" in self.log_text(), what="hotkeys armed")
        wait_for(lambda: find_windows(self.display, "窗口服务助手"), what="the prompt window")

    def log_text(self) -> str:
        if self.proc and self.proc.poll() is not None:
            stderr = (self.tmp / "stderr.txt").read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"app exited {self.proc.returncode}: {stderr}")
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def wait_log(self, text: str, count: int = 1) -> None:
        wait_for(lambda: self.log_text().count(text) >= count, what=repr(text))

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            assert self.proc.wait(timeout=15) == 0
        self.proc = None

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def events(self) -> list[dict[str, str]]:
        """The events export, as a supervisor would open it (CSV, English headers)."""
        out = self.tmp / "events.csv"
        today = datetime.now().date()
        subprocess.run(
            [sys.executable, "-m", "counter_assistant", "export", "--report", "events",
             "--format", "csv", "--lang", "en", "--from", str(today - timedelta(days=1)),
             "--to", str(today + timedelta(days=2)), "--db", str(self.db), "--out", str(out),
             "--force"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        with out.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))


class BusinessSystem:
    """The stand-in window holding the keyboard, and a clerk typing into it.

    Typing and hotkeys never overlap (a held Ctrl+Alt would turn a typed letter into a
    hotkey): each burst of typing and each hotkey takes the same lock.
    """

    def __init__(self, display: str, tmp: Path) -> None:
        self.display = display
        self.received = tmp / "received.txt"
        self.received.write_text("", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "standin.py"), str(self.received)],
            env={**os.environ, "DISPLAY": display}, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        line = self.proc.stdout.readline()
        assert line.startswith("ready"), line
        self.window_id = int(line.split()[1])
        self.typed = ""
        self.lock = threading.Lock()
        self._typing: threading.Thread | None = None
        self._stop = threading.Event()
        self.focus()

    def focus(self) -> None:
        xdotool(self.display, "windowactivate", "--sync", str(self.window_id))
        wait_for(lambda: self.has_focus(), what="the business system's focus")

    def has_focus(self) -> bool:
        return focused_window(self.display) == self.window_id

    def type(self, text: str) -> None:
        with self.lock:
            xdotool(self.display, "type", "--delay", "12", text)
            self.typed += text

    def key(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                xdotool(self.display, "key", key)

    def keep_typing(self) -> None:
        """Type short words without pause in the background until stop_typing()."""

        def run() -> None:
            n = 0
            while not self._stop.is_set():
                self.type(f"w{n} ")
                n += 1

        self._stop.clear()
        self._typing = threading.Thread(target=run, daemon=True)
        self._typing.start()

    def stop_typing(self) -> None:
        self._stop.set()
        if self._typing:
            self._typing.join(timeout=30)

    def text(self) -> str:
        return self.received.read_text(encoding="utf-8")

    def assert_nothing_lost(self) -> None:
        wait_for(lambda: len(self.text()) >= len(self.typed), timeout=5, what="the last keys")
        assert self.text() == self.typed

    def close(self) -> None:
        self.stop_typing()
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.proc.stdout.close()


@pytest.fixture
def desk(wm_display, tmp_path):
    business = BusinessSystem(wm_display, tmp_path)
    counters: list[Counter] = []

    def counter(**kwargs) -> Counter:
        counters.append(Counter(wm_display, tmp_path, **kwargs))
        return counters[-1]

    yield business, counter
    business.close()
    for c in counters:
        c.kill()


def test_typing_goes_on_while_the_app_starts_and_the_checklist_waits(desk):
    """The app starts at login while the clerk types; the checklist appears; a prompt
    hotkey is pressed before preparation: every key reaches the business system."""
    business, make = desk
    app = make()
    business.keep_typing()
    app.start()
    prep = wait_for(lambda: find_windows(app.display, "岗前准备"), what="the checklist")
    time.sleep(1.0)  # keep typing while it is there
    business.key("ctrl+alt+2")  # before preparation: the reminder only
    app.wait_log("prompt blocked: needs_prep")
    time.sleep(0.5)
    business.stop_typing()
    assert business.has_focus()
    business.assert_nothing_lost()
    assert len(business.typed) > 40

    # The picker hotkey opens the checklist, as the window says; then back to typing.
    business.key("ctrl+alt+p")
    wait_for(lambda: focused_window(app.display) in prep, what="the checklist's focus")
    for _ in range(4):
        xdotool(app.display, "key", "space", "Tab")
    xdotool(app.display, "type", "0312")
    xdotool(app.display, "key", "Return")
    wait_for(business.has_focus, what="focus given back to the business system")
    business.type("after prep ")
    business.assert_nothing_lost()
    app.stop()


def test_the_next_customer_is_not_sent_off_with_the_last_ones_details(desk):
    """Fill in 退休提取 and a surname, farewell, greet the next citizen, ask for documents:
    the export shows the second request without a business."""
    business, make = desk
    app = make()
    prepared_today_at(app)
    app.start()
    business.type("case 1 ")
    business.key("ctrl+alt+f")
    wait_for(lambda: not business.has_focus(), what="the fields dialog's focus")
    xdotool(app.display, "type", "tx")
    xdotool(app.display, "key", "alt+s")  # with the business list open
    xdotool(app.display, "type", "Wang")
    xdotool(app.display, "key", "alt+t", "Down", "Down", "Return")  # 称呼: 女士, then apply
    wait_for(business.has_focus, what="focus given back after the fields dialog")
    business.key("ctrl+alt+3")
    app.wait_log("shown documents.ask via hotkey")
    business.key("ctrl+alt+0")
    app.wait_log("shown farewell.farewell via hotkey")
    business.key("ctrl+alt+2")
    app.wait_log("shown greeting.business via hotkey (new customer)")
    business.key("ctrl+alt+3")
    app.wait_log("shown documents.ask via hotkey", 2)
    business.type("case 2 ")
    assert business.has_focus()
    app.stop()
    business.assert_nothing_lost()
    rows = [(r["situation"], r["business"]) for r in app.events()]
    assert rows == [
        ("出具证件", "withdraw_retire"),
        ("礼貌送别", "withdraw_retire"),
        ("接待问候", ""),
        ("出具证件", ""),
    ], rows


def test_the_day_rolling_over_shows_the_checklist_without_taking_the_keyboard(desk):
    business, make = desk
    app = make(runner=True)
    prepared_today_at(app)
    app.start()
    assert find_windows(app.display, "岗前准备") == []
    business.keep_typing()
    time.sleep(0.5)
    tomorrow = datetime.now().astimezone().replace(hour=7, minute=0) + timedelta(days=1)
    seconds = (tomorrow - datetime.now().astimezone()).total_seconds()
    app.offset.write_text(str(seconds), encoding="utf-8")
    wait_for(lambda: find_windows(app.display, "岗前准备"), what="the checklist at rollover")
    time.sleep(1.0)
    business.stop_typing()
    assert business.has_focus()
    business.assert_nothing_lost()
    app.stop()


def test_picker_numbers_and_page_turning_from_the_keyboard(desk):
    """At 1024x768 and 200 % the longest sentence needs pages; Ctrl+Alt+Y turns them."""
    business, make = desk
    app = make(scale="2")
    prepared_today_at(app)
    app.start()
    business.key("ctrl+alt+p")
    wait_for(lambda: not business.has_focus(), what="the picker's focus")
    xdotool(app.display, "type", "8.1")
    xdotool(app.display, "key", "Return")
    app.wait_log("shown phone.answer via picker")
    wait_for(business.has_focus, what="focus back after the picker")
    business.key("ctrl+alt+p")
    wait_for(lambda: not business.has_focus(), what="the picker's focus")
    xdotool(app.display, "type", "10")
    xdotool(app.display, "key", "Return")
    app.wait_log("shown farewell.farewell via picker")
    wait_for(business.has_focus, what="focus back after the picker")

    business.key("ctrl+alt+f")
    wait_for(lambda: not business.has_focus(), what="the fields dialog's focus")
    xdotool(app.display, "type", "zd")
    xdotool(app.display, "key", "Escape")  # close the business list; the dialog stays
    for _ in range(8):  # tick all eight documents: Tab to each, Space
        xdotool(app.display, "key", "Tab", "space")
    xdotool(app.display, "key", "alt+r")
    xdotool(app.display, "type", "wtdb")
    xdotool(app.display, "key", "Down", "Return", "Return")
    wait_for(business.has_focus, what="focus back after the fields dialog")
    business.key("ctrl+alt+3", "ctrl+alt+3")
    app.wait_log("shown documents.missing via hotkey")
    app.wait_log("prompt shown in ")
    business.key("ctrl+alt+y")
    app.wait_log("page 2/")
    business.type("still typing ")
    business.assert_nothing_lost()
    app.stop()


def test_a_hotkey_another_program_held_comes_back_when_it_lets_go(desk):
    from counter_assistant.core.hotkeyspec import parse_hotkey
    from counter_assistant.platform.hotkeys.x11 import X11HotkeyBackend

    business, make = desk
    app = make()
    prepared_today_at(app)
    owner = X11HotkeyBackend(lambda _action: None, display_name=app.display)
    assert owner.start({"theirs": parse_hotkey("ctrl+alt+5")}) == []
    try:
        app.start()
        app.wait_log("hotkey ctrl+alt+5 for refusal failed: 已被其他程序占用")
    finally:
        owner.stop()
    app.wait_log("hotkey ctrl+alt+5 for refusal works again")  # within one retry (10 s)
    business.key("ctrl+alt+5")
    app.wait_log("shown refusal.policy via hotkey")
    assert business.has_focus()
    app.stop()
    business.assert_nothing_lost()


def prepared_today_at(app: Counter) -> None:
    class Where:
        db = app.db

    app.data.mkdir(parents=True, exist_ok=True)
    prepared_today(Where)
