"""The ☰ menu in the window and the tray icon, and the hotkey cheat sheet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu

from counter_assistant.core.problems import resource_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QSystemTrayIcon


def app_icon() -> QIcon:
    """The icon from resources (also in the bundle)."""
    data = resource_path("icons/counter-assistant.png")
    pixmap = QPixmap()
    pixmap.loadFromData(data.read_bytes(), "PNG")  # no probing of every image plugin
    return QIcon(pixmap)


def cheat_sheet_text(
    hotkeys: Mapping[str, str], label: Callable[[str], str], broken: set[str]
) -> str:
    lines = []
    for action, combo in hotkeys.items():
        if combo:
            mark = "  ✗ 无法使用" if combo in broken else ""
            lines.append(f"{combo:<16} {label(action)}{mark}")
    return "\n".join(lines)


def show_text_box(title: str, text: str, monospace: bool = False) -> QObject:
    """A non-modal message above the prompt window; it never blocks the counter."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.NoIcon, title, text)
    if monospace:
        box.setFont(QFont("monospace"))
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box


class CounterMenu(QObject):
    """Entries are (label, callback) pairs handed in; the menu holds no logic of its own."""

    def __init__(self, entries: list[tuple[str, Callable[[], None]] | None], icon: QIcon) -> None:
        super().__init__()
        self.menu = QMenu()
        self.actions: dict[str, QAction] = {}
        for entry in entries:
            if entry is None:
                self.menu.addSeparator()
                continue
            label, callback = entry
            self.actions[label] = self.menu.addAction(label, callback)
        self.icon = icon
        self.tray: QSystemTrayIcon | None = None

    def add_checkable(self, label: str, on_toggle: Callable[[bool], None], before: str) -> QAction:
        action = QAction(label, self.menu, checkable=True)
        action.toggled.connect(on_toggle)
        self.menu.insertAction(self.actions[before], action)
        self.actions[label] = action
        return action

    def insert(self, actions: list[QAction], before: str) -> None:
        for action in actions:
            self.menu.insertAction(self.actions[before], action)

    def add_tray(self, tooltip: str, on_click: Callable[[], None]) -> None:
        """The tray icon, where the desktop has one; the ☰ menu in the window always works."""
        from PySide6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        self.tray = QSystemTrayIcon(self.icon, self)
        self.tray.setToolTip(tooltip)
        self.tray.setContextMenu(self.menu)

        def activated(reason) -> None:
            if reason == QSystemTrayIcon.ActivationReason.Trigger:
                on_click()

        self.tray.activated.connect(activated)
        self.tray.show()

    def set_tooltip(self, text: str) -> None:
        if self.tray is not None:
            self.tray.setToolTip(text)

    def hide_tray(self) -> None:
        if self.tray is not None:
            self.tray.hide()


def quit_app() -> None:
    QApplication.instance().quit()
