"""Global hotkeys through the `keyboard` library (a low-level hook; Windows and Linux).

Why it exists: some sites prefer it, and it can catch combinations RegisterHotKey cannot.
Costs: it sees every keystroke (so callbacks only hand the action over and return; we
never use suppress), it needs root on Linux, and its pressed-key table goes stale when a
key-up is never delivered (Win+L): reset_state() clears it, periodically and on unlock.
"""

from __future__ import annotations

import contextlib
import glob
import importlib
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from counter_assistant.core.hotkeyspec import Hotkey

from .base import (
    REASON_UNSUPPORTED,
    BackendUnavailable,
    HotkeyBackend,
    HotkeyFailure,
    split_duplicates,
)

log = logging.getLogger(__name__)

MODIFIER_NAMES = {"ctrl": "ctrl", "alt": "alt", "shift": "shift", "win": "windows"}
KEY_NAMES = {
    "escape": "esc", "pageup": "page up", "pagedown": "page down",
    "printscreen": "print screen", "scrolllock": "scroll lock",
}  # fmt: skip


def keyboard_combo(hotkey: Hotkey) -> str:
    """Our Hotkey as a `keyboard` hotkey string: ctrl+alt+pageup -> "ctrl+alt+page up"."""
    parts = [MODIFIER_NAMES[m] for m in hotkey.modifiers]
    parts.append(KEY_NAMES.get(hotkey.key, hotkey.key))
    return "+".join(parts)


def check_available(
    platform: str = sys.platform,
    euid: int | None = None,
    devices: list[str] | None = None,
    have_dumpkeys: bool | None = None,
) -> None:
    """Raise BackendUnavailable if `keyboard` cannot listen here; arguments are for tests.

    Checked before importing/starting so its listener thread never dies on a bare machine.
    """
    if not platform.startswith("linux"):
        return
    euid = os.geteuid() if euid is None else euid
    if euid != 0:
        raise BackendUnavailable("the keyboard library needs root on Linux")
    if devices is None:
        devices = [p for p in glob.glob("/dev/input/event*") if os.access(p, os.R_OK)]
    if not devices:
        raise BackendUnavailable("no readable /dev/input/event* device")
    if have_dumpkeys is None:
        have_dumpkeys = shutil.which("dumpkeys") is not None
    if not have_dumpkeys:
        raise BackendUnavailable("the keyboard library needs the dumpkeys program (kbd)")


class KeyboardHotkeyBackend(HotkeyBackend):
    name = "keyboard"

    def __init__(
        self,
        on_fire: Callable[[str], None],
        module: Any = None,
        reset_interval: float = 10.0,
    ) -> None:
        super().__init__(on_fire)
        if module is None:
            check_available()
            try:
                module = importlib.import_module("keyboard")
            except (ImportError, OSError) as exc:
                raise BackendUnavailable(f"cannot import the keyboard library: {exc}") from exc
        self._kb = module
        self._reset_interval = reset_interval
        self._removers: list[Callable[[], None]] = []
        self._held: dict[str, float] = {}  # trigger key -> last key-down seen, for repeats
        self._stopping = threading.Event()
        self._resetter: threading.Thread | None = None

    def start(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure]:
        self.stop()
        unique, failures = split_duplicates(bindings)
        keys = set()
        for action, hotkey in unique.items():
            combo = keyboard_combo(hotkey)
            callback = self._callback(action, hotkey.key)
            try:
                self._removers.append(self._kb.add_hotkey(combo, callback, suppress=False))
            except ValueError as exc:  # a key name this keyboard layout does not have
                failures.append(HotkeyFailure(action, str(hotkey), REASON_UNSUPPORTED, str(exc)))
                continue
            except Exception as exc:  # the listener itself could not start
                self.stop()
                raise BackendUnavailable(f"keyboard library failed to start: {exc}") from exc
            keys.add(KEY_NAMES.get(hotkey.key, hotkey.key))
        for key in keys:  # a key-up ends a hold, so the next key-down fires again
            released = self._release_callback(key)
            self._removers.append(self._kb.on_release_key(key, released, suppress=False))
        self._stopping.clear()
        self._resetter = threading.Thread(
            target=self._reset_loop, name="keyboard-reset", daemon=True
        )
        self._resetter.start()
        return failures

    def stop(self) -> None:
        self._stopping.set()
        if self._resetter is not None:
            self._resetter.join(timeout=2)
            self._resetter = None
        for remove in self._removers:
            # KeyError/ValueError: already gone, e.g. after keyboard.unhook_all()
            with contextlib.suppress(KeyError, ValueError):
                remove()
        self._removers = []
        self._held.clear()

    # -- callbacks, on keyboard's own thread: keep them tiny ----------------------------

    def _callback(self, action: str, key: str) -> Callable[[], None]:
        name = KEY_NAMES.get(key, key)

        def fire() -> None:
            repeat = name in self._held
            self._held[name] = time.time()
            if repeat:
                return  # auto-repeat of a held key
            try:
                self._on_fire(action)
            except Exception:
                log.exception("keyboard hotkeys: on_fire(%r) raised", action)

        return fire

    def _release_callback(self, name: str) -> Callable[[Any], None]:
        def released(_event: Any) -> None:
            self._held.pop(name, None)

        return released

    # -- stale state ----------------------------------------------------------------------

    def reset_state(self, idle_for: float = 0.0) -> bool:
        """Forget keys the library believes are held; call it on session unlock.

        With ``idle_for`` > 0 it only resets when no key event arrived for that many
        seconds: a key really held down keeps sending auto-repeat events, so an old
        table means missed key-ups. Returns True if it reset.
        """
        kb = self._kb
        lock = getattr(kb, "_pressed_events_lock", None) or threading.Lock()
        with lock:
            pressed = getattr(kb, "_pressed_events", {})
            times = [getattr(e, "time", 0) or 0 for e in pressed.values()]
            times += list(self._held.values())
            if idle_for > 0 and (not times or time.time() - max(times) < idle_for):
                return False
            pressed.clear()
            getattr(kb, "_logically_pressed_keys", {}).clear()
            listener = getattr(kb, "_listener", None)
            for attr in ("active_modifiers", "modifier_states"):
                state = getattr(listener, attr, None)
                if state is not None:
                    state.clear()
            os_keyboard = getattr(kb, "_os_keyboard", None)
            modifiers = getattr(os_keyboard, "pressed_modifiers", None)  # Linux only
            if modifiers is not None:
                modifiers.clear()
            self._held.clear()
        return True

    def _reset_loop(self) -> None:
        while not self._stopping.wait(self._reset_interval):
            try:
                if self.reset_state(idle_for=self._reset_interval):
                    log.info("keyboard hotkeys: cleared stale pressed-key state")
            except Exception:
                log.exception("keyboard hotkeys: periodic reset failed")
