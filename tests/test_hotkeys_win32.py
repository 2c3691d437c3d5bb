"""Win32 backend logic with a fake user32: the message-only window, registration to it,
conflicts, WM_HOTKEY through its window procedure (as any message loop, modal ones too,
dispatches it). RegisterHotKey itself cannot run here; everything around it does.
"""

from __future__ import annotations

import ctypes
import sys

import pytest

from counter_assistant.core.hotkeyspec import NAMED_KEYS, parse_hotkey
from counter_assistant.platform.hotkeys import win32_api
from counter_assistant.platform.hotkeys.base import (
    REASON_TAKEN,
    REASON_UNSUPPORTED,
    BackendUnavailable,
)
from counter_assistant.platform.hotkeys.win32 import (
    MSG,
    Win32HotkeyBackend,
    modifier_flags,
    virtual_key,
)
from counter_assistant.platform.hotkeys.win32_api import (
    MOD_ALT,
    MOD_CONTROL,
    MOD_NOREPEAT,
    MOD_SHIFT,
    MOD_WIN,
    WM_HOTKEY,
)

WM_KEYDOWN = 0x0100


class FakeUser32:
    """Stands in for win32_api: one message-only window, registrations per window, and
    dispatch to the window procedure as a message loop (Qt's or a modal one) would."""

    HWND = 0x5A5A0

    def __init__(self, taken: set[tuple[int, int]] = frozenset(), fail: int = 0) -> None:
        self.taken = taken  # (modifiers without NOREPEAT, vk) owned by "another program"
        self.fail = fail  # a different error code for every call, if set
        self.registered: dict[int, tuple[int, int]] = {}
        self.unregistered: list[int] = []
        self.windows: dict[int, object] = {}
        self.destroyed: list[int] = []
        self.default_calls: list[tuple[int, int, int, int]] = []
        self.next_hwnd = self.HWND

    def create_message_window(self, proc) -> int:
        self.next_hwnd += 1
        self.windows[self.next_hwnd] = proc
        return self.next_hwnd

    def destroy_window(self, hwnd: int) -> None:
        self.windows.pop(hwnd)
        self.destroyed.append(hwnd)

    def def_window_proc(self, hwnd: int, message: int, wparam: int, lparam: int) -> int:
        self.default_calls.append((hwnd, message, wparam, lparam))
        return 0

    def register_hotkey(self, hwnd: int, hotkey_id: int, modifiers: int, vk: int) -> int:
        assert hwnd in self.windows, "hotkeys go to a live window of ours, never NULL"
        if self.fail:
            return self.fail
        if hotkey_id in self.registered or (modifiers & ~MOD_NOREPEAT, vk) in self.taken:
            return win32_api.ERROR_HOTKEY_ALREADY_REGISTERED
        self.registered[hotkey_id] = (modifiers, vk)
        return 0

    def unregister_hotkey(self, hwnd: int, hotkey_id: int) -> bool:
        assert hwnd in self.windows
        self.unregistered.append(hotkey_id)
        return self.registered.pop(hotkey_id, None) is not None

    def press(self, hotkey_id: int, message: int = WM_HOTKEY) -> int:
        """Windows posts WM_HOTKEY to the window; some message loop dispatches it."""
        ((hwnd, proc),) = self.windows.items()
        lparam = (0x32 << 16) | MOD_CONTROL | MOD_ALT  # what Windows puts there
        return proc(hwnd, message, hotkey_id, lparam)


BINDINGS = {
    "greeting": parse_hotkey("ctrl+alt+2"),
    "phone": parse_hotkey("ctrl+alt+1"),
    "picker": parse_hotkey("win+shift+f12"),
}


def id_of(api: FakeUser32, modifiers: int, vk: int) -> int:
    return next(i for i, reg in api.registered.items() if reg == (modifiers, vk))


def test_modifier_flags_always_include_norepeat() -> None:
    assert modifier_flags(parse_hotkey("ctrl+alt+2")) == MOD_CONTROL | MOD_ALT | MOD_NOREPEAT
    assert modifier_flags(parse_hotkey("win+shift+a")) == MOD_WIN | MOD_SHIFT | MOD_NOREPEAT
    assert modifier_flags(parse_hotkey("f9")) == MOD_NOREPEAT


@pytest.mark.parametrize(
    ("key", "vk"),
    [("a", 0x41), ("z", 0x5A), ("0", 0x30), ("9", 0x39), ("f1", 0x70), ("f12", 0x7B),
     ("f24", 0x87), ("pageup", 0x21), ("delete", 0x2E), ("scrolllock", 0x91)],
)  # fmt: skip
def test_virtual_keys(key: str, vk: int) -> None:
    assert virtual_key(key) == vk


def test_every_named_key_has_a_virtual_key() -> None:
    for name in NAMED_KEYS:
        key = parse_hotkey(f"ctrl+{name}").key
        assert virtual_key(key) is not None, key


def test_msg_matches_the_windows_layout() -> None:
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert ctypes.sizeof(MSG) == 48
        assert (MSG.message.offset, MSG.wParam.offset, MSG.lParam.offset) == (8, 16, 24)
        assert (MSG.time.offset, MSG.pt.offset, MSG.lPrivate.offset) == (32, 36, 44)
    else:
        assert ctypes.sizeof(MSG) == 32


def test_start_registers_each_combo_with_norepeat_and_unique_ids(qapp) -> None:
    api = FakeUser32()
    backend = Win32HotkeyBackend(lambda a: None, api=api)
    assert backend.start(BINDINGS) == []
    assert len(api.windows) == 1  # one message-only window holds them all
    assert sorted(api.registered.values()) == sorted(
        [
            (MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, 0x32),
            (MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, 0x31),
            (MOD_WIN | MOD_SHIFT | MOD_NOREPEAT, 0x7B),
        ]
    )
    first_ids = set(api.registered)
    assert len(first_ids) == 3
    backend.stop()
    other = Win32HotkeyBackend(lambda a: None, api=api)
    other.start(BINDINGS)
    assert not first_ids & set(api.registered)  # ids never reused while in use
    other.stop()


def test_wm_hotkey_reaches_the_window_procedure_from_any_message_loop(qapp) -> None:
    """What a modal loop does with a message for a window: dispatch it to its procedure.
    No Qt event filter is involved, so a drag or a native dialog loses no hotkey."""
    api = FakeUser32()
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    backend.start(BINDINGS)
    assert api.press(id_of(api, MOD_WIN | MOD_SHIFT | MOD_NOREPEAT, 0x7B)) == 0
    assert api.press(id_of(api, MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, 0x31)) == 0
    assert fired == ["picker", "phone"]
    backend.stop()


def test_other_messages_and_ids_go_to_the_default_procedure(qapp) -> None:
    api = FakeUser32()
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    backend.start(BINDINGS)
    api.press(9999)  # not one of ours
    api.press(min(api.registered), message=WM_KEYDOWN)
    assert fired == [] and len(api.default_calls) == 2
    backend.stop()


def test_conflict_is_reported_and_the_rest_still_fire(qapp) -> None:
    api = FakeUser32(taken={(MOD_CONTROL | MOD_ALT, 0x32)})
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    failures = backend.start(BINDINGS)
    assert [(f.action, f.combo, f.reason) for f in failures] == [
        ("greeting", "ctrl+alt+2", REASON_TAKEN)
    ]
    assert "占用" in failures[0].reason and "1409" in failures[0].detail
    api.press(id_of(api, MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, 0x31))
    assert fired == ["phone"]
    backend.stop()


def test_retry_registers_a_combination_once_its_owner_lets_go(qapp) -> None:
    api = FakeUser32(taken={(MOD_CONTROL | MOD_ALT, 0x32)})
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    assert [f.action for f in backend.start(BINDINGS)] == ["greeting"]
    greeting = {"greeting": BINDINGS["greeting"]}
    assert [f.action for f in backend.retry(greeting)] == ["greeting"]  # still held
    before = dict(api.registered)
    api.taken = set()
    assert backend.retry(greeting) == []
    assert set(before.items()) < set(api.registered.items())  # the others stayed put
    greeting_id = id_of(api, MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, 0x32)
    assert len(api.windows) == 1 and not api.destroyed  # registered to the same window
    assert api.press(greeting_id) == 0
    assert fired == ["greeting"]
    backend.stop()
    assert backend.retry(greeting) is None  # not running: nothing to add to


def test_other_register_errors_say_cannot_register(qapp) -> None:
    backend = Win32HotkeyBackend(lambda a: None, api=FakeUser32(fail=87))
    failures = backend.start({"greeting": parse_hotkey("ctrl+alt+2")})
    assert [(f.reason, f.detail) for f in failures] == [
        (REASON_UNSUPPORTED, "RegisterHotKey failed with error 87")
    ]
    backend.stop()


def test_no_window_means_the_backend_is_unavailable(qapp) -> None:
    class NoWindow(FakeUser32):
        def create_message_window(self, proc) -> int:
            raise OSError(8, "CreateWindowExW(HWND_MESSAGE) failed")

    with pytest.raises(BackendUnavailable, match="hotkey window"):
        Win32HotkeyBackend(lambda a: None, api=NoWindow()).start(BINDINGS)


def test_stop_unregisters_everything_destroys_the_window_and_is_idempotent(qapp) -> None:
    api = FakeUser32()
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    backend.start(BINDINGS)
    ids = set(api.registered)
    (hwnd,) = api.windows
    proc = api.windows[hwnd]
    backend.stop()
    backend.stop()
    assert api.registered == {} and set(api.unregistered) == ids
    assert api.windows == {} and api.destroyed == [hwnd]
    proc(hwnd, WM_HOTKEY, min(ids), 0)  # a late message for the old window fires nothing
    assert fired == []
    assert backend.start(BINDINGS) == []  # "resume hotkeys" after "pause"
    assert len(api.registered) == 3 and len(api.windows) == 1
    backend.stop()


def test_window_procedure_survives_a_failing_callback(qapp) -> None:
    def boom(action: str) -> None:
        raise RuntimeError(action)

    api = FakeUser32()
    backend = Win32HotkeyBackend(boom, api=api)
    backend.start(BINDINGS)
    assert api.press(min(api.registered)) == 0
    backend.stop()


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows refusal")
def test_real_api_is_refused_off_windows() -> None:
    with pytest.raises(BackendUnavailable, match="Windows"):
        Win32HotkeyBackend(lambda a: None)
    with pytest.raises(OSError, match="Windows"):
        win32_api.register_hotkey(1, 1, MOD_CONTROL, 0x41)
    with pytest.raises(OSError, match="Windows"):
        win32_api.create_message_window(lambda *a: 0)
