"""The installed Qt binding does not lose references (PySide6 6.12.0 did, and aborted).

The loss showed as None's and True's reference counts falling with every signal or
setter call until one reached zero. From Python 3.12 on, None and True are immortal:
their counts never change, so the bug cannot abort there and this measurement would
pass whatever the binding does; it runs on 3.11, where it can fail.
"""

import ctypes
import sys

import pytest

from counter_assistant.checks import reference_leak

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None and True are immortal: their counts never move"
)


def lost_references(action, times: int = 2000) -> int:
    before = sys.getrefcount(None) + sys.getrefcount(True)
    for _ in range(times):
        action()
    return before - sys.getrefcount(None) - sys.getrefcount(True)


def test_signals_and_setters_keep_reference_counts(qapp):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    assert lost_references(lambda: label.setText("您好")) < 100  # a leaking build: 2,000
    assert reference_leak(2000) < 100


def test_the_measurement_sees_a_binding_that_loses_references():
    """A stand-in for the broken build: each call drops one reference to None."""
    decref = ctypes.pythonapi.Py_DecRef
    decref.argtypes = [ctypes.py_object]
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    try:
        assert lost_references(lambda: decref(None), 500) >= 500
    finally:
        for _ in range(500):
            incref(None)
