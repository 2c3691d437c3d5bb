"""The notice at the counter, offscreen: the key, the dialog, the PDF fallback, the record."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from datetime import datetime

import pytest

from counter_assistant.app import build_counter
from counter_assistant.context import load_context
from counter_assistant.core.clock import FakeClock
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend

CONFIG = """
[counter]
id = "PJ-03"
window = "3"
department = "归集科"
[center]
address = "兴隆台区市府大路 1 号"
phone = "0427-2825678"
[notice]
printer = "没有这台打印机"
pdf_dir = "notices"
"""


@pytest.fixture
def counter(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "data"))
    clock = FakeClock(datetime(2026, 11, 27, 9, 5).astimezone())
    backends = []

    def choose(_preference, on_fire, exclude=()):
        backends.append(FakeHotkeyBackend(on_fire))
        return backends[-1], []

    made = build_counter(ctx, clock, choose)
    made.backend = backends[0]
    made.folder = tmp_path / "notices"
    qtbot.addWidget(made.ui.window)
    made.start()
    yield made
    made.stop()


def prepare(counter) -> None:
    counter.gate.confirm_prep("0312", counter.ui.ctx.config.prep_items)


def usage_rows(counter) -> list[tuple]:
    assert counter.recorder.flush(5.0)
    con = sqlite3.connect(counter.ui.ctx.paths.database)
    try:
        return con.execute(
            "select situation, variant, business, trigger, staff_id, counter_id, detail"
            " from usage_event order by ts_utc"
        ).fetchall()
    finally:
        con.close()


def customer(counter) -> None:
    session = counter.ui.controller.session
    session.set_business("withdraw_purchase")
    session.set_missing(["购房发票", "购房合同"])
    session.fields.update({"missing": "结婚证", "rule": "口头说明的规定", "surname": "王"})


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CA_REQUIRE_XVFB") == "1":
            pytest.fail("pdftotext is not installed (poppler-utils)")
        pytest.skip("pdftotext is not installed (poppler-utils)")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_key_saves_a_pdf_without_a_printer_and_records_catalog_materials_only(
    counter, qtbot, monkeypatch
):
    from counter_assistant.ui import notice_render

    threads = []
    real = notice_render.print_html

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(notice_render, "print_html", spy)
    prepare(counter)
    customer(counter)
    started = time.perf_counter()
    counter.backend.fire("notice").join()
    qtbot.waitUntil(lambda: "已存为 PDF" in counter.ui.notice_line, timeout=10_000)
    assert threads and threads[0] is not threading.main_thread()  # never on the GUI thread
    line = counter.ui.notice_line
    assert "未找到打印机“没有这台打印机”" in line
    [pdf] = list(counter.folder.glob("notice-*.pdf"))
    assert str(pdf) in line and line in counter.ui.window.notice_label.text()
    text = pdf_text(pdf)
    assert "本次还缺 3 项" in text and "结婚证" in text and "口头说明的规定" in text
    assert "王" not in text
    rows = usage_rows(counter)
    assert rows == [
        (
            "notice",
            "pdf",
            "withdraw_purchase",
            "hotkey",
            "0312",
            "PJ-03",
            json.dumps({"missing": ["购房合同", "购房发票"]}, ensure_ascii=False),
        )
    ]
    assert time.perf_counter() - started < 10
    counter.ui.dispatch("next_customer", "hotkey")
    assert counter.ui.notice_line == ""


def test_nothing_is_printed_without_a_business_or_before_preparation(counter, qtbot):
    counter.ui.dispatch("notice", "hotkey")  # the day is not prepared yet
    assert "岗前准备" in counter.ui.window.heading_label.text()
    prepare(counter)
    counter.ui.dispatch("notice", "hotkey")
    assert "请先在“填写客户信息”中选择业务" in counter.ui.notice_line
    counter.ui.controller.session.set_business("loan")
    counter.ui.dispatch("notice", "tray")
    assert "还没有勾选缺少的材料" in counter.ui.notice_line
    qtbot.wait(200)
    assert usage_rows(counter) == []
    assert not counter.folder.exists() or not list(counter.folder.iterdir())


def test_the_dialog_prints_the_name_on_paper_only(counter, qtbot):
    prepare(counter)
    customer(counter)
    counter.ui.dispatch("notice_dialog", "tray")
    dialog = counter.ui.notice.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.preview.pageCount() == 1
    dialog.name.insert("王小明")  # (QTest types ASCII only)
    painted = []
    dialog.preview.paintRequested.connect(lambda _printer: painted.append(True))
    qtbot.waitUntil(lambda: bool(painted), timeout=3000)  # the preview follows the name typed
    sent = []
    counter.ui.notice.printer.finished.connect(lambda n, o, t: sent.append((n, o, t)))
    dialog._print()
    qtbot.waitUntil(lambda: bool(sent), timeout=10_000)
    notice, outcome, trigger = sent[0]
    assert (notice.citizen_name, outcome.variant, trigger) == ("王小明", "pdf", "dialog")
    assert not dialog.isVisible() and dialog.name.text() == ""
    assert "王小明" not in pdf_text(outcome.path)  # the saved PDF leaves the line blank
    log = counter.ui.ctx.paths.log_file.read_text(encoding="utf-8")
    assert "王小明" not in log and "小明" not in json.dumps(usage_rows(counter), ensure_ascii=False)


def test_the_key_is_in_the_cheat_sheet_and_the_menu(counter):
    sheet = counter.ui.side.cheat_sheet_text()
    assert "ctrl+alt+g" in sheet and "打印一次性告知单" in sheet
    labels = [a.text() for a in counter.ui.menu.menu.actions()]
    assert "打印一次性告知单" in labels and "一次性告知单（预览、填姓名）…" in labels


def test_saved_notices_older_than_seven_days_go_once_a_day(qtbot, counter):
    folder = counter.folder
    folder.mkdir(exist_ok=True)
    week = time.time() - 8 * 86400

    def old(name: str):
        path = folder / name
        path.write_bytes(b"%PDF")
        os.utime(path, (week, week))
        return path

    first, other = old("notice-20261101-090000.pdf"), old("kept-by-someone.pdf")
    counter.ui.tick()  # the first tick of the day (start schedules one too, a little later)
    qtbot.waitUntil(lambda: not first.exists(), timeout=5000)
    second = old("notice-20261102-090000.pdf")
    counter.ui.tick()  # the same day: not again
    qtbot.wait(200)
    assert second.exists()
    counter.ui.clock.advance(days=1)
    counter.ui.tick()
    qtbot.waitUntil(lambda: not second.exists(), timeout=5000)
    assert other.exists()


def test_the_fields_dialog_asks_for_the_notice_with_what_it_holds(counter, qtbot):
    """The button in the fields dialog applies what was filled in, then opens the notice
    with it: the business chosen and the documents ticked there."""
    prepare(counter)
    counter.ui.dispatch("fields", "hotkey")
    fields = counter.ui.fields
    qtbot.waitUntil(fields.isVisible)
    business = counter.ui.ctx.business.get("withdraw_purchase")
    fields.business.setCurrentIndex(fields.business.findData(business.key))
    qtbot.waitUntil(lambda: len(fields.doc_checks) == len(business.documents))
    next(c for c in fields.doc_checks if c.text() == "购房发票").setChecked(True)
    fields.notice_button.click()
    dialog = counter.ui.notice.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert not fields.isVisible()
    session = counter.ui.controller.session
    assert session.business_key == "withdraw_purchase" and session.missing_docs == ("购房发票",)
    assert counter.ui.notice._dialog_notice.business == business.name


def test_no_restart_into_an_upgrade_while_a_dialog_is_open_or_a_notice_prints(counter, qtbot):
    from PySide6.QtWidgets import QApplication

    from counter_assistant.app import quiet_for_restart

    app = QApplication.instance()
    for widget in app.topLevelWidgets():  # windows other tests left open in this process
        if widget.isVisible() and widget is not counter.ui.window:
            widget.hide()
    prepare(counter)
    customer(counter)
    assert quiet_for_restart(app, counter)
    counter.ui.dispatch("notice_dialog", "tray")
    dialog = counter.ui.notice.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert counter.ui.dialogs_open() and not quiet_for_restart(app, counter)
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert quiet_for_restart(app, counter)

    counter.ui.dialogs.open_fields()  # a dialog of the focus stack
    qtbot.waitUntil(counter.ui.fields.isVisible)
    assert counter.ui.dialogs_open() and not quiet_for_restart(app, counter)
    counter.ui.fields.reject()
    qtbot.waitUntil(lambda: quiet_for_restart(app, counter))

    release = threading.Event()
    counter.tasks.run(lambda: release.wait(10))  # e.g. a notice on its way to the printer
    assert not quiet_for_restart(app, counter)
    release.set()
    qtbot.waitUntil(lambda: quiet_for_restart(app, counter))
