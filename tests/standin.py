"""A stand-in for the clerk's business system: an X window that writes down every key it
receives, so a test can prove that no keystroke went anywhere else.

Run as its own process (``python tests/standin.py OUT_FILE [TITLE [WxH+X+Y]]`` with
DISPLAY set):
it prints ``ready <window id>`` once mapped, then appends each typed character to
OUT_FILE (Return as a newline) and flushes at once. Keys arriving with Ctrl or Alt held
are written as ``<ctrl+alt+x>``: a hotkey that leaked to the business system shows up.
"""

from __future__ import annotations

import sys

from Xlib import XK, X, display

CONTROL, MOD1 = X.ControlMask, X.Mod1Mask


def main() -> int:
    out_path = sys.argv[1]
    title = sys.argv[2] if len(sys.argv) > 2 else "business system"
    geometry = sys.argv[3] if len(sys.argv) > 3 else "420x160+20+20"
    size, x, y = geometry.split("+")
    width, height = (int(n) for n in size.split("x"))
    conn = display.Display()
    screen = conn.screen()
    window = screen.root.create_window(
        int(x), int(y), width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
        background_pixel=screen.white_pixel,
        event_mask=X.ExposureMask | X.KeyPressMask | X.FocusChangeMask | X.StructureNotifyMask,
    )  # fmt: skip
    window.set_wm_name(title.encode("ascii", "replace").decode())
    utf8 = conn.intern_atom("UTF8_STRING")
    window.change_property(conn.intern_atom("_NET_WM_NAME"), utf8, 8, title.encode("utf-8"))
    window.set_wm_class("standin", "Standin")
    window.set_wm_hints(flags=1, input=1)  # InputHint: accepts the keyboard
    window.map()
    conn.sync()
    print(f"ready {window.id}", flush=True)
    with open(out_path, "a", encoding="utf-8") as out:
        while True:
            event = conn.next_event()
            if event.type != X.KeyPress:
                continue
            shifted = 1 if event.state & X.ShiftMask else 0
            keysym = conn.keycode_to_keysym(event.detail, shifted)
            if keysym in (XK.XK_Shift_L, XK.XK_Shift_R, XK.XK_Control_L, XK.XK_Control_R,
                          XK.XK_Alt_L, XK.XK_Alt_R, XK.XK_Meta_L, XK.XK_Meta_R):  # fmt: skip
                continue
            if keysym == XK.XK_Return:
                char = "\n"
            elif 0x20 <= keysym <= 0x7E:  # Latin-1 keysyms are their own code points
                char = chr(keysym)
            else:
                char = f"<{XK.keysym_to_string(keysym) or keysym}>"
            if event.state & (CONTROL | MOD1):
                mods = ("ctrl+" if event.state & CONTROL else "") + (
                    "alt+" if event.state & MOD1 else ""
                )
                char = f"<{mods}{char}>"
            out.write(char)
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
