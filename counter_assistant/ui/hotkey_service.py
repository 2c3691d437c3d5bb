"""Global hotkeys for the counter: arming, pause, failures, and the in-window fallback.

Not a widget: it owns the backend handed to it by the composition root. Whatever
fires (the OS hotkey on its own thread through the Bridge, or an in-window shortcut)
comes out as one signal on the GUI thread, and nothing fires while paused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from counter_assistant.core.hotkeyspec import Hotkey
from counter_assistant.platform.hotkeys.base import (
    REASON_OTHER_INSTANCE,
    BackendUnavailable,
    HotkeyBackend,
    HotkeyFailure,
    retryable,
)
from counter_assistant.ui.text import key_text

log = logging.getLogger(__name__)

# chooser(exclude) -> (the next backend to try, why others could not run)
Chooser = Callable[[tuple[str, ...]], tuple[HotkeyBackend | None, list[str]]]
RETRY_MS = 10_000  # how often a combination another program holds is tried again


def qt_sequence(hotkey: Hotkey):
    from PySide6.QtGui import QKeySequence

    names = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "win": "Meta"}
    key = hotkey.key.upper() if len(hotkey.key) == 1 else hotkey.key.capitalize()
    return QKeySequence("+".join([*(names[m] for m in hotkey.modifiers), key]))


class HotkeyService(QObject):
    fired = Signal(str, str)  # action, trigger ("hotkey")
    changed = Signal()  # armed, failed or paused changed: status and notices to redraw

    def __init__(
        self,
        bindings: Mapping[str, Hotkey],
        backend: HotkeyBackend | None,
        reasons: list[str],
        chooser: Chooser,
        window: QWidget,
        label: Callable[[str], str],
    ) -> None:
        super().__init__()
        self.bindings = dict(bindings)
        self.backend = backend
        self.reasons = list(reasons)  # why backends could not run (English, for the log)
        self._chooser = chooser
        self._window = window  # where fallback shortcuts live
        self._label = label
        self._failed_backends: tuple[str, ...] = ()
        self._shortcuts: list = []
        self.failures: list[HotkeyFailure] = []
        self.paused = False
        self.last_fired_at = 0.0  # perf_counter stamp of the last OS callback (bench)
        # A combination another program holds comes back by itself once it lets go.
        self.retry_timer = QTimer(self, interval=RETRY_MS, timeout=self.retry_failed)

    # -- from the backend's thread, via the Bridge ---------------------------------
    def on_backend_fired(self, action: str, fired_at: float) -> None:
        self.last_fired_at = fired_at
        if not self.paused:
            self.fired.emit(action, "hotkey")

    @property
    def global_ok(self) -> bool:
        return self.backend is not None

    @property
    def failed_combos(self) -> set[str]:
        return {f.combo for f in self.failures}

    @property
    def armed(self) -> int:
        return len(self.bindings) - len(self.failures) if self.backend else 0

    # -- arming -----------------------------------------------------------------------
    def arm(self) -> None:
        self.failures = []
        while self.backend is not None:
            try:
                self.failures = self.backend.start(self.bindings)
                break
            except BackendUnavailable as exc:
                log.warning("hotkey backend %s cannot start: %s", self.backend.name, exc)
                self.reasons.append(f"{self.backend.name}: {exc}")
                self._failed_backends += (self.backend.name,)
                self.backend, more = self._chooser(self._failed_backends)
                self.reasons += more
        if self.backend is None:
            for reason in self.reasons:
                log.warning("no global hotkeys: %s", reason)
            self._install_shortcuts()
        else:
            for f in self.failures:
                log.warning("hotkey %s for %s failed: %s %s", f.combo, f.action, f.reason, f.detail)
            log.info(
                "hotkey backend %s armed, %d of %d hotkeys",
                self.backend.name,
                self.armed,
                len(self.bindings),
            )
        self._time_retries()
        self.changed.emit()

    def _time_retries(self) -> None:
        if self.backend is not None and not self.paused and any(map(retryable, self.failures)):
            self.retry_timer.start()
        else:
            self.retry_timer.stop()

    def retry_failed(self) -> None:
        """Try the combinations other programs held again, leaving the working ones be."""
        waiting = [f for f in self.failures if retryable(f)]
        if self.backend is None or self.paused or not waiting:
            self.retry_timer.stop()
            return
        still = self.backend.retry({f.action: self.bindings[f.action] for f in waiting})
        if still is None:  # this backend cannot; the next start (unpause) tries them
            self.retry_timer.stop()
            return
        left = {f.action for f in still}
        for f in waiting:
            if f.action not in left:
                log.info("hotkey %s for %s works again", f.combo, f.action)
        if len(still) == len(waiting):
            return
        self.failures = [f for f in self.failures if not retryable(f)] + still
        self._time_retries()
        self.changed.emit()

    def _install_shortcuts(self) -> None:
        """No global hotkey can work: the same combinations inside the window."""
        from PySide6.QtGui import QShortcut

        if self._shortcuts:
            return
        for action, hotkey in self.bindings.items():
            shortcut = QShortcut(qt_sequence(hotkey), self._window)
            shortcut.activated.connect(lambda a=action: self._shortcut(a))
            self._shortcuts.append(shortcut)

    def _shortcut(self, action: str) -> None:
        if not self.paused:
            self.fired.emit(action, "hotkey")

    def set_paused(self, paused: bool) -> None:
        if paused == self.paused:
            return
        self.paused = paused
        if self.backend is not None:
            if paused:
                self.retry_timer.stop()
                self.backend.stop()
            else:
                self.arm()
                return
        self.changed.emit()

    def stop(self) -> None:
        self.retry_timer.stop()
        if self.backend is not None:
            self.backend.stop()

    # -- words for the clerk ----------------------------------------------------------
    def status(self) -> tuple[str, bool]:
        """(the window's status line, whether it is a warning)."""
        if self.paused:
            return "热键已暂停", True
        if self.backend is None:
            return "全局热键不可用：请先点击本窗口再按快捷键", True
        text = f"全局热键：{self.backend.name}"
        if self.failures:
            text += f"（{self.armed}/{len(self.bindings)} 可用）"
        return text, bool(self.failures)

    def notices(self) -> list[str]:
        if self.backend is None or not self.failures:
            return []
        # What a clerk can do: click instead, wait, or call IT (never: edit a config).
        if all(f.reason == REASON_OTHER_INSTANCE for f in self.failures):
            # Another user's window holds them: another combination would not help.
            return [
                f"{len(self.failures)} 个热键{REASON_OTHER_INSTANCE}：请该用户退出窗口服务助手，"
                "之后会自动恢复；在此之前可点击窗口上的按钮代替，找不到该用户请联系信息科（IT）。"
            ]
        comes_back = "，该程序释放后会自动恢复" if any(map(retryable, self.failures)) else ""
        if len(self.failures) <= 3:
            return [
                f"热键 {key_text(f.combo)}（{self._label(f.action)}）{f.reason}：可点击窗口上的"
                f"按钮代替{comes_back if retryable(f) else ''}；如需更换请联系信息科（IT）。"
                for f in self.failures
            ]
        reasons = "、".join(sorted({f.reason for f in self.failures}))
        return [
            f"{len(self.failures)} 个热键无法使用（{reasons}），见菜单“热键一览”；"
            f"可点击窗口上的按钮代替{comes_back}；如需更换请联系信息科（IT）。"
        ]
