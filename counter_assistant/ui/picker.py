"""The picker: every situation and wording, and the center's frequent answers.

Chosen by number as the headings show it (8.2 or 2; 8.2.3 for a wording), by pinyin
initials or by words; arrows move, Enter takes it. When nothing matches it says so,
and how to type instead.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from counter_assistant.core.answers import SITUATION as ANSWER
from counter_assistant.core.picking import Choice, match, nothing_found
from counter_assistant.ui.screen import fit_dialog, set_up_dialog
from counter_assistant.ui.text import colour

HINT = (
    "输入编号（如 8.2 或 2，8.2.3 选第3种说法）、拼音首字母（如 wh）或文字；"
    "↑↓ 选择，回车确认，Esc 取消"
)


class PickerDialog(QDialog):
    chosen = Signal(str, int)  # situation key (or "answer"), variant (or answer) index

    def __init__(
        self, items: list[Choice], render: Callable[[Choice], str], font_size: int = 14, parent=None
    ) -> None:
        super().__init__(parent)
        set_up_dialog(self, "窗口服务助手 · 选择话术", font_size)
        self._items = items
        self._render = render  # what the clerk would say now: slots filled, never "{slot}"
        layout = QVBoxLayout(self)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.filter = QLineEdit(placeholderText="编号 / 拼音首字母 / 文字")
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.empty_label = QLabel("")
        self.empty_label.setWordWrap(True)
        colour(self.empty_label, "#b45309")
        self.empty_label.hide()
        layout.addWidget(self.filter)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        self.filter.textChanged.connect(self._refilter)
        self.filter.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda _item: self.accept_current())
        self.filter.installEventFilter(self)
        self._refilter("")

    def _text_of(self, choice: Choice) -> str:
        return choice.text if choice.key == ANSWER else self._render(choice)

    def _refilter(self, query: str) -> None:
        self.list.clear()
        found = match(self._items, query)
        for choice in found:
            item = QListWidgetItem(f"{choice.display}\n{self._text_of(choice)}")
            item.setData(Qt.ItemDataRole.UserRole, (choice.key, choice.index))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.empty_label.setText("" if found else nothing_found(query))
        self.empty_label.setVisible(not found)

    def eventFilter(self, obj, event) -> bool:
        # Arrow keys in the filter move the selection, so typing and choosing never leave it.
        arrows = (Qt.Key.Key_Up, Qt.Key.Key_Down)
        if (
            obj is self.filter
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in arrows
        ):
            row = self.list.currentRow() + (1 if event.key() == Qt.Key.Key_Down else -1)
            if 0 <= row < self.list.count():
                self.list.setCurrentRow(row)
            return True
        return super().eventFilter(obj, event)

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        key, index = item.data(Qt.ItemDataRole.UserRole)
        self.accept()
        self.chosen.emit(key, index)

    def open_fresh(self) -> None:
        self.filter.clear()
        self._refilter("")
        fit_dialog(self, QSize(640, 520))
        self.show()
        self.raise_()
        self.activateWindow()
        self.filter.setFocus()
