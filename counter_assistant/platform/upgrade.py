"""A new version installed under a running window: notice it, restart into it when quiet.

Why: a package upgrade replaces the bundle's files while the window runs. The frozen
executable holds the archive of every Python module, and dialogs import theirs on first
use; read from the replaced file they fail (zlib.error), read after removal they end the
app. So the process keeps reading its own archive (pin_frozen_archive), learns of the
upgrade (the package's maintainer scripts say so through the single-instance channel,
and the watcher sees the executable change), and restarts itself with the same arguments
at the next idle moment: no dialog open and no prompt for 30 s, never later than 10
minutes. The day's state is in the database, the window position in its state file, and
a clean quit writes every queued record first. On removal the window quits cleanly.
Native code is loaded by path, not from the archive: the old package's prerm says
"upgrading" first, and the window loads what it would load later (load_native_modules).

The decisions (UpgradeWatcher, RestartPolicy) are plain Python with the clock injected;
the Qt glue (UpgradeRestarter) only polls them on a timer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

IDLE_AFTER_S = 30.0  # no prompt for this long, and no dialog open: a quiet moment
LATEST_S = 600.0  # restart at the latest this long after the upgrade was noticed
POLL_MS = 2000
_pinned: list[int] = []  # file descriptors kept open for the life of the process


# --- reading our own files after an upgrade replaced them ----------------------------------


def pin_frozen_archive() -> list[str]:
    """Frozen (Linux): keep reading modules from the files this process started with.

    PyInstaller reopens the executable (its module archive) and base_library.zip by path at
    every import; after `dpkg -i` that path is a different file. Each is reopened once and
    read through /proc/self/fd from then on. Returns the paths pinned (none elsewhere).
    """
    if not getattr(sys, "frozen", False) or not sys.platform.startswith("linux"):
        return []
    pinned = []
    archive = getattr(sys.modules.get("pyimod02_importers"), "pyz_archive", None)
    path = getattr(archive, "_filename", None)
    if isinstance(path, str) and not path.startswith("/proc/"):
        with contextlib.suppress(OSError):
            archive._filename = _pin(path)  # type: ignore[union-attr]
            pinned.append(path)
    for importer in list(sys.path_importer_cache.values()):
        zip_path = getattr(importer, "archive", None)
        if type(importer).__name__ == "zipimporter" and isinstance(zip_path, str):
            with contextlib.suppress(OSError):
                importer.archive = _pin(zip_path)
                pinned.append(zip_path)
    return pinned


def _pin(path: str) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    _pinned.append(fd)
    return f"/proc/self/fd/{fd}"


def load_native_modules(frozen: bool | None = None) -> list[str]:
    """Before the package's files are replaced (its prerm says "upgrading"): load the
    native code this process would otherwise load on first use, from the files it started
    with. Python modules are read from the pinned archive; native ones (Qt's print support
    and its CUPS plugin, the ssl, csv, zoneinfo … extension modules) are loaded by path,
    so after the upgrade they would come from the new release's files. Returns their names.
    """
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    loaded: list[str] = []
    if frozen:  # a source install is never replaced by a package
        import importlib
        import importlib.machinery

        suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
        folders = {
            Path(module.__file__).parent
            for module in list(sys.modules.values())
            if str(getattr(module, "__file__", "") or "").endswith(suffixes)
            and "lib-dynload" in str(module.__file__)
        }
        for folder in folders:
            for file in sorted(folder.iterdir()):
                name = file.name.split(".", 1)[0]
                if file.name.endswith(suffixes) and name not in sys.modules:
                    try:
                        importlib.import_module(name)
                        loaded.append(name)
                    except Exception as exc:  # one that cannot load here is not used either
                        log.debug("upgrade: %s not loaded: %s", name, exc)
    try:
        from PySide6.QtPrintSupport import QPrinterInfo

        QPrinterInfo.availablePrinterNames()  # loads the print support plugin (CUPS)
        loaded.append("PySide6.QtPrintSupport")
    except Exception as exc:
        log.warning("upgrade: Qt print support not loaded: %s", exc)
    log.info("upgrade: loaded %d native modules before the files are replaced", len(loaded))
    return loaded


# --- noticing an upgrade ------------------------------------------------------------------


FileState = tuple[int, int, int, int]  # device, inode, mtime_ns, size


def file_state(path: Path, stat: Callable[[Path], Any] = os.stat) -> FileState | None:
    try:
        st = stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # unreadable for a moment: treat as unchanged
        raise _Unknown from exc
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class _Unknown(Exception):
    pass


def installed_executable() -> Path | None:
    """The file whose replacement means an upgrade: the frozen executable (None unfrozen)."""
    return Path(sys.executable) if getattr(sys, "frozen", False) else None


class UpgradeWatcher:
    """Calls on_upgrade once when the watched file was replaced or changed, on_removed once
    when it is gone (twice in a row, so a replace-by-rename is never taken for a removal).
    Messages from the package arrive through upgrade_announced / removal_announced."""

    def __init__(
        self,
        on_upgrade: Callable[[], None],
        on_removed: Callable[[], None],
        path: Path | None = None,
        stat: Callable[[Path], Any] = os.stat,
    ) -> None:
        self.on_upgrade = on_upgrade
        self.on_removed = on_removed
        self.path = path
        self._stat = stat
        self._start = self._state()
        self._missing = 0
        self.upgraded = False
        self.removed = False

    def _state(self) -> FileState | None:
        if self.path is None:
            return None
        try:
            return file_state(self.path, self._stat)
        except _Unknown:
            return self._start

    def poll(self) -> None:
        if self.path is None or self._start is None or self.removed:
            return
        now = self._state()
        if now is None:
            self._missing += 1
            if self._missing >= 2:
                self.removal_announced(f"{self.path} is gone")
            return
        self._missing = 0
        if now != self._start:
            self.upgrade_announced(f"{self.path} was replaced")

    def upgrade_announced(self, why: str = "the package said so") -> None:
        if not self.upgraded and not self.removed:
            self.upgraded = True
            log.info("upgrade: a new version is installed (%s)", why)
            self.on_upgrade()

    def removal_announced(self, why: str = "the package said so") -> None:
        if not self.removed:
            self.removed = True
            log.info("upgrade: the program is being removed (%s); quitting", why)
            self.on_removed()


class RestartPolicy:
    """When to restart after an upgrade: at a quiet moment, at the latest after LATEST_S."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        idle_after: float = IDLE_AFTER_S,
        latest: float = LATEST_S,
    ) -> None:
        self.clock = clock
        self.idle_after = idle_after
        self.latest = latest
        self.pending_since: float | None = None
        self.last_activity = clock()

    def upgrade_seen(self) -> None:
        if self.pending_since is None:
            self.pending_since = self.clock()

    def activity(self, *_args: object) -> None:
        """A prompt was shown (hotkey, click, picker): the clerk is talking to a citizen."""
        self.last_activity = self.clock()

    def due(self, idle: bool) -> bool:
        """True once a pending restart should happen now; `idle`: no dialog is open."""
        if self.pending_since is None:
            return False
        now = self.clock()
        if now - self.pending_since >= self.latest:
            return True
        return idle and now - self.last_activity >= self.idle_after


# --- restarting ---------------------------------------------------------------------------


def restart_command(argv: Sequence[str] | None = None) -> list[str]:
    """The same program with the same arguments (the new version once it is installed)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "counter_assistant", *args]


def restart_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """Our environment as the bootloader found it, so the new one sets itself up afresh."""
    out = dict(os.environ if env is None else env)
    for key in [k for k in out if k.startswith("_PYI_")]:
        del out[key]
    if "LD_LIBRARY_PATH_ORIG" in out:
        out["LD_LIBRARY_PATH"] = out.pop("LD_LIBRARY_PATH_ORIG")
    elif getattr(sys, "_MEIPASS", None) and out.get("LD_LIBRARY_PATH", "").startswith(
        str(sys._MEIPASS)  # type: ignore[attr-defined]
    ):
        del out["LD_LIBRARY_PATH"]
    out["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    return out


def restart_self(
    argv: Sequence[str] | None = None,
    execve: Callable[[str, list[str], dict[str, str]], Any] = os.execve,
) -> None:
    """Replace this process with the installed program (returns only if that fails)."""
    cmd = restart_command(argv)
    if not os.path.isfile(cmd[0]):
        log.error("upgrade: cannot restart, %s is gone", cmd[0])
        return
    log.info("upgrade: restarting as %s", " ".join(cmd))
    for handler in logging.getLogger().handlers:  # the new process appends to the same log
        with contextlib.suppress(Exception):
            handler.flush()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        execve(cmd[0], cmd, restart_environment())
    except OSError as exc:
        print(f"counter-assistant: restart failed: {exc}", file=sys.stderr)


# --- Windows: the Restart Manager starts us again after an installer closed us -------------

RESTART_NO_CRASH = 1
RESTART_NO_HANG = 2


def register_application_restart(args: str | None = None, api: Any = None) -> bool:
    """Windows: RegisterApplicationRestart, so that setup's Restart Manager (which closes
    the window before replacing files) starts it again in the clerk's session afterwards,
    with the same arguments (default: this process's). Not after a crash or a hang: only
    for updates and reboots. A no-op elsewhere."""
    if args is None:
        import subprocess

        args = subprocess.list2cmdline(sys.argv[1:])
    if api is None:
        if sys.platform != "win32":
            return False
        import ctypes
        from ctypes import wintypes

        api = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        api.RegisterApplicationRestart.argtypes = (wintypes.LPCWSTR, wintypes.DWORD)
        api.RegisterApplicationRestart.restype = ctypes.c_long  # HRESULT
    try:
        result = api.RegisterApplicationRestart(args or None, RESTART_NO_CRASH | RESTART_NO_HANG)
    except (OSError, AttributeError, TypeError) as exc:
        log.warning("RegisterApplicationRestart unavailable: %s", exc)
        return False
    if result != 0:
        log.warning("RegisterApplicationRestart failed: HRESULT 0x%08x", result & 0xFFFFFFFF)
        return False
    return True


# --- the Qt glue --------------------------------------------------------------------------


def qt_is_idle(app: Any, main_window: Any) -> bool:
    """No dialog, menu or other window of ours open besides the prompt window."""
    if app.activeModalWidget() is not None or app.activePopupWidget() is not None:
        return False
    return not any(w.isVisible() and w is not main_window for w in app.topLevelWidgets())


class UpgradeRestarter:
    """Polls the watcher and the policy on the GUI thread; quits for a restart or removal.

    ``is_idle()`` is the caller's: True when no dialog or menu is open. After the event
    loop returns, ``finish()`` execs the new program if a restart was asked for.
    """

    def __init__(
        self,
        quit_app: Callable[[], None],
        is_idle: Callable[[], bool],
        path: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll_ms: int = POLL_MS,
    ) -> None:
        self.quit_app = quit_app
        self.is_idle = is_idle
        self.policy = RestartPolicy(clock)
        self.watcher = UpgradeWatcher(self.policy.upgrade_seen, self._removed, path)
        self.restart_requested = False
        self._timer = None
        self.poll_ms = poll_ms

    def start(self) -> None:
        from PySide6.QtCore import QTimer

        self._timer = QTimer(interval=self.poll_ms, timeout=self.tick)
        self._timer.start()

    def tick(self) -> None:
        self.watcher.poll()
        if self.restart_requested or self.watcher.removed:
            return
        if self.policy.due(self.is_idle()):
            waited = self.policy.clock() - (self.policy.pending_since or 0.0)
            log.info("upgrade: restarting into the new version (%.0f s after it arrived)", waited)
            self.restart_requested = True
            self.quit_app()

    def _removed(self) -> None:
        self.quit_app()

    def finish(self, restart: Callable[[], None] = restart_self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.restart_requested and not self.watcher.removed:
            restart()
