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


class FakeWtsapi32:
    """register/unregister as the prototyped calls behave: a handle that does not fit
    raises ctypes.ArgumentError, as a real HWND above 2**31 did without argtypes."""

    def __init__(self, ok: bool = True, limit: int = 2**64) -> None:
        self.ok, self.limit = ok, limit
        self.calls: list[tuple] = []

    def register(self, hwnd: int, flags: int) -> bool:
        if hwnd >= self.limit:
            raise ctypes.ArgumentError("argument 1: OverflowError: int too long to convert")
        self.calls.append(("register", hwnd, flags))
        return self.ok

    def unregister(self, hwnd: int) -> bool:
        self.calls.append(("unregister", hwnd))
        return True


def test_register_then_unregister_on_close(qapp):
    api = FakeWtsapi32()
    big = 2**31 + 0x1234  # a real HWND can be this large on 64-bit Windows
    watch = watch_unlock(big, lambda: None, api=api)
    assert watch is not None and api.calls == [("register", big, 0)]
    watch.close()
    watch.close()  # idempotent
    assert api.calls == [("register", big, 0), ("unregister", big)]


def test_a_handle_that_does_not_fit_is_logged_not_raised(qapp, caplog):
    api = FakeWtsapi32(limit=2**31)
    assert watch_unlock(2**31 + 1, lambda: None, api=api) is None
    assert "session notifications unavailable" in caplog.text


def test_refusal_means_no_watch(qapp):
    assert watch_unlock(5, lambda: None, api=FakeWtsapi32(ok=False)) is None


def test_the_watch_ends_when_the_app_quits(qapp):
    api = FakeWtsapi32()
    watch = watch_unlock(7, lambda: None, api=api)
    qapp.aboutToQuit.emit()
    assert ("unregister", 7) in api.calls and watch.filter is None
