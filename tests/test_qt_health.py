"""The installed Qt binding does not lose references (PySide6 6.12.0 did, and aborted)."""

import sys

from counter_assistant.checks import reference_leak


def test_signals_and_setters_keep_reference_counts(qapp):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None) + sys.getrefcount(True)
    for _ in range(2000):
        label.setText("您好")
    lost = before - sys.getrefcount(None) - sys.getrefcount(True)
    assert lost < 100  # a leaking build loses one per call: 2,000 here
    assert reference_leak(2000) < 100
