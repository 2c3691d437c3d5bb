"""The one small interface every global hotkey backend implements.

Why an interface: the app picks a backend per machine (Win32 RegisterHotKey, X11 XGrabKey,
the `keyboard` hook, or a fake in tests) and must treat them all the same way, including
reporting a combination another program owns without losing the other hotkeys.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from counter_assistant.core.hotkeyspec import Hotkey

# Short reasons shown to the clerk (Simplified Chinese).
REASON_TAKEN = "已被其他程序占用"
# Another Counter Assistant on the same display holds it (usually another user still
# logged in): changing the combination would not help, ending that one would.
REASON_OTHER_INSTANCE = "已被另一个窗口服务助手占用（可能是另一位用户）"
REASON_UNSUPPORTED = "此组合无法注册"
REASON_DUPLICATE = "与其他热键重复"


@dataclass(frozen=True)
class HotkeyFailure:
    """One combination that could not be registered; the others keep working."""

    action: str  # e.g. "greeting"
    combo: str  # e.g. "ctrl+alt+2"
    reason: str  # short Simplified Chinese for the clerk
    detail: str = ""  # English detail for the log file


class BackendUnavailable(Exception):
    """The backend cannot run at all on this machine; str() says why, in English."""


class HotkeyBackend(ABC):
    """Registers global hotkeys and calls ``on_fire(action)`` when one is pressed.

    ``on_fire`` may be called from any thread: it should only hand the action over
    (e.g. emit a Qt signal) and return at once.
    """

    name: str = "base"

    def __init__(self, on_fire: Callable[[str], None]) -> None:
        self._on_fire = on_fire

    @abstractmethod
    def start(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure]:
        """Register every binding; return the ones that failed.

        Raises BackendUnavailable if nothing at all can be registered.
        """

    @abstractmethod
    def stop(self) -> None:
        """Unregister everything and release threads; idempotent, start() may follow."""

    def retry(self, bindings: Mapping[str, Hotkey]) -> list[HotkeyFailure] | None:
        """Try again to register ``bindings`` that failed at start (another program held
        them) while every other hotkey stays registered; return the ones still failing.

        None: this backend cannot do that while running (the service then leaves them
        failed until the next start). Only combinations another program holds are retried.
        """
        return None


def retryable(failure: HotkeyFailure) -> bool:
    """Whether the combination may work later: held by another program, not impossible."""
    return failure.reason not in (REASON_UNSUPPORTED, REASON_DUPLICATE)


def split_duplicates(
    bindings: Mapping[str, Hotkey],
) -> tuple[dict[str, Hotkey], list[HotkeyFailure]]:
    """Keep the first action for each combination; report later ones as failures.

    Why: the OS would silently let the last registration win, and the clerk would
    never learn that one of the two situations has no working hotkey.
    """
    owners: dict[Hotkey, str] = {}
    unique: dict[str, Hotkey] = {}
    failures: list[HotkeyFailure] = []
    for action, hotkey in bindings.items():
        if hotkey in owners:
            detail = f"same combination as {owners[hotkey]!r}"
            failures.append(HotkeyFailure(action, str(hotkey), REASON_DUPLICATE, detail))
        else:
            owners[hotkey] = action
            unique[action] = hotkey
    return unique, failures
