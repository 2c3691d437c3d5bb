"""The few libxcb calls the X11 hotkeys need, through ctypes.

Why libxcb: Qt's own X11 platform has already loaded it, so connecting costs a socket
and a handful of requests, where python-xlib costs ten milliseconds of imports at every
start. Only the core protocol is used: the keyboard and modifier maps, GrabKey and
UngrabKey on the root window, and the KeyPress/KeyRelease events they bring.
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

KEY_PRESS, KEY_RELEASE = 2, 3
BAD_ACCESS = 10  # the X error another client's grab causes
GRAB_MODE_ASYNC = 1
NUM_LOCK_KEYSYM = 0xFF7F

# X keysyms of our key names (keysymdef.h); a letter or digit is its own code.
NAMED_KEYSYMS = {
    "space": 0x20, "tab": 0xFF09, "enter": 0xFF0D, "escape": 0xFF1B, "backspace": 0xFF08,
    "insert": 0xFF63, "delete": 0xFFFF, "home": 0xFF50, "end": 0xFF57, "pageup": 0xFF55,
    "pagedown": 0xFF56, "up": 0xFF52, "down": 0xFF54, "left": 0xFF51, "right": 0xFF53,
    "pause": 0xFF13, "printscreen": 0xFF61, "scrolllock": 0xFF14,
}  # fmt: skip
F1 = 0xFFBE


def keysym_of(key: str) -> int:
    """Our key name ("2", "a", "f5", "pageup") as an X keysym; 0 if it has none."""
    if key in NAMED_KEYSYMS:
        return NAMED_KEYSYMS[key]
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit() and 1 <= int(key[1:]) <= 35:
        return F1 + int(key[1:]) - 1
    if len(key) == 1 and 0x20 < ord(key) < 0x7F:
        return ord(key.lower())
    return 0


class XcbError(Exception):
    """The connection failed or broke; str() says how."""


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _Error(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("error_code", ctypes.c_uint8)]


class _KeyEvent(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8), ("detail", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16), ("time", ctypes.c_uint32), ("root", ctypes.c_uint32),
        ("event", ctypes.c_uint32), ("child", ctypes.c_uint32), ("root_x", ctypes.c_int16),
        ("root_y", ctypes.c_int16), ("event_x", ctypes.c_int16), ("event_y", ctypes.c_int16),
        ("state", ctypes.c_uint16), ("same_screen", ctypes.c_uint8),
    ]  # fmt: skip


class KeyEvent(NamedTuple):  # a tuple: no generated code to compile at every start
    type: int  # KEY_PRESS or KEY_RELEASE
    detail: int  # the keycode
    time: int  # server time, in ms
    state: int  # modifier mask


_lib: ctypes.CDLL | None = None
_libc: ctypes.CDLL | None = None


def _load() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    global _lib, _libc
    if _lib is None or _libc is None:
        try:
            lib = ctypes.CDLL("libxcb.so.1")
            libc = ctypes.CDLL(None)
        except OSError as exc:
            raise XcbError(f"libxcb.so.1 cannot be loaded: {exc}") from exc
        p, u8, u16, u32, i = (
            ctypes.c_void_p,
            ctypes.c_uint8,
            ctypes.c_uint16,
            ctypes.c_uint32,
            ctypes.c_int,
        )
        sigs = {
            "xcb_connect": (p, [ctypes.c_char_p, ctypes.POINTER(i)]),
            "xcb_connection_has_error": (i, [p]),
            "xcb_disconnect": (None, [p]),
            "xcb_flush": (i, [p]),
            "xcb_get_file_descriptor": (i, [p]),
            "xcb_get_setup": (p, [p]),
            "xcb_setup_roots_iterator": (_ScreenIterator, [p]),
            "xcb_screen_next": (None, [ctypes.POINTER(_ScreenIterator)]),
            "xcb_get_keyboard_mapping": (_Cookie, [p, u8, u8]),
            "xcb_get_keyboard_mapping_reply": (p, [p, _Cookie, p]),
            "xcb_get_keyboard_mapping_keysyms": (ctypes.POINTER(u32), [p]),
            "xcb_get_keyboard_mapping_keysyms_length": (i, [p]),
            "xcb_get_modifier_mapping": (_Cookie, [p]),
            "xcb_get_modifier_mapping_reply": (p, [p, _Cookie, p]),
            "xcb_get_modifier_mapping_keycodes": (ctypes.POINTER(u8), [p]),
            "xcb_get_modifier_mapping_keycodes_length": (i, [p]),
            "xcb_grab_key_checked": (_Cookie, [p, u8, u32, u16, u8, u8, u8]),
            "xcb_ungrab_key_checked": (_Cookie, [p, u8, u32, u16]),
            "xcb_request_check": (p, [p, _Cookie]),
            "xcb_poll_for_event": (p, [p]),
        }  # fmt: skip
        for name, (restype, argtypes) in sigs.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        libc.free.argtypes, libc.free.restype = [p], None
        _lib, _libc = lib, libc
    return _lib, _libc


class Connection:
    """One connection to the X server, used by one thread at a time."""

    def __init__(self, display_name: str) -> None:
        self._lib, self._libc = _load()
        screen = ctypes.c_int(0)
        self._c = self._lib.xcb_connect(display_name.encode(), ctypes.byref(screen))
        code = self._lib.xcb_connection_has_error(self._c) if self._c else -1
        if code:
            if self._c:
                self._lib.xcb_disconnect(self._c)
            self._c = None
            raise XcbError(f"cannot connect to X display {display_name!r} (xcb error {code})")
        setup = self._lib.xcb_get_setup(self._c)
        self.min_keycode, self.max_keycode = ctypes.cast(setup, ctypes.POINTER(ctypes.c_uint8))[
            34:36
        ]
        roots = self._lib.xcb_setup_roots_iterator(setup)
        for _ in range(max(0, min(screen.value, roots.rem - 1))):
            self._lib.xcb_screen_next(ctypes.byref(roots))
        self.root = ctypes.cast(roots.data, ctypes.POINTER(ctypes.c_uint32))[0]

    def fileno(self) -> int:
        return self._lib.xcb_get_file_descriptor(self._open())

    def _open(self) -> int:
        """The connection pointer; XcbError once closed (libxcb must never see NULL)."""
        if not self._c:
            raise XcbError("the X connection is closed")
        return self._c

    def check(self) -> None:
        code = self._lib.xcb_connection_has_error(self._open())
        if code:
            raise XcbError(f"the X connection broke (xcb error {code})")

    def _reply(self, request: str, cookie: _Cookie) -> int:
        reply = getattr(self._lib, f"{request}_reply")(self._open(), cookie, None)
        if not reply:
            self.check()
            raise XcbError(f"{request}: no reply")
        return reply

    def keyboard_map(self) -> dict[int, int]:
        """keysym -> the keycode that types it unshifted where possible (lowest column)."""
        first, count = self.min_keycode, self.max_keycode - self.min_keycode + 1
        reply = self._reply("xcb_get_keyboard_mapping", self._lib.xcb_get_keyboard_mapping(
            self._open(), first, count))  # fmt: skip
        try:
            per = ctypes.cast(reply, ctypes.POINTER(ctypes.c_uint8))[1]
            n = self._lib.xcb_get_keyboard_mapping_keysyms_length(reply)
            syms = self._lib.xcb_get_keyboard_mapping_keysyms(reply)[:n]
        finally:
            self._libc.free(reply)
        best: dict[int, tuple[int, int]] = {}
        for i, sym in enumerate(syms):
            if sym:
                place = (i % per, first + i // per)  # (column, keycode)
                if sym not in best or place < best[sym]:
                    best[sym] = place
        return {sym: keycode for sym, (_col, keycode) in best.items()}

    def modifier_map(self) -> list[list[int]]:
        """The keycodes of each of the eight modifiers (Shift, Lock, Control, Mod1..Mod5)."""
        reply = self._reply("xcb_get_modifier_mapping", self._lib.xcb_get_modifier_mapping(
            self._open()))  # fmt: skip
        try:
            n = self._lib.xcb_get_modifier_mapping_keycodes_length(reply)
            codes = self._lib.xcb_get_modifier_mapping_keycodes(reply)[:n]
        finally:
            self._libc.free(reply)
        per = n // 8
        return [codes[i * per : (i + 1) * per] for i in range(8)]

    def grab_keys(self, grabs: list[tuple[int, int]]) -> int | None:
        """GrabKey on the root for each (keycode, modifiers); the first X error code, if any.

        Every request is sent before the first answer is awaited: one round trip in all.
        """
        c = self._open()
        cookies = [
            self._lib.xcb_grab_key_checked(c, 0, self.root, mods, code, GRAB_MODE_ASYNC,
                                           GRAB_MODE_ASYNC)
            for code, mods in grabs
        ]  # fmt: skip
        return self._first_error(cookies)

    def ungrab_keys(self, grabs: list[tuple[int, int]]) -> int | None:
        c = self._open()
        cookies = [self._lib.xcb_ungrab_key_checked(c, code, self.root, mods)
                   for code, mods in grabs]  # fmt: skip
        return self._first_error(cookies)

    def _first_error(self, cookies: list[_Cookie]) -> int | None:
        first, c = None, self._open()
        for cookie in cookies:
            error = self._lib.xcb_request_check(c, cookie)
            if error:
                code = ctypes.cast(error, ctypes.POINTER(_Error))[0].error_code
                self._libc.free(error)
                first = code if first is None else first
        self.check()
        return first

    def events(self) -> list[KeyEvent]:
        """The key events read so far, without waiting; raises XcbError once it broke."""
        found, c = [], self._open()
        while True:
            event = self._lib.xcb_poll_for_event(c)
            if not event:
                break
            key = ctypes.cast(event, ctypes.POINTER(_KeyEvent))[0]
            kind = key.response_type & 0x7F
            if kind in (KEY_PRESS, KEY_RELEASE):
                found.append(KeyEvent(kind, key.detail, key.time, key.state))
            self._libc.free(event)
        self.check()
        return found

    def flush(self) -> None:
        self._lib.xcb_flush(self._open())

    def close(self) -> None:
        """Disconnecting drops every grab of this connection."""
        if self._c:
            self._lib.xcb_flush(self._c)
            self._lib.xcb_disconnect(self._c)
            self._c = None
