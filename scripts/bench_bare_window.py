"""The baseline for scripts/bench.py: the barest PySide6 window a counter helper could be.

A QWidget holding one QLabel, shown; prints "ready" after the label's first paint, then
quits (start measurement) or, with --hold, keeps running until it is terminated (memory
measurement: the bench reads VmRSS from /proc/PID/status after the same wall time as
the app run).
"""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget


class Label(QLabel):
    painted = Signal()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hold", action="store_true", help="stay up after the first paint")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.setWindowTitle("bare")
    layout = QVBoxLayout(window)
    label = Label("您好！请问您办理什么业务？")  # the same script a counter window shows
    layout.addWidget(label)
    window.resize(560, 300)

    def ready() -> None:
        label.painted.disconnect(ready)
        print("ready", flush=True)
        if not args.hold:
            QTimer.singleShot(0, app.quit)

    label.painted.connect(ready)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
