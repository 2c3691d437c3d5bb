"""Python's cyclic garbage collection, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed:
the recorder's writer, the sync sender, a report export. A Qt object caught in a
reference cycle (a dialog whose slot refers back to it) would then be destroyed on that
thread, which Qt does not allow and which can crash the process. So automatic collection
is switched off and a timer on the GUI thread collects when the thresholds say so.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 500


class GarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self, interval=interval_ms, timeout=self.check)
        self._timer.start()

    def check(self) -> None:
        """What the automatic collector would do, on this (the GUI) thread."""
        t0, t1, t2 = self._thresholds
        c0, c1, c2 = gc.get_count()
        if c0 > t0:
            gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
