"""The only module that calls into user32.dll: a message-only window and RegisterHotKey.

Why so thin: this is the one part Linux CI cannot run. Everything around it lives in
win32.py and is tested there with a fake of this module. Importing it is safe anywhere;
calling it is only valid on Windows, on the GUI thread.

Why a window: RegisterHotKey(NULL, ...) posts WM_HOTKEY as a thread message, and the
modal loops of Windows (a window being dragged, a native file dialog) drop thread
messages, so hotkeys pressed then were lost. Posted to a window of ours, WM_HOTKEY is
dispatched to its window procedure by whichever message loop runs.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

MOD_ALT = 0x0001
MOD_CONTROL = 0x0002
MOD_SHIFT = 0x0004
MOD_WIN = 0x0008
MOD_NOREPEAT = 0x4000
WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HWND_MESSAGE = -3
WINDOW_CLASS = "CounterAssistantHotkeys"

WindowProc = Callable[[int, int, int, int], int]  # hwnd, message, wParam, lParam -> LRESULT

_user32 = None
_class_proc = None  # the ctypes callback of our window class (must outlive every window)
_procs: dict[int, WindowProc] = {}  # hwnd -> the Python procedure of that window


def _dll():
    global _user32
    if _user32 is None:
        if sys.platform != "win32":
            raise OSError("win32_api can only be called on Windows")
        from ctypes import wintypes

        # use_last_error: ctypes saves GetLastError() right after the call, before
        # anything else in the interpreter can overwrite it.
        dll = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        dll.RegisterHotKey.argtypes = (wintypes.HWND, ctypes.c_int, wintypes.UINT, wintypes.UINT)
        dll.RegisterHotKey.restype = wintypes.BOOL
        dll.UnregisterHotKey.argtypes = (wintypes.HWND, ctypes.c_int)
        dll.UnregisterHotKey.restype = wintypes.BOOL
        dll.DefWindowProcW.argtypes = (wintypes.HWND, wintypes.UINT, wintypes.WPARAM,
                                       wintypes.LPARAM)  # fmt: skip
        dll.DefWindowProcW.restype = ctypes.c_ssize_t  # LRESULT
        dll.RegisterClassExW.argtypes = (ctypes.c_void_p,)
        dll.RegisterClassExW.restype = wintypes.ATOM
        dll.CreateWindowExW.argtypes = (
            wintypes.DWORD, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
            ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
            wintypes.HWND, wintypes.HMENU, wintypes.HINSTANCE, wintypes.LPVOID,
        )  # fmt: skip
        dll.CreateWindowExW.restype = wintypes.HWND
        dll.DestroyWindow.argtypes = (wintypes.HWND,)
        dll.DestroyWindow.restype = wintypes.BOOL
        _user32 = dll
    return _user32


def _register_class() -> None:
    """Our window class, once per process: its procedure hands each message to _procs."""
    global _class_proc
    if _class_proc is not None:
        return
    _dll()  # refuses off Windows
    from ctypes import wintypes

    wndproc = ctypes.WINFUNCTYPE(  # type: ignore[attr-defined]
        ctypes.c_ssize_t, wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM
    )

    class WNDCLASSEXW(ctypes.Structure):
        _fields_ = (
            ("cbSize", wintypes.UINT), ("style", wintypes.UINT), ("lpfnWndProc", wndproc),
            ("cbClsExtra", ctypes.c_int), ("cbWndExtra", ctypes.c_int),
            ("hInstance", wintypes.HINSTANCE), ("hIcon", wintypes.HICON),
            ("hCursor", wintypes.HANDLE), ("hbrBackground", wintypes.HBRUSH),
            ("lpszMenuName", wintypes.LPCWSTR), ("lpszClassName", wintypes.LPCWSTR),
            ("hIconSm", wintypes.HICON),
        )  # fmt: skip

    def dispatch(hwnd, message, wparam, lparam):
        proc = _procs.get(hwnd or 0)
        if proc is None:
            return _dll().DefWindowProcW(hwnd, message, wparam, lparam)
        return proc(hwnd or 0, message, wparam, lparam)

    callback = wndproc(dispatch)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.GetModuleHandleW.argtypes = (wintypes.LPCWSTR,)
    kernel32.GetModuleHandleW.restype = wintypes.HMODULE
    cls = WNDCLASSEXW()
    cls.cbSize = ctypes.sizeof(WNDCLASSEXW)
    cls.lpfnWndProc = callback
    cls.hInstance = kernel32.GetModuleHandleW(None)
    cls.lpszClassName = WINDOW_CLASS
    if not _dll().RegisterClassExW(ctypes.byref(cls)):
        error = ctypes.get_last_error()  # type: ignore[attr-defined]
        if error != 1410:  # ERROR_CLASS_ALREADY_EXISTS
            raise OSError(error, "RegisterClassExW failed")
    _class_proc = callback


def create_message_window(proc: WindowProc) -> int:
    """A message-only window (HWND_MESSAGE: never shown) whose messages go to ``proc``.
    Returns its handle; raises OSError."""
    _register_class()
    hwnd = _dll().CreateWindowExW(0, WINDOW_CLASS, WINDOW_CLASS, 0, 0, 0, 0, 0,
                                  HWND_MESSAGE, None, None, None)  # fmt: skip
    if not hwnd:
        raise OSError(ctypes.get_last_error(), "CreateWindowExW(HWND_MESSAGE) failed")  # type: ignore[attr-defined]
    _procs[hwnd] = proc
    return hwnd


def destroy_window(hwnd: int) -> None:
    _dll().DestroyWindow(hwnd)
    _procs.pop(hwnd, None)


def def_window_proc(hwnd: int, message: int, wparam: int, lparam: int) -> int:
    return _dll().DefWindowProcW(hwnd, message, wparam, lparam)


def register_hotkey(hwnd: int, hotkey_id: int, modifiers: int, vk: int) -> int:
    """RegisterHotKey(hwnd, id, modifiers, vk); returns 0 on success, else GetLastError()."""
    if _dll().RegisterHotKey(hwnd, hotkey_id, modifiers, vk):
        return 0
    return ctypes.get_last_error() or -1  # type: ignore[attr-defined]


def unregister_hotkey(hwnd: int, hotkey_id: int) -> bool:
    """UnregisterHotKey(hwnd, id); True if it was registered to that window."""
    return bool(_dll().UnregisterHotKey(hwnd, hotkey_id))
