"""The supervisor PIN (issue 9, items 7 and 11): strong enough, slow to guess, asked on
every way to the reports, and set-pin never locks the clerk's app out of IT's config."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pytest

from counter_assistant.checks import set_pin
from counter_assistant.context import load_context
from counter_assistant.core.pin import PinGuard, hash_pin, pin_problem

CLERK = "ca-test-clerk"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("pin", "ok"),
    [
        ("1234", False),
        ("12345", False),
        ("123456", True),
        ("abc", False),
        ("窗口服务主管口令", True),
        ("correct horse", True),
        ("1234567a", True),
    ],
)
def test_a_new_pin_is_six_digits_or_a_passphrase(pin, ok):
    assert (pin_problem(pin) is None) is ok


def test_wrong_tries_wait_longer_each_time_and_survive_a_restart(tmp_path):
    stored = hash_pin("246810", iterations=1000)
    clock = Clock()
    state = tmp_path / "pin-attempts.json"
    guard = PinGuard(state, clock)
    assert guard.wait_seconds() == 0
    waits = []
    for _ in range(5):
        assert not guard.check("000000", stored)
        waits.append(guard.wait_seconds())
        assert not guard.check("246810", stored)  # even the right PIN waits its turn
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 16]
    restarted = PinGuard(state, clock)  # a new process: the count is on disk
    assert not restarted.check("000000", stored)
    assert restarted.wait_seconds() == 32
    clock.now += 32
    assert restarted.check("246810", stored)
    assert restarted.wait_seconds() == 0
    assert not restarted.check("1", stored) and restarted.wait_seconds() == 1  # reset by success


def test_the_wait_is_capped(tmp_path):
    clock = Clock()
    guard = PinGuard(tmp_path / "s.json", clock)
    stored = hash_pin("246810", iterations=1000)
    for _ in range(20):
        clock.now += guard.wait_seconds()
        guard.check("0", stored)
    assert guard.wait_seconds() == PinGuard.MAX_WAIT


def test_set_pin_refuses_a_short_pin_and_keeps_the_file(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[counter]\nid = "PJ-03"\n', encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "data"))
    assert set_pin(ctx, "2468") == 2
    assert "at least 6 digits" in capsys.readouterr().err
    assert config.read_text(encoding="utf-8") == '[counter]\nid = "PJ-03"\n'


def test_set_pin_keeps_other_keys_owner_and_mode(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[counter]\nid = "PJ-03"\n\n[supervisor]\npin_hash = ""\n', encoding="utf-8")
    os.chmod(config, 0o640)
    ctx = load_context(str(config), str(tmp_path / "data"))
    assert set_pin(ctx, "24681012") == 0
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["counter"] == {"id": "PJ-03"}
    assert data["supervisor"]["pin_hash"].startswith("pbkdf2_sha256$")
    assert stat.S_IMODE(config.stat().st_mode) == 0o640


@pytest.fixture
def clerk_user() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        pytest.skip("needs root to run set-pin as root over a clerk's file")
    try:
        return pwd.getpwnam(CLERK)
    except KeyError:
        subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", CLERK], check=True
        )
        return pwd.getpwnam(CLERK)


@pytest.fixture
def shared_dir():
    """A folder any user can enter (pytest's own tmp folders are root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="ca-shared-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def clerk_python() -> str:
    """A Python the clerk account can run: the venv may sit under a home it cannot enter."""
    for candidate in ("/usr/bin/python3", shutil.which("python3") or ""):
        if candidate and os.access(candidate, os.X_OK) and "/.venv/" not in candidate:
            return candidate
    pytest.skip("no system python3 for the clerk account")


def test_set_pin_as_root_leaves_the_config_readable_by_the_clerk(tmp_path, clerk_user, shared_dir):
    """IT runs set-pin as root on a config the clerk's app reads: owner, mode and the
    clerk's access stay as they were."""
    config = shared_dir / "config.toml"
    config.write_text('[counter]\nid = "PJ-03"\n', encoding="utf-8")
    os.chown(config, clerk_user.pw_uid, clerk_user.pw_gid)
    os.chmod(config, 0o644)
    ctx = load_context(str(config), str(tmp_path / "data"))
    assert set_pin(ctx, "24681012") == 0
    st = config.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (
        clerk_user.pw_uid,
        clerk_user.pw_gid,
        0o644,
    )
    read = subprocess.run(
        [
            "runuser",
            "-u",
            CLERK,
            "--",
            clerk_python(),
            "-c",
            "import sys, tomllib; print(tomllib.load(open(sys.argv[1], 'rb'))['counter']['id'])",
            str(config),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "PJ-03"


def test_supervisor_command_asks_the_pin_set_in_the_config(tmp_path, qtbot, monkeypatch):
    """`counter-assistant supervisor` on a counter PC asks the PIN before any window."""
    from counter_assistant.ui import pin_dialog, supervisor

    config = tmp_path / "config.toml"
    config.write_text(
        f'[supervisor]\npin_hash = "{hash_pin("246810", iterations=1000)}"\n', encoding="utf-8"
    )
    ctx = load_context(str(config), str(tmp_path / "data"))
    asked, shown, warned = [], [], []
    monkeypatch.setattr(
        pin_dialog.QInputDialog, "getText", lambda *a, **k: asked.append(1) or ("111111", True)
    )
    monkeypatch.setattr(pin_dialog.QMessageBox, "warning", lambda *a: warned.append(a[2]))
    monkeypatch.setattr(supervisor.SupervisorWindow, "show", lambda self: shown.append(self))
    assert supervisor.run_supervisor(ctx) == 1
    assert asked == [1] and shown == [] and "不正确" in warned[0]
    # the very next try waits: the dialog is not even shown
    assert supervisor.run_supervisor(ctx) == 1
    assert asked == [1] and "秒后再试" in warned[1]
