"""X11 global hotkeys through XGrabKey (libxcb, see xcb.py); no root, no keyboard hook.

Why XGrabKey: the X server only ever sends us the grabbed combinations, never the other
keystrokes the clerk types, and it answers BadAccess when another client owns one.
"""

from __future__ import annotations

import logging
import os
import queue
import select
import threading
from collections.abc import Callable, Mapping

from counter_assistant.core.hotkeyspec import Hotkey

from . import xcb
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


def modifier_mask(hotkey: Hotkey) -> int:
    mask = 0
    for mod in hotkey.modifiers:
        mask |= MODIFIER_MASKS[mod]
    return mask


class X11HotkeyBackend(HotkeyBackend):
    name = "x11"

    def __init__(self, on_fire: Callable[[str], None], display_name: str | None = None) -> None:
        super().__init__(on_fire)
        self._display_name = display_name or os.environ.get("DISPLAY", "")
        if not self._display_name:
            raise BackendUnavailable("DISPLAY is not set (no X11 session)")
        # Is the X server reachable? The connection is kept for the first start().
        self._probe: xcb.Connection | None = self._open()
        self._lock = threading.Lock()
        self._display: xcb.Connection | None = None
        self._keymap: dict[int, int] = {}  # keysym -> keycode, read at each start
        self._numlock = MOD2
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None
        self._grabs: list[tuple[int, int]] = []  # (keycode, modifiers) grabbed on root
        self._actions: dict[tuple[int, int], str] = {}  # (keycode, clean mask) -> action
        self._other: str | None = None  # another instance holding the grabs, once looked up
        self._retries: queue.Queue[_Retry] = queue.Queue()  # served by the event thread
        self.repeats_ignored = 0  # auto-repeat KeyPress events skipped (for tests, logs)

    def _open(self) -> xcb.Connection:
        try:
            return xcb.Connection(self._display_name)
        except xcb.XcbError as exc:
            raise BackendUnavailable(str(exc)) from exc

    # -- start / stop -------------------------------------------------------------------

    def start(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure]:
        probe, self._probe = self._probe, None  # not closed by the stop() below
        self.stop()
        with self._lock:
            display = probe or self._open()
            self._display = display
            try:
                self._keymap = display.keyboard_map()
                self._numlock = self._numlock_mask(display)
                unique, failures = split_duplicates(bindings)
                self._other = None  # looked up at the first BadAccess only
                for action, hotkey in unique.items():
                    failure = self._grab(display, action, hotkey)
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
            stuck = False
            if self._thread is not None:
                os.write(self._wake[1], b"x")
                self._thread.join(timeout=2)
                stuck = self._thread.is_alive()
                self._thread = None
            if stuck:  # still inside a request to a slow server: it must not lose its
                # connection underneath it; the grabs go when this process ends
                log.warning("X11 hotkeys: the event thread did not stop; connection left open")
                self._display, self._wake, self._grabs, self._actions = None, None, [], {}
                return
            if self._wake is not None:
                for fd in self._wake:
                    os.close(fd)
                self._wake = None
            if self._display is not None:
                self._release(self._display)
                self._display = None

    def _release(self, display: xcb.Connection) -> None:
        try:
            display.ungrab_keys(self._grabs)
        except Exception as exc:  # the server may be gone already
            log.warning("X11 hotkeys: error while releasing grabs: %s", exc)
        display.close()  # closing also drops any grab left
        self._grabs = []
        self._actions = {}

    # -- grabbing -----------------------------------------------------------------------

    def _numlock_mask(self, display: xcb.Connection) -> int:
        """Which ModN carries Num_Lock on this server (usually Mod2)."""
        numlock = self._keymap.get(xcb.NUM_LOCK_KEYSYM, 0)
        for index, keycodes in enumerate(display.modifier_map()):
            if numlock and numlock in keycodes:
                return 1 << index
        return MOD2

    def _lock_variants(self) -> tuple[int, ...]:
        return (0, LOCK, self._numlock, LOCK | self._numlock)

    def _grab(self, display: xcb.Connection, action: str, hotkey: Hotkey) -> HotkeyFailure | None:
        combo = str(hotkey)
        keysym = xcb.keysym_of(hotkey.key)
        keycode = self._keymap.get(keysym, 0) if keysym else 0
        if not keycode:
            detail = f"no keycode for key {hotkey.key!r} (keysym {keysym:#x}) in this keymap"
            return HotkeyFailure(action, combo, REASON_UNSUPPORTED, detail)
        mods = modifier_mask(hotkey)
        variants = [(keycode, mods | extra) for extra in self._lock_variants()]
        err = display.grab_keys(variants)  # the errors of all four, in one round trip
        if err is None:
            self._grabs.extend(variants)
            self._actions[(keycode, mods)] = action
            return None
        display.ungrab_keys(variants)  # drop the variants we did get (only ours go)
        if err == xcb.BAD_ACCESS:
            other = self._other_instance(display)
            if other:
                return HotkeyFailure(action, combo, REASON_OTHER_INSTANCE,
                                     f"XGrabKey: BadAccess; {other}")  # fmt: skip
            return HotkeyFailure(action, combo, REASON_TAKEN, "XGrabKey: BadAccess")
        return HotkeyFailure(action, combo, REASON_UNSUPPORTED, f"XGrabKey: X error {err}")

    def _other_instance(self, display: xcb.Connection) -> str:
        """Another Counter Assistant's window on this display, described; '' if none."""
        if self._other is None:
            from counter_assistant.platform.x11_windows import other_instances_on

            found = other_instances_on(self._display_name)  # [] when it cannot tell
            self._other = (
                f"another Counter Assistant window (pid {found[0].pid}) is on this display"
                if found
                else ""
            )
        return self._other

    # -- event thread -------------------------------------------------------------------

    def _run(self, display: xcb.Connection, wake_fd: int) -> None:
        """Read grabbed KeyPress events until stop() writes to the wake pipe."""
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
                for event in display.events():
                    if event.type == xcb.KEY_RELEASE:
                        last_release[event.detail] = event.time
                    elif event.type == xcb.KEY_PRESS:
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

    def _serve_retries(self, display: xcb.Connection) -> None:
        while not self._retries.empty():
            request = self._retries.get_nowait()
            self._other = None  # the other user may have quit, or another may have come
            for action, hotkey in request.bindings.items():
                failure = self._grab(display, action, hotkey)
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
