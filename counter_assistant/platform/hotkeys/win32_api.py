"""The only module that calls into user32.dll: RegisterHotKey / UnregisterHotKey.

Why so thin: this is the one part Linux CI cannot run. Everything around it lives in
win32.py and is tested there with a fake of this module. Importing it is safe anywhere;
calling it is only valid on Windows, on the GUI thread (hwnd NULL posts WM_HOTKEY to
the calling thread's queue, which Qt's event dispatcher reads).
"""

from __future__ import annotations

import ctypes
import sys

MOD_ALT = 0x0001
MOD_CONTROL = 0x0002
MOD_SHIFT = 0x0004
MOD_WIN = 0x0008
MOD_NOREPEAT = 0x4000
WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409

_user32 = None


def _dll():
    global _user32
    if _user32 is None:
        if sys.platform != "win32":
            raise OSError("win32_api can only be called on Windows")
        # use_last_error: ctypes saves GetLastError() right after the call, before
        # anything else in the interpreter can overwrite it.
        dll = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        dll.RegisterHotKey.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint)
        dll.RegisterHotKey.restype = ctypes.c_int
        dll.UnregisterHotKey.argtypes = (ctypes.c_void_p, ctypes.c_int)
        dll.UnregisterHotKey.restype = ctypes.c_int
        _user32 = dll
    return _user32


def register_hotkey(hotkey_id: int, modifiers: int, vk: int) -> int:
    """RegisterHotKey(NULL, id, modifiers, vk); returns 0 on success, else GetLastError()."""
    if _dll().RegisterHotKey(None, hotkey_id, modifiers, vk):
        return 0
    return ctypes.get_last_error() or -1  # type: ignore[attr-defined]


def unregister_hotkey(hotkey_id: int) -> bool:
    """UnregisterHotKey(NULL, id); True if it was registered by this thread."""
    return bool(_dll().UnregisterHotKey(None, hotkey_id))
