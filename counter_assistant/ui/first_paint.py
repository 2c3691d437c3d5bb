"""Work that waits until the counter window has painted once: the clerk sees it sooner.

The tray icon, the upgrade watcher and the database's whole-file check are not needed to
show the first sentence; each runs from the event loop right after that first paint.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance


class AfterFirstPaint(QObject):
    def __init__(self, painted: SignalInstance) -> None:
        super().__init__()
        self._painted = painted
        self._work: list[Callable[[], None]] = []
        self.done = False
        painted.connect(self._on_paint)

    def add(self, work: Callable[[], None]) -> None:
        """Run work after the first paint (at once, from the event loop, if that was)."""
        if self.done:
            QTimer.singleShot(0, self, work)
        else:
            self._work.append(work)

    def _on_paint(self, _when: float = 0.0) -> None:
        self._painted.disconnect(self._on_paint)
        self.done = True
        work, self._work = self._work, []
        for item in work:
            QTimer.singleShot(0, self, item)
