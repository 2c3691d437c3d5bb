"""Which of the counter's dialogs hold the keyboard, and where it goes when they close.

A dialog may open over another (the picker over the fields dialog). Closing the top one
gives the keyboard to the one below; only when the last closes does it go back to the
business system, so no always-on-top dialog is left floating there without the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from counter_assistant.platform.focus import ForegroundKeeper


class DialogFocus:
    def __init__(self, keeper: Callable[[], ForegroundKeeper]) -> None:
        self._keeper = keeper  # built on first use: most days open no dialog
        self._open: list[QWidget] = []
        self._return_to: object | None = None

    @property
    def open_dialogs(self) -> list[QWidget]:
        return list(self._open)

    def opened(self, dialog: QWidget) -> None:
        """Before a dialog of ours takes the keyboard."""
        self._open = [d for d in self._open if d is not dialog and d.isVisible()]
        if not self._open:
            self._return_to = self._keeper().remember()
        self._open.append(dialog)

    def closed(self, dialog: QWidget) -> None:
        """After it closed: the dialog below gets the keyboard, else the business system."""
        self._open = [d for d in self._open if d is not dialog and d.isVisible()]
        if self._open:
            top = self._open[-1]
            top.raise_()
            top.activateWindow()
            return
        self._keeper().restore(self._return_to)
        self._return_to = None
