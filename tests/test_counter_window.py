"""The counter as the composition root builds it, offscreen, driven through its hotkeys
(a fake backend fires them from another thread, as a real one does) and a fake clock.

One test per thing a clerk must never suffer: the last customer's details spoken to the
next, a sentence cut off, the keyboard taken, input dropped, numbers that mean something
else; and what clerks asked for first: rules and answers picked, hotkeys that come back.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from counter_assistant.app import build_counter
from counter_assistant.context import load_context
from counter_assistant.core import rules
from counter_assistant.core.actions import default_hotkeys
from counter_assistant.core.clock import FakeClock
from counter_assistant.core.day import DayState
from counter_assistant.core.session import Filled
from counter_assistant.platform.focus import ForegroundKeeper
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend
from counter_assistant.ui.fitting import text_height

DATA = Path(__file__).parent / "data" / "counter"  # eight documents, a 40-character rule
RULE_40 = rules.load(DATA / "rules.toml").get("agent").text
CONFIG = """
[counter]
id = "PJ-03"
window = "3"
department = "归集科"
[prompts]
business_catalog = "{data}/business.toml"
rules = "{data}/rules.toml"
answers = "{answers}"
"""


class Keeper(ForegroundKeeper):
    """Stands in for the business system's window: what a dialog gives focus back to."""

    def __init__(self):
        self.restored = []

    def remember(self):
        return "business system"

    def restore(self, handle):
        self.restored.append(handle)


@pytest.fixture
def make(qtbot, tmp_path, monkeypatch):
    from importlib import resources

    monkeypatch.delenv("DISPLAY", raising=False)
    answers = resources.files("counter_assistant.resources").joinpath("answers.example.toml")
    config = CONFIG.format(answers=answers, data=DATA.as_posix())
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    built = []

    def make(prepared=True, taken=(), start=datetime(2026, 11, 27, 8, 5)):
        ctx = load_context(str(tmp_path / "config.toml"), str(tmp_path / "data"))
        assert ctx.problems == [], ctx.problems
        clock = FakeClock(start)
        fakes = []

        def choose(_preference, on_fire, exclude=()):
            fakes.append(FakeHotkeyBackend(on_fire, taken=taken))
            return fakes[-1], []

        counter = build_counter(ctx, clock, choose)
        built.append(counter)
        ui = counter.ui
        ui._foreground = Keeper()
        qtbot.addWidget(ui.window)
        counter.start()
        if prepared:
            counter.gate.confirm_prep("0312", ctx.config.prep_items)
        ui.fake, ui.clock_, ui.counter = fakes[-1], clock, counter
        return ui

    yield make
    for counter in built:
        counter.stop()


def press(qtbot, ui, action):
    """The clerk presses the action's hotkey: fired from another thread, like a real one."""
    before = ui.window.prompt_label.text(), ui.window.heading_label.text()
    thread = ui.fake.fire(action)
    assert thread is not None, f"{action} has no hotkey"
    thread.join()
    qtbot.wait(30)  # the queued signal reaches the GUI thread
    return before


def prompt(ui):
    return "".join(ui.window.pages)


def events(ui):
    ui.counter.recorder.flush(5.0)
    con = sqlite3.connect(ui.ctx.paths.database)
    try:
        return con.execute(
            "select situation, variant, business from usage_event order by ts_utc, rowid"
        ).fetchall()
    finally:
        con.close()


# --- 1. the last customer's details are never spoken to the next one ---------------------
def test_farewell_then_greeting_begins_a_new_customer(qtbot, make):
    ui = make()
    press(qtbot, ui, "fields")
    ui.fields.business.setEditText("tx")
    ui.fields.surname.setText("王")
    ui.fields.title.setCurrentText("女士")
    qtbot.keyClick(ui.fields.surname, Qt.Key.Key_Return)
    press(qtbot, ui, "documents")
    assert "退休证明" in prompt(ui)
    assert "王女士" in ui.window.customer.text
    press(qtbot, ui, "farewell")
    assert prompt(ui) == "王女士，请慢走。"
    assert "已送别" in ui.window.customer.text
    press(qtbot, ui, "greeting")
    assert prompt(ui) == "您好！请问您办理什么业务？"
    assert "王" not in ui.window.customer.text
    assert ui.window.customer.property("state") == "empty"
    press(qtbot, ui, "documents")
    assert prompt(ui) == "办理这项业务需要您的相关证件，请您提供证件，好吗？"
    press(qtbot, ui, "farewell")
    assert prompt(ui) == "请慢走。"
    assert events(ui) == [
        ("documents", "ask", "withdraw_retire"),
        ("farewell", "farewell", "withdraw_retire"),
        ("greeting", "business", ""),
        ("documents", "ask", ""),
        ("farewell", "farewell", ""),
    ]


def test_please_wait_keeps_the_customer_being_served(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({"surname": "王", "title": "女士"}, "withdraw_retire"))
    press(qtbot, ui, "handover")  # 请收好，慢走: this customer's end
    ui.controller.show_situation("greeting", "picker", 3)  # 请稍等 to someone waiting
    assert "王女士" in ui.window.customer.text


def test_clearing_shows_nothing_stale(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({"surname": "王", "title": "女士"}))
    press(qtbot, ui, "farewell")
    press(qtbot, ui, "next_customer")
    assert "慢走" not in prompt(ui) and "王" not in prompt(ui)
    assert ui.window.customer.property("state") == "empty"
    press(qtbot, ui, "next_variant")  # nothing left to cycle: the old sentence stays gone
    assert "慢走" not in prompt(ui)


def test_idle_time_clears_the_details_on_the_tick(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({"surname": "王", "title": "女士"}, "withdraw_retire"))
    press(qtbot, ui, "documents")
    ui.clock_.advance(minutes=9)
    ui.tick()
    assert "王女士" in ui.window.customer.text
    ui.clock_.advance(minutes=1)
    ui.tick()
    assert ui.window.customer.property("state") == "empty"
    assert "退休证明" not in prompt(ui)


# --- 2. every sentence whole --------------------------------------------------------------
def whole(ui):
    """Every page fits the prompt box, and the pages give back the whole sentence."""
    label = ui.window.prompt_label
    box = label.contentsRect()
    return all(text_height(label.font(), p, box.width()) <= box.height() for p in ui.window.pages)


def test_a_long_rule_shrinks_the_type_instead_of_cutting(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({}, "withdraw_retire", "", ("退休证明",), ("short",)))
    ui.controller.show_situation("documents", "hotkey", 1)
    assert len(ui.window.pages) == 1 and whole(ui)
    assert prompt(ui).endswith("真是抱歉。")
    assert ui.window.prompt_label.font().pointSizeF() < ui.ctx.config.font_size


def test_the_longest_sentence_grows_the_window_then_pages(qtbot, make):
    ui = make()
    base = ui.window.geometry()
    docs = ("身份证", "户口簿", "婚姻证明", "购房合同", "原贷款合同", "还款明细", "收入证明",
            "不动产登记证明")  # fmt: skip
    ui.controller.apply_fields(Filled({}, "loan_combo", "", docs, ("agent",)))
    ui.controller.show_situation("documents", "hotkey", 1)
    text = ui.controller.session.current().text
    assert RULE_40 in text and len(RULE_40) == 40
    assert prompt(ui) == text and whole(ui)
    assert ui.window.height() > base.height()
    area = ui.window.screen().availableGeometry()
    assert area.contains(ui.window.geometry())
    if len(ui.window.pages) > 1:
        assert not ui.window.page_label.isHidden()
        assert ui.window.page_label.text().startswith("第 1/")
        assert "Ctrl+Alt+Y" in ui.window.page_label.text()
        first = ui.window.prompt_label.text()
        press(qtbot, ui, "next_page")
        assert ui.window.page == 1 and ui.window.prompt_label.text() != first
    ui.controller.show_situation("greeting", "hotkey")
    assert ui.window.geometry() == base and ui.window.page_label.isHidden()


def test_a_sentence_too_long_for_half_the_screen_is_paged(qtbot, make):
    ui = make()
    ui.controller.apply_fields(
        Filled({"rule": RULE_40 * 6, "missing": "、".join(["材料"] * 20)}, "loan_combo")
    )
    ui.controller.show_situation("documents", "hotkey", 1)
    pages = ui.window.pages
    assert len(pages) >= 2 and "".join(pages) == ui.controller.session.current().text
    assert whole(ui) and ui.window.page_label.text().startswith(f"第 1/{len(pages)} 页")
    for _ in pages:
        press(qtbot, ui, "next_page")
    assert ui.window.page == 0  # after the last page, the first again


def test_a_long_referral_is_whole(qtbot, make):
    ui = make()
    ui.controller.apply_fields(
        Filled({"ref_department": "不动产登记中心二楼综合受理大厅", "ref_window": "12",
                "procedure": "不动产抵押权注销登记"})
    )  # fmt: skip
    ui.controller.show_situation("handover", "hotkey", 1)
    assert prompt(ui) == (
        "请到不动产登记中心二楼综合受理大厅（12号窗口）办理不动产抵押权注销登记手续。"
    )
    assert whole(ui)


def test_a_notice_that_comes_later_leaves_the_sentence_whole(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({}, "withdraw_retire", "", ("退休证明",), ("short",)))
    ui.controller.show_situation("documents", "hotkey", 1)
    assert whole(ui)
    ui.notify("数据库文件已损坏，已另存为 counter.corrupt-20261205-062215.sqlite3 并新建数据库"
              "（今日准备记录已补写）。")  # fmt: skip
    ui.notify("配置或资源文件有 2 处问题，已按默认值或内置话术运行；详见日志或运行 check-config。")
    qtbot.waitUntil(lambda: not ui.window.notice_label.isHidden())
    assert whole(ui) and "".join(ui.window.pages) == ui.controller.session.current().text


def test_a_notice_keeps_the_clerk_on_the_page_they_read(qtbot, make):
    ui = make()
    ui.controller.apply_fields(
        Filled({"rule": RULE_40 * 6, "missing": "、".join(["材料"] * 20)}, "loan_combo")
    )
    ui.controller.show_situation("documents", "hotkey", 1)
    assert len(ui.window.pages) >= 2
    press(qtbot, ui, "next_page")
    second = ui.window.prompt_label.text()
    ui.notify("数据库暂时无法写入，使用记录先暂存，恢复后自动写入。")
    qtbot.waitUntil(lambda: not ui.window.notice_label.isHidden())
    assert ui.window.page >= 1 and whole(ui)
    assert (
        second[:6] in ui.window.prompt_label.text() or ui.window.prompt_label.text()[:6] in second
    )


# --- 3. the keyboard is never taken without asking ------------------------------------------
def test_the_checklist_at_start_is_shown_without_taking_the_keyboard(qtbot, make):
    ui = make(prepared=False)
    prep = ui.day.prep
    assert prep.isVisible() and prep.quiet
    assert prep.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert prep.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert "岗前准备尚未确认" in prompt(ui) and "Ctrl+Alt+P" in prompt(ui)
    press(qtbot, ui, "greeting")  # a prompt hotkey: only the reminder, still no keyboard
    assert prep.quiet and "Ctrl+Alt+P" in prompt(ui) and events(ui) == []
    assert ui._foreground.restored == [] and ui.dialog_focus.open_dialogs == []


def test_the_picker_hotkey_opens_the_checklist_while_the_day_is_not_prepared(qtbot, make):
    ui = make(prepared=False)
    press(qtbot, ui, "picker")
    prep = ui.day.prep
    assert not prep.quiet and not prep.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert ui.dialog_focus.open_dialogs == [prep] and ui.dialogs._picker is None
    for box in prep.checks:
        box.setChecked(True)
    prep.picker.set_staff_id("0312")
    qtbot.keyClick(prep, Qt.Key.Key_Return)
    assert ui.gate.state is DayState.OPEN and ui._foreground.restored == ["business system"]


def test_a_click_wakes_the_quiet_checklist(qtbot, make):
    ui = make(prepared=False)
    prep = ui.day.prep
    qtbot.mouseClick(prep.checks[0], Qt.MouseButton.LeftButton)
    assert not prep.quiet and prep.checks[0].isChecked()
    assert ui.dialog_focus.open_dialogs == [prep]


def test_the_day_rolling_over_shows_the_checklist_quietly(qtbot, make):
    ui = make()
    ui.clock_.set(datetime(2026, 11, 28, 7, 0))
    ui.tick()
    assert ui.gate.state is DayState.NEEDS_PREP
    assert ui.day.prep.isVisible() and ui.day.prep.quiet
    assert "岗前准备尚未确认" in prompt(ui)


# --- 4. nothing typed is dropped; stacked dialogs give the keyboard back in order --------------
def test_escape_from_a_dialog_over_another_goes_back_to_the_one_below(qtbot, make):
    ui = make()
    press(qtbot, ui, "fields")
    press(qtbot, ui, "picker")
    assert ui.dialog_focus.open_dialogs == [ui.fields, ui.picker]
    qtbot.keyClick(ui.picker.filter, Qt.Key.Key_Escape)
    assert not ui.picker.isVisible() and ui.fields.isVisible()
    assert ui._foreground.restored == []  # the fields dialog still holds the keyboard
    qtbot.keyClick(ui.fields.surname, Qt.Key.Key_Escape)
    assert not ui.fields.isVisible() and ui._foreground.restored == ["business system"]


def test_fields_opened_after_a_farewell_are_for_the_next_customer(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({"surname": "王", "title": "女士"}, "withdraw_retire"))
    press(qtbot, ui, "farewell")
    press(qtbot, ui, "fields")
    assert ui.fields.surname.text() == "" and not ui.fields.fresh_label.isHidden()
    ui.fields.surname.setText("李")
    ui.fields.title.setCurrentText("先生")
    qtbot.keyClick(ui.fields.surname, Qt.Key.Key_Return)
    press(qtbot, ui, "greeting")
    press(qtbot, ui, "farewell")
    assert prompt(ui) == "李先生，请慢走。"


# --- 5. numbers as the headings show them ------------------------------------------------------
def test_heading_and_picker_numbers_agree(qtbot, make):
    ui = make()
    press(qtbot, ui, "phone")
    assert ui.window.heading_label.text().startswith("第八条第1项 接听电话")
    assert ui.window.reminder_label.text() == "三声内接听；对方挂机后再放电话。"
    press(qtbot, ui, "picker")
    qtbot.keyClicks(ui.picker.filter, "8.1")
    qtbot.keyClick(ui.picker.filter, Qt.Key.Key_Return)
    assert prompt(ui) == "您好，公积金管理中心归集科。"
    press(qtbot, ui, "picker")
    qtbot.keyClicks(ui.picker.filter, "10")
    qtbot.keyClick(ui.picker.filter, Qt.Key.Key_Return)
    assert ui.window.heading_label.text().startswith("第八条第10项 礼貌送别")
    assert ui.window.reminder_label.text() != "三声内接听；对方挂机后再放电话。"


# --- what clerks asked for first ---------------------------------------------------------------
def test_a_frequent_answer_is_shown_and_recorded_by_its_key(qtbot, make):
    ui = make()
    ui.controller.apply_fields(Filled({}, "withdraw_retire"))
    press(qtbot, ui, "picker")
    qtbot.keyClicks(ui.picker.filter, "dz")
    qtbot.keyClick(ui.picker.filter, Qt.Key.Key_Return)
    assert prompt(ui).startswith("提取的款项将转入您本人名下的银行账户")
    assert "常见问答" in ui.window.heading_label.text()
    assert events(ui) == [("answer", "payout", "withdraw_retire")]


def test_a_long_frequent_answer_is_paged_never_cut(qtbot, make):
    from counter_assistant.core.answers import Answer, AnswerList

    ui = make()
    text = (
        "，".join(f"第{i}项：请携带身份证原件和复印件到{i}号窗口核对" for i in range(1, 40)) + "。"
    )
    answers = ui.controller.answers
    ui.controller.answers = AnswerList((*answers.items, Answer("long", "很长的问答", "ch", text)))
    ui.controller.show_answer(len(ui.controller.answers) - 1, "picker")
    pages = ui.window.pages
    assert len(pages) >= 2 and "".join(pages) == text and whole(ui)
    assert ui.window.page_label.text().startswith(f"第 1/{len(pages)} 页")
    assert events(ui)[-1][:2] == ("answer", "long")


def test_a_hotkey_another_program_held_comes_back_by_itself(qtbot, make):
    ui = make(taken={"ctrl+alt+5"})
    notice = ui.window.notice_label.text()
    assert "Ctrl+Alt+5" in notice and "无法办理" in notice and "信息科" in notice
    assert "配置" not in notice and "自动恢复" in notice
    assert ui.hotkeys.retry_timer.isActive()
    assert ui.fake.fire("refusal") is None
    ui.hotkeys.retry_failed()  # still held: nothing changes
    assert ui.hotkeys.failures and ui.fake.retry_count == 1
    ui.fake.taken.clear()  # the other program lets go
    ui.hotkeys.retry_failed()
    assert ui.hotkeys.failures == [] and not ui.hotkeys.retry_timer.isActive()
    assert ui.window.notice_label.isHidden()
    press(qtbot, ui, "refusal")
    assert prompt(ui).startswith("非常抱歉")


def test_the_page_hotkey_collides_with_no_other_default():
    combos = [c for c in default_hotkeys().values() if c]
    assert len(combos) == len(set(combos))
    assert default_hotkeys()["next_page"] == "ctrl+alt+y"
