"""A backend for tests and for running the app where no global hotkey can work.

It behaves like a real hook: fire() calls on_fire from another thread, and combinations
listed as ``taken`` fail at start() as if another program owned them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping

from counter_assistant.core.hotkeyspec import Hotkey, parse_hotkey

from .base import REASON_TAKEN, HotkeyBackend, HotkeyFailure


class FakeHotkeyBackend(HotkeyBackend):
    name = "fake"

    def __init__(self, on_fire: Callable[[str], None], taken: Iterable[str] = ()) -> None:
        super().__init__(on_fire)
        self.taken = {str(parse_hotkey(combo)) for combo in taken}
        self.bindings: dict[str, Hotkey] = {}  # the registered ones, while started
        self.start_count = 0
        self.stop_count = 0
        self.retry_count = 0
        self.running = False

    def start(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure]:
        self.start_count += 1
        self.running = True
        self.bindings = {}
        failures = []
        for action, hotkey in bindings.items():
            if str(hotkey) in self.taken:
                failures.append(
                    HotkeyFailure(action, str(hotkey), REASON_TAKEN, "fake: listed as taken")
                )
            else:
                self.bindings[action] = hotkey
        return failures

    def retry(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure] | None:
        self.retry_count += 1
        if not self.running:
            return None
        still = []
        for action, hotkey in bindings.items():
            if str(hotkey) in self.taken:
                still.append(HotkeyFailure(action, str(hotkey), REASON_TAKEN, "fake: still taken"))
            else:
                self.bindings[action] = hotkey
        return still

    def stop(self) -> None:
        self.stop_count += 1
        self.running = False
        self.bindings = {}

    def fire(self, action: str) -> threading.Thread | None:
        """Press the hotkey bound to ``action``; returns the firing thread (not joined).

        Returns None, firing nothing, when the action is not registered right now.
        """
        if not self.running or action not in self.bindings:
            return None
        thread = threading.Thread(target=self._on_fire, args=(action,), name="fake-hotkey")
        thread.start()
        return thread

    def fire_combo(self, combo: str) -> threading.Thread | None:
        """Press a combination such as "ctrl+alt+2"; fires whichever action owns it."""
        wanted = parse_hotkey(combo)
        for action, hotkey in self.bindings.items():
            if hotkey == wanted:
                return self.fire(action)
        return None
