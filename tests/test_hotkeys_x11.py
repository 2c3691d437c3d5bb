"""The X11 backend against a real private Xvfb, driven by xdotool (XTEST).

Another X window holds focus the whole time, like the clerk's business system.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

from counter_assistant.core.hotkeyspec import parse_hotkey
from counter_assistant.platform.hotkeys.base import REASON_TAKEN, BackendUnavailable
from counter_assistant.platform.hotkeys.choose import choose_backend
from counter_assistant.platform.hotkeys.x11 import X11HotkeyBackend

try:
    from tests.xserver import (
        OtherWindow,
        XServer,
        focused_window,
        require_xvfb,
        xdotool,
        xvfb_display,
    )
except ImportError:
    from xserver import OtherWindow, XServer, focused_window, require_xvfb, xdotool, xvfb_display

__all__ = ["xvfb_display"]  # the fixture, re-exported so pytest finds it here

BINDINGS = {
    "greeting": parse_hotkey("ctrl+alt+2"),
    "phone": parse_hotkey("ctrl+alt+1"),
    "picker": parse_hotkey("ctrl+shift+f5"),
    "fields": parse_hotkey("ctrl+alt+5"),
    "next_variant": parse_hotkey("win+pagedown"),
}
TIMEOUT = 5.0


class Recorder:
    def __init__(self) -> None:
        self.fired: queue.Queue[str] = queue.Queue()

    def __call__(self, action: str) -> None:
        self.fired.put(action)

    def next(self) -> str:
        return self.fired.get(timeout=TIMEOUT)

    def drained(self) -> list[str]:
        items = []
        while not self.fired.empty():
            items.append(self.fired.get_nowait())
        return items


@pytest.fixture
def other(xvfb_display: str) -> Iterator[OtherWindow]:
    with OtherWindow(xvfb_display) as window:
        yield window


@pytest.fixture
def started(xvfb_display: str, other: OtherWindow) -> Iterator[tuple[X11HotkeyBackend, Recorder]]:
    recorder = Recorder()
    backend = X11HotkeyBackend(recorder, display_name=xvfb_display)
    assert backend.start(BINDINGS) == []
    yield backend, recorder
    backend.stop()


def test_hotkey_fires_and_focus_stays_on_the_other_window(xvfb_display, other, started) -> None:
    _, recorder = started
    xdotool(xvfb_display, "key", "ctrl+alt+2")
    assert recorder.next() == "greeting"
    xdotool(xvfb_display, "key", "ctrl+shift+F5")
    assert recorder.next() == "picker"
    xdotool(xvfb_display, "key", "super+Next")
    assert recorder.next() == "next_variant"
    assert focused_window(xvfb_display) == other.window_id


def test_ungrabbed_combos_do_not_fire(xvfb_display, started) -> None:
    _, recorder = started
    for combo in ("ctrl+alt+3", "ctrl+2", "ctrl+alt+shift+2", "2", "ctrl+F5"):
        xdotool(xvfb_display, "key", combo)
    xdotool(xvfb_display, "key", "ctrl+alt+1")  # a marker: everything before it is processed
    assert recorder.next() == "phone"
    assert recorder.drained() == []


def test_numlock_and_capslock_still_fire(xvfb_display, started) -> None:
    _, recorder = started
    toggled: list[str] = []
    try:
        xdotool(xvfb_display, "key", "Num_Lock")
        toggled.append("Num_Lock")
        xdotool(xvfb_display, "key", "ctrl+alt+2")
        assert recorder.next() == "greeting"
        xdotool(xvfb_display, "key", "Caps_Lock")
        toggled.append("Caps_Lock")
        xdotool(xvfb_display, "key", "ctrl+alt+1")
        assert recorder.next() == "phone"
    finally:
        for key in toggled:  # leave the locks off for the other tests
            xdotool(xvfb_display, "key", key)


def test_held_key_fires_once(xvfb_display, started) -> None:
    backend, recorder = started
    xdotool(xvfb_display, "keydown", "ctrl+alt+2")
    time.sleep(1.2)  # Xvfb's default auto-repeat starts after 660 ms
    xdotool(xvfb_display, "keyup", "ctrl+alt+2")
    xdotool(xvfb_display, "key", "ctrl+alt+1")
    assert recorder.next() == "greeting"
    assert recorder.next() == "phone"
    assert recorder.drained() == []
    assert backend.repeats_ignored > 0  # the server really did auto-repeat


def test_owned_combo_is_reported_and_the_rest_keep_working(xvfb_display, other) -> None:
    owner_fired = Recorder()
    owner = X11HotkeyBackend(owner_fired, display_name=xvfb_display)  # "another program"
    assert owner.start({"theirs": parse_hotkey("ctrl+alt+5")}) == []
    recorder = Recorder()
    backend = X11HotkeyBackend(recorder, display_name=xvfb_display)
    try:
        failures = backend.start(BINDINGS)
        assert [(f.action, f.combo) for f in failures] == [("fields", "ctrl+alt+5")]
        assert failures[0].reason == REASON_TAKEN and "占用" in failures[0].reason
        assert "BadAccess" in failures[0].detail
        xdotool(xvfb_display, "key", "ctrl+alt+2")
        assert recorder.next() == "greeting"
        xdotool(xvfb_display, "key", "ctrl+alt+5")  # still the owner's, untouched by us
        assert owner_fired.next() == "theirs"
        xdotool(xvfb_display, "key", "Num_Lock", "ctrl+alt+5", "Num_Lock")
        assert owner_fired.next() == "theirs"
        xdotool(xvfb_display, "key", "ctrl+alt+1")
        assert recorder.next() == "phone"
        assert recorder.drained() == []
    finally:
        backend.stop()
        owner.stop()


def test_retry_takes_a_combination_its_owner_let_go_and_keeps_the_rest(xvfb_display, other):
    owner = X11HotkeyBackend(lambda _action: None, display_name=xvfb_display)
    assert owner.start({"theirs": parse_hotkey("ctrl+alt+5")}) == []
    recorder = Recorder()
    backend = X11HotkeyBackend(recorder, display_name=xvfb_display)
    fields = {"fields": BINDINGS["fields"]}
    try:
        assert [f.action for f in backend.start(BINDINGS)] == ["fields"]
        assert [f.reason for f in backend.retry(fields)] == [REASON_TAKEN]  # still held
        owner.stop()
        assert backend.retry(fields) == []
        xdotool(xvfb_display, "key", "ctrl+alt+5")
        assert recorder.next() == "fields"
        xdotool(xvfb_display, "key", "ctrl+alt+2")  # the grabs held all along still work
        assert recorder.next() == "greeting"
        assert recorder.drained() == []
    finally:
        backend.stop()
        owner.stop()
    assert backend.retry(fields) is None  # stopped: nothing to retry on


def test_stop_is_prompt_and_start_again_works(xvfb_display, other) -> None:
    recorder = Recorder()
    backend = X11HotkeyBackend(recorder, display_name=xvfb_display)
    backend.start(BINDINGS)
    began = time.monotonic()
    backend.stop()
    assert time.monotonic() - began < 1.0
    backend.stop()  # idempotent
    xdotool(xvfb_display, "key", "ctrl+alt+2")  # nobody listens now
    assert backend.start(BINDINGS) == []  # our own old grabs are gone: no BadAccess
    try:
        xdotool(xvfb_display, "key", "ctrl+alt+1")
        assert recorder.next() == "phone"
        assert recorder.drained() == []
    finally:
        backend.stop()


def test_choose_backend_picks_x11_when_the_server_is_reachable(xvfb_display, monkeypatch) -> None:
    monkeypatch.setenv("DISPLAY", xvfb_display)
    backend, reasons = choose_backend("auto", lambda a: None)
    try:
        assert backend is not None and backend.name == "x11" and reasons == []
    finally:
        if backend is not None:
            backend.stop()  # closes the connection it opened to probe the server


def test_x_server_going_away_does_not_hang_or_raise() -> None:
    require_xvfb()
    with XServer() as server:
        backend = X11HotkeyBackend(lambda a: None, display_name=server.display)
        backend.start(BINDINGS)
    began = time.monotonic()  # the server is gone now
    backend.stop()
    backend.stop()
    assert time.monotonic() - began < 1.0
    with pytest.raises(BackendUnavailable):
        backend.start(BINDINGS)


OTHER_INSTANCE = """
import sys
from PySide6.QtWidgets import QApplication, QWidget
from counter_assistant.core.hotkeyspec import parse_hotkey
from counter_assistant.platform.hotkeys.x11 import X11HotkeyBackend
app = QApplication(["counter-assistant"])
app.setApplicationName("CounterAssistant")  # the app's WM_CLASS, as run_app sets it
window = QWidget()
window.setGeometry(600, 400, 320, 180)
window.show()
for _ in range(20):
    app.processEvents()
backend = X11HotkeyBackend(lambda action: None)
assert backend.start({"greeting": parse_hotkey("ctrl+alt+2"),
                      "phone": parse_hotkey("ctrl+alt+1")}) == []
print("up", flush=True)
app.exec()
"""


def test_another_users_instance_is_named_as_the_cause(xvfb_display, other) -> None:
    """Two users on one display: the first one's window holds the grabs."""
    import os
    import subprocess
    import sys

    from counter_assistant.platform.hotkeys.base import REASON_OTHER_INSTANCE
    from counter_assistant.platform.x11_windows import other_instances_on

    env = {**os.environ, "DISPLAY": xvfb_display}
    env.pop("QT_QPA_PLATFORM", None)
    first = subprocess.Popen([sys.executable, "-c", OTHER_INSTANCE], env=env,
                             stdout=subprocess.PIPE)  # fmt: skip
    backend = X11HotkeyBackend(Recorder(), display_name=xvfb_display)
    try:
        assert first.stdout.readline() == b"up\n"
        (window,) = other_instances_on(xvfb_display)
        assert window.pid == first.pid
        assert (window.x, window.y, window.width, window.height) == (600, 400, 320, 180)
        failures = backend.start(BINDINGS)
        taken = sorted((f.combo, f.reason) for f in failures)
        assert taken == [("ctrl+alt+1", REASON_OTHER_INSTANCE),
                         ("ctrl+alt+2", REASON_OTHER_INSTANCE)]  # fmt: skip
        assert f"pid {first.pid}" in failures[0].detail
        # Tried again while the first user's window runs: still named as the cause.
        held = {f.action: BINDINGS[f.action] for f in failures}
        still = backend.retry(held)
        assert sorted((f.combo, f.reason) for f in still) == taken
        first.kill()  # that user quits: the combinations come back on the next try
        first.wait()
        deadline = time.monotonic() + TIMEOUT
        while (still := backend.retry(held)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert still == []
    finally:
        backend.stop()
        first.kill()
        first.wait()
        first.stdout.close()


def test_key_names_become_x_keysyms() -> None:
    from counter_assistant.platform.hotkeys.xcb import keysym_of

    assert [keysym_of(k) for k in ("2", "a", "f1", "f5", "f24", "pageup", "space")] == [
        0x32, 0x61, 0xFFBE, 0xFFC2, 0xFFD5, 0xFF55, 0x20,
    ]  # fmt: skip
    assert keysym_of("f99") == 0 and keysym_of("") == 0 and keysym_of("é") == 0
