"""Pick the global hotkey backend for this machine, or none (then in-window shortcuts).

Why a separate step: constructing a backend probes whether it can run at all, and the
app needs the English reasons for every backend it skipped, for the log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from .base import BackendUnavailable, HotkeyBackend

PREFERENCES = ("auto", "win32", "x11", "keyboard", "none")


def _construct(name: str, on_fire: Callable[[str], None]) -> HotkeyBackend:
    # Imports stay inside: win32 pulls in Qt, keyboard and Xlib may be missing.
    if name == "win32":
        from .win32 import Win32HotkeyBackend

        return Win32HotkeyBackend(on_fire)
    if name == "x11":
        if not sys.platform.startswith("linux"):
            raise BackendUnavailable("X11 hotkeys are only used on Linux")
        from .x11 import X11HotkeyBackend

        return X11HotkeyBackend(on_fire)
    if name == "keyboard":
        from .keyboard_backend import KeyboardHotkeyBackend

        return KeyboardHotkeyBackend(on_fire)
    raise BackendUnavailable(f"unknown hotkey backend {name!r}")


def auto_order(platform: str = sys.platform) -> tuple[str, ...]:
    if platform == "win32":
        return ("win32", "keyboard")
    if platform.startswith("linux"):
        return ("x11", "keyboard")
    return ("keyboard",)


def choose_backend(
    preference: str, on_fire: Callable[[str], None], exclude: tuple[str, ...] = ()
) -> tuple[HotkeyBackend | None, list[str]]:
    """Construct (not start) the first backend that can run; collect why others could not.

    An explicit preference is tried alone: a site that asked for one backend does not
    silently get a keyboard hook instead. An unknown preference is treated as "auto".
    `exclude` skips backends that were built but then failed to start.
    """
    reasons: list[str] = []
    if preference == "none":
        return None, ["hotkey backend switched off in config"]
    if preference in PREFERENCES and preference != "auto":
        order: tuple[str, ...] = (preference,)
    else:
        if preference != "auto":
            reasons.append(f"unknown hotkey backend {preference!r} in config; using auto")
        order = auto_order()
    for name in order:
        if name in exclude:
            continue
        try:
            return _construct(name, on_fire), reasons
        except BackendUnavailable as exc:
            reasons.append(f"{name}: {exc}")
    return None, reasons
