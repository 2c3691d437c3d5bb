"""Alt+letter in a dialog works even while a completer's list is open.

A completer's popup holds the keyboard: when Alt+S moved focus to the surname box, the
list stayed open and what was typed next still went into the business box; where Qt
matched the shortcut against the popup instead, Alt+S did nothing at all. So the list
closes whenever focus leaves its box, and Alt+letter pressed in the list closes it and
does what the dialog's mnemonic does (a label's buddy, a button).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QCompleter, QLabel, QWidget


def mnemonic_of(text: str) -> str:
    """The letter after a single '&' ("姓氏(&S)" -> "s"); "" without one."""
    i = text.replace("&&", "").find("&")
    clean = text.replace("&&", "")
    return clean[i + 1].lower() if 0 <= i < len(clean) - 1 else ""


def trigger_mnemonic(dialog: QWidget, letter: str) -> bool:
    """Do what Alt+letter does in ``dialog``: focus a label's buddy or press a button."""
    for label in dialog.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and label.isVisible() and mnemonic_of(label.text()) == letter:
            buddy.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
    for button in dialog.findChildren(QAbstractButton):
        if button.isVisible() and button.isEnabled() and mnemonic_of(button.text()) == letter:
            button.setFocus(Qt.FocusReason.ShortcutFocusReason)
            button.animateClick()
            return True
    return False


class PopupMnemonics(QObject):
    """Installed on a completer's popup: Alt+letter closes it, then acts in the dialog."""

    def __init__(self, dialog: QWidget, completer: QCompleter) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._completer = completer
        completer.popup().installEventFilter(self)
        QApplication.instance().focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        popup = self._completer.popup()
        if popup.isVisible() and new is not None and new not in (popup, self._completer.widget()):
            popup.hide()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
            key = event.key()
            if alt and Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
                self._completer.popup().hide()
                trigger_mnemonic(self._dialog, chr(key).lower())
                return True
        return False
