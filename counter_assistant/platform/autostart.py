"""Start the window at login for the current user: `counter-assistant autostart on|off|status`.

Linux/XDG: ~/.config/autostart/counter-assistant.desktop. The .deb installs a machine-wide
/etc/xdg/autostart entry with the same name; a user file with Hidden=true turns it off.
Windows: a value under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DESKTOP_NAME = "counter-assistant.desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "CounterAssistant"
STARTUP_LINK = "窗口服务助手.lnk"  # the installer's all-users Startup shortcut (see the .iss)


CLI_SUFFIX = "-cli"  # counter-assistant-cli.exe: the console twin of the windowed .exe


def windowed_executable(executable: str) -> str:
    """The windowed program beside ``executable``: `autostart on` run from
    counter-assistant-cli.exe must not register the console one (a console window at every
    login, and closing it ends the app). Windows paths are handled on any OS (tests)."""
    sep = max(executable.rfind("\\"), executable.rfind("/"))
    folder, name = executable[: sep + 1], executable[sep + 1 :]
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    if stem.lower().endswith(CLI_SUFFIX):
        return folder + stem[: -len(CLI_SUFFIX)] + dot + ext
    return executable


def launch_command() -> list[str]:
    """The frozen windowed executable, or this Python running the package."""
    if getattr(sys, "frozen", False):
        return [windowed_executable(sys.executable)]
    return [sys.executable, "-m", "counter_assistant"]


def _is_windows(platform: str | None) -> bool:
    return (platform or sys.platform) == "win32"


# --- Linux / XDG -------------------------------------------------------------------------


def user_desktop_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / DESKTOP_NAME


def system_desktop_files() -> list[Path]:
    dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    found = [Path(d) / "autostart" / DESKTOP_NAME for d in dirs.split(":") if d]
    return [p for p in found if p.is_file()]


def _exec_quote(arg: str) -> str:
    """Quote one Exec argument (Desktop Entry spec), then escape for the key-value level."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%"):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return ('"' + inner + '"').replace("\\", "\\\\")


def desktop_entry(command: list[str], hidden: bool = False) -> str:
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=窗口服务助手",
        "Name[en]=Counter Assistant",
        "Comment=窗口服务用语提示",
        "Exec=" + " ".join(_exec_quote(a) for a in command),
        "Icon=counter-assistant",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=" + ("false" if hidden else "true"),
    ]
    if hidden:
        lines.append("Hidden=true")
    return "\n".join(lines) + "\n"


def _entry_enabled(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    keys = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    hidden = keys.get("Hidden", "").strip().lower() == "true"
    off = keys.get("X-GNOME-Autostart-enabled", "").strip().lower() == "false"
    return not (hidden or off)


def _xdg_is_enabled() -> bool:
    user = user_desktop_file()
    if user.exists():  # a user entry overrides a machine-wide one of the same name
        return _entry_enabled(user)
    return any(_entry_enabled(p) for p in system_desktop_files())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _xdg_enable() -> None:
    _write(user_desktop_file(), desktop_entry(launch_command()))


def _xdg_disable() -> None:
    user = user_desktop_file()
    if system_desktop_files():
        _write(user, desktop_entry(launch_command(), hidden=True))
    else:
        user.unlink(missing_ok=True)


# --- Windows -----------------------------------------------------------------------------


def _registry(action: str, value: str | None = None) -> str | None:
    """The only code touching winreg: get, set or delete our HKCU Run value."""
    import winreg  # Windows only

    access = winreg.KEY_READ | winreg.KEY_SET_VALUE
    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, access) as key:
        try:
            if action == "get":
                return winreg.QueryValueEx(key, RUN_VALUE)[0]
            if action == "set":
                winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, value)
            elif action == "delete":
                winreg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            return None
    return None


def windows_common_startup() -> Path | None:
    data = os.environ.get("ProgramData")
    if not data:
        return None
    link = Path(data, "Microsoft", "Windows", "Start Menu", "Programs", "StartUp", STARTUP_LINK)
    return link if link.exists() else None


# --- the API -----------------------------------------------------------------------------


def is_enabled(platform: str | None = None) -> bool:
    if _is_windows(platform):
        return bool(_registry("get")) or windows_common_startup() is not None
    return _xdg_is_enabled()


def enable(platform: str | None = None) -> str:
    """Turn autostart on for this user; returns where it was written."""
    if _is_windows(platform):
        _registry("set", subprocess.list2cmdline(launch_command()))
        return "HKCU\\" + RUN_KEY + "\\" + RUN_VALUE
    _xdg_enable()
    return str(user_desktop_file())


def disable(platform: str | None = None) -> str:
    if _is_windows(platform):
        _registry("delete")
        return "HKCU\\" + RUN_KEY + "\\" + RUN_VALUE
    _xdg_disable()
    return str(user_desktop_file())


def describe(platform: str | None = None) -> str:
    if _is_windows(platform):
        value = _registry("get")
        parts = [f"HKCU\\{RUN_KEY}\\{RUN_VALUE} = {value}" if value else "no HKCU Run value"]
        common = windows_common_startup()
        if common:
            parts.append(f"all-users shortcut {common} (the installer's; remove it there)")
        return f"autostart {'on' if value or common else 'off'}: " + "; ".join(parts)
    user = user_desktop_file()
    system = system_desktop_files()
    parts = [f"user entry {user}" + ("" if user.exists() else " (none)")]
    parts += [f"machine-wide entry {p}" for p in system]
    return f"autostart {'on' if _xdg_is_enabled() else 'off'}: " + "; ".join(parts)


def autostart_command(state: str, platform: str | None = None) -> int:
    if not _is_windows(platform) and (platform or sys.platform) == "darwin":
        print("autostart is not supported on macOS", file=sys.stderr)
        return 2
    try:
        if state == "on":
            print(f"autostart on: {enable(platform)}")
        elif state == "off":
            print(f"autostart off: {disable(platform)}")
        elif state == "status":
            print(describe(platform))
        else:
            print(f"unknown state {state!r}: use on, off or status", file=sys.stderr)
            return 2
    except OSError as exc:
        print(f"autostart {state} failed: {exc}", file=sys.stderr)
        return 2
    return 0
