"""The one bridge from background threads (hotkey hooks, writer) to the GUI thread."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal


class Bridge(QObject):
    """Emitting a signal from any thread queues the slot call on the GUI thread."""

    hotkey = Signal(str, float)  # action, perf_counter() when the backend fired
    storage_status = Signal(object)  # str message or None when storage is fine
    notice = Signal(str)  # a one-off event worth telling the clerk
    sync_status = Signal(object)  # sync.status.SyncState from the sender's thread
    content = Signal(object)  # core.content.Content: a new version, checked, from the sender

    def fire(self, action: str) -> None:
        # Runs on the hook's thread: no widget access here, and keep it tiny.
        self.hotkey.emit(action, time.perf_counter())

    def report_storage(self, message: str | None) -> None:
        self.storage_status.emit(message)

    def report_notice(self, message: str) -> None:
        self.notice.emit(message)

    def report_sync(self, state: object) -> None:
        self.sync_status.emit(state)

    def report_content(self, content: object) -> None:
        self.content.emit(content)
