from types import SimpleNamespace

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QInputDialog, QMessageBox
from test_reports import ev, make_db, read_csv

from counter_assistant.core.pin import PinGuard, hash_pin
from counter_assistant.ui import supervisor as sup
from counter_assistant.ui.pin_dialog import ask_pin
from counter_assistant.ui.supervisor import SupervisorWindow


def test_window_previews_folder_and_exports_csv(qtbot, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    make_db(folder / "PJ-01.sqlite3", "PJ-01", [ev("PJ-01"), ev("PJ-01", situation="farewell")])
    make_db(folder / "PJ-02.db", "PJ-02", [ev("PJ-02", day="2026-01-10")])
    (folder / "readme.txt").write_text("x")
    win = SupervisorWindow()
    qtbot.addWidget(win)
    assert "窗口服务助手" in win.windowTitle() and "统计报表" in win.windowTitle()
    win.date_from.setDate(QDate(2026, 3, 1))
    win.date_to.setDate(QDate(2026, 3, 31))
    win.load_folder(folder)
    assert [p.name for p in win.paths] == ["PJ-01.sqlite3", "PJ-02.db"]
    table = [[win.table.item(r, c).text() for c in range(4)] for r in range(win.table.rowCount())]
    assert ["PJ-01", "接待问候", "greeting", "1"] in table
    assert ["PJ-02", "无记录", "", "0"] in table
    missing_row = table.index(["PJ-02", "无记录", "", "0"])
    assert win.table.item(missing_row, 0).foreground().color() == sup.MISSING_COLOR
    assert "PJ-02" in win.status.text()

    win.report.setCurrentIndex(win.report.findData("events"))
    out = tmp_path / "out.csv"
    with qtbot.waitSignal(win.export_finished, timeout=10000) as blocker:
        win.export_to(out, "csv")
    summary = blocker.args[0]
    assert summary.rows == 2 and summary.missing_counters == ["PJ-02"]
    assert len(read_csv(out)) == 3
    assert "PJ-02" in win.status.text()
    assert win.export_button.isEnabled() and not win.progress.isVisible()


def test_window_reports_export_errors(qtbot, tmp_path):
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")])
    win = SupervisorWindow()
    qtbot.addWidget(win)
    win.set_paths([db])
    win.date_from.setDate(QDate(2026, 3, 31))
    win.date_to.setDate(QDate(2026, 3, 1))
    with qtbot.waitSignal(win.export_finished, timeout=10000) as blocker:
        win.export_to(tmp_path / "x.xlsx", "xlsx")
    assert isinstance(blocker.args[0], str) and "颠倒" in win.status.text()
    assert not (tmp_path / "x.xlsx").exists()


def test_ask_pin(qtbot, monkeypatch, tmp_path):
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


def test_window_preselects_the_counter_database(qtbot, tmp_path):
    db = make_db(tmp_path / "counter.sqlite3", "PJ-05", [ev("PJ-05")])
    ctx = SimpleNamespace(paths=SimpleNamespace(database=db))
    win = SupervisorWindow(ctx)
    qtbot.addWidget(win)
    assert win.paths == [db]
    assert "counter.sqlite3" in win.source_label.text()


def test_checklists_preview_lists_every_counter_and_day(qtbot, tmp_path):
    from test_reports import chk

    folder = tmp_path / "backups"
    folder.mkdir()
    make_db(folder / "PJ-01.sqlite3", "PJ-01", [ev("PJ-01", day="2026-03-02")],
            [chk("PJ-01", "prep", day="2026-03-02", late=True)])  # fmt: skip
    make_db(folder / "PJ-02.sqlite3", "PJ-02", [ev("PJ-02", day="2026-03-03")], [])
    win = SupervisorWindow()
    qtbot.addWidget(win)
    win.date_from.setDate(QDate(2026, 3, 2))
    win.date_to.setDate(QDate(2026, 3, 3))
    win.report.setCurrentIndex(win.report.findData("checklists"))
    win.load_folder(folder)
    cols = win.table.columnCount()
    assert win.table.horizontalHeaderItem(4).text() == "准备是否迟到"
    table = [[win.table.item(r, c).text() for c in range(cols)] for r in range(4)]
    assert [r[:2] for r in table] == [["2026-03-02", "PJ-01"], ["2026-03-02", "PJ-02"],
                                      ["2026-03-03", "PJ-01"], ["2026-03-03", "PJ-02"]]  # fmt: skip
    assert table[0][4] == "是" and table[3][4] == "未确认" and table[3][-1] == "1"
    red = sup.MISSING_COLOR
    assert win.table.item(0, 0).foreground().color() == red  # late
    assert win.table.item(3, 0).foreground().color() == red  # used without preparation
    assert win.table.item(1, 0).foreground().color() != red  # nothing happened: no alarm
    assert "2 天" in win.status.text()
