"""The notice key for real: under Xvfb, with no printer, the PDF lands in the notice folder
and the keyboard stays in the business system.

The customer's business and missing materials are filled in through the fields dialog,
from the keyboard: the business by its initials, the missing ones ticked from its list.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

try:
    from tests.test_e2e_app import App, complete_checklist_by_keyboard, find_windows, wait_for
    from tests.xserver import OtherWindow, focused_window, xdotool, xvfb_display
except ImportError:  # tests/ run as rootdir modules
    from test_e2e_app import App, complete_checklist_by_keyboard, find_windows, wait_for
    from xserver import OtherWindow, focused_window, xdotool, xvfb_display

__all__ = ["xvfb_display"]

pytestmark = pytest.mark.xvfb


@pytest.fixture
def app(xvfb_display, tmp_path):
    app = App(xvfb_display, tmp_path)  # conftest points CUPS at a socket nobody serves
    yield app
    if app.proc and app.proc.poll() is None:
        app.proc.kill()
        app.proc.wait()


def test_the_notice_key_saves_the_pdf_without_a_printer_and_keeps_the_focus(app, xvfb_display):
    d = xvfb_display
    folder = app.data / "notices"  # the documented place: "notices" in the data dir
    with OtherWindow(d, "business system") as other:
        app.start()
        prep = wait_for(lambda: find_windows(d, "岗前准备"), what="the checklist window")
        complete_checklist_by_keyboard(app, prep, "0312")

        # The clerk fills in the customer: business by its initials, two missing materials.
        other.focus()
        xdotool(d, "key", "ctrl+alt+f")
        fields = wait_for(lambda: find_windows(d, "本位客户信息"), what="the fields dialog")
        wait_for(lambda: focused_window(d) in fields, what="the fields dialog to take focus")
        xdotool(d, "type", "gf")
        time.sleep(0.3)
        xdotool(d, "key", "Down")  # pick 购房提取 from the completer's list
        xdotool(d, "key", "Return")
        time.sleep(0.3)
        # 缺少材料: Alt+M goes to the business's first document; Tab moves, Space ticks.
        xdotool(d, "key", "alt+m", "Tab", "space", "Tab", "space", "Return")
        wait_for(lambda: not find_windows(d, "本位客户信息"), what="the fields dialog to close")

        other.focus()
        xdotool(d, "key", "ctrl+alt+g")
        pdfs = wait_for(lambda: list(folder.glob("notice-*.pdf")), what="the notice PDF")
        assert focused_window(d) == other.window_id
        wait_for(lambda: "notice not printed" in app.log_text(), what="the outcome logged")
        assert "本机没有默认打印机" in app.log_text()
        app.stop()

    rows = app.rows(
        "select situation, variant, business, trigger, staff_id, detail from usage_event"
    )
    assert rows == [
        (
            "notice",
            "pdf",
            "withdraw_purchase",
            "hotkey",
            "0312",
            json.dumps({"missing": ["购房合同", "购房发票"]}, ensure_ascii=False),
        )
    ]
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True, text=True
        ).stdout
        assert "“购房提取”" in text and text.count("■ 需补交") == 2
