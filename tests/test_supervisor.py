"""The supervisor window: a preview that follows the inputs, export with real progress,
cancel, a guarded close, and the damaged database named."""

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox
from reportdata import ev, make_db, read_csv

from counter_assistant.reports import scope as scope_mod
from counter_assistant.ui import export_panel
from counter_assistant.ui.report_page import suggested_name
from counter_assistant.ui.supervisor import SupervisorWindow
from counter_assistant.ui.tasks import TaskRunner

WAIT = 10_000


@pytest.fixture
def tasks():
    runner = TaskRunner()
    yield runner
    runner.shutdown(wait=True)


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    make_db(folder / "PJ-01.sqlite3", "PJ-01", [ev("PJ-01"), ev("PJ-01", situation="farewell")])
    make_db(folder / "PJ-02.db", "PJ-02", [ev("PJ-02", day="2026-01-10")])
    (folder / "readme.txt").write_text("x")
    return folder


def window(qtbot, tasks, ctx=None):
    win = SupervisorWindow(ctx, tasks=tasks)
    qtbot.addWidget(win)
    page = win.reports
    page.date_from.setDate(QDate(2026, 3, 1))
    page.date_to.setDate(QDate(2026, 3, 31))
    return win, page


def cells(page):
    m = page.model
    return [[m.text(r, c) for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_the_preview_follows_the_inputs(qtbot, tasks, folder):
    win, page = window(qtbot, tasks)
    assert "窗口服务助手" in win.windowTitle() and "统计报表" in win.windowTitle()
    page.report.setCurrentIndex(page.report.findData("daily"))
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.set_inputs([folder])
    rows = cells(page)
    assert ["PJ-01", "接待问候", "1", "greeting"] in rows
    assert ["PJ-02", "（无记录）", "0", ""] in rows
    missing = rows.index(["PJ-02", "（无记录）", "0", ""])
    assert page.model.warned(missing) and not page.model.warned(0)
    assert "PJ-02" in page.summary.text() and "2026-03-01" in page.summary.text()
    # new dates: a new preview without pressing anything
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.date_from.setDate(QDate(2026, 1, 1))
    assert ["PJ-02", "接待问候", "1", "greeting"] in cells(page)
    assert "2026-01-01" in page.summary.text()
    # another report: another table
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.report.setCurrentIndex(page.report.findData("compliance"))
    assert page.model.headerData(1, page.table.horizontalHeader().orientation()) == "工作天数"


def test_the_preview_is_built_off_the_gui_thread_with_a_busy_bar(qtbot, tasks, folder):
    import threading

    from counter_assistant.ui import report_page

    threads = []
    real = report_page.preview

    def spy(*a, **k):
        threads.append(threading.current_thread())
        return real(*a, **k)

    report_page.preview = spy
    try:
        _win, page = window(qtbot, tasks)
        page.inputs = [folder]
        with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
            page.refresh_preview()
            assert page.busy.isVisibleTo(page) and not page.table.isEnabled()
    finally:
        report_page.preview = real
    assert threads and threads[0] is not threading.main_thread()
    assert not page.busy.isVisibleTo(page) and page.table.isEnabled()


def test_columns_are_readable_at_the_default_size(qtbot, tasks, folder):
    win, page = window(qtbot, tasks)
    win.show()
    page.report.setCurrentIndex(page.report.findData("compliance"))
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.set_inputs([folder])
    metrics = page.table.fontMetrics()
    for c in range(page.model.columnCount()):
        header = page.model.headerData(c, page.table.horizontalHeader().orientation())
        assert page.table.columnWidth(c) >= metrics.horizontalAdvance(header), header


def test_a_damaged_database_is_named_in_the_preview(qtbot, tasks, folder):
    (folder / "PJ-07.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    _win, page = window(qtbot, tasks)
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.set_inputs([folder])
    assert page.banner.isVisibleTo(page) and "PJ-07.sqlite3" in page.banner.text()


def test_export_shows_progress_and_offers_the_file(qtbot, tasks, folder, monkeypatch, tmp_path):
    monkeypatch.setattr(scope_mod, "BATCH", 5)
    make_db(folder / "PJ-03.sqlite3", "PJ-03", [ev("PJ-03") for _ in range(40)])
    _win, page = window(qtbot, tasks)
    page.inputs = [folder]
    page.report.setCurrentIndex(page.report.findData("events"))
    seen = []
    page.exporter._signal.changed.connect(lambda d, t: seen.append((d, t)))
    out = tmp_path / "out.csv"
    with qtbot.waitSignal(page.exporter.finished, timeout=WAIT) as blocker:
        page.export_to(out, "csv")
        assert page.exporter.running and page.exporter.cancel_button.isVisibleTo(page)
    summary = blocker.args[0]
    assert summary.rows == 42 and summary.missing_counters == ["PJ-02"]
    assert len(read_csv(out)) == 43
    assert len(seen) >= 5 and seen[-1] == (42, 42)  # batch by batch, to the end
    status = page.exporter.status
    assert "已导出" in status.text() and "c62828" not in status.styleSheet()  # not red
    assert "PJ-02" in page.exporter.note.text()
    assert page.exporter.export_button.isEnabled() and not page.exporter.progress.isVisibleTo(page)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    page.exporter.open_file.click()
    page.exporter.open_folder.click()
    assert opened == [str(out), str(tmp_path)]


def _slow(monkeypatch, folder, rows=3000):
    monkeypatch.setattr(scope_mod, "BATCH", 2)
    make_db(folder / "PJ-04.sqlite3", "PJ-04", [ev("PJ-04") for _ in range(rows)])


def test_cancel_leaves_nothing_behind(qtbot, tasks, folder, monkeypatch, tmp_path):
    _slow(monkeypatch, folder)
    _win, page = window(qtbot, tasks)
    page.inputs = [folder]
    page.report.setCurrentIndex(page.report.findData("events"))
    out = tmp_path / "out" / "big.xlsx"
    out.parent.mkdir()
    with qtbot.waitSignal(page.exporter.finished, timeout=WAIT) as blocker:
        with qtbot.waitSignal(page.exporter._signal.changed, timeout=WAIT):
            page.export_to(out, "xlsx")
        page.exporter.cancel_button.click()
    assert "取消" in blocker.args[0]
    assert "c62828" not in page.exporter.status.styleSheet()
    assert list(out.parent.iterdir()) == []  # no report, no .part file


def test_closing_mid_export_asks_first(qtbot, tasks, folder, monkeypatch, tmp_path):
    _slow(monkeypatch, folder)
    win, page = window(qtbot, tasks)
    win.show()
    page.inputs = [folder]
    page.report.setCurrentIndex(page.report.findData("events"))
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answers.pop(0)
    )
    out = tmp_path / "out" / "big.csv"
    out.parent.mkdir()
    with qtbot.waitSignal(page.exporter._signal.changed, timeout=WAIT):
        page.export_to(out, "csv")
    assert not win.close() and win.isVisible()  # "No": keeps exporting
    assert page.exporter.running
    assert win.close()  # "Yes": cancels, waits for the export to stop, and closes
    assert list(out.parent.iterdir()) == []  # already clean when the window has gone
    qtbot.waitUntil(lambda: not page.exporter.running, timeout=WAIT)
    assert "取消" in page.exporter.status.text()
    assert len(asked) == 2 and "正在导出" in asked[0]


def test_suggested_file_name_follows_the_language(qtbot, tasks, folder, monkeypatch):
    assert suggested_name("compliance", "zh", date(2026, 5, 1), date(2026, 5, 31), "xlsx") == (
        "窗口服务统计_准备与收尾合规_2026-05-01_2026-05-31.xlsx"
    )
    assert suggested_name("daily", "en", date(2026, 5, 1), date(2026, 5, 31), "csv") == (
        "counter-report_daily_2026-05-01_2026-05-31.csv"
    )
    _win, page = window(qtbot, tasks)
    page.inputs = [folder]
    offered = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: offered.append(a[2]) or ("", "")
    )
    page.lang.setCurrentIndex(page.lang.findData("en"))
    page.exporter.export_button.click()
    assert Path(offered[0]).name.startswith("counter-report_") and offered[0].startswith(
        str(folder)
    )


def test_qt_texts_are_chinese_and_pages_can_be_added(qtbot, tasks, folder):
    win, _page = window(qtbot, tasks)
    assert QCoreApplication.translate("QFileDialog", "Look in:") == "查找范围："
    assert win.tabs.count() == 1 and win.tabs.tabBarAutoHide()  # no tab bar for one page
    live = QLabel("today")
    win.add_page("今日", live, first=True)
    assert win.tabs.widget(0) is live and win.tabs.currentWidget() is live
    assert win.tabs.tabText(1) == "统计报表"


def test_the_counter_database_is_preselected(qtbot, tasks, tmp_path):
    db = make_db(tmp_path / "counter.sqlite3", "PJ-05", [ev("PJ-05")])
    ctx = SimpleNamespace(
        paths=SimpleNamespace(database=db),
        config=SimpleNamespace(calendar="", workdays=["mon"], roster=[]),
        business=SimpleNamespace(items=[]),
    )
    _win, page = window(qtbot, tasks, ctx)
    assert page.inputs == [db] and "counter.sqlite3" in page.source_label.text()
    assert page.options.calendar.weekdays == {0}


def test_export_errors_are_shown_in_red(qtbot, tasks, folder, tmp_path):
    _win, page = window(qtbot, tasks)
    page.inputs = [folder]
    page.date_from.setDate(QDate(2026, 3, 31))
    page.date_to.setDate(QDate(2026, 3, 1))
    with qtbot.waitSignal(page.exporter.finished, timeout=WAIT) as blocker:
        page.export_to(tmp_path / "x.xlsx", "xlsx")
    assert isinstance(blocker.args[0], str) and "颠倒" in page.exporter.status.text()
    assert export_panel.ERROR_STYLE in page.exporter.status.styleSheet()
    assert not (tmp_path / "x.xlsx").exists()


def test_ask_pin(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QInputDialog

    from counter_assistant.core.pin import PinGuard, hash_pin
    from counter_assistant.ui.pin_dialog import ask_pin

    stored = hash_pin("246810", iterations=1000)
    now = [1000.0]
    guard = PinGuard(tmp_path / "pin-attempts.json", lambda: now[0])
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a))
    monkeypatch.setattr(QMessageBox, "information", lambda *a: warnings.append(a))
    answers = iter([("246810", True), ("111111", True), ("246810", False)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    assert ask_pin(None, stored, guard)
    assert not ask_pin(None, stored, guard) and len(warnings) == 1
    now[0] += guard.wait_seconds()
    assert not ask_pin(None, stored, guard) and len(warnings) == 1  # cancelled: no warning
    assert not ask_pin(None, "", guard) and len(warnings) == 2
