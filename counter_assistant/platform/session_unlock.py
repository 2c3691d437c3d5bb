"""Windows: notice when the clerk unlocks the session (after Win+L).

The `keyboard` hook's idea of which keys are held goes stale while the session is
locked, and its hotkeys stop firing; the app resets that state on unlock.
"""

from __future__ import annotations

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


def watch_unlock(window_id: int, on_unlock: Callable[[], None]) -> UnlockFilter | None:
    """Register for session notifications on Windows; None elsewhere or on failure."""
    if sys.platform != "win32":
        return None
    import ctypes

    try:
        if not ctypes.windll.wtsapi32.WTSRegisterSessionNotification(
            window_id, NOTIFY_FOR_THIS_SESSION
        ):
            log.warning("cannot register for session notifications; relying on the timer")
            return None
    except OSError as exc:
        log.warning("session notifications unavailable (%s); relying on the timer", exc)
        return None
    watcher = UnlockFilter(on_unlock)
    QCoreApplication.instance().installNativeEventFilter(watcher)
    return watcher
