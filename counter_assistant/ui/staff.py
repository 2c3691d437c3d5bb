"""Who is at the counter: a roster picker (or a typed ID) and the "change staff" dialog.

The picker starts empty on purpose, so every confirmation names the clerk who
made it instead of whoever happened to be first in the roster.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_assistant.core.config import StaffMember
from counter_assistant.ui.screen import set_up_dialog

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class StaffPicker(QWidget):
    """A combo box of the roster, or a line edit for the ID when there is no roster."""

    changed = Signal()

    def __init__(self, roster: Sequence[StaffMember], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._combo: QComboBox | None = None
        self._edit: QLineEdit | None = None
        if roster:
            self._combo = QComboBox(self)
            for member in roster:
                self._combo.addItem(member.display, member.id)
            self._combo.setPlaceholderText("请选择（↑↓ 选择）")
            self._combo.setCurrentIndex(-1)
            self._combo.currentIndexChanged.connect(self.changed)
            field: QWidget = self._combo
        else:
            self._edit = QLineEdit(self)
            self._edit.setPlaceholderText("请输入工号")
            self._edit.setMaxLength(32)
            self._edit.textChanged.connect(self.changed)
            field = self._edit
        field.setAccessibleName("当班人员")
        layout.addWidget(field, 1)
        self.setFocusProxy(field)

    @property
    def field(self) -> QWidget:
        """The focusable input, for labels (setBuddy) and tests."""
        return self._combo if self._combo is not None else self._edit  # type: ignore[return-value]

    def staff_id(self) -> str:
        if self._combo is not None:
            return str(self._combo.currentData() or "")
        assert self._edit is not None
        return self._edit.text().strip()

    def set_staff_id(self, staff_id: str) -> None:
        if self._combo is not None:
            self._combo.setCurrentIndex(self._combo.findData(staff_id))  # -1 clears
        else:
            assert self._edit is not None
            self._edit.setText(staff_id)


class StaffDialog(QDialog):
    """Lunch relief or shift change: names who holds the counter from now on."""

    chosen = Signal(str)

    def __init__(
        self,
        roster: Sequence[StaffMember],
        current: str = "",
        font_size: int = 20,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        set_up_dialog(self, "更换当班人员", font_size)

        layout = QVBoxLayout(self)
        self.current_label = QLabel(self)
        layout.addWidget(self.current_label)
        prompt = QLabel("接替人员（&S）：", self)
        self.picker = StaffPicker(roster, self)
        prompt.setBuddy(self.picker.field)
        layout.addWidget(prompt)
        layout.addWidget(self.picker)

        buttons = QHBoxLayout()
        self.ok_button = QPushButton("确认（Enter）", self)
        self.cancel_button = QPushButton("取消（Esc）", self)
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.ok_button.clicked.connect(self._confirm)
        self.cancel_button.clicked.connect(self.reject)
        self.picker.changed.connect(self._update)
        self.reset(current)

    def reset(self, current: str = "") -> None:
        """Ready for another handover; the dialog is reused."""
        self.current_label.setText(f"当前当班：{current or '（未登记）'}")
        self.picker.set_staff_id("")
        self._update()

    def staff_id(self) -> str:
        return self.picker.staff_id()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.picker.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            self._confirm()
            return
        super().keyPressEvent(event)

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.staff_id()))

    def _confirm(self) -> None:
        staff_id = self.staff_id()
        if not staff_id:
            return
        self.chosen.emit(staff_id)
        self.accept()
