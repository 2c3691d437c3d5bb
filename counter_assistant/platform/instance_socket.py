"""The single-instance channel on Linux and other Unix systems, without Qt.

Each running window holds a lock file and listens on a Unix socket, both in a directory
only its user can enter: ``$XDG_RUNTIME_DIR/counter-assistant``, else
``/tmp/counter-assistant-<uid>`` created 0700 and checked to be the user's own. No other
user can claim the name (the old abstract socket could be squatted), and every peer is
checked with SO_PEERCRED besides. The lock (flock) dies with its process, so a crash never
blocks the next start. The maintainer scripts, run as root, use `notify_running()` to tell
every user's windows that the package is about to be upgraded, was upgraded, or is being
removed.

Protocol: the client sends one line (a word of MESSAGES) and reads ``ok`` back once the
window has handled it (for ``upgrading``: loaded what it would otherwise load later).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import logging
import os
import stat
import struct
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from counter_assistant.core.digest import sha256_hex

if TYPE_CHECKING:
    import socket

log = logging.getLogger(__name__)

DIR_NAME = "counter-assistant"
MESSAGES = ("activate", "upgrading", "upgraded", "removed")
HANDLE_TIMEOUT = 30.0  # s a sender waits for the answer to "upgrading" (loading takes < 1 s)
REPLY = b"ok\n"
_PEERCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid


class UnsafeDirectory(OSError):
    """The socket directory exists but is not ours alone (someone else made or opened it)."""


def _checked_dir(path: Path, uid: int) -> Path:
    """Create ``path`` 0700 if missing; refuse it unless it is a real dir, ours, 0700."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeDirectory(f"{path} is not a directory")
    if st.st_uid != uid:
        raise UnsafeDirectory(f"{path} belongs to uid {st.st_uid}, not {uid}")
    if st.st_mode & 0o077:
        raise UnsafeDirectory(f"{path} is open to others (mode {stat.S_IMODE(st.st_mode):o})")
    return path


def socket_dir(
    env: dict[str, str] | None = None, uid: int | None = None, tmp: str = "/tmp"
) -> Path:
    """The directory of this user's sockets; raises OSError when no safe one can be had.

    $XDG_RUNTIME_DIR/counter-assistant; else /tmp/counter-assistant-<uid>; else, when
    another user squats that name, counter-assistant/run in the user's cache dir.
    """
    env = os.environ if env is None else env
    uid = os.getuid() if uid is None else uid
    problems = []
    runtime = env.get("XDG_RUNTIME_DIR", "")
    candidates = [Path(runtime) / DIR_NAME] if runtime else []
    candidates.append(Path(tmp) / f"{DIR_NAME}-{uid}")
    home = env.get("HOME") or os.path.expanduser("~")
    cache = Path(env.get("XDG_CACHE_HOME") or Path(home) / ".cache") / DIR_NAME
    candidates.append(cache / "run")
    for path in candidates:
        try:
            if path.parent == cache:
                cache.mkdir(parents=True, exist_ok=True, mode=0o700)
            if path.parent != Path(tmp):
                _checked_dir(path.parent, uid)  # the parent must be ours alone too
            return _checked_dir(path, uid)
        except OSError as exc:
            problems.append(str(exc))
    raise UnsafeDirectory("no private directory for the single-instance lock: " +
                          "; ".join(problems))  # fmt: skip


@contextlib.contextmanager
def _reachable(path: Path) -> Iterator[str]:
    """The address to bind or connect: the path, or the same through /proc/self/fd when it
    is longer than a Unix socket address allows (107 bytes; long home directories)."""
    if len(os.fsencode(path)) < 100 or not os.path.isdir("/proc/self/fd"):
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket (None where unsupported)."""
    import socket

    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    _pid, uid, _gid = _PEERCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, option, _PEERCRED.size))
    return uid


def send(
    path: Path, message: str, timeout: float = 1.0, owner: int | None = None, reply: bool = True
) -> bool:
    """Send one message to the instance listening at ``path``; True once it was delivered
    (and, with ``reply``, answered).

    ``owner``: the uid the listener must run as (default: ours). A socket held by anyone
    else is never taken for our own instance.
    """
    import socket  # not at import: a window takes the lock first and listens once shown

    owner = os.getuid() if owner is None else owner
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            with _reachable(path) as address:
                sock.connect(address)
            uid = peer_uid(sock)
            if uid is not None and uid != owner:
                log.warning("single instance: %s is held by uid %s, not %s", path, uid, owner)
                return False
            sock.sendall(message.encode("ascii") + b"\n")
            return sock.recv(16).startswith(REPLY.strip()) if reply else True
        except OSError:
            return False


class Listener:
    """The running instance's side: the lock, the socket, and reading one message a call."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        short = sha256_hex(name.encode())[:16]  # socket paths max 107 bytes
        self.socket_path = directory / f"{short}.sock"
        self.lock_path = directory / f"{short}.lock"
        self.lock_fd: int | None = None
        self.server: socket.socket | None = None

    def try_lock(self) -> bool:
        """True: no instance of ours runs (the lock is ours now). False: one runs."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.lock_fd = fd
        return True

    def holder_pid(self) -> str:
        try:
            return self.lock_path.read_text(encoding="ascii").strip() or "?"
        except OSError:
            return "?"

    def listen(self) -> socket.socket:
        """Bind the socket (a stale one from a crash is replaced: we hold the lock)."""
        import socket

        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with _reachable(self.socket_path) as address:
                server.bind(address)
            os.chmod(self.socket_path, 0o600)
            server.listen(8)
        except OSError:
            server.close()
            raise
        server.setblocking(False)
        self.server = server
        return server

    def accept(
        self, timeout: float = 1.0, handle: Callable[[str], None] | None = None
    ) -> Iterable[str]:
        """Every message waiting now, from this user or root only; each is handed to
        ``handle`` (if given) and then answered ok."""
        me = os.getuid()
        while self.server is not None:
            try:
                conn, _ = self.server.accept()
            except (BlockingIOError, InterruptedError):
                return
            with conn:
                conn.settimeout(timeout)
                uid = peer_uid(conn)
                if uid is not None and uid not in (me, 0):
                    log.warning("single instance: ignored a message from uid %s", uid)
                    continue
                try:
                    word = conn.recv(64).decode("ascii", "replace").strip()
                except OSError:
                    continue
                if word in MESSAGES:
                    if handle is not None:
                        handle(word)
                    with contextlib.suppress(OSError):  # a start that did not wait for it
                        conn.sendall(REPLY)
            if word in MESSAGES:
                yield word
            elif word:
                log.warning("single instance: unknown message %r", word[:20])

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
            with contextlib.suppress(OSError):
                self.socket_path.unlink()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


# --- every user's instances, for the package's maintainer scripts -----------------------

ALL_DIRS = ("/run/user/*/" + DIR_NAME, "/tmp/" + DIR_NAME + "-*")


def running_sockets(patterns: Iterable[str] = ALL_DIRS) -> list[Path]:
    """The sockets of every running instance this process may reach (all of them as root)."""
    found: dict[str, Path] = {}
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(pattern, "*.sock"))):
            lock = Path(path).with_suffix(".lock")
            if lock.exists() and _is_locked(lock):
                found.setdefault(os.path.realpath(path), Path(path))
    return list(found.values())


def _is_locked(lock: Path) -> bool:
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def notify_running(
    message: str,
    wait: float = 0.0,
    patterns: Iterable[str] = ALL_DIRS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[int, int]:
    """Tell every running instance ``message``; (told, still running after ``wait`` s)."""
    if message not in MESSAGES:
        raise ValueError(f"unknown message {message!r}")
    sockets = running_sockets(patterns)
    timeout = HANDLE_TIMEOUT if message == "upgrading" else 1.0
    told = [s for s in sockets if send(s, message, timeout, owner=os.lstat(s).st_uid)]
    deadline = clock() + wait
    left = [s for s in told if _is_locked(s.with_suffix(".lock"))]
    while left and clock() < deadline:
        sleep(0.1)
        left = [s for s in left if _is_locked(s.with_suffix(".lock"))]
    return len(told), len(left) if wait else 0


def notify_command(message: str, wait: float = 0.0) -> int:
    """`counter-assistant notify-running upgraded|removed`, run by the package's scripts."""
    patterns = list(ALL_DIRS)
    with contextlib.suppress(OSError):
        patterns.append(str(socket_dir()))  # this user's own, wherever XDG_RUNTIME_DIR is
    told, left = notify_running(message, wait, dict.fromkeys(patterns))
    print(f"told {told} running counter-assistant window(s): {message}")
    if left:
        print(f"{left} still running after {wait:.0f} s", file=sys.stderr)
    return 0
