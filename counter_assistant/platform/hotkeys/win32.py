"""Windows global hotkeys: RegisterHotKey to a message-only window of the app's own.

Why RegisterHotKey: it is not a keyboard hook (the app never sees other keystrokes,
antivirus stays quiet) and Windows says when another program owns a combination.
Why a window of our own: WM_HOTKEY then goes to its window procedure through any message
loop, including the modal loops of a window being dragged or a native file dialog, which
drop the thread messages that RegisterHotKey(NULL, ...) posts.
All logic is here and runs on Linux in tests; the DLL calls are in win32_api.py.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from PySide6.QtCore import QCoreApplication

from counter_assistant.core.hotkeyspec import Hotkey

from . import win32_api as _real_api
from .base import (
    REASON_TAKEN,
    REASON_UNSUPPORTED,
    BackendUnavailable,
    HotkeyBackend,
    HotkeyFailure,
    split_duplicates,
)
from .win32_api import (
    ERROR_HOTKEY_ALREADY_REGISTERED,
    MOD_ALT,
    MOD_CONTROL,
    MOD_NOREPEAT,
    MOD_SHIFT,
    MOD_WIN,
    WM_HOTKEY,
)

log = logging.getLogger(__name__)

MODIFIER_FLAGS = {"ctrl": MOD_CONTROL, "alt": MOD_ALT, "shift": MOD_SHIFT, "win": MOD_WIN}
NAMED_VKS = {
    "space": 0x20, "tab": 0x09, "enter": 0x0D, "escape": 0x1B, "backspace": 0x08,
    "insert": 0x2D, "delete": 0x2E, "home": 0x24, "end": 0x23, "pageup": 0x21,
    "pagedown": 0x22, "left": 0x25, "up": 0x26, "right": 0x27, "down": 0x28,
    "pause": 0x13, "printscreen": 0x2C, "scrolllock": 0x91,
}  # fmt: skip
EVENT_TYPE = b"windows_generic_MSG"


def modifier_flags(hotkey: Hotkey) -> int:
    """RegisterHotKey modifiers; always MOD_NOREPEAT so a held key fires once."""
    flags = MOD_NOREPEAT
    for mod in hotkey.modifiers:
        flags |= MODIFIER_FLAGS[mod]
    return flags


def virtual_key(key: str) -> int | None:
    """Virtual-key code for our key names: "a"->0x41, "2"->0x32, "f1"->0x70, "pageup"->0x21."""
    if len(key) == 1 and key.isascii() and key.isalnum():
        return ord(key.upper())
    if key in NAMED_VKS:
        return NAMED_VKS[key]
    if key[:1] == "f" and key[1:].isdigit() and 1 <= int(key[1:]) <= 24:
        return 0x6F + int(key[1:])  # VK_F1 = 0x70
    return None


class POINT(ctypes.Structure):
    _fields_ = (("x", ctypes.c_int32), ("y", ctypes.c_int32))


class MSG(ctypes.Structure):
    """winuser.h MSG, defined here so it also exists (for tests) off Windows."""

    _fields_ = (
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint32),
        ("wParam", ctypes.c_size_t),  # WPARAM = UINT_PTR
        ("lParam", ctypes.c_ssize_t),  # LPARAM = LONG_PTR
        ("time", ctypes.c_uint32),
        ("pt", POINT),
        ("lPrivate", ctypes.c_uint32),
    )


def read_msg(address: int) -> MSG:
    """A MSG view of the memory at ``address`` (valid only during the filter call)."""
    return MSG.from_address(address)


_ids = itertools.count(1)


def _next_id() -> int:
    """Hotkey ids unique in this process (0x0000-0xBFFF is the application range)."""
    return next(_ids) % 0xBFFF + 1


class Win32HotkeyBackend(HotkeyBackend):
    """RegisterHotKey backend; start() and stop() must run on the Qt GUI thread (the
    message-only window belongs to the thread that creates it)."""

    name = "win32"

    def __init__(self, on_fire: Callable[[str], None], api: ModuleType | Any = None) -> None:
        super().__init__(on_fire)
        if api is None:
            if sys.platform != "win32":
                raise BackendUnavailable("RegisterHotKey exists only on Windows")
            api = _real_api
        self._api = api
        self._actions: dict[int, str] = {}  # hotkey id -> action
        self._hwnd: int | None = None

    def start(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure]:
        if QCoreApplication.instance() is None:
            raise BackendUnavailable("win32 hotkeys need a running QApplication")
        self.stop()
        try:
            self._hwnd = self._api.create_message_window(self.window_proc)
        except OSError as exc:
            raise BackendUnavailable(f"cannot create the hotkey window: {exc}") from exc
        unique, failures = split_duplicates(bindings)
        for action, hotkey in unique.items():
            failure = self._register(action, hotkey)
            if failure:
                failures.append(failure)
        return failures

    def window_proc(self, hwnd: int, message: int, wparam: int, lparam: int) -> int:
        """The hotkey window's procedure: WM_HOTKEY for our ids fires, the rest is Windows'."""
        if message == WM_HOTKEY and hwnd == self._hwnd:
            action = self._actions.get(wparam)
            if action is not None:
                try:
                    self._on_fire(action)
                except Exception:
                    log.exception("win32 hotkeys: on_fire(%r) raised", action)
                return 0
        return self._api.def_window_proc(hwnd, message, wparam, lparam)

    def retry(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure] | None:
        """Register the given ones again to the same window; the others stay registered
        (the window procedure reads _actions)."""
        if self._hwnd is None:
            return None
        return [f for a, h in bindings.items() if (f := self._register(a, h)) is not None]

    def _register(self, action: str, hotkey: Hotkey) -> HotkeyFailure | None:
        combo = str(hotkey)
        vk = virtual_key(hotkey.key)
        if vk is None:
            return HotkeyFailure(action, combo, REASON_UNSUPPORTED, f"no virtual key for {combo}")
        hotkey_id = _next_id()
        error = self._api.register_hotkey(self._hwnd, hotkey_id, modifier_flags(hotkey), vk)
        if error == 0:
            self._actions[hotkey_id] = action
            return None
        detail = f"RegisterHotKey failed with error {error}"
        if error == ERROR_HOTKEY_ALREADY_REGISTERED:
            return HotkeyFailure(action, combo, REASON_TAKEN, detail)
        return HotkeyFailure(action, combo, REASON_UNSUPPORTED, detail)

    def stop(self) -> None:
        for hotkey_id in list(self._actions):
            self._api.unregister_hotkey(self._hwnd, hotkey_id)
        self._actions.clear()
        if self._hwnd is not None:
            self._api.destroy_window(self._hwnd)
            self._hwnd = None
