"""Focus under a real window manager (openbox), as on a clerk's desktop.

Without a window manager nothing moves focus by itself; with one, a newly mapped or
raised window is normally given focus. The prompt window must never take it, and the
picker must hand it back to the business system when it closes.

The window has three guards (Tool type, WindowDoesNotAcceptFocus, show without
activating); openbox honours each, so this test fails only when all are lost: the
offscreen and no-WM tests pin the individual flags.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

try:
    from tests.test_e2e_app import App, find_windows, wait_for
    from tests.xserver import OtherWindow, XServer, focused_window, require_xvfb, xdotool
except ImportError:
    from test_e2e_app import App, find_windows, wait_for
    from xserver import OtherWindow, XServer, focused_window, require_xvfb, xdotool

pytestmark = pytest.mark.xvfb


@pytest.fixture
def wm_display():
    require_xvfb()
    if shutil.which("openbox") is None:
        if __import__("os").environ.get("CA_REQUIRE_XVFB") == "1":
            pytest.fail("openbox is not installed but CA_REQUIRE_XVFB=1")
        pytest.skip("openbox is not installed")
    with XServer() as server:
        wm = subprocess.Popen(["openbox", "--sm-disable"], env=server.env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            wait_for(lambda: _wm_running(server.display), what="openbox")
            yield server.display
        finally:
            wm.terminate()
            wm.wait(timeout=10)


def _wm_running(display: str) -> bool:
    try:
        out = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], capture_output=True,
                             text=True, env={"DISPLAY": display}, timeout=5)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "window id" in out.stdout


def prepared_today(app: App) -> None:
    """Today's Article 14 preparation already stored, so no checklist waits at start."""
    from counter_assistant.core.clock import Clock
    from counter_assistant.core.records import checklist_entry
    from counter_assistant.storage.db import open_database
    from counter_assistant.storage.models import ChecklistRecord, bound

    opened = open_database(app.db, "E2E-01")
    try:
        entry = checklist_entry(Clock(), "prep", "E2E-01", "0312")
        with bound(opened.db):
            ChecklistRecord.insert(**entry.as_row()).execute()
    finally:
        opened.close()


def test_window_manager_never_gives_the_prompt_window_focus(wm_display, tmp_path):
    d = wm_display
    app = App(d, tmp_path)
    prepared_today(app)
    with OtherWindow(d, "business system") as other:
        xdotool(d, "windowactivate", "--sync", str(other.window_id))
        try:
            app.start()
            wait_for(lambda: find_windows(d, "窗口服务助手"), what="the prompt window")
            assert focused_window(d) == other.window_id  # starting did not take focus
            xdotool(d, "key", "ctrl+alt+2")
            wait_for(lambda: "shown greeting.business via hotkey" in app.log_text(), what="prompt")
            assert focused_window(d) == other.window_id
            xdotool(d, "key", "ctrl+alt+h")  # hide, then show again: mapped anew
            xdotool(d, "key", "ctrl+alt+h")
            wait_for(lambda: find_windows(d, "窗口服务助手"), what="the window shown again")
            xdotool(d, "key", "ctrl+alt+2")
            wait_for(lambda: "shown greeting.help via hotkey" in app.log_text(), what="again")
            assert focused_window(d) == other.window_id

            # The picker takes focus while open and gives it back when it closes.
            xdotool(d, "key", "ctrl+alt+p")
            wait_for(lambda: focused_window(d) != other.window_id, what="the picker's focus")
            xdotool(d, "type", "0")
            xdotool(d, "key", "Return")
            wait_for(lambda: "shown farewell.farewell via picker" in app.log_text(), what="pick")
            wait_for(lambda: focused_window(d) == other.window_id, what="focus given back")
        finally:
            app.stop()
    assert app.rows("select situation, trigger from usage_event order by ts_utc") == [
        ("greeting", "hotkey"), ("greeting", "hotkey"), ("farewell", "picker"),
    ]  # fmt: skip
