"""The counter GUI wired together, offscreen, with a fake hotkey backend and a fake clock."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from counter_assistant.context import load_context
from counter_assistant.core.clock import FakeClock
from counter_assistant.core.day import DayGate, DayState
from counter_assistant.core.session import PromptSession
from counter_assistant.platform.hotkeys.base import BackendUnavailable
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.storage.db import close_database, open_database
from counter_assistant.ui import counter as counter_module
from counter_assistant.ui.prompt_window import place_on_screen

CONFIG = """
[counter]
id = "PJ-03"
window = "3"
department = "归集科"
[hotkeys]
refusal = "ctrl+alt+5"
"""


class ListRecorder:
    def __init__(self):
        self.records = []
        self.rows = []

    def record(self, rec):
        self.records.append(rec)

    def submit(self, table, row):
        self.rows.append((table, row))

    def flush(self, timeout=5.0):
        return True


@pytest.fixture
def make_ui(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "data"))
    open_database(ctx.paths.database, ctx.config.counter_id)
    made = []

    def make(backend="fake", taken=(), prepared=True):
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

        monkeypatch.setattr(counter_module, "choose_backend", choose)
        clock = FakeClock(datetime(2026, 11, 27, 8, 5).astimezone())
        recorder = ListRecorder()
        gate = DayGate(ctx.config, clock, recorder.submit)
        if prepared:
            gate.confirm_prep("0312", ctx.config.prep_items)
        session = PromptSession(ctx.catalog, ctx.business, ctx.config.slot_values())
        ui = counter_module.CounterUi(ctx, session, gate, recorder, clock)
        qtbot.addWidget(ui.window)
        ui.start([])
        ui.fake = made[-1] if made else None
        ui.recorder_list = recorder
        return ui

    yield make
    close_database()


def prompt_text(ui):
    return ui.window.prompt_label.text()


def test_hotkey_from_another_thread_shows_prompt_and_records_once(make_ui, qtbot):
    ui = make_ui()
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问您办理什么业务？")
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问有什么需要帮忙吗？")
    records = ui.recorder_list.records
    assert [(r.situation, r.variant, r.trigger, r.staff_id, r.counter_id) for r in records] == [
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
    assert "ctrl+alt+5" in notice and "无法办理" in notice and "占用" in notice
    assert ui.fake.fire("refusal") is None
    ui.fake.fire("outage")
    qtbot.waitUntil(lambda: prompt_text(ui).startswith("请原谅"))


def test_before_preparation_only_the_reminder_and_no_record(make_ui, qtbot):
    ui = make_ui(prepared=False)
    assert ui.gate.state is DayState.NEEDS_PREP
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: "第十四条" in prompt_text(ui))
    assert ui.recorder_list.records == []
    assert ui.day.prep.isVisible()


def test_fields_fill_slots_and_next_customer_clears_them(make_ui, qtbot):
    ui = make_ui()
    ui.controller.apply_fields({"surname": "王", "title": "女士"}, "loan")
    ui.controller.handle("farewell", "click")
    assert prompt_text(ui) == "王女士，请慢走。"
    assert "王女士" in ui.window.context_label.text()
    ui.controller.handle("documents", "click")
    assert (
        prompt_text(ui)
        == "办理公积金贷款业务需要您的身份证、户口簿、婚姻证明、购房合同，请您提供证件，好吗？"
    )
    ui.controller.handle("next_customer", "hotkey")
    assert "身份证" not in prompt_text(ui)
    assert ui.window.context_label.text() == ""
    assert [r.trigger for r in ui.recorder_list.records] == ["click", "click"]
    assert all("王" not in str(r) for r in ui.recorder_list.records)


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
    assert len(ui._shortcuts) == len(ui.bindings) == 15


def test_window_never_accepts_focus_with_a_global_backend(make_ui):
    ui = make_ui()
    assert ui.window.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert ui.window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert ui.window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert "窗口服务助手" in ui.window.windowTitle()


def test_cheat_sheet_lists_every_hotkey(make_ui):
    ui = make_ui()
    sheet = ui.cheat_sheet_text()
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
    assert ui.backend is ui.fake and ui.fake.name == "second"
    assert "second" in ui.window.status_label.text()
    ui.fake.fire("greeting")
    qtbot.waitUntil(lambda: prompt_text(ui) == "您好！请问您办理什么业务？")
    assert any("X died" in r for r in ui.backend_reasons)


def test_many_taken_hotkeys_make_one_line_and_an_honest_status(make_ui):
    taken = {f"ctrl+alt+{n}" for n in "12345"}
    ui = make_ui(taken=taken)
    notice = ui.window.notice_label.text()
    assert notice.count("\n") == 0 and "5 个热键无法使用" in notice and "占用" in notice
    assert "10/15" in ui.window.status_label.text()
    assert "ctrl+alt+1" in ui.cheat_sheet_text() and "无法使用" in ui.cheat_sheet_text()


def test_reports_read_the_pin_set_after_start(make_ui, monkeypatch, tmp_path):
    from counter_assistant.core.pin import hash_pin
    from counter_assistant.ui import supervisor

    ui = make_ui()
    asked = []
    monkeypatch.setattr(supervisor, "ask_pin", lambda _p, stored: asked.append(stored) or False)
    config = ui.ctx.config.source
    with open(config, "a", encoding="utf-8") as fh:
        fh.write(f'\n[supervisor]\npin_hash = "{hash_pin("2468")}"\n')
    ui.open_reports()
    assert asked and asked[0].startswith("pbkdf2")


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
