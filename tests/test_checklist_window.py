"""The checklist window driven by key presses only, as a clerk would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from counter_assistant.core.config import CLOSE_ITEMS, PREP_ITEMS, Config, StaffMember
from counter_assistant.ui.checklist import ChecklistWindow, display_text

ROSTER = [StaffMember("0312", "张丽"), StaffMember("0415", "王强")]


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key to whatever has focus in the window, as the keyboard would deliver it."""
    target = window.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, modifier)


def shown(qtbot, items=PREP_ITEMS, roster=ROSTER, mode="prep") -> ChecklistWindow:
    window = ChecklistWindow(list(items), roster, mode=mode)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def collect(window) -> list[tuple[str, list]]:
    got: list[tuple[str, list]] = []
    window.confirmed.connect(lambda staff, items: got.append((staff, items)))
    return got


def test_prep_title_article_and_items(qtbot):
    window = shown(qtbot)
    assert "岗前准备" in window.windowTitle()
    assert "第十四条" in window.windowTitle()
    assert [box.accessibleName() for box in window.checks] == list(PREP_ITEMS)
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.font().pointSize() == 20


def test_focus_starts_on_the_first_item(qtbot):
    window = shown(qtbot)
    assert window.focusWidget() is window.checks[0]


def test_keyboard_only_tick_all_pick_staff_and_enter(qtbot):
    window = shown(qtbot)
    got = collect(window)
    for index, box in enumerate(window.checks):
        assert window.focusWidget() is box
        assert not window.confirm_button.isEnabled()
        press(qtbot, window, Qt.Key.Key_Return)  # not allowed yet: nothing happens
        assert got == []
        assert window.isVisible()
        press(qtbot, window, Qt.Key.Key_Space)
        assert box.isChecked()
        assert [b.isChecked() for b in window.checks] == [i <= index for i in range(4)]
        press(qtbot, window, Qt.Key.Key_Tab)
    assert isinstance(window.focusWidget(), QComboBox)
    assert not window.confirm_button.isEnabled()  # all ticked, nobody named yet
    press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Down)
    assert window.picker.staff_id() == "0415"
    assert window.confirm_button.isEnabled()
    press(qtbot, window, Qt.Key.Key_Return)
    assert got == [("0415", list(PREP_ITEMS))]
    assert not window.isVisible()


def test_space_unticks_and_shift_tab_goes_back(qtbot):
    window = shown(qtbot)
    window.picker.set_staff_id("0312")
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    assert window.confirm_button.isEnabled()
    press(qtbot, window, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is window.checks[-1]
    press(qtbot, window, Qt.Key.Key_Space)
    assert not window.checks[-1].isChecked()
    assert not window.confirm_button.isEnabled()
    assert "1 项" in window.hint_label.text()


def test_enter_on_an_item_confirms_when_complete(qtbot):
    window = shown(qtbot)
    window.picker.set_staff_id("0312")
    got = collect(window)
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(window.focusWidget(), QCheckBox)
    press(qtbot, window, Qt.Key.Key_Enter)  # keypad Enter too
    assert got == [("0312", list(PREP_ITEMS))]


def test_empty_roster_takes_a_typed_id(qtbot):
    window = shown(qtbot, roster=[])
    got = collect(window)
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    assert isinstance(window.focusWidget(), QLineEdit)
    qtbot.keyClicks(window.focusWidget(), "  ")
    assert not window.confirm_button.isEnabled()  # blanks are nobody
    qtbot.keyClicks(window.focusWidget(), "0520")
    assert window.confirm_button.isEnabled()
    press(qtbot, window, Qt.Key.Key_Return)
    assert got == [("0520", list(PREP_ITEMS))]


def test_config_extra_items_appear_and_are_emitted_exactly(qtbot):
    config = Config(prep_extra=["仪容仪表 & 工号牌（第九条）"])
    window = shown(qtbot, items=config.prep_items)
    got = collect(window)
    assert len(window.checks) == 5
    assert "&&" in window.checks[-1].text()  # shown literally, not as a shortcut
    window.picker.set_staff_id("0312")
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Return)
    assert got == [("0312", config.prep_items)]


def test_late_notice_is_information_only(qtbot):
    window = shown(qtbot)
    assert not window.late_label.isVisible()
    window.reset(staff_id="0312", late_notice="已过 08:20，仍可确认，将记录为迟到。")
    assert window.late_label.isVisible()
    assert "迟到" in window.late_label.text()
    got = collect(window)
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Return)
    assert got == [("0312", list(PREP_ITEMS))]


def test_shown_again_starts_clean(qtbot):
    window = shown(qtbot)
    window.picker.set_staff_id("0312")
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Return)
    assert not window.isVisible()
    window.reset()
    window.bring_forward()
    qtbot.waitExposed(window)
    assert window.isVisible()
    assert not any(box.isChecked() for box in window.checks)
    assert window.picker.staff_id() == ""
    assert window.focusWidget() is window.checks[0]
    assert not window.confirm_button.isEnabled()


def test_close_out_mode(qtbot):
    window = shown(qtbot, items=CLOSE_ITEMS, mode="close")
    assert "日终收尾" in window.windowTitle()
    assert "第十六条" in window.windowTitle()
    window.reset(staff_id="0415")  # the app preselects the staff on duty
    got = collect(window)
    for _ in window.checks:
        press(qtbot, window, Qt.Key.Key_Space)
        press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Return)
    assert got == [("0415", list(CLOSE_ITEMS))]


def test_unknown_mode_is_refused(qtbot):
    with pytest.raises(ValueError):
        ChecklistWindow(list(PREP_ITEMS), ROSTER, mode="lunch")


def test_long_items_wrap_at_a_comma_but_keep_every_character():
    for text in [*PREP_ITEMS, *CLOSE_ITEMS, "短"]:
        shown_text = display_text(text)
        assert shown_text.replace("\n", "") == text
        assert all(len(line) <= 2 * 22 for line in shown_text.splitlines())
