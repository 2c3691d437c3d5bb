"""choose_backend on this machine; must never crash where no global hotkeys can work (CI)."""

from __future__ import annotations

import sys

import pytest

from counter_assistant.platform.hotkeys.base import HotkeyBackend
from counter_assistant.platform.hotkeys.choose import auto_order, choose_backend


def test_none_switches_hotkeys_off() -> None:
    assert choose_backend("none", lambda a: None) == (
        None,
        ["hotkey backend switched off in config"],
    )


def test_auto_order() -> None:
    assert auto_order("win32") == ("win32", "keyboard")
    assert auto_order("linux") == ("x11", "keyboard")
    assert auto_order("darwin") == ("keyboard",)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux auto order")
def test_auto_without_display_returns_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    backend, reasons = choose_backend("auto", lambda a: None)
    assert reasons[0] == "x11: DISPLAY is not set (no X11 session)"
    if backend is None:  # CI, containers: keyboard cannot run either, and says why
        assert len(reasons) == 2 and reasons[1].startswith("keyboard: ")
    else:
        assert backend.name == "keyboard"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux auto order")
def test_unreachable_x_server_is_a_reason_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", "127.0.0.1:4999")  # nothing listens on port 10999
    backend, reasons = choose_backend("x11", lambda a: None)
    assert backend is None
    assert len(reasons) == 1 and reasons[0].startswith("x11: cannot connect to X display")


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows refusal")
def test_explicit_win32_off_windows() -> None:
    backend, reasons = choose_backend("win32", lambda a: None)
    assert backend is None and len(reasons) == 1 and "Windows" in reasons[0]


def test_unknown_preference_falls_back_to_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    backend, reasons = choose_backend("xinput", lambda a: None)
    assert "unknown hotkey backend 'xinput'" in reasons[0]
    assert backend is None or isinstance(backend, HotkeyBackend)
