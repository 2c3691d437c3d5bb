"""Windows of other Counter Assistant processes on this X display (another user's, usually).

Why: when a second user logs in on the same display, the first user's window still holds
every hotkey grab. The second window then names that cause instead of blaming "another
program", and does not open exactly on top of the first one.
"""

from __future__ import annotations

import logging
import os
from typing import NamedTuple

log = logging.getLogger(__name__)

WM_CLASS_NAME = "CounterAssistant"  # the class part of WM_CLASS: QApplication's name


def _skip_uname_processor() -> None:
    """python-xlib indexes platform.uname() at import, which runs `uname -p` in a subprocess
    on Linux (a fork at every start) only to fill a field nothing here reads."""
    import platform

    uname = platform.uname()
    uname.__dict__.setdefault("processor", "")


def core_display(name: str):
    """A python-xlib connection that skips its extension setup.

    Reading window properties needs only the core protocol, and setting up every
    extension the server offers costs about twenty round trips and imports.
    """
    _skip_uname_processor()
    from Xlib import display, ext

    saved = ext.__extensions__
    ext.__extensions__ = ()
    try:
        return display.Display(name)
    finally:
        ext.__extensions__ = saved


class OtherWindow(NamedTuple):
    window_id: int
    pid: int | None  # _NET_WM_PID, when the window says
    x: int
    y: int
    width: int
    height: int


def _client_windows(display, root) -> list:
    """The window manager's client list (EWMH), else the top-level windows and, below
    them, one level of children (frames of a window manager without EWMH)."""
    from Xlib import X

    atom = display.intern_atom("_NET_CLIENT_LIST", only_if_exists=True)
    if atom:
        prop = root.get_full_property(atom, X.AnyPropertyType)
        if prop is not None and len(prop.value):
            return [display.create_resource_object("window", w) for w in prop.value]
    found = []
    for child in root.query_tree().children:
        found.append(child)
        try:
            found.extend(child.query_tree().children)
        except Exception:  # gone meanwhile
            continue
    return found


def other_instances(display, own_pid: int | None = None) -> list[OtherWindow]:
    """Viewable windows of class CounterAssistant owned by another process.

    ``display``: an open python-xlib Display (the hotkey backend's, or a new one).
    """
    from Xlib import X

    own_pid = os.getpid() if own_pid is None else own_pid
    root = display.screen().root
    pid_atom = display.intern_atom("_NET_WM_PID")
    out = []
    for window in _client_windows(display, root):
        try:
            wm_class = window.get_wm_class()
            if not wm_class or wm_class[1] != WM_CLASS_NAME:
                continue
            if window.get_attributes().map_state != X.IsViewable:
                continue
            prop = window.get_full_property(pid_atom, X.AnyPropertyType)
            pid = int(prop.value[0]) if prop is not None and len(prop.value) else None
            if pid == own_pid:
                continue
            geometry = window.get_geometry()
            origin = window.translate_coords(root, 0, 0)
            out.append(OtherWindow(window.id, pid, -origin.x, -origin.y, geometry.width,
                                   geometry.height))  # fmt: skip
        except Exception as exc:  # a window that vanished while we looked
            log.debug("x11 windows: skipped %s: %s", getattr(window, "id", "?"), exc)
    return out


def other_instances_on(display_name: str | None = None) -> list[OtherWindow]:
    """The same through a connection of its own (closed again); [] without X11."""
    name = display_name or os.environ.get("DISPLAY", "")
    if not name:
        return []
    try:
        conn = core_display(name)
    except Exception as exc:
        log.debug("x11 windows: no connection to %s: %s", name, exc)
        return []
    try:
        return other_instances(conn)
    finally:
        conn.close()
