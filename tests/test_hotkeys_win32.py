"""Win32 backend logic with a fake user32: registration, conflicts, WM_HOTKEY decoding.

RegisterHotKey itself cannot run here; everything around it does.
"""

from __future__ import annotations

import ctypes
import sys

import pytest
import shiboken6
from PySide6.QtCore import QByteArray

from counter_assistant.core.hotkeyspec import NAMED_KEYS, parse_hotkey
from counter_assistant.platform.hotkeys import win32_api
from counter_assistant.platform.hotkeys.base import (
    REASON_TAKEN,
    REASON_UNSUPPORTED,
    BackendUnavailable,
)
from counter_assistant.platform.hotkeys.win32 import (
    MSG,
    HotkeyMessageFilter,
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
    """Stands in for win32_api: tracks registrations like Windows does per thread."""

    def __init__(self, taken: set[tuple[int, int]] = frozenset(), fail: int = 0) -> None:
        self.taken = taken  # (modifiers without NOREPEAT, vk) owned by "another program"
        self.fail = fail  # a different error code for every call, if set
        self.registered: dict[int, tuple[int, int]] = {}
        self.unregistered: list[int] = []

    def register_hotkey(self, hotkey_id: int, modifiers: int, vk: int) -> int:
        if self.fail:
            return self.fail
        if hotkey_id in self.registered or (modifiers & ~MOD_NOREPEAT, vk) in self.taken:
            return win32_api.ERROR_HOTKEY_ALREADY_REGISTERED
        self.registered[hotkey_id] = (modifiers, vk)
        return 0

    def unregister_hotkey(self, hotkey_id: int) -> bool:
        self.unregistered.append(hotkey_id)
        return self.registered.pop(hotkey_id, None) is not None


BINDINGS = {
    "greeting": parse_hotkey("ctrl+alt+2"),
    "phone": parse_hotkey("ctrl+alt+1"),
    "picker": parse_hotkey("win+shift+f12"),
}


def hotkey_msg(hotkey_id: int, message: int = WM_HOTKEY) -> MSG:
    msg = MSG()
    msg.message = message
    msg.wParam = hotkey_id
    msg.lParam = (0x32 << 16) | MOD_CONTROL | MOD_ALT  # what Windows puts there
    return msg


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


def test_conflict_is_reported_and_the_rest_still_fire(qapp) -> None:
    api = FakeUser32(taken={(MOD_CONTROL | MOD_ALT, 0x32)})
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    failures = backend.start(BINDINGS)
    assert [(f.action, f.combo, f.reason) for f in failures] == [
        ("greeting", "ctrl+alt+2", REASON_TAKEN)
    ]
    assert "占用" in failures[0].reason and "1409" in failures[0].detail
    phone_id = id_of(api, MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, 0x31)
    msg = hotkey_msg(phone_id)
    event_type = QByteArray(b"windows_generic_MSG")
    assert backend._filter.nativeEventFilter(event_type, ctypes.addressof(msg)) == (True, 0)
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
    msg = hotkey_msg(greeting_id)
    event_type = QByteArray(b"windows_generic_MSG")
    assert backend._filter.nativeEventFilter(event_type, ctypes.addressof(msg)) == (True, 0)
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


def test_stop_unregisters_everything_and_is_idempotent(qapp) -> None:
    api = FakeUser32()
    fired: list[str] = []
    backend = Win32HotkeyBackend(fired.append, api=api)
    backend.start(BINDINGS)
    ids = set(api.registered)
    greeting_filter = backend._filter
    backend.stop()
    backend.stop()
    assert api.registered == {} and set(api.unregistered) == ids
    assert backend._filter is None
    msg = hotkey_msg(min(ids))
    handled = greeting_filter.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(msg))
    assert handled == (False, 0)
    assert fired == []
    assert backend.start(BINDINGS) == []  # "resume hotkeys" after "pause"
    assert len(api.registered) == 3
    backend.stop()


def test_filter_decodes_a_real_msg_from_its_address(qapp) -> None:
    fired: list[str] = []
    filt = HotkeyMessageFilter({7: "greeting", 8: "picker"}, fired.append)
    msg = hotkey_msg(8)
    address = ctypes.addressof(msg)
    # The address as a plain int and as the shiboken6.VoidPtr PySide6 really passes.
    assert filt.nativeEventFilter(QByteArray(b"windows_generic_MSG"), address) == (True, 0)
    assert filt.nativeEventFilter(b"windows_generic_MSG", shiboken6.VoidPtr(address)) == (True, 0)
    assert fired == ["picker", "picker"]


def test_filter_ignores_other_messages_ids_and_event_types(qapp) -> None:
    fired: list[str] = []
    filt = HotkeyMessageFilter({7: "greeting"}, fired.append)
    keydown = hotkey_msg(7, message=WM_KEYDOWN)
    unknown = hotkey_msg(99)
    ours = hotkey_msg(7)
    assert filt.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(keydown)) == (False, 0)
    assert filt.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(unknown)) == (False, 0)
    assert filt.nativeEventFilter(b"xcb_generic_event_t", ctypes.addressof(ours)) == (False, 0)
    assert filt.nativeEventFilter(b"windows_generic_MSG", 0) == (False, 0)
    assert fired == []


def test_filter_survives_a_failing_callback(qapp) -> None:
    def boom(action: str) -> None:
        raise RuntimeError(action)

    msg = hotkey_msg(3)
    filt = HotkeyMessageFilter({3: "greeting"}, boom)
    assert filt.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(msg)) == (True, 0)


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows refusal")
def test_real_api_is_refused_off_windows() -> None:
    with pytest.raises(BackendUnavailable, match="Windows"):
        Win32HotkeyBackend(lambda a: None)
    with pytest.raises(OSError, match="Windows"):
        win32_api.register_hotkey(1, MOD_CONTROL, 0x41)
