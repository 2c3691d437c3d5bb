"""An upgrade under a running window: noticed, restarted into at a quiet moment, never
later than 10 minutes; removal quits. The decisions run without Qt on a fake clock."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from counter_assistant.platform import upgrade
from counter_assistant.platform.upgrade import RestartPolicy, UpgradeRestarter, UpgradeWatcher


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_policy_waits_for_a_quiet_moment():
    clock = Clock()
    policy = RestartPolicy(clock)
    assert not policy.due(idle=True)  # nothing pending
    policy.upgrade_seen()
    clock.now += 31
    assert policy.due(idle=True)  # no prompt for 30 s, no dialog
    assert not policy.due(idle=False)  # a dialog is open
    policy.activity()  # a prompt now
    clock.now += 29
    assert not policy.due(idle=True)
    clock.now += 2
    assert policy.due(idle=True)


def test_policy_restarts_after_ten_minutes_whatever_happens():
    clock = Clock()
    policy = RestartPolicy(clock)
    policy.upgrade_seen()
    for _ in range(59):  # a prompt every 10 s and a dialog open all along
        clock.now += 10
        policy.activity()
        assert not policy.due(idle=False)
    clock.now += 10
    assert policy.due(idle=False)


def test_a_second_notice_does_not_push_the_deadline():
    clock = Clock()
    policy = RestartPolicy(clock)
    policy.upgrade_seen()
    clock.now += 500
    policy.upgrade_seen()
    clock.now += 100
    assert policy.due(idle=False)


class FakeStat:
    def __init__(self) -> None:
        self.files: dict[str, tuple[int, int, int, int]] = {"/opt/ca/ca": (1, 10, 5, 100)}

    def __call__(self, path: Path):
        entry = self.files.get(str(path))
        if entry is None:
            raise FileNotFoundError(path)
        dev, ino, mtime, size = entry
        return SimpleNamespace(st_dev=dev, st_ino=ino, st_mtime_ns=mtime, st_size=size)


def test_watcher_sees_the_executable_replaced_once():
    stat, calls = FakeStat(), []
    watcher = UpgradeWatcher(lambda: calls.append("up"), lambda: calls.append("rm"),
                             Path("/opt/ca/ca"), stat)  # fmt: skip
    watcher.poll()
    assert calls == []
    stat.files["/opt/ca/ca"] = (1, 11, 6, 120)  # dpkg renamed a new file over it
    watcher.poll()
    watcher.poll()
    assert calls == ["up"]


def test_watcher_takes_removal_only_when_the_file_stays_gone():
    stat, calls = FakeStat(), []
    watcher = UpgradeWatcher(lambda: calls.append("up"), lambda: calls.append("rm"),
                             Path("/opt/ca/ca"), stat)  # fmt: skip
    del stat.files["/opt/ca/ca"]
    watcher.poll()
    assert calls == []  # one look: maybe mid-replacement
    watcher.poll()
    assert calls == ["rm"]
    watcher.upgrade_announced()
    assert calls == ["rm"]  # removed wins


def test_watcher_without_a_file_only_hears_messages():
    calls = []
    watcher = UpgradeWatcher(lambda: calls.append("up"), lambda: calls.append("rm"), None)
    watcher.poll()
    watcher.upgrade_announced()
    watcher.upgrade_announced()
    watcher.removal_announced()
    assert calls == ["up", "rm"]


def test_restarter_quits_then_execs_with_the_same_arguments(qapp):
    clock, quits, idle = Clock(), [], [True]
    restarter = UpgradeRestarter(lambda: quits.append(1), lambda: idle[0], None, clock)
    restarter.watcher.upgrade_announced()
    restarter.tick()
    assert quits == []  # the last prompt was just now (start counts)
    clock.now += 31
    idle[0] = False
    restarter.tick()
    assert quits == []
    idle[0] = True
    restarter.tick()
    assert quits == [1] and restarter.restart_requested
    restarted = []
    restarter.finish(lambda: restarted.append(1))
    assert restarted == [1]


def test_restarter_quits_on_removal_without_restarting():
    quits = []
    restarter = UpgradeRestarter(lambda: quits.append(1), lambda: True, None, Clock())
    restarter.watcher.removal_announced()
    restarter.tick()
    restarted = []
    restarter.finish(lambda: restarted.append(1))
    assert quits == [1] and restarted == []


def test_restart_command_and_environment(monkeypatch, tmp_path):
    exe = tmp_path / "counter-assistant"
    exe.write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert upgrade.restart_command(["--data-dir", "/d", "run"]) == [str(exe), "--data-dir",
                                                                   "/d", "run"]  # fmt: skip
    env = upgrade.restart_environment({
        "_PYI_APPLICATION_HOME_DIR": "x", "_PYI_PARENT_PROCESS_LEVEL": "1", "HOME": "/h",
        "LD_LIBRARY_PATH": str(tmp_path / "_internal"), "DISPLAY": ":1",
    })  # fmt: skip
    assert env == {"HOME": "/h", "DISPLAY": ":1", "PYINSTALLER_RESET_ENVIRONMENT": "1"}
    env = upgrade.restart_environment({"LD_LIBRARY_PATH": "/x", "LD_LIBRARY_PATH_ORIG": "/o"})
    assert env["LD_LIBRARY_PATH"] == "/o"
    calls = []
    upgrade.restart_self(["run"], execve=lambda *a: calls.append(a))
    assert calls and calls[0][0] == str(exe) and calls[0][1] == [str(exe), "run"]


def test_restart_is_skipped_when_the_program_is_gone(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "gone"))
    calls = []
    upgrade.restart_self([], execve=lambda *a: calls.append(a))
    assert calls == []


def test_unfrozen_restart_runs_the_package_again(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert upgrade.restart_command(["run"]) == [sys.executable, "-m", "counter_assistant", "run"]


class FakeKernel32:
    def __init__(self, result: int = 0) -> None:
        self.result = result
        self.calls: list[tuple] = []

    def RegisterApplicationRestart(self, cmdline, flags):
        self.calls.append((cmdline, flags))
        return self.result


def test_register_application_restart_with_a_fake():
    api = FakeKernel32()
    assert upgrade.register_application_restart("--data-dir D:\\ca", api=api) is True
    assert api.calls == [("--data-dir D:\\ca", upgrade.RESTART_NO_CRASH | upgrade.RESTART_NO_HANG)]
    assert upgrade.register_application_restart("", api=FakeKernel32(-2147024809)) is False


def test_register_application_restart_passes_our_arguments(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["counter-assistant.exe", "--data-dir", r"D:\my data"])
    api = FakeKernel32()
    assert upgrade.register_application_restart(api=api)
    assert api.calls[0][0] == r'--data-dir "D:\my data"'


@pytest.mark.skipif(sys.platform == "win32", reason="a no-op off Windows is what is tested")
def test_register_application_restart_is_a_no_op_elsewhere():
    assert upgrade.register_application_restart() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd")
def test_pinned_archive_reads_the_original_file_after_it_was_replaced(monkeypatch, tmp_path):
    """What pin_frozen_archive does to PyInstaller's reader, on a stand-in."""
    archive = tmp_path / "counter-assistant"
    archive.write_bytes(b"old contents")
    reader = SimpleNamespace(_filename=str(archive))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setitem(sys.modules, "pyimod02_importers", SimpleNamespace(pyz_archive=reader))
    fds_before = list(upgrade._pinned)
    try:
        assert str(archive) in upgrade.pin_frozen_archive()
        assert reader._filename.startswith("/proc/self/fd/")
        new = tmp_path / "new"
        new.write_bytes(b"new contents, longer")
        os.replace(new, archive)  # what dpkg does
        with open(reader._filename, "rb") as fh:
            assert fh.read() == b"old contents"
    finally:
        for fd in upgrade._pinned[len(fds_before) :]:
            os.close(fd)
        del upgrade._pinned[len(fds_before) :]


def test_pin_does_nothing_unfrozen(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert upgrade.pin_frozen_archive() == []


class FakeWidget:
    def __init__(self, visible: bool = True) -> None:
        self.visible = visible

    def isVisible(self) -> bool:
        return self.visible


class FakeApp:
    def __init__(self, widgets, modal=None, popup=None) -> None:
        self.widgets, self.modal, self.popup = widgets, modal, popup

    def topLevelWidgets(self):
        return self.widgets

    def activeModalWidget(self):
        return self.modal

    def activePopupWidget(self):
        return self.popup


def test_idle_means_no_other_window_of_ours():
    main, dialog = FakeWidget(), FakeWidget(visible=False)
    assert upgrade.qt_is_idle(FakeApp([main, dialog]), main)
    dialog.visible = True  # the fields dialog, the picker, the cheat sheet ...
    assert not upgrade.qt_is_idle(FakeApp([main, dialog]), main)
    assert not upgrade.qt_is_idle(FakeApp([main], popup=FakeWidget()), main)  # the ☰ menu
    assert not upgrade.qt_is_idle(FakeApp([main], modal=FakeWidget()), main)


LOAD_NATIVE = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from counter_assistant.platform.upgrade import load_native_modules
got = load_native_modules(frozen=True)
print(" ".join(got))
"""


def test_upgrading_loads_native_modules_before_the_files_are_replaced():
    """What a frozen window does on prerm's word: every extension module of its Python not
    yet loaded (csv, zoneinfo, ...) and Qt's print support, from the files still there."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", LOAD_NATIVE], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()  # fmt: skip
    assert {"_csv", "_zoneinfo", "unicodedata", "PySide6.QtPrintSupport"} <= set(out[0].split())
