"""Work that waits until the counter window has painted once: the clerk sees it sooner.

The rest of the counter (app.py), the tray icon, the upgrade watcher and the database's
whole-file check are not needed to show the window; each runs from the event loop right
after its first paint, or after WAIT_MS if it is never painted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance

WAIT_MS = 2000  # a window that is never painted (not mapped, a locked session) waits no more


class AfterFirstPaint(QObject):
    def __init__(self, painted: SignalInstance, parent: QObject, wait_ms: int = WAIT_MS) -> None:
        super().__init__(parent)  # the painting widget: gone with it, and so is the fallback
        self._painted = painted
        self._work: list[Callable[[], None]] = []
        self.done = False
        painted.connect(self._on_paint)
        self._fallback = QTimer(self, singleShot=True, interval=wait_ms, timeout=self._on_paint)
        self._fallback.start()

    def add(self, work: Callable[[], None]) -> None:
        """Run work after the first paint (at once, from the event loop, if that was)."""
        if self.done:
            QTimer.singleShot(0, self, work)
        else:
            self._work.append(work)

    def _on_paint(self, _when: float = 0.0) -> None:
        if self.done:
            return
        self._fallback.stop()
        self._painted.disconnect(self._on_paint)
        self.done = True
        work, self._work = self._work, []
        for item in work:
            QTimer.singleShot(0, self, item)
