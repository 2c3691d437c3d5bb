"""Hotkey strings such as "ctrl+alt+1": parsing and validation, no OS calls."""

from __future__ import annotations

import re
from dataclasses import dataclass

MODIFIERS = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "shift": "shift",
    "win": "win",
    "super": "win",
    "meta": "win",
    "cmd": "win",
}
MODIFIER_ORDER = ("ctrl", "alt", "shift", "win")

NAMED_KEYS = {
    "space", "tab", "enter", "return", "escape", "esc", "backspace", "insert", "delete",
    "home", "end", "pageup", "pagedown", "up", "down", "left", "right", "pause",
    "printscreen", "scrolllock",
}  # fmt: skip
ALIASES = {
    "return": "enter",
    "esc": "escape",
    "del": "delete",
    "ins": "insert",
    "pgup": "pageup",
    "pgdn": "pagedown",
}
FUNCTION_RE = re.compile(r"^f([1-9]|1[0-9]|2[0-4])$")

# Combinations the OS keeps for itself, never offered to an app.
RESERVED = {("ctrl", "alt", "delete"), ("alt", "tab"), ("win", "l"), ("ctrl", "alt", "backspace")}


class HotkeyError(ValueError):
    pass


@dataclass(frozen=True)
class Hotkey:
    modifiers: tuple[str, ...]
    key: str

    def __str__(self) -> str:
        return "+".join((*self.modifiers, self.key))


def parse_hotkey(text: str) -> Hotkey:
    """Parse "ctrl+alt+1"; raise HotkeyError saying what is allowed."""
    if not isinstance(text, str) or not text.strip():
        raise HotkeyError('empty; write it like "ctrl+alt+1"')
    parts = [p.strip().lower() for p in text.replace(" ", "").split("+")]
    if any(not p for p in parts):
        raise HotkeyError(f'{text!r} has an empty part; write it like "ctrl+alt+1"')
    mods: set[str] = set()
    for p in parts[:-1]:
        if p not in MODIFIERS:
            raise HotkeyError(f"{p!r} in {text!r} is not a modifier (use ctrl, alt, shift, win)")
        mods.add(MODIFIERS[p])
    key = ALIASES.get(parts[-1], parts[-1])
    if key in MODIFIERS:
        raise HotkeyError(f"{text!r} ends with a modifier; add a key such as 1 or f9")
    if (
        not (len(key) == 1 and key.isascii() and key.isalnum())
        and key not in NAMED_KEYS
        and not FUNCTION_RE.match(key)
    ):
        raise HotkeyError(
            f"unknown key {parts[-1]!r} in {text!r} (use a letter, digit, f1-f24 or a named key)"
        )
    if not mods and not FUNCTION_RE.match(key):
        raise HotkeyError(f"{text!r} has no modifier; a bare key would fire while the clerk types")
    ordered = tuple(m for m in MODIFIER_ORDER if m in mods)
    if (*ordered, key) in RESERVED:
        raise HotkeyError(f"{text!r} is reserved by the operating system")
    return Hotkey(ordered, key)
