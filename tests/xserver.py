"""A private X server for tests that need real X11 (global hotkeys, focus, screenshots).

Why: global hotkeys and "the window never steals focus" can only be checked against a
real X server. Each test module gets its own Xvfb on a display number the server picks
itself (``-displayfd``), so parallel runs and a developer's own desktop are never touched.

Use it from a test module (``tests/`` may or may not be a package, so import both ways)::

    try:
        from tests.xserver import OtherWindow, XServer, xvfb_display
    except ImportError:
        from xserver import OtherWindow, XServer, xvfb_display

    def test_something(xvfb_display):          # fixture: ":7", the DISPLAY string
        with OtherWindow(xvfb_display) as other:  # small mapped window holding focus
            xdotool(xvfb_display, "key", "ctrl+alt+2")
            assert focused_window(xvfb_display) == other.window_id

API:
    xvfb_available() -> bool                     Xvfb on PATH?
    require_xvfb() -> None                       skip (or fail if CA_REQUIRE_XVFB=1) without it
    XServer(width=1280, height=800)              context manager; .display (":N"), .env, .stop()
    xvfb_display                                 pytest fixture (module scope) yielding ":N"
    OtherWindow(display, title="other")          focused "business system" stand-in window
    xdotool(display, *args, timeout=10) -> str   run xdotool against that display
    focused_window(display) -> int               ``xdotool getwindowfocus`` as an int

If Xvfb (or xdotool, for the helpers that need it) is missing, tests skip, unless the
environment sets CA_REQUIRE_XVFB=1 (CI images that are meant to have it), then they fail.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

__all__ = [
    "OtherWindow",
    "XServer",
    "focused_window",
    "require_xvfb",
    "xdotool",
    "xvfb_available",
    "xvfb_display",
]


def _required() -> bool:
    return os.environ.get("CA_REQUIRE_XVFB", "") == "1"


def _missing(what: str) -> None:
    msg = f"{what} is not installed"
    if _required():
        pytest.fail(f"{msg} but CA_REQUIRE_XVFB=1")
    pytest.skip(msg)


def xvfb_available() -> bool:
    return shutil.which("Xvfb") is not None


def require_xvfb() -> None:
    """Skip the calling test without Xvfb; fail instead when CA_REQUIRE_XVFB=1."""
    if not xvfb_available():
        _missing("Xvfb")


class XServer:
    """A private Xvfb; the server chooses a free display number and reports it."""

    def __init__(self, width: int = 1280, height: int = 800, timeout: float = 10.0) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self._proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        finally:
            os.close(write_fd)
        try:
            number = self._read_display_number(read_fd, timeout)
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(read_fd)
        self.display = f":{number}"
        self.env = {**os.environ, "DISPLAY": self.display}

    def _read_display_number(self, fd: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self._proc.poll() is not None:
                raise RuntimeError(f"Xvfb did not start (exit code {self._proc.poll()})")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 64)
                if not chunk:
                    raise RuntimeError("Xvfb closed -displayfd without a display number")
                data += chunk
        return int(data.strip())

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> XServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """A fresh Xvfb for the module; yields its DISPLAY string such as ":7"."""
    require_xvfb()
    with XServer() as server:
        yield server.display


def xdotool(display: str, *args: str, timeout: float = 10.0) -> str:
    """Run xdotool against ``display``; return its stdout (stripped)."""
    if shutil.which("xdotool") is None:
        _missing("xdotool")
    done = subprocess.run(
        ["xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout.strip()


def focused_window(display: str) -> int:
    """The X window id that has input focus, per ``xdotool getwindowfocus``."""
    return int(xdotool(display, "getwindowfocus"))


class OtherWindow:
    """A small mapped window that holds input focus: the clerk's business system.

    It keeps its own X connection open (closing it destroys the window), so use it
    as a context manager or call close().
    """

    def __init__(self, display: str, title: str = "other", timeout: float = 5.0) -> None:
        from Xlib import X  # python-xlib, a Linux dependency
        from Xlib import display as xdisplay

        self._conn = xdisplay.Display(display)
        screen = self._conn.screen()
        self._window = screen.root.create_window(
            10, 10, 300, 200, 0, screen.root_depth,
            X.InputOutput, X.CopyFromParent,
            background_pixel=screen.white_pixel,
            event_mask=X.ExposureMask | X.KeyPressMask | X.FocusChangeMask,
        )  # fmt: skip
        self._window.set_wm_name(title)
        self._window.map()
        self._conn.sync()
        self.window_id: int = self._window.id
        self.focus(timeout)

    def focus(self, timeout: float = 5.0) -> None:
        """Give this window input focus and wait until the server reports it."""
        from Xlib import X, error

        deadline = time.monotonic() + timeout
        while True:
            catch = error.CatchError()  # BadMatch until the window is viewable
            self._conn.set_input_focus(self._window, X.RevertToParent, X.CurrentTime, onerror=catch)
            self._conn.sync()
            if self._conn.get_input_focus().focus.id == self.window_id:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("could not focus the other window")
            time.sleep(0.02)

    def close(self) -> None:
        if self._conn is not None:
            self._window.destroy()
            self._conn.close()
            self._conn = None

    def __enter__(self) -> OtherWindow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
