"""Remember which window had the keyboard before a dialog of ours took it, and give it back.

The prompt window itself never takes focus; only the picker and the fields dialog do,
and they hand focus back to the business system when they close.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


class ForegroundKeeper:
    """Base: does nothing (the window manager decides)."""

    def remember(self) -> object | None:
        return None

    def restore(self, handle: object | None) -> None:
        return None


class Win32Foreground(ForegroundKeeper):
    def remember(self) -> object | None:
        import ctypes

        return ctypes.windll.user32.GetForegroundWindow() or None

    def restore(self, handle: object | None) -> None:
        if handle:
            import ctypes

            ctypes.windll.user32.SetForegroundWindow(handle)


class X11Foreground(ForegroundKeeper):
    """Reads and requests _NET_ACTIVE_WINDOW, as a pager would (EWMH)."""

    def __init__(self) -> None:
        from counter_assistant.platform.x11_windows import core_display

        self._display = core_display(os.environ["DISPLAY"])
        self._atom = self._display.intern_atom("_NET_ACTIVE_WINDOW")

    def remember(self) -> object | None:
        try:
            prop = self._display.screen().root.get_full_property(self._atom, 0)
            if prop and prop.value and prop.value[0]:
                return int(prop.value[0])
            focus = self._display.get_input_focus().focus
            return int(focus.id) if hasattr(focus, "id") else None
        except Exception:  # an X error must never break the window
            log.debug("cannot read the active window", exc_info=True)
            return None

    def restore(self, handle: object | None) -> None:
        if not handle:
            return
        from Xlib import X, error, protocol

        catch = error.CatchError()  # the window may be gone: no X error on stderr
        try:
            root = self._display.screen().root
            window = self._display.create_resource_object("window", int(handle))
            event = protocol.event.ClientMessage(
                window=window, client_type=self._atom, data=(32, [2, X.CurrentTime, 0, 0, 0])
            )
            mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
            root.send_event(event, event_mask=mask, onerror=catch)
            window.set_input_focus(X.RevertToParent, X.CurrentTime, onerror=catch)
            self._display.flush()
        except Exception:
            log.debug("cannot give focus back", exc_info=True)


def make_foreground_keeper() -> ForegroundKeeper:
    try:
        if sys.platform == "win32":
            return Win32Foreground()
        if os.environ.get("DISPLAY"):
            return X11Foreground()
    except Exception as exc:
        log.info("focus keeper unavailable: %s", exc)
    return ForegroundKeeper()
