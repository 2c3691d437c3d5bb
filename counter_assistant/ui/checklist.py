"""The Article 14 preparation / Article 16 close-out window, keyboard first.

Staff work with the business system's keyboard habits, so the window is
driven by Space, Tab and Enter alone. It only collects the answer and emits
``confirmed``; the app hands it to DayGate, which decides and records.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_assistant.core.config import StaffMember
from counter_assistant.ui.screen import fit_dialog, set_up_dialog
from counter_assistant.ui.staff import ENTER_KEYS, StaffPicker
from counter_assistant.ui.text import colour

MODES = {
    "prep": ("岗前准备", "第十四条", "营业前请逐项检查并勾选（空格勾选，Tab 下一项）："),
    "close": ("日终收尾", "第十六条", "营业结束后请逐项检查并勾选（空格勾选，Tab 下一项）："),
}
WRAP_AT = 22  # characters per line before an item is split at a comma


def display_text(text: str) -> str:
    """Item text for a checkbox: '&' kept literal, long items split at the middle comma."""
    shown = text.replace("&", "&&")
    if len(shown) <= WRAP_AT:
        return shown
    commas = [i for i, ch in enumerate(shown) if ch in "，,、"]
    if not commas:
        return shown
    cut = min(commas, key=lambda i: abs(i - len(shown) // 2)) + 1
    return shown[:cut] + "\n" + shown[cut:]


class ChecklistWindow(QDialog):
    """One window for both lists; ``mode`` is "prep" or "close"."""

    confirmed = Signal(str, list)  # staff_id, the exact item texts confirmed
    woken = Signal()  # the clerk clicked the quietly shown window: it takes the keyboard now

    def __init__(
        self,
        items: Sequence[str],
        roster: Sequence[StaffMember],
        mode: str = "prep",
        font_size: int = 20,
        parent: QWidget | None = None,
        wake_hint: str = "",
    ):
        super().__init__(parent)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        self.mode = mode
        title, article, intro = MODES[mode]
        set_up_dialog(self, f"{title}（{article}）", font_size)

        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{title}</b>　{article}", self)
        layout.addWidget(heading)
        # Shown while the window waits without the keyboard: how to start.
        self.wake_label = QLabel(f"点击此处开始勾选{wake_hint}", self)
        colour(self.wake_label, "#ffffff", "#2f5d8a")
        self.wake_label.setContentsMargins(6, 4, 6, 4)
        self.wake_label.hide()
        layout.addWidget(self.wake_label)
        layout.addWidget(QLabel(intro, self))

        self._items = list(items)
        self.checks: list[QCheckBox] = []
        for number, text in enumerate(self._items, start=1):
            box = QCheckBox(f"{number}. {display_text(text)}", self)
            box.setAccessibleName(text)
            box.toggled.connect(self._update)
            layout.addWidget(box)
            self.checks.append(box)

        staff_label = QLabel("当班人员：", self)
        self.picker = StaffPicker(roster, self)
        staff_label.setBuddy(self.picker.field)
        self.picker.changed.connect(self._update)
        layout.addWidget(staff_label)
        layout.addWidget(self.picker)

        self.late_label = QLabel(self)
        self.late_label.setWordWrap(True)
        colour(self.late_label, "#b35900")
        layout.addWidget(self.late_label)

        self.hint_label = QLabel(self)
        self.hint_label.setWordWrap(True)
        layout.addWidget(self.hint_label)

        self.confirm_button = QPushButton("确认（Enter）", self)
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.clicked.connect(self._confirm)
        layout.addWidget(self.confirm_button)
        self._quiet = False
        for widget in (self, *self.findChildren(QWidget)):
            widget.installEventFilter(self)
        self.reset()

    def reset(self, *, staff_id: str = "", late_notice: str = "") -> None:
        """Clear the ticks for another showing (next day, next close-out)."""
        for box in self.checks:
            box.setChecked(False)
        self.picker.set_staff_id(staff_id)
        self.set_late_notice(late_notice)
        self._update()
        if self.isVisible():
            self._focus_first()

    def set_late_notice(self, text: str) -> None:
        """Shown as information only; confirming stays possible."""
        self.late_label.setText(f"迟到：{text}" if text else "")
        self.late_label.setVisible(bool(text))

    def can_confirm(self) -> bool:
        return all(box.isChecked() for box in self.checks) and bool(self.picker.staff_id())

    @property
    def quiet(self) -> bool:
        return self._quiet

    def show_quietly(self, avoid: QRect | None = None) -> None:
        """Shown without taking the keyboard: the clerk may be typing in the business
        system (at login, at the day's rollover). A click, or the menu, wakes it.
        Placed clear of ``avoid`` (the prompt window saying how to open it)."""
        if self.isVisible() and not self._quiet:
            return
        self._set_focusable(False)
        if not self.isVisible():
            fit_dialog(self, avoid=avoid)
        self.show()
        self.raise_()

    def bring_forward(self) -> None:
        """Show, raise and focus: the clerk asked for it (hotkey, menu, click)."""
        self._set_focusable(True)
        if not self.isVisible():
            fit_dialog(self)
        self.show()
        self.raise_()
        self.activateWindow()
        self._focus_first()

    def _set_focusable(self, focusable: bool) -> None:
        self._quiet = not focusable
        self.wake_label.setVisible(not focusable)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, not focusable)
        flag = Qt.WindowType.WindowDoesNotAcceptFocus
        flags = self.windowFlags() & ~flag if focusable else self.windowFlags() | flag
        if flags == self.windowFlags():
            return
        handle = self.windowHandle()
        if handle is None or not self.isVisible():
            self.setWindowFlags(flags)
        else:  # live: setWindowFlags() would hide the window
            self.overrideWindowFlags(flags)
            handle.setFlags(flags)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._quiet and event.type() == QEvent.Type.MouseButtonPress:
            self.woken.emit()
            self.bring_forward()
        return super().eventFilter(obj, event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._focus_first()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            self._confirm()
            return
        super().keyPressEvent(event)

    def _focus_first(self) -> None:
        first = self.checks[0] if self.checks else self.picker.field
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update(self) -> None:
        ok = self.can_confirm()
        self.confirm_button.setEnabled(ok)
        missing = sum(not box.isChecked() for box in self.checks)
        if ok:
            self.hint_label.setText("已全部勾选，按 Enter 确认。")
        elif missing:
            self.hint_label.setText(f"还有 {missing} 项未勾选。")
        else:
            self.hint_label.setText("请选择或输入当班人员（Tab 移到此处）。")

    def _confirm(self) -> None:
        if not self.can_confirm():
            return
        self.confirmed.emit(self.picker.staff_id(), list(self._items))
        self.accept()
