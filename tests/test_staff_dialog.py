"""The "change staff" dialog, keyboard only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from counter_assistant.core.config import StaffMember
from counter_assistant.ui.staff import StaffDialog

ROSTER = [StaffMember("0312", "张丽"), StaffMember("0415", "王强")]


def shown(qtbot, roster=ROSTER, current="0312") -> tuple[StaffDialog, list[str]]:
    dialog = StaffDialog(roster, current=current)
    qtbot.addWidget(dialog)
    got: list[str] = []
    dialog.chosen.connect(got.append)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, got


def press(qtbot, dialog, key) -> None:
    target = dialog.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key)


def test_pick_from_roster_and_enter(qtbot):
    dialog, got = shown(qtbot)
    assert dialog.windowTitle() == "更换当班人员"
    assert "0312" in dialog.current_label.text()
    assert isinstance(dialog.focusWidget(), QComboBox)
    assert not dialog.ok_button.isEnabled()
    press(qtbot, dialog, Qt.Key.Key_Return)  # nobody picked: nothing happens
    assert got == []
    assert dialog.isVisible()
    press(qtbot, dialog, Qt.Key.Key_Down)
    press(qtbot, dialog, Qt.Key.Key_Down)
    assert dialog.ok_button.isEnabled()
    press(qtbot, dialog, Qt.Key.Key_Return)
    assert got == ["0415"]
    assert dialog.result() == StaffDialog.DialogCode.Accepted
    assert dialog.staff_id() == "0415"


def test_typed_id_without_roster(qtbot):
    dialog, got = shown(qtbot, roster=[], current="")
    assert "未登记" in dialog.current_label.text()
    assert isinstance(dialog.focusWidget(), QLineEdit)
    qtbot.keyClicks(dialog.focusWidget(), " 0520 ")
    press(qtbot, dialog, Qt.Key.Key_Enter)
    assert got == ["0520"]


def test_escape_cancels_without_a_choice(qtbot):
    dialog, got = shown(qtbot)
    press(qtbot, dialog, Qt.Key.Key_Down)
    press(qtbot, dialog, Qt.Key.Key_Escape)
    assert got == []
    assert not dialog.isVisible()
    assert dialog.result() == StaffDialog.DialogCode.Rejected


def test_reused_dialog_starts_clean(qtbot):
    dialog, got = shown(qtbot)
    press(qtbot, dialog, Qt.Key.Key_Down)
    press(qtbot, dialog, Qt.Key.Key_Return)
    dialog.reset(current="0312")
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.staff_id() == ""
    assert not dialog.ok_button.isEnabled()
    assert isinstance(dialog.focusWidget(), QComboBox)
    assert got == ["0312"]
