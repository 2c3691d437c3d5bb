"""One instance per user session: second start notifies the first; stale sockets are reused."""

from __future__ import annotations

import os
import socket
import sys
import uuid

import pytest
from PySide6.QtCore import QDir

from counter_assistant.platform.single_instance import (
    FakeSingleInstance,
    SingleInstance,
    server_name,
)


@pytest.fixture
def app_id():
    return f"ca-test-{uuid.uuid4().hex[:8]}"


TRANSPORTS = ["qt", "abstract"] if sys.platform.startswith("linux") else ["qt"]


@pytest.fixture(params=TRANSPORTS)
def transport(request):
    return request.param


def test_name_is_ascii_per_user_and_app():
    a = server_name("counter-assistant", "张三")
    assert a.isascii() and a.startswith("counter-assistant-")
    assert a == server_name("counter-assistant", "张三")
    assert a != server_name("counter-assistant", "李四")
    assert a != server_name("other-app", "张三")


def test_first_acquires_second_activates_first(qtbot, app_id, transport):
    first = SingleInstance(app_id, user="clerk", transport=transport)
    assert first.acquire() is True
    assert first.is_primary
    second = SingleInstance(app_id, user="clerk", transport=transport)
    with qtbot.waitSignal(first.activated, timeout=3000):
        assert second.acquire() is False
    assert not second.is_primary
    first.release()


def test_other_user_is_independent(app_id, transport):
    mine = SingleInstance(app_id, user="clerk-a", transport=transport)
    theirs = SingleInstance(app_id, user="clerk-b", transport=transport)
    assert mine.acquire() and theirs.acquire()
    mine.release()
    theirs.release()


def test_after_release_the_next_start_is_first(app_id, transport):
    first = SingleInstance(app_id, user="clerk", transport=transport)
    assert first.acquire()
    first.release()
    again = SingleInstance(app_id, user="clerk", transport=transport)
    assert again.acquire() is True
    again.release()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files only")
def test_stale_socket_after_crash_does_not_block(app_id):
    name = server_name(app_id, "clerk")
    path = os.path.join(QDir.tempPath(), name)
    # What a crashed instance leaves: a socket file nobody listens on.
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()
    assert os.path.exists(path)
    inst = SingleInstance(app_id, user="clerk", timeout_ms=300, transport="qt")
    assert inst.acquire() is True
    assert inst.is_primary
    # And it really listens now: the next start is told to bring it forward.
    assert SingleInstance(app_id, user="clerk", transport="qt").acquire() is False
    inst.release()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets: Linux")
def test_killed_instance_does_not_block_the_next_start(app_id):
    import subprocess

    code = (
        "import sys, time\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from counter_assistant.platform.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        f"assert SingleInstance({app_id!r}, user='clerk').acquire()\n"
        "print('up', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"up\n"
        assert SingleInstance(app_id, user="clerk").acquire() is False  # it is alive
        child.kill()
        child.wait(timeout=10)
    finally:
        child.stdout.close()
    after = SingleInstance(app_id, user="clerk")
    assert after.acquire() is True and after.is_primary
    after.release()


def test_fake():
    assert FakeSingleInstance(first=True).acquire() is True
    fake = FakeSingleInstance(first=False)
    assert fake.acquire() is False
    assert not fake.is_primary


def test_second_process_brings_the_first_forward(qtbot, app_id, transport):
    import subprocess

    first = SingleInstance(app_id, user="clerk", transport=transport)
    assert first.acquire()
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from counter_assistant.platform.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        f"inst = SingleInstance({app_id!r}, user='clerk', transport={transport!r})\n"
        "sys.exit(0 if inst.acquire() else 3)\n"
    )
    with qtbot.waitSignal(first.activated, timeout=10000):
        proc = subprocess.Popen([sys.executable, "-c", code])
    assert proc.wait(timeout=30) == 3  # it was told to exit
    first.release()
