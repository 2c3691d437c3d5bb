"""FakeHotkeyBackend and the shared duplicate check: what app tests rely on."""

from __future__ import annotations

import threading

from counter_assistant.core.hotkeyspec import parse_hotkey
from counter_assistant.platform.hotkeys.base import (
    REASON_DUPLICATE,
    REASON_TAKEN,
    HotkeyFailure,
    split_duplicates,
)
from counter_assistant.platform.hotkeys.fake import FakeHotkeyBackend

BINDINGS = {"greeting": parse_hotkey("ctrl+alt+2"), "picker": parse_hotkey("ctrl+alt+p")}


def test_taken_combo_fails_and_the_rest_register() -> None:
    backend = FakeHotkeyBackend(lambda action: None, taken={"Ctrl+Alt+P"})
    failures = backend.start(BINDINGS)
    assert failures == [
        HotkeyFailure("picker", "ctrl+alt+p", REASON_TAKEN, "fake: listed as taken")
    ]
    assert backend.bindings == {"greeting": parse_hotkey("ctrl+alt+2")}
    assert (backend.start_count, backend.stop_count, backend.running) == (1, 0, True)


def test_fire_calls_on_fire_from_another_thread() -> None:
    seen: list[tuple[str, int]] = []
    backend = FakeHotkeyBackend(lambda action: seen.append((action, threading.get_ident())))
    backend.start(BINDINGS)
    thread = backend.fire("greeting")
    assert thread is not None
    thread.join(timeout=5)
    assert seen and seen[0][0] == "greeting"
    assert seen[0][1] != threading.get_ident()


def test_fire_combo_finds_the_action() -> None:
    seen: list[str] = []
    backend = FakeHotkeyBackend(seen.append)
    backend.start(BINDINGS)
    backend.fire_combo("alt+ctrl+P").join(timeout=5)
    assert seen == ["picker"]
    assert backend.fire_combo("ctrl+alt+9") is None


def test_nothing_fires_after_stop_and_restart_works() -> None:
    seen: list[str] = []
    backend = FakeHotkeyBackend(seen.append, taken={"ctrl+alt+2"})
    backend.start(BINDINGS)
    assert backend.fire("greeting") is None  # taken, so never registered
    backend.stop()
    assert backend.fire("picker") is None
    assert backend.bindings == {}
    backend.start(BINDINGS)
    backend.fire("picker").join(timeout=5)
    assert seen == ["picker"]
    assert (backend.start_count, backend.stop_count) == (2, 1)


def test_split_duplicates_keeps_the_first_owner() -> None:
    bindings = {
        "greeting": parse_hotkey("ctrl+alt+2"),
        "phone": parse_hotkey("alt+ctrl+2"),
        "picker": parse_hotkey("ctrl+alt+p"),
    }
    unique, failures = split_duplicates(bindings)
    assert list(unique) == ["greeting", "picker"]
    assert [(f.action, f.combo, f.reason) for f in failures] == [
        ("phone", "ctrl+alt+2", REASON_DUPLICATE)
    ]
    assert "greeting" in failures[0].detail
