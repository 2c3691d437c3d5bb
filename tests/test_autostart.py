"""autostart on|off|status: XDG for real in a temp HOME, Windows through a fake registry."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from counter_assistant.platform import autostart


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    config = tmp_path / "config"
    system = tmp_path / "etc-xdg"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(system))
    return config / "autostart" / "counter-assistant.desktop", system / "autostart"


def _exec_line(path):
    text = path.read_text(encoding="utf-8")
    return next(line[5:] for line in text.splitlines() if line.startswith("Exec="))


def test_xdg_on_status_off(xdg, capsys):
    user_file, _ = xdg
    assert not autostart.is_enabled("linux")
    assert autostart.autostart_command("on", "linux") == 0
    assert user_file.is_file()
    assert autostart.is_enabled("linux")
    text = user_file.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text and "Type=Application" in text
    assert autostart.autostart_command("status", "linux") == 0
    assert "autostart on" in capsys.readouterr().out
    assert autostart.autostart_command("off", "linux") == 0
    assert not user_file.exists()
    assert not autostart.is_enabled("linux")


def test_exec_runs_this_python_module_when_not_frozen(xdg):
    user_file, _ = xdg
    autostart.enable("linux")
    # Unescape the key-value level, then split like a desktop launcher would.
    args = shlex.split(_exec_line(user_file).replace("\\\\", "\\"))
    assert args == [sys.executable, "-m", "counter_assistant"]


def test_exec_is_the_frozen_executable(xdg, monkeypatch):
    user_file, _ = xdg
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/counter assistant/counter-assistant")
    autostart.enable("linux")
    assert _exec_line(user_file) == '"/opt/counter assistant/counter-assistant"'


def test_quoting_of_special_characters():
    assert autostart._exec_quote("/usr/bin/x") == "/usr/bin/x"
    assert autostart._exec_quote('a "b" $c 50%') == '"a \\\\"b\\\\" \\\\$c 50%%"'


def test_off_hides_the_machine_wide_entry(xdg):
    user_file, system_dir = xdg
    system_dir.mkdir(parents=True)
    (system_dir / "counter-assistant.desktop").write_text(
        autostart.desktop_entry(["/usr/bin/counter-assistant"]), encoding="utf-8"
    )
    assert autostart.is_enabled("linux")  # from the .deb's /etc/xdg/autostart
    autostart.disable("linux")
    assert "Hidden=true" in user_file.read_text(encoding="utf-8")
    assert not autostart.is_enabled("linux")
    autostart.enable("linux")
    assert autostart.is_enabled("linux")


class FakeRegistry:
    def __init__(self):
        self.values = {}

    def __call__(self, action, value=None):
        if action == "get":
            return self.values.get(autostart.RUN_VALUE)
        if action == "set":
            self.values[autostart.RUN_VALUE] = value
        elif action == "delete":
            self.values.pop(autostart.RUN_VALUE, None)
        return None


@pytest.fixture
def registry(monkeypatch, tmp_path):
    fake = FakeRegistry()
    monkeypatch.setattr(autostart, "_registry", fake)
    monkeypatch.setenv("ProgramData", str(tmp_path / "ProgramData"))
    return fake


def test_windows_run_value(registry, monkeypatch, capsys):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(
        sys, "executable", r"C:\Program Files\CounterAssistant\counter-assistant.exe"
    )
    assert not autostart.is_enabled("win32")
    assert autostart.autostart_command("on", "win32") == 0
    assert registry.values == {
        "CounterAssistant": r'"C:\Program Files\CounterAssistant\counter-assistant.exe"'
    }
    assert autostart.is_enabled("win32")
    assert autostart.autostart_command("status", "win32") == 0
    assert "autostart on" in capsys.readouterr().out
    assert autostart.autostart_command("off", "win32") == 0
    assert registry.values == {}
    assert autostart.autostart_command("off", "win32") == 0  # already off: still fine


def test_windows_all_users_shortcut_counts(registry, tmp_path, capsys):
    startup = tmp_path / "ProgramData/Microsoft/Windows/Start Menu/Programs/StartUp"
    startup.mkdir(parents=True)
    (startup / autostart.STARTUP_LINK).write_bytes(b"")
    assert autostart.is_enabled("win32")
    autostart.autostart_command("status", "win32")
    assert "all-users shortcut" in capsys.readouterr().out


def test_registry_error_is_reported(monkeypatch, capsys):
    def broken(action, value=None):
        raise PermissionError("access denied")

    monkeypatch.setattr(autostart, "_registry", broken)
    assert autostart.autostart_command("on", "win32") == 2
    assert "access denied" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform != "win32", reason="real registry only on Windows")
def test_real_registry_roundtrip():
    before = autostart._registry("get")
    try:
        autostart.enable("win32")
        assert autostart.is_enabled("win32")
    finally:
        if before:
            autostart._registry("set", before)
        else:
            autostart.disable("win32")


def test_cli_wiring(xdg, capsys):
    from counter_assistant.cli import main

    assert main(["autostart", "status"]) == 0
    assert "autostart off" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("running", "registered"),
    [
        (r"C:\Program Files\CounterAssistant\counter-assistant-cli.exe",
         r"C:\Program Files\CounterAssistant\counter-assistant.exe"),
        (r"C:\Program Files\CounterAssistant\COUNTER-ASSISTANT-CLI.EXE",
         r"C:\Program Files\CounterAssistant\COUNTER-ASSISTANT.EXE"),
        (r"C:\Program Files\CounterAssistant\counter-assistant.exe",
         r"C:\Program Files\CounterAssistant\counter-assistant.exe"),
        ("/opt/counter-assistant/counter-assistant", "/opt/counter-assistant/counter-assistant"),
    ],
)  # fmt: skip
def test_autostart_always_registers_the_windowed_executable(
    registry, monkeypatch, running, registered
):
    """`autostart on` from counter-assistant-cli.exe: the Run value names the windowed .exe."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", running)
    assert autostart.autostart_command("on", "win32") == 0
    assert registry.values == {"CounterAssistant": subprocess.list2cmdline([registered])}
