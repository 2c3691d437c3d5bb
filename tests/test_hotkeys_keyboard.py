"""The `keyboard` backend against a fake of the library: no real keyboard device needed."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from counter_assistant.core.hotkeyspec import NAMED_KEYS, parse_hotkey
from counter_assistant.platform.hotkeys.base import REASON_UNSUPPORTED, BackendUnavailable
from counter_assistant.platform.hotkeys.keyboard_backend import (
    KeyboardHotkeyBackend,
    check_available,
    keyboard_combo,
)


class FakeKeyboard:
    """The slice of keyboard 0.13.5 the backend uses, including its pressed-key tables."""

    def __init__(self, unknown: set[str] = frozenset(), broken: bool = False) -> None:
        self.unknown = unknown  # key names this "layout" lacks: add_hotkey raises ValueError
        self.broken = broken  # the listener cannot start at all
        self.hotkeys: dict[str, object] = {}
        self.release_hooks: dict[str, object] = {}
        self.suppress: list[bool] = []
        self._pressed_events_lock = threading.Lock()
        self._pressed_events: dict[int, object] = {}
        self._logically_pressed_keys: dict[int, object] = {}
        self._listener = SimpleNamespace(active_modifiers=set(), modifier_states={})
        self._os_keyboard = SimpleNamespace(pressed_modifiers=set())

    def add_hotkey(self, combo: str, callback, suppress: bool = False):
        self.suppress.append(suppress)
        if self.broken:
            raise OSError("no keyboard found")
        if combo.split("+")[-1] in self.unknown:
            raise ValueError(f"Key {combo!r} is not mapped to any known key.")
        self.hotkeys[combo] = callback
        return lambda: self.hotkeys.pop(combo)

    def on_release_key(self, key: str, callback, suppress: bool = False):
        self.suppress.append(suppress)
        self.release_hooks[key] = callback
        return lambda: self.release_hooks.pop(key)

    # test helpers
    def press(self, combo: str) -> None:
        self.hotkeys[combo]()

    def release(self, key: str) -> None:
        self.release_hooks[key](SimpleNamespace(name=key, event_type="up"))

    def hold_stale(self, age: float) -> None:
        """Leave win+l in the tables, as after Win+L: their key-ups never arrived."""
        event = SimpleNamespace(time=time.time() - age)
        self._pressed_events.update({91: event, 38: event})
        self._logically_pressed_keys.update({91: event, 38: event})
        self._listener.active_modifiers.add(91)
        self._os_keyboard.pressed_modifiers.add("windows")


BINDINGS = {
    "greeting": parse_hotkey("ctrl+alt+2"),
    "picker": parse_hotkey("ctrl+alt+pageup"),
    "fields": parse_hotkey("win+shift+f"),
}


@pytest.mark.parametrize(
    ("text", "combo"),
    [("ctrl+alt+2", "ctrl+alt+2"), ("win+shift+f", "shift+windows+f"),
     ("ctrl+alt+pageup", "ctrl+alt+page up"), ("ctrl+pagedown", "ctrl+page down"),
     ("ctrl+esc", "ctrl+esc"), ("alt+printscreen", "alt+print screen"),
     ("ctrl+scrolllock", "ctrl+scroll lock"), ("ctrl+return", "ctrl+enter"), ("f9", "f9")],
)  # fmt: skip
def test_combo_strings(text: str, combo: str) -> None:
    assert keyboard_combo(parse_hotkey(text)) == combo


def test_combo_names_are_keyboard_canonical_names() -> None:
    names = pytest.importorskip("keyboard._canonical_names")
    for key in [*NAMED_KEYS, "a", "7", "f24"]:
        hotkey = parse_hotkey(f"ctrl+alt+shift+win+{key}")
        for part in keyboard_combo(hotkey).split("+"):
            assert names.normalize_name(part) == part


def test_check_available() -> None:
    check_available(platform="win32")
    with pytest.raises(BackendUnavailable, match="root"):
        check_available(platform="linux", euid=1000, devices=["/dev/input/event0"])
    with pytest.raises(BackendUnavailable, match="/dev/input"):
        check_available(platform="linux", euid=0, devices=[], have_dumpkeys=True)
    with pytest.raises(BackendUnavailable, match="dumpkeys"):
        check_available(
            platform="linux", euid=0, devices=["/dev/input/event3"], have_dumpkeys=False
        )
    check_available(platform="linux", euid=0, devices=["/dev/input/event3"], have_dumpkeys=True)


def test_real_constructor_never_crashes_here() -> None:
    """On CI (no /dev/input) it must refuse cleanly; on a real machine it may work."""
    try:
        backend = KeyboardHotkeyBackend(lambda a: None)
    except BackendUnavailable as exc:
        assert str(exc)
    else:
        assert backend.name == "keyboard"


def test_start_registers_without_suppress_and_fires() -> None:
    kb = FakeKeyboard()
    fired: list[str] = []
    backend = KeyboardHotkeyBackend(fired.append, module=kb)
    assert backend.start(BINDINGS) == []
    assert set(kb.hotkeys) == {"ctrl+alt+2", "ctrl+alt+page up", "shift+windows+f"}
    assert set(kb.release_hooks) == {"2", "page up", "f"}
    assert kb.suppress and not any(kb.suppress)
    kb.press("ctrl+alt+page up")
    assert fired == ["picker"]
    backend.stop()


def test_unknown_key_fails_alone() -> None:
    kb = FakeKeyboard(unknown={"page up"})
    fired: list[str] = []
    backend = KeyboardHotkeyBackend(fired.append, module=kb)
    failures = backend.start(BINDINGS)
    assert [(f.action, f.combo, f.reason) for f in failures] == [
        ("picker", "ctrl+alt+pageup", REASON_UNSUPPORTED)
    ]
    kb.press("ctrl+alt+2")
    assert fired == ["greeting"]
    backend.stop()


def test_listener_that_cannot_start_is_unavailable() -> None:
    kb = FakeKeyboard(broken=True)
    backend = KeyboardHotkeyBackend(lambda a: None, module=kb)
    with pytest.raises(BackendUnavailable, match="no keyboard found"):
        backend.start(BINDINGS)
    assert kb.hotkeys == {} and kb.release_hooks == {}


def test_held_key_fires_once_until_released() -> None:
    kb = FakeKeyboard()
    fired: list[str] = []
    backend = KeyboardHotkeyBackend(fired.append, module=kb)
    backend.start(BINDINGS)
    for _ in range(5):  # auto-repeat key-downs
        kb.press("ctrl+alt+2")
    assert fired == ["greeting"]
    kb.release("2")
    kb.press("ctrl+alt+2")
    assert fired == ["greeting", "greeting"]
    backend.stop()


def test_stop_removes_everything_and_start_again_works() -> None:
    kb = FakeKeyboard()
    fired: list[str] = []
    backend = KeyboardHotkeyBackend(fired.append, module=kb)
    backend.start(BINDINGS)
    backend.stop()
    backend.stop()
    assert kb.hotkeys == {} and kb.release_hooks == {}
    backend.start(BINDINGS)
    kb.press("shift+windows+f")
    assert fired == ["fields"]
    backend.stop()


def test_reset_state_clears_the_stale_tables() -> None:
    kb = FakeKeyboard()
    fired: list[str] = []
    backend = KeyboardHotkeyBackend(fired.append, module=kb)
    backend.start(BINDINGS)
    kb.press("ctrl+alt+2")  # its key-up gets lost, e.g. the screen locked meanwhile
    kb.hold_stale(age=60)
    kb.press("ctrl+alt+2")
    assert fired == ["greeting"]
    assert backend.reset_state() is True
    assert kb._pressed_events == {} and kb._logically_pressed_keys == {}
    assert not kb._listener.active_modifiers and not kb._os_keyboard.pressed_modifiers
    kb.press("ctrl+alt+2")
    assert fired == ["greeting", "greeting"]
    backend.stop()


def test_periodic_reset_waits_until_no_key_is_held() -> None:
    kb = FakeKeyboard()
    backend = KeyboardHotkeyBackend(lambda a: None, module=kb)
    kb.hold_stale(age=0)  # just pressed: a key really held keeps its table entry fresh
    assert backend.reset_state(idle_for=5) is False
    assert kb._pressed_events
    kb.hold_stale(age=60)
    assert backend.reset_state(idle_for=5) is True
    assert kb._pressed_events == {}


def test_periodic_reset_runs_on_its_own_and_stops_promptly() -> None:
    kb = FakeKeyboard()
    backend = KeyboardHotkeyBackend(lambda a: None, module=kb, reset_interval=0.05)
    backend.start(BINDINGS)
    kb.hold_stale(age=60)
    deadline = time.monotonic() + 5
    while kb._pressed_events and time.monotonic() < deadline:
        time.sleep(0.01)
    assert kb._pressed_events == {}
    started = time.monotonic()
    backend.stop()
    assert time.monotonic() - started < 1
    assert not any(t.name == "keyboard-reset" for t in threading.enumerate())
