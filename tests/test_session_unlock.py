"""Session unlock on Windows, decoded from a real in-memory MSG (no Windows needed)."""

import ctypes

from counter_assistant.platform.hotkeys.win32 import EVENT_TYPE, MSG
from counter_assistant.platform.session_unlock import (
    WM_WTSSESSION_CHANGE,
    WTS_SESSION_UNLOCK,
    UnlockFilter,
    watch_unlock,
)


def send(flt, message, wparam, kind=EVENT_TYPE):
    msg = MSG()
    msg.message = message
    msg.wParam = wparam
    return flt.nativeEventFilter(kind, ctypes.addressof(msg))


def test_unlock_calls_back_and_nothing_else_does(qapp):
    calls = []
    flt = UnlockFilter(lambda: calls.append("unlock"))
    assert send(flt, WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK) == (False, 0)
    send(flt, WM_WTSSESSION_CHANGE, 0x7)  # WTS_SESSION_LOCK
    send(flt, 0x0312, WTS_SESSION_UNLOCK)  # WM_HOTKEY with the same wParam
    send(flt, WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK, kind=b"xcb_generic_event_t")
    assert calls == ["unlock"]


def test_not_windows_means_no_watcher(qapp):
    assert watch_unlock(1234, lambda: None) is None
