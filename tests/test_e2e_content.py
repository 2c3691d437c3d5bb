"""The center revises a sentence while a counter runs: under Xvfb with a window manager,
the real app, a real PostgreSQL on loopback and the real `publish` command.

What must hold: the clerk fills in a customer (退休提取, Wang 女士) from the keyboard; the
center publishes a new wording for 8.3 (请求证件); within the poll interval the counter
has it, and the next time the clerk presses the hotkey the window shows the new wording,
filled with the same customer's business and documents, without a restart; the strip
still shows the customer; the records say which version each prompt was shown under.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

try:
    from tests.test_e2e_app import find_windows, wait_for
    from tests.test_e2e_counter import BusinessSystem, prepared_today_at
    from tests.test_e2e_wm import wm_display
    from tests.test_publish import Center
    from tests.xserver import xdotool
except ImportError:
    from test_e2e_app import find_windows, wait_for
    from test_e2e_counter import BusinessSystem, prepared_today_at
    from test_e2e_wm import wm_display
    from test_publish import Center
    from xserver import xdotool

__all__ = ["wm_display"]
pytestmark = pytest.mark.xvfb

HERE = Path(__file__).parent
POLL = 5
OLD = "办理退休提取业务需要您的身份证、退休证明、本人银行卡，请您提供证件，好吗？"
NEW = "您好，办理退休提取业务请准备好身份证、退休证明、本人银行卡，谢谢。"
REVISION = """
[documents]
[[documents.variants]]
id = "ask"
text = "您好，办理{business}业务请准备好{documents}，谢谢。"
fallbacks = ["请出示您办理业务所需的证件和材料，谢谢。"]
"""


class Counter:
    """The app through tests/screen_runner.py: what the window shows is read from a file."""

    def __init__(self, display: str, tmp: Path, url: str, password: str) -> None:
        self.display, self.tmp, self.password = display, tmp, password
        self.config = tmp / "config.toml"
        self.config.write_text(
            f'[center]\nid = "PJ"\n[counter]\nid = "E2E-01"\nwindow = "7"\n'
            f'[app]\nhotkey_backend = "x11"\n[sync]\nurl = "{url}"\npoll_seconds = {POLL}\n',
            encoding="utf-8",
        )
        self.data = tmp / "data"
        self.db = self.data / "counter.sqlite3"
        self.log = self.data / "logs" / "counter-assistant.log"
        self.screen_file = tmp / "screen.json"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "DISPLAY": self.display, "CA_TEST_SCREEN": str(self.screen_file),
               "COUNTER_ASSISTANT_SYNC_PASSWORD": self.password}  # fmt: skip
        env.pop("QT_QPA_PLATFORM", None)
        with (self.tmp / "stderr.txt").open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "screen_runner.py"), "--config", str(self.config),
                 "--data-dir", str(self.data)],
                env=env, stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        wait_for(lambda: "hotkey backend x11 armed" in self.log_text(), what="hotkeys armed")
        wait_for(lambda: find_windows(self.display, "窗口服务助手"), what="the prompt window")

    def log_text(self) -> str:
        if self.proc and self.proc.poll() is not None:
            stderr = (self.tmp / "stderr.txt").read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"app exited {self.proc.returncode}: {stderr}")
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def screen(self) -> dict:
        self.log_text()  # fails at once when the app died
        try:
            return json.loads(self.screen_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def shows(self, text: str) -> bool:
        return self.screen().get("prompt") == text

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            assert self.proc.wait(timeout=15) == 0
        self.proc = None

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def versions(self) -> list[tuple[str, int]]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(
                "SELECT situation, content_version FROM usage_event ORDER BY rowid"
            ).fetchall()
        finally:
            con.close()


@pytest.fixture
def center(pg_cluster):
    c = Center(pg_cluster)
    yield c
    c.close()


def test_a_publish_reaches_the_running_window_and_the_customer_stays(wm_display, center, tmp_path):
    from counter_assistant.sync import schema

    account = schema.add_counter(center.admin, "E2E-01", "PJ", "ca_pj_e2e")
    url = f"postgresql://{account.role}@127.0.0.1:{center.port}/{center.name}"
    business = BusinessSystem(wm_display, tmp_path)
    app = Counter(wm_display, tmp_path, url, account.password)
    try:
        prepared_today_at(app)
        app.start()
        pid = app.proc.pid
        # the clerk fills in the customer from the keyboard: 退休提取 (tx), Wang, 女士
        business.key("ctrl+alt+f")
        wait_for(lambda: not business.has_focus(), what="the fields dialog's focus")
        xdotool(wm_display, "type", "tx")
        xdotool(wm_display, "key", "alt+s")
        xdotool(wm_display, "type", "Wang")
        xdotool(wm_display, "key", "alt+t", "Down", "Down", "Return")
        wait_for(business.has_focus, what="focus given back after the fields dialog")
        business.key("ctrl+alt+3")
        wait_for(lambda: app.shows(OLD), what="the standard's wording")
        assert "Wang女士" in app.screen()["customer"]

        # the center publishes a new wording for 8.3, as IT does
        revision = tmp_path / "center-prompts.toml"
        revision.write_text(REVISION, encoding="utf-8")
        t0 = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "counter_assistant", "publish", "--url", center.publisher_url,
             "--center-id", "PJ", "--prompts", str(revision)],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "COUNTER_ASSISTANT_MACHINE_DIR": str(tmp_path / "none")},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "published version 1" in done.stdout
        wait_for(lambda: "center content version 1 " in app.log_text(), timeout=POLL + 5,
                 interval=0.05, what="the new version at the counter")  # fmt: skip
        took = time.monotonic() - t0
        assert took <= POLL + 2, f"{took:.1f} s from publish to the counter"

        # the next sentence is in the new wording, with the same customer's details
        business.key("ctrl+alt+0")  # farewell: the customer's name, then 8.3 again
        wait_for(lambda: app.shows("Wang女士，请慢走。"), what="the farewell with the name")
        business.key("ctrl+alt+3")
        wait_for(lambda: app.shows(NEW), what="the new wording on screen")
        screen = app.screen()
        assert screen["version"] == 1 and "Wang女士" in screen["customer"]
        assert "退休提取" in screen["customer"]
        assert business.has_focus()  # nothing of it took the keyboard
        assert app.proc.pid == pid and app.proc.poll() is None  # the same run, no restart
        app.stop()
        assert app.versions() == [("documents", 0), ("farewell", 1), ("documents", 1)]
    finally:
        business.close()
        app.kill()
