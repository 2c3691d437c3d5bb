"""One instance per user: a second start notifies the first; stale sockets are reused;
no other user can hold the lock or talk to the window."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import sys
import tempfile
import uuid
from pathlib import Path

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


TRANSPORTS = ["qt", "unix"] if sys.platform != "win32" else ["qt"]


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


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")
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


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")
def test_a_start_while_the_first_is_not_listening_yet_waits_for_it(qtbot, app_id):
    """The window takes the lock at once and listens once it is shown: a second start in
    between keeps asking until it is answered, then exits; it never runs a second window."""
    import subprocess
    import time

    first = SingleInstance(app_id, user="clerk", transport="unix")
    assert first.acquire(listen=False) and not first.is_primary
    assert first.acquire(listen=False)  # asking again keeps the lock it holds
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from counter_assistant.platform.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        f"inst = SingleInstance({app_id!r}, user='clerk', transport='unix')\n"
        "sys.exit(0 if inst.acquire() else 3)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(4.0)  # it keeps trying (a busy login may take seconds): lock held, no answer
    assert proc.poll() is None
    with qtbot.waitSignal(first.activated, timeout=10000):
        first.listen()
    assert first.is_primary
    assert proc.wait(timeout=30) == 3  # told to exit, once answered
    first.release()


# --- the Unix channel: private directory, peer check, messages, other users ----------------

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")


@unix_only
def test_the_lock_lives_in_the_users_runtime_dir(isolated_runtime_dir, app_id):
    inst = SingleInstance(app_id, transport="unix")
    assert inst.acquire()
    where = isolated_runtime_dir / "counter-assistant"
    assert stat.S_IMODE(where.stat().st_mode) == 0o700
    sockets = list(where.glob("*.sock"))
    assert len(sockets) == 1 and stat.S_IMODE(sockets[0].stat().st_mode) == 0o600
    inst.release()
    assert not list(where.glob("*.sock"))


@unix_only
def test_a_directory_open_to_others_or_owned_by_another_is_refused(tmp_path):
    from counter_assistant.platform import instance_socket as chan

    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    (runtime / "counter-assistant").mkdir(mode=0o755)
    os.chmod(runtime / "counter-assistant", 0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path / "home")}
    got = chan.socket_dir(env, tmp=str(tmp))
    assert got == tmp / f"counter-assistant-{os.getuid()}"  # the next candidate
    with pytest.raises(chan.UnsafeDirectory):
        chan._checked_dir(runtime / "counter-assistant", os.getuid())
    with pytest.raises(chan.UnsafeDirectory):
        chan._checked_dir(runtime, os.getuid() + 1)  # not that user's


@unix_only
def test_messages_reach_the_running_instance(qtbot, app_id):
    import threading

    from counter_assistant.platform import instance_socket as chan

    inst = SingleInstance(app_id, transport="unix")
    assert inst.acquire()
    path = inst._impl.listener.socket_path
    results = []

    def in_background(call) -> None:  # the reply comes from this thread's event loop
        thread = threading.Thread(target=lambda: results.append(call()))
        thread.start()
        qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)

    for word, signal in (("upgraded", inst.upgraded), ("removed", inst.removed)):
        with qtbot.waitSignal(signal, timeout=3000):
            in_background(lambda w=word: chan.send(path, w))
    assert chan.running_sockets([str(path.parent)]) == [path]
    in_background(lambda: chan.notify_running("upgraded", patterns=[str(path.parent)]))
    assert results == [True, True, (1, 0)]
    inst.release()
    assert chan.running_sockets([str(path.parent)]) == []


def test_upgrading_is_answered_only_once_handled(qtbot, app_id):
    """prerm's `notify-running upgrading`: dpkg unpacks the new files only after every
    window has loaded what it would load later."""
    import threading
    import time

    from counter_assistant.platform import instance_socket as chan

    inst = SingleInstance(app_id, transport="unix")
    assert inst.acquire()
    path = inst._impl.listener.socket_path
    events = []
    inst.upgrading.connect(lambda: (time.sleep(0.3), events.append("loaded")))

    def sender() -> None:
        told = chan.notify_running("upgrading", patterns=[str(path.parent)])
        events.append(("answered", told))

    thread = threading.Thread(target=sender)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10_000)
    assert events == ["loaded", ("answered", (1, 0))]
    inst.release()


@unix_only
def test_a_socket_path_longer_than_the_address_limit_still_works(tmp_path):
    from counter_assistant.platform import instance_socket as chan

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True, mode=0o700)
    listener = chan.Listener(deep, "counter-assistant-x")
    assert listener.try_lock()
    listener.listen()
    try:
        assert len(str(listener.socket_path)) > 107
        assert chan.send(listener.socket_path, "activate", reply=False)
        assert list(listener.accept()) == ["activate"]
    finally:
        listener.close()


@unix_only
def test_a_start_that_cannot_hand_over_says_so(app_id, capfd, monkeypatch):
    from counter_assistant.platform import instance_socket as chan
    from counter_assistant.platform import single_instance as si

    monkeypatch.setattr(si, "HANDOVER_TRIES", 2)
    listener = chan.Listener(chan.socket_dir(), server_name(app_id))
    assert listener.try_lock()  # holds the lock, never listens: a hung first instance
    try:
        inst = SingleInstance(app_id)
        assert inst.acquire() is True and not inst.is_primary  # runs, but not silently
        err = capfd.readouterr().err
        assert "does not answer" in err and str(os.getpid()) in err
    finally:
        listener.close()


@unix_only
def test_notify_waits_for_the_windows_to_quit(app_id):
    """prerm's `notify-running removed --wait`: returns once the holders are gone."""
    import subprocess

    from counter_assistant.platform import instance_socket as chan

    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from counter_assistant.platform.single_instance import SingleInstance\n"
        "app = QCoreApplication([])\n"
        f"inst = SingleInstance({app_id!r}, transport='unix')\n"
        "assert inst.acquire()\n"
        "inst.removed.connect(app.quit)\n"
        "print('up', flush=True)\n"
        "sys.exit(app.exec())\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"up\n"
        told, left = chan.notify_running("removed", wait=10, patterns=[str(chan.socket_dir())])
        assert (told, left) == (1, 0)
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()


def _other_user() -> int:
    """A real unprivileged local user (created when missing); needs root."""
    import pwd
    import subprocess

    name = "ca-test-other"
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        name], check=True, capture_output=True)  # fmt: skip
        return pwd.getpwnam(name).pw_uid


def _as_user(uid: int, action) -> str:
    """Run action() in a child process that has become ``uid``; returns what it returned."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to the other user, try, report, leave at once
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            result = action()
        except BaseException as exc:
            result = f"error: {type(exc).__name__}: {exc}"
        os.write(write, str(result).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        out = fh.read().decode()
    os.waitpid(pid, 0)
    return out


root_only = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0, reason="a second real user needs root"
)


@root_only
def test_another_user_can_neither_squat_nor_reach_the_lock(tmp_path, app_id, request):
    from counter_assistant.platform import instance_socket as chan

    other = _other_user()
    shared_tmp = Path(tempfile.mkdtemp(prefix="ca-tmp-"))
    os.chmod(shared_tmp, 0o1777)  # like /tmp
    request.addfinalizer(lambda: shutil.rmtree(shared_tmp, ignore_errors=True))
    home = shared_tmp / "home"
    env = {"HOME": str(home)}  # no XDG_RUNTIME_DIR: the /tmp fallback is the one to squat
    predictable = shared_tmp / f"counter-assistant-{os.getuid()}"

    # The other user creates our predictable /tmp name first.
    def squat() -> str:
        path = predictable
        path.mkdir(mode=0o777)
        os.chmod(path, 0o777)
        return "squatted"

    assert _as_user(other, squat) == "squatted"
    ours = chan.socket_dir(env, tmp=str(shared_tmp))
    assert ours == home / ".cache" / "counter-assistant" / "run"  # not the squatted one
    inst = SingleInstance(app_id, transport="unix", runtime_dir=None)
    inst._impl.runtime_dir = None
    listener = chan.Listener(ours, inst.name)
    assert listener.try_lock()
    listener.listen()
    try:
        # The other user cannot reach our socket at all (0700 directory) ...
        def knock() -> str:
            return "reached" if chan.send(listener.socket_path, "removed", owner=0) else "refused"

        assert _as_user(other, knock) == "refused"
        # ... and a message it gets in some other way is ignored (SO_PEERCRED).
        os.chmod(ours, 0o755)
        os.chmod(listener.socket_path, 0o666)
        replies = []

        def knock_and_read() -> str:
            return "answered" if chan.send(listener.socket_path, "removed", owner=0) else "ignored"

        replies.append(_as_user(other, knock_and_read))
        assert list(listener.accept()) == []
        assert replies == ["ignored"]
    finally:
        os.chmod(ours, 0o700)
        listener.close()


def test_the_user_is_named_as_getpass_names_it(monkeypatch):
    """The channel's name hashes the user; it must not change between releases."""
    import getpass

    from counter_assistant.platform.single_instance import current_user

    assert current_user() == getpass.getuser()
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    assert current_user() == getpass.getuser()
    monkeypatch.setenv("USER", "张三")
    assert current_user() == getpass.getuser() == "张三"
