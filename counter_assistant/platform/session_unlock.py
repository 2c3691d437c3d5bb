"""Windows: notice when the clerk unlocks the session (after Win+L).

The `keyboard` hook's idea of which keys are held goes stale while the session is
locked, and its hotkeys stop firing; the app resets that state on unlock.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication

from counter_assistant.platform.hotkeys.win32 import EVENT_TYPE, read_msg

log = logging.getLogger(__name__)

WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_UNLOCK = 0x8
NOTIFY_FOR_THIS_SESSION = 0


class UnlockFilter(QAbstractNativeEventFilter):
    def __init__(self, on_unlock: Callable[[], None]) -> None:
        super().__init__()
        self._on_unlock = on_unlock

    def nativeEventFilter(self, eventType: Any, message: Any) -> tuple[bool, int]:
        kind = eventType.data() if isinstance(eventType, QByteArray) else bytes(eventType)
        address = int(message) if kind == EVENT_TYPE else 0
        if address:
            msg = read_msg(address)
            if msg.message == WM_WTSSESSION_CHANGE and msg.wParam == WTS_SESSION_UNLOCK:
                log.info("session unlocked")
                self._on_unlock()
        return False, 0


class _Wtsapi32:
    """The two calls of wtsapi32.dll, with their prototypes: a window handle above 2**31
    passed without argtypes raised ctypes.ArgumentError, which no OSError handler caught."""

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        dll = ctypes.WinDLL("wtsapi32", use_last_error=True)  # type: ignore[attr-defined]
        dll.WTSRegisterSessionNotification.argtypes = (wintypes.HWND, wintypes.DWORD)
        dll.WTSRegisterSessionNotification.restype = wintypes.BOOL
        dll.WTSUnRegisterSessionNotification.argtypes = (wintypes.HWND,)
        dll.WTSUnRegisterSessionNotification.restype = wintypes.BOOL
        self.register = dll.WTSRegisterSessionNotification
        self.unregister = dll.WTSUnRegisterSessionNotification


class UnlockWatch:
    """Registered for session notifications until close() (also called when the app quits)."""

    def __init__(self, api, window_id: int, event_filter: UnlockFilter) -> None:
        self._api = api
        self.window_id = window_id
        self.filter = event_filter

    def close(self) -> None:
        if self.filter is None:
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.removeNativeEventFilter(self.filter)
        try:
            self._api.unregister(self.window_id)
        except (OSError, ctypes.ArgumentError) as exc:
            log.warning("cannot unregister session notifications: %s", exc)
        self.filter = None


def watch_unlock(window_id: int, on_unlock: Callable[[], None], api=None) -> UnlockWatch | None:
    """Register for session notifications on Windows (or with ``api``, a fake in tests);
    None elsewhere or on failure. The watch ends with close() or when the app quits."""
    if api is None:
        if sys.platform != "win32":
            return None
        try:
            api = _Wtsapi32()
        except OSError as exc:
            log.warning("session notifications unavailable (%s); relying on the timer", exc)
            return None
    try:
        registered = api.register(window_id, NOTIFY_FOR_THIS_SESSION)
    except (OSError, ctypes.ArgumentError) as exc:
        log.warning("session notifications unavailable (%s); relying on the timer", exc)
        return None
    if not registered:
        log.warning("cannot register for session notifications; relying on the timer")
        return None
    app = QCoreApplication.instance()
    watch = UnlockWatch(api, window_id, UnlockFilter(on_unlock))
    app.installNativeEventFilter(watch.filter)
    app.aboutToQuit.connect(watch.close)
    return watch
