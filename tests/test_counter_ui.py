"""The counter GUI as app.build_counter wires it, offscreen: a fake hotkey backend handed
in through ``choose``, a fake clock, and the real recorder writing a temp database."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from counter_assistant.app import build_counter
from counter_assistant.context import load_context
from counter_assistant.core.actions import default_hotkeys
from counter_assistant.core.clock import FakeClock
from counter_assistant.core.day import DayState
from counter_assistant.core.session import Filled
from counter_assistant.platform.hotkeys.base import BackendUnavailable
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.ui.prompt_window import place_on_screen

BOUND = sum(1 for combo in default_hotkeys().values() if combo)  # every action with a default key

CONFIG = """
[counter]
id = "PJ-03"
window = "3"
department = "归集科"
[hotkeys]
refusal = "ctrl+alt+5"
"""
START = datetime(2026, 11, 27, 8, 5).astimezone()


def make_chooser(backend="fake", taken=(), made=None):
    """A stand-in for choose_backend: (preference, on_fire, exclude) -> (backend, reasons)."""
    made = [] if made is None else made

    def choose(_preference, on_fire, exclude=()):
        if backend is None:
            return None, ["no X server"]
        if backend == "first-fails" and "fake" not in exclude:
            broken = FakeHotkeyBackend(on_fire)
            broken.start = lambda _b: (_ for _ in ()).throw(BackendUnavailable("X died"))
            return broken, []
        if backend == "first-fails" and "second" in exclude:
            return None, ["nothing else"]
        fake = FakeHotkeyBackend(on_fire, taken=taken)
        if backend == "first-fails":
            fake.name = "second"
        made.append(fake)
        return fake, []

    return choose


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def make_counter(qtbot, tmp_path, config_file, monkeypatch):
    """make_counter(...) -> the running Counter; counter.ui.fake is the hotkey backend."""
    monkeypatch.delenv("DISPLAY", raising=False)
    started = []

    def make(backend="fake", taken=(), prepared=True, before_start=None):
        ctx = load_context(str(config_file), str(tmp_path / "data"))
        if before_start is not None:
            before_start(ctx)
        made: list[FakeHotkeyBackend] = []
        counter = build_counter(ctx, FakeClock(START), choose=make_chooser(backend, taken, made))
        started.append(counter)
        qtbot.addWidget(counter.ui.window)
        if prepared:
            counter.gate.confirm_prep("0312", ctx.config.prep_items)
        counter.start()
        counter.ui.fake = made[-1] if made else None
        return counter

    yield make
    for counter in started:
        counter.stop()
        day = counter.ui.day
        for dialog in (day._prep, day._close, day._staff):  # built on first use
            if dialog is not None:
                dialog.close()


@pytest.fixture
def make_ui(make_counter):
    return lambda *args, **kwargs: make_counter(*args, **kwargs).ui


def recorded(counter, table="usage_event", columns="*") -> list[tuple]:
    """What the recorder has written, in the order it was recorded."""
    assert counter.recorder.flush(5)
    con = sqlite3.connect(counter.recorder.db_path)
    try:
        return con.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
    finally:
        con.close()


def prompt_text(ui):
    return ui.window.prompt_label.text()


def test_hotkey_from_another_thread_shows_prompt_and_records_once(make_counter, qtbot):
    counter = make_counter()
    ui = counter.ui
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问您办理什么业务？")
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问有什么需要帮忙吗？")
    assert recorded(counter, columns="situation, variant, trigger, staff_id, counter_id") == [
        ("greeting", "business", "hotkey", "0312", "PJ-03"),
        ("greeting", "help", "hotkey", "0312", "PJ-03"),
    ]
    assert "1/4" not in ui.window.heading_label.text() and "2/4" in ui.window.heading_label.text()


def test_phone_answer_uses_department_from_config(make_ui, qtbot):
    ui = make_ui()
    ui.fake.fire("phone")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好，公积金管理中心归集科。")


def test_taken_hotkey_is_named_and_others_keep_working(make_ui, qtbot):
    ui = make_ui(taken={"ctrl+alt+5"})
    notice = ui.window.notice_label.text()
    assert "Ctrl+Alt+5" in notice and "无法办理" in notice and "占用" in notice
    assert "信息科" in notice and "配置" not in notice  # what a clerk can do
    assert ui.fake.fire("refusal") is None
    ui.fake.fire("outage")
    qtbot.waitUntil(lambda: prompt_text(ui).startswith("请原谅"))


def test_before_preparation_only_the_reminder_and_no_record(make_counter, qtbot):
    counter = make_counter(prepared=False)
    ui = counter.ui
    assert ui.gate.state is DayState.NEEDS_PREP
    assert ui.day.prep.isVisible()  # shown at start
    ui.day.prep.hide()
    ui.window.show_prompt("", "")
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: "岗前准备尚未确认" in prompt_text(ui))
    assert "第十四条" in ui.window.heading_label.text()
    assert recorded(counter) == []
    assert ui.day.prep.isVisible()  # the blocked hotkey shows the checklist again,
    assert ui.day.prep.quiet  # without taking the keyboard


def test_fields_fill_slots_and_next_customer_clears_them(make_counter, qtbot):
    counter = make_counter()
    ui = counter.ui
    ui.controller.apply_fields(Filled({"surname": "王", "title": "女士"}, "loan"))
    ui.dispatch("farewell", "click")
    assert prompt_text(ui) == "王女士，请慢走。"
    assert "王女士" in ui.window.customer.text
    ui.dispatch("documents", "click")
    assert (
        prompt_text(ui)
        == "办理公积金贷款业务需要您的身份证、户口簿、婚姻证明、购房合同，请您提供证件，好吗？"
    )
    ui.dispatch("next_customer", "hotkey")
    assert "身份证" not in prompt_text(ui)
    assert "王" not in ui.window.customer.text
    rows = recorded(counter)
    assert [r[0] for r in recorded(counter, columns="trigger")] == ["click", "click"]
    assert rows and all("王" not in str(r) for r in rows)


def test_pause_unregisters_and_resume_registers_again(make_ui, qtbot):
    ui = make_ui()
    ui.pause_action.setChecked(True)
    assert not ui.fake.running and ui.fake.stop_count == 1
    assert "暂停" in ui.window.status_label.text()
    assert ui.fake.fire("greeting") is None
    ui.pause_action.setChecked(False)
    assert ui.fake.running and ui.fake.start_count == 2
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问您办理什么业务？")


def test_without_a_global_backend_the_window_says_so_and_takes_shortcuts(make_ui):
    ui = make_ui(backend=None)
    assert "不可用" in ui.window.status_label.text()
    assert not ui.window.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert len(ui.hotkeys._shortcuts) == len(ui.hotkeys.bindings) == BOUND


def test_window_never_accepts_focus_with_a_global_backend(make_ui):
    ui = make_ui()
    assert ui.window.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert ui.window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert ui.window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert "窗口服务助手" in ui.window.windowTitle()


def test_cheat_sheet_lists_every_hotkey(make_ui):
    ui = make_ui()
    sheet = ui.side.cheat_sheet_text()
    assert "ctrl+alt+5" in sheet and "无法办理" in sheet and "下一位客户" in sheet


def test_window_comes_back_on_screen_after_a_monitor_is_unplugged(qapp):
    area = QApplication.primaryScreen().availableGeometry()
    lost = QRect(area.right() + 2000, 100, 400, 200)
    placed = place_on_screen(lost, 400, 200)
    assert area.contains(placed)
    kept = QRect(area.left() + 10, area.top() + 10, 400, 200)
    assert place_on_screen(kept, 400, 200) == kept
    # Only its title line on screen (e.g. saved at 100 %, restarted at 150 %): pulled back in.
    hanging = QRect(area.right() - 300, area.bottom() - 30, 840, 450)
    placed = place_on_screen(hanging, 840, 450)
    assert area.contains(placed) and placed.size() == hanging.size().boundedTo(area.size())
    huge = QRect(area.left(), area.top(), area.width() * 2, area.height() * 2)
    assert area.contains(place_on_screen(huge, 400, 200))


def test_position_is_remembered(make_ui, qtbot):
    ui = make_ui()
    ui.window.move(40, 50)
    ui.window.save_geometry()
    data = ui.ctx.paths.state_file.read_text(encoding="utf-8")
    assert '"x": 40' in data and '"y": 50' in data


def test_a_backend_that_fails_to_start_gives_way_to_the_next(make_ui, qtbot):
    ui = make_ui(backend="first-fails")
    assert ui.hotkeys.backend is ui.fake and ui.fake.name == "second"
    assert "second" in ui.window.status_label.text()
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问您办理什么业务？")
    assert any("X died" in r for r in ui.hotkeys.reasons)


def test_many_taken_hotkeys_make_one_line_and_an_honest_status(make_ui):
    taken = {f"ctrl+alt+{n}" for n in "12345"}
    ui = make_ui(taken=taken)
    notice = ui.window.notice_label.text()
    assert notice.count("\n") == 0 and "5 个热键无法使用" in notice and "占用" in notice
    assert f"{BOUND - 5}/{BOUND}" in ui.window.status_label.text()
    assert "ctrl+alt+1" in ui.side.cheat_sheet_text() and "无法使用" in ui.side.cheat_sheet_text()


def test_reports_read_the_pin_set_after_start(make_ui, monkeypatch, tmp_path):
    from counter_assistant.core.pin import hash_pin
    from counter_assistant.ui import pin_dialog

    ui = make_ui()
    asked = []
    monkeypatch.setattr(
        pin_dialog, "ask_pin", lambda _p, stored, _guard: asked.append(stored) or False
    )
    config = ui.ctx.config.source
    with open(config, "a", encoding="utf-8") as fh:
        fh.write(f'\n[supervisor]\npin_hash = "{hash_pin("2468")}"\n')
    ui.side.open_reports()
    assert asked and asked[0].startswith("pbkdf2")


def test_pause_also_stops_the_in_window_shortcuts(make_ui, qtbot):
    """Without a global backend the window's own shortcuts stand in; pausing stops them too."""
    ui = make_ui(backend=None)
    greeting = ui.hotkeys._shortcuts[list(ui.hotkeys.bindings).index("greeting")]
    ui.pause_action.setChecked(True)
    assert ui.hotkeys.paused and "暂停" in ui.window.status_label.text()
    greeting.activated.emit()
    assert prompt_text(ui) != "您好！请问您办理什么业务？"
    ui.pause_action.setChecked(False)
    assert "不可用" in ui.window.status_label.text()
    greeting.activated.emit()
    assert prompt_text(ui) == "您好！请问您办理什么业务？"


def test_tick_on_a_new_day_shows_the_checklist_and_clears_the_customer(make_counter):
    counter = make_counter()
    ui = counter.ui
    ui.controller.apply_fields(Filled({"surname": "王", "title": "女士"}))
    ui.dispatch("farewell", "click")
    ui.tick()
    assert not ui.day.prep.isVisible()  # same day: nothing to ask
    counter.ui.clock.set(datetime(2026, 11, 28, 7, 55).astimezone())
    ui.tick()
    assert ui.gate.state is DayState.NEEDS_PREP
    assert ui.day.prep.isVisible() and ui.day.prep.quiet
    assert ui.controller.session.values().get("surname") is None
    assert "王" not in ui.window.customer.text
    assert ui.day.prep_action.isEnabled() and not ui.day.close_action.isEnabled()


def test_tick_at_closing_time_offers_close_out_once(make_counter):
    counter = make_counter()
    ui = counter.ui
    counter.ui.clock.set(datetime(2026, 11, 27, 16, 59).astimezone())
    ui.tick()
    assert "日终收尾" not in ui.window.context_label.text()
    counter.ui.clock.set(datetime(2026, 11, 27, 17, 0).astimezone())
    ui.tick()
    assert "日终收尾" in ui.window.context_label.text()
    assert not ui.day.close.isVisible()  # an offer, never a popup over the business system
    ui.window.set_context("")
    ui.tick()
    assert ui.window.context_label.text() == ""  # offered once


def confirm_checklist(qtbot, window, staff_id):
    assert window.isVisible()
    for box in window.checks:
        box.setChecked(True)
    window.picker.set_staff_id(staff_id)
    qtbot.mouseClick(window.confirm_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()


def test_preparation_close_out_and_reopening_in_the_gui(make_counter, qtbot):
    counter = make_counter(prepared=False)
    ui = counter.ui
    confirm_checklist(qtbot, ui.day.prep, "0312")
    assert "岗前准备已确认" in prompt_text(ui) and ui.gate.state is DayState.OPEN
    assert ui.day.close_action.isEnabled() and not ui.day.reopen_action.isEnabled()

    counter.ui.clock.set(datetime(2026, 11, 27, 17, 5).astimezone())
    ui.day.close_action.trigger()
    confirm_checklist(qtbot, ui.day.close, "0312")
    assert ui.gate.state is DayState.CLOSED and "辛苦了" in prompt_text(ui)
    assert ui.day.reopen_action.isEnabled() and not ui.day.close_action.isEnabled()
    ui.dispatch("greeting", "click")
    assert "第十六条" in ui.window.heading_label.text()  # closed: the notice, no prompt
    assert recorded(counter) == []

    counter.ui.clock.advance(minutes=3)
    ui.day.reopen_action.trigger()
    assert ui.gate.state is DayState.OPEN and "重新开始营业" in prompt_text(ui)
    ui.dispatch("greeting", "click")
    assert prompt_text(ui) == "您好！请问您办理什么业务？"
    assert recorded(counter, "checklist_record", "kind, staff_id, late, ts_local") == [
        ("prep", "0312", 0, "2026-11-27T08:05:00"),
        ("close", "0312", 0, "2026-11-27T17:05:00"),
        ("reopen", "0312", 0, "2026-11-27T17:08:00"),
    ]
    assert recorded(counter, columns="situation, staff_id") == [("greeting", "0312")]


def test_change_of_staff_in_the_gui(make_counter, qtbot):
    counter = make_counter()
    ui = counter.ui
    counter.ui.clock.set(datetime(2026, 11, 27, 12, 0).astimezone())
    ui.day.staff_action.trigger()
    dialog = ui.day.staff
    assert dialog.isVisible() and "0312" in dialog.current_label.text()
    dialog.picker.set_staff_id("0415")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert ui.gate.staff_on_duty == "0415" and "0415" in ui.window.context_label.text()
    ui.dispatch("outage", "click")
    assert recorded(counter, "staff_shift", "staff_id, ts_local, counter_id") == [
        ("0415", "2026-11-27T12:00:00", "PJ-03")
    ]
    assert recorded(counter, columns="situation, staff_id") == [("outage", "0415")]


def today_dialogs(ui):
    from counter_assistant.ui.today import TodayDialog

    return [b for b in ui.side._boxes if isinstance(b, TodayDialog)]


def test_todays_counts_are_read_off_the_gui_thread_and_shown(make_counter, qtbot, monkeypatch):
    import threading

    from counter_assistant.reports import today as today_mod

    threads = []
    real = today_mod.today_counts

    def counting(*args):
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(today_mod, "today_counts", counting)
    counter = make_counter()
    ui = counter.ui
    for key in ("greeting", "greeting", "farewell"):
        ui.dispatch(key, "click")
    ui.side.show_today()  # the task waits for the queued records before it reads
    qtbot.waitUntil(lambda: bool(today_dialogs(ui)))
    (dialog,) = today_dialogs(ui)
    try:
        table = dialog.table
        counts = {
            table.item(r, 0).toolTip(): table.item(r, 1).text() for r in range(table.rowCount())
        }
        assert counts["greeting"] == "2" and counts["farewell"] == "1"
        assert "3" in dialog.summary.text()
        assert threads and threads[0] is not threading.main_thread()
    finally:
        dialog.close()


def test_todays_counts_that_cannot_be_read_say_so(make_counter, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from counter_assistant.reports import today as today_mod

    def broken(*_args):
        raise OSError("disk gone")

    monkeypatch.setattr(today_mod, "today_counts", broken)
    ui = make_counter().ui
    ui.side.show_today()
    boxes = lambda: [b for b in ui.side._boxes if isinstance(b, QMessageBox)]  # noqa: E731
    qtbot.waitUntil(lambda: bool(boxes()))
    try:
        assert "今日统计暂时无法读取" in boxes()[0].text() and "disk gone" in boxes()[0].text()
        assert today_dialogs(ui) == []
    finally:
        boxes()[0].close()


def notices(ui) -> str:
    return ui.window.notice_label.text()


def test_a_corrupt_database_is_moved_aside_and_the_clerk_told(make_counter, qtbot):
    def corrupt(ctx):
        ctx.paths.database.parent.mkdir(parents=True, exist_ok=True)
        ctx.paths.database.write_bytes(b"not a database at all" * 200)

    counter = make_counter(prepared=False, before_start=corrupt)
    ui = counter.ui
    assert "数据库文件已损坏" in notices(ui)
    (aside,) = counter.recorder.db_path.parent.glob("counter.corrupt-*.sqlite3")
    assert aside.name in notices(ui)
    assert ui.day.prep.isVisible()  # nothing known about today: the checklist comes up
    confirm_checklist(qtbot, ui.day.prep, "0312")
    ui.dispatch("greeting", "click")
    assert recorded(counter, columns="situation") == [("greeting",)]  # in the fresh database


def test_an_unreadable_day_is_a_notice_and_asks_for_the_checklist(make_counter):
    def damage(ctx):
        from counter_assistant.storage.db import open_database

        opened = open_database(ctx.paths.database, "PJ-03")
        opened.db.execute_sql("DROP TABLE checklist_record")
        opened.close()

    ui = make_counter(prepared=False, before_start=damage).ui
    assert "无法读取今日的岗前准备记录" in notices(ui)
    assert ui.gate.state is DayState.NEEDS_PREP and ui.day.prep.isVisible()


def test_a_closing_time_not_after_opening_is_a_notice_and_falls_back(make_counter, config_file):
    config_file.write_text(
        CONFIG + '[center]\nopening = "09:00"\nclosing = "08:00"\n', encoding="utf-8"
    )
    counter = make_counter()
    ui = counter.ui
    assert "配置或资源文件有 1 处问题" in notices(ui)
    assert (ui.gate.closing_at.hour, ui.gate.closing_at.minute) == (17, 0)
    assert (ui.gate.prep_deadline.hour, ui.gate.prep_deadline.minute) == (8, 20)
    counter.ui.clock.set(datetime(2026, 11, 27, 12, 0).astimezone())
    assert ui.gate.tick() is None  # the day is open at noon: 08:00 is not its closing time


def test_a_storage_failure_at_start_reaches_the_window(make_counter, qtbot):
    """Rows left in the pending file are replayed at start; when the database refuses
    them the clerk sees it (the status is wired before the recorder starts)."""
    import json

    from counter_assistant.core.records import new_record

    def newer_database_and_pending_rows(ctx):
        ctx.paths.database.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(ctx.paths.database)
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        rec = new_record(FakeClock(START), counter_id="PJ-03", staff_id="0312",
                         situation="greeting", variant="business")  # fmt: skip
        ctx.paths.pending_file.write_text(
            json.dumps({"table": rec.TABLE, "row": rec.as_row()}) + "\n", encoding="utf-8"
        )

    counter = make_counter(before_start=newer_database_and_pending_rows)
    ui = counter.ui
    assert "数据库" in notices(ui) and "schema 99" in notices(ui)  # from reading it at start
    qtbot.waitUntil(lambda: "2 条记录已暂存" in notices(ui))  # from the recorder's replay
    assert counter.recorder.pending_count == 2  # the replayed row and today's preparation


def test_a_second_users_window_is_not_stacked_on_the_first(qapp):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication

    area = QGuiApplication.primaryScreen().availableGeometry()
    first = place_on_screen(None, 400, 200)  # the default corner
    second = place_on_screen(None, 400, 200, taken=[first])
    assert second != first and area.contains(second)
    assert (first.x() - second.x(), first.y() - second.y()) == (40, 40)
    third = place_on_screen(None, 400, 200, taken=[first, second])
    assert third not in (first, second)
    saved = QRect(area.left() + 10, area.top() + 10, 400, 200)  # up and left is the edge
    moved = place_on_screen(saved, 400, 200, taken=[saved])
    assert moved != saved and area.contains(moved)
    assert place_on_screen(saved, 400, 200, taken=[QRect(900, 500, 400, 200)]) == saved


def test_hotkeys_held_by_another_users_window_say_so_and_ask_no_new_combination(
    make_ui, monkeypatch
):
    from counter_assistant.platform.hotkeys import fake as fake_module
    from counter_assistant.platform.hotkeys.base import REASON_OTHER_INSTANCE

    monkeypatch.setattr(fake_module, "REASON_TAKEN", REASON_OTHER_INSTANCE)
    ui = make_ui(taken={f"ctrl+alt+{n}" for n in "1234567890"})
    notice = ui.window.notice_label.text()
    assert "另一个窗口服务助手" in notice and "请该用户退出" in notice
    assert "其他程序" not in notice and "更换组合" not in notice and "换一个组合" not in notice


def test_the_window_steps_aside_from_another_users_window(make_ui, monkeypatch):
    from counter_assistant.ui import prompt_window

    ui = make_ui()
    before = ui.window.geometry()
    monkeypatch.setattr(prompt_window, "other_instance_rects", lambda: [before])
    ui.window.step_aside()
    after = ui.window.geometry()
    assert (before.x() - after.x(), before.y() - after.y()) == (40, 40)
    monkeypatch.setattr(prompt_window, "other_instance_rects", lambda: [])
    ui.window.step_aside()
    assert ui.window.geometry() == after
