"""X11 global hotkeys through XGrabKey (python-xlib); no root, no keyboard hook.

Why XGrabKey: the X server only ever sends us the grabbed combinations, never the other
keystrokes the clerk types, and it answers BadAccess when another client owns one.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import select
import threading
import warnings
from collections.abc import Callable, Mapping

from counter_assistant.core.hotkeyspec import Hotkey

from .base import (
    REASON_OTHER_INSTANCE,
    REASON_TAKEN,
    REASON_UNSUPPORTED,
    BackendUnavailable,
    HotkeyBackend,
    HotkeyFailure,
    split_duplicates,
)

log = logging.getLogger(__name__)

# X modifier masks (X.h).
SHIFT, LOCK, CONTROL, MOD1, MOD2, MOD4 = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 4, 1 << 6
MODIFIER_MASKS = {"ctrl": CONTROL, "alt": MOD1, "shift": SHIFT, "win": MOD4}

NAMED_KEYSYMS = {
    "space": "space", "tab": "Tab", "enter": "Return", "escape": "Escape",
    "backspace": "BackSpace", "insert": "Insert", "delete": "Delete", "home": "Home",
    "end": "End", "pageup": "Prior", "pagedown": "Next", "up": "Up", "down": "Down",
    "left": "Left", "right": "Right", "pause": "Pause", "printscreen": "Print",
    "scrolllock": "Scroll_Lock",
}  # fmt: skip


def keysym_name(key: str) -> str:
    """Our key name ("2", "a", "f5", "pageup") as an X keysym name ("2", "a", "F5", "Prior")."""
    if key in NAMED_KEYSYMS:
        return NAMED_KEYSYMS[key]
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def modifier_mask(hotkey: Hotkey) -> int:
    mask = 0
    for mod in hotkey.modifiers:
        mask |= MODIFIER_MASKS[mod]
    return mask


def _skip_uname_processor() -> None:
    """python-xlib indexes platform.uname() at import, which runs `uname -p` in a subprocess
    on Linux (a fork at every start) only to fill a field nothing here reads."""
    import platform

    uname = platform.uname()
    uname.__dict__.setdefault("processor", "")


def core_display(xdisplay, name: str):
    """A connection that skips python-xlib's extension setup.

    Grabbing keys needs only the core protocol, and setting up every extension the
    server offers costs about twenty round trips and imports at each start.
    """
    from Xlib import ext

    saved = ext.__extensions__
    ext.__extensions__ = ()
    try:
        return xdisplay.Display(name)
    finally:
        ext.__extensions__ = saved


class X11HotkeyBackend(HotkeyBackend):
    name = "x11"

    def __init__(self, on_fire: Callable[[str], None], display_name: str | None = None) -> None:
        super().__init__(on_fire)
        self._display_name = display_name or os.environ.get("DISPLAY", "")
        if not self._display_name:
            raise BackendUnavailable("DISPLAY is not set (no X11 session)")
        _skip_uname_processor()
        try:
            from Xlib import display as xdisplay
        except ImportError as exc:
            raise BackendUnavailable(f"python-xlib is not installed: {exc}") from exc
        self._xdisplay = xdisplay
        self._probe = self._open()  # is the X server reachable? kept for the first start()
        self._lock = threading.Lock()
        self._display = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None
        self._grabs: list[tuple[int, int]] = []  # (keycode, modifiers) grabbed on root
        self._actions: dict[tuple[int, int], str] = {}  # (keycode, clean mask) -> action
        self._other: str | None = None  # another instance holding the grabs, once looked up
        self._retries: queue.Queue[_Retry] = queue.Queue()  # served by the event thread
        self.repeats_ignored = 0  # auto-repeat KeyPress events skipped (for tests, logs)

    def _open(self):
        with warnings.catch_warnings():
            # python-xlib leaves the socket of a failed connect for the GC to close.
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return core_display(self._xdisplay, self._display_name)
            except Exception as exc:  # python-xlib raises several unrelated types here
                problem = f"cannot connect to X display {self._display_name!r}: {exc}"
            gc.collect()
        raise BackendUnavailable(problem)

    # -- start / stop -------------------------------------------------------------------

    def start(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure]:
        probe, self._probe = self._probe, None  # not closed by the stop() below
        self.stop()
        with self._lock:
            display = probe or self._open()
            self._display = display
            try:
                root = display.screen().root
                self._numlock = self._numlock_mask(display)
                unique, failures = split_duplicates(bindings)
                self._other = None  # looked up at the first BadAccess only
                for action, hotkey in unique.items():
                    failure = self._grab(display, root, action, hotkey)
                    if failure:
                        failures.append(failure)
            except Exception as exc:  # e.g. the server went away between probe and start
                self._release(display)
                self._display = None
                raise BackendUnavailable(f"X11 hotkeys could not start: {exc}") from exc
            self._wake = os.pipe()
            self._thread = threading.Thread(
                target=self._run, args=(display, self._wake[0]), name="x11-hotkeys", daemon=True
            )
            self._thread.start()
            return failures

    def retry(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure] | None:
        """Grab the given ones again on the event thread, which owns the connection, so
        the grabs that work are never let go in between."""
        request = _Retry(dict(bindings))
        with self._lock:
            if self._thread is None or self._wake is None:
                return None
            self._retries.put(request)
            os.write(self._wake[1], b"r")
        return request.failures if request.done.wait(2.0) else None

    def stop(self) -> None:
        with self._lock:
            if self._probe is not None:
                self._probe.close()
                self._probe = None
            if self._thread is not None:
                os.write(self._wake[1], b"x")
                self._thread.join(timeout=2)
                self._thread = None
            if self._wake is not None:
                for fd in self._wake:
                    os.close(fd)
                self._wake = None
            if self._display is not None:
                self._release(self._display)
                self._display = None

    def _release(self, display) -> None:
        from Xlib import error

        try:
            root = display.screen().root
            for keycode, mods in self._grabs:
                root.ungrab_key(keycode, mods, onerror=error.CatchError())
            display.close()  # flushes the ungrabs; closing also drops any grab left
        except Exception as exc:  # the server may be gone already
            log.warning("X11 hotkeys: error while releasing grabs: %s", exc)
        self._grabs = []
        self._actions = {}

    # -- grabbing -----------------------------------------------------------------------

    @staticmethod
    def _numlock_mask(display) -> int:
        """Which ModN carries Num_Lock on this server (usually Mod2)."""
        from Xlib import XK

        numlock = display.keysym_to_keycode(XK.string_to_keysym("Num_Lock"))
        for index, keycodes in enumerate(display.get_modifier_mapping()):
            if numlock and numlock in keycodes:
                return 1 << index
        return MOD2

    def _lock_variants(self) -> tuple[int, ...]:
        return (0, LOCK, self._numlock, LOCK | self._numlock)

    def _grab(self, display, root, action: str, hotkey: Hotkey) -> HotkeyFailure | None:
        from Xlib import XK, X, error

        combo = str(hotkey)
        keysym = XK.string_to_keysym(keysym_name(hotkey.key))
        keycode = display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            detail = f"no keycode for keysym {keysym_name(hotkey.key)!r} in this keymap"
            return HotkeyFailure(action, combo, REASON_UNSUPPORTED, detail)
        mods = modifier_mask(hotkey)
        catch = error.CatchError()
        variants = [(keycode, mods | extra) for extra in self._lock_variants()]
        for code, mask in variants:
            root.grab_key(code, mask, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catch)
        display.sync()  # errors for the grabs above arrive before sync returns
        err = catch.get_error()
        if err is None:
            self._grabs.extend(variants)
            self._actions[(keycode, mods)] = action
            return None
        for code, mask in variants:  # drop the variants we did get
            root.ungrab_key(code, mask, onerror=error.CatchError())
        display.sync()
        if isinstance(err, error.BadAccess):
            other = self._other_instance(display)
            if other:
                return HotkeyFailure(action, combo, REASON_OTHER_INSTANCE,
                                     f"XGrabKey: BadAccess; {other}")  # fmt: skip
            return HotkeyFailure(action, combo, REASON_TAKEN, "XGrabKey: BadAccess")
        return HotkeyFailure(action, combo, REASON_UNSUPPORTED, f"XGrabKey: {err}")

    def _other_instance(self, display) -> str:
        """Another Counter Assistant's window on this display, described; '' if none."""
        if self._other is None:
            from counter_assistant.platform.x11_windows import other_instances

            try:
                found = other_instances(display)
            except Exception as exc:
                log.debug("X11 hotkeys: cannot list windows: %s", exc)
                found = []
            self._other = (
                f"another Counter Assistant window (pid {found[0].pid}) is on this display"
                if found
                else ""
            )
        return self._other

    # -- event thread -------------------------------------------------------------------

    def _run(self, display, wake_fd: int) -> None:
        """Read grabbed KeyPress events until stop() writes to the wake pipe."""
        from Xlib import X

        fd = display.fileno()
        ignore = LOCK | self._numlock
        wanted = SHIFT | CONTROL | MOD1 | MOD4
        last_release: dict[int, int] = {}  # keycode -> server time of its last KeyRelease
        try:
            while True:
                ready, _, _ = select.select([fd, wake_fd], [], [])
                if wake_fd in ready:
                    if b"x" in os.read(wake_fd, 64):
                        return
                    self._serve_retries(display)
                while display.pending_events():
                    event = display.next_event()
                    if event.type == X.KeyRelease:
                        last_release[event.detail] = event.time
                    elif event.type == X.KeyPress:
                        # Auto-repeat sends KeyRelease+KeyPress with one timestamp.
                        if last_release.get(event.detail) == event.time:
                            self.repeats_ignored += 1
                            continue
                        mask = event.state & wanted & ~ignore
                        action = self._actions.get((event.detail, mask))
                        if action is not None:
                            self._fire(action)
        except Exception as exc:  # connection lost: hotkeys stop, the app keeps running
            log.error("X11 hotkeys: event thread stopped: %s", exc)

    def _serve_retries(self, display) -> None:
        root = display.screen().root
        while not self._retries.empty():
            request = self._retries.get_nowait()
            self._other = None  # the other user may have quit, or another may have come
            for action, hotkey in request.bindings.items():
                failure = self._grab(display, root, action, hotkey)
                if failure:
                    request.failures.append(failure)
            request.done.set()

    def _fire(self, action: str) -> None:
        try:
            self._on_fire(action)
        except Exception:
            log.exception("X11 hotkeys: on_fire(%r) raised", action)


class _Retry:
    """One retry() call handed to the event thread, and its answer."""

    def __init__(self, bindings: dict[str, Hotkey]) -> None:
        self.bindings = bindings
        self.failures: list[HotkeyFailure] = []
        self.done = threading.Event()
