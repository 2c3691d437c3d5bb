"""One window per user and database, through a local channel only this user can reach.

The first start listens; a later start connects, asks it to come forward, and exits.
The channel also carries the package's word on an upgrade or removal (see upgrade.py).
Nothing a crash leaves behind blocks the next start, and no other user can hold the lock.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from counter_assistant.core.digest import sha256_hex

log = logging.getLogger(__name__)

APP_ID = "counter-assistant"
MESSAGE = b"activate\n"
# x 0.1 s: a first instance still starting up (it listens once its window has painted;
# at a busy login that can take seconds) gets 10 s to answer before this one runs anyway
HANDOVER_TRIES = 100


def current_user() -> str:
    """What getpass.getuser() answers (without importing getpass and termios at start)."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        user = os.environ.get(name)
        if user:
            return user
    try:
        import pwd

        return pwd.getpwuid(os.getuid())[0]
    except Exception:  # no login name (some services, Windows): fall back to the uid
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def server_name(app_id: str = APP_ID, user: str | None = None) -> str:
    """ASCII-only and short: user names may be Chinese, socket paths are limited."""
    digest = sha256_hex((user if user is not None else current_user()).encode())
    return f"{app_id}-{digest[:16]}"


def say(message: str) -> None:
    """A start that does not become the window says why: on stderr and in the log."""
    log.warning("single instance: %s", message)
    print(f"counter-assistant: {message}", file=sys.stderr)


class SingleInstance(QObject):
    """The first start listens; later starts ask it to come forward and exit.

    Linux and other Unix systems: a Unix socket and a lock file in the user's own runtime
    directory (instance_socket.py); no QtNetwork is loaded. Windows: QLocalServer (a named
    pipe open to this user only).
    """

    activated = Signal()  # another start asked this instance to come forward
    upgrading = Signal()  # the package is about to be upgraded: load what is loaded lazily
    upgraded = Signal()  # the package was upgraded under this instance
    removed = Signal()  # the package is being removed: quit now

    def __init__(
        self,
        app_id: str = APP_ID,
        parent: QObject | None = None,
        *,
        user: str | None = None,
        timeout_ms: int = 1000,
        transport: str = "auto",
        runtime_dir: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = server_name(app_id, user)
        self.timeout_ms = timeout_ms
        if transport == "auto":
            transport = "qt" if sys.platform == "win32" else "unix"
        if transport == "unix":
            self._impl: _UnixSocket | _QtLocalServer = _UnixSocket(self, runtime_dir)
        else:
            self._impl = _QtLocalServer(self)

    @property
    def is_primary(self) -> bool:
        return self._impl.listening

    def acquire(self, listen: bool = True) -> bool:
        """True: go on (we listen now, or nobody can be reached and we run anyway, loudly).
        False: the running instance was asked to come forward; this start should exit.

        ``listen=False`` (Unix): take the lock now and listen() later, once the window is
        shown; a later start waits for that (it retries for 3 s)."""
        if self._impl.holds:
            return True
        return self._impl.acquire(listen)

    def listen(self) -> None:
        """Start answering other starts and the package's scripts (after acquire(False))."""
        self._impl.listen()

    def release(self) -> None:
        self._impl.close()

    def _message(self, message: bytes | str) -> None:
        word = message.decode("ascii", "replace") if isinstance(message, bytes) else message
        word = word.strip()
        signal = {"activate": self.activated, "upgrading": self.upgrading,
                  "upgraded": self.upgraded, "removed": self.removed}.get(word)  # fmt: skip
        if signal is not None:
            log.info("single instance: message %r", word)
            signal.emit()


class _UnixSocket:
    def __init__(self, owner: SingleInstance, runtime_dir: str | None) -> None:
        self.owner = owner
        self.runtime_dir = runtime_dir
        self.listener = None
        self.notifier: QSocketNotifier | None = None

    @property
    def listening(self) -> bool:
        return self.listener is not None and self.listener.server is not None

    @property
    def holds(self) -> bool:
        """This process holds the lock (listening or about to)."""
        return self.listener is not None

    def acquire(self, listen: bool = True) -> bool:
        from counter_assistant.platform import instance_socket as chan

        env = None if self.runtime_dir is None else {"XDG_RUNTIME_DIR": self.runtime_dir}
        try:
            listener = chan.Listener(chan.socket_dir(env), self.owner.name)
            for _ in range(HANDOVER_TRIES):
                if listener.try_lock():
                    self.listener = listener
                    if listen:
                        self._listen()
                    return True
                if chan.send(listener.socket_path, "activate", self.owner.timeout_ms / 1000,
                             reply=False):  # fmt: skip
                    log.info("single instance: another instance runs; asked it to come forward")
                    return False
                time.sleep(0.1)  # it holds the lock but is not listening yet
        except OSError as exc:
            say(f"cannot use the single-instance lock ({exc}); starting anyway")
            return True
        say(f"another counter-assistant (pid {listener.holder_pid()}) holds the lock in "
            f"{listener.directory} but does not answer; starting anyway")  # fmt: skip
        return True

    def listen(self) -> None:
        if self.listener is None or self.listener.server is not None:
            return
        try:
            self._listen()
        except OSError as exc:
            say(f"cannot listen for other starts ({exc}); running anyway")

    def _listen(self) -> None:
        server = self.listener.listen()
        self.notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self.owner)
        self.notifier.activated.connect(self._accept)
        log.info("single instance: listening on %s", self.listener.socket_path)

    def _accept(self) -> None:
        if self.listener is None:
            return
        # Each is handled before it is answered: the package's scripts go on only then.
        for _word in self.listener.accept(self.owner.timeout_ms / 1000, self.owner._message):
            pass

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None


class _QtLocalServer:
    """Windows: a named pipe (QLocalServer with UserAccessOption: this user only)."""

    def __init__(self, owner: SingleInstance) -> None:
        from PySide6.QtNetwork import QLocalServer  # only where it is the transport

        self.owner = owner
        self.server_class = QLocalServer
        self.server = None

    @property
    def listening(self) -> bool:
        return self.server is not None

    holds = listening

    def acquire(self, _listen: bool = True) -> bool:
        """Always listens at once: the named pipe is the lock."""
        for _ in range(3):
            if self.notify_running():
                log.info("single instance: another instance runs; asked it to come forward")
                return False
            if self._listen_now():
                log.info("single instance: listening as %s", self.owner.name)
                return True
        say(f"cannot reach or replace the running instance {self.owner.name}; starting anyway")
        return True

    def notify_running(self) -> bool:
        from PySide6.QtNetwork import QLocalSocket

        sock = QLocalSocket()
        sock.connectToServer(self.owner.name)
        if not sock.waitForConnected(self.owner.timeout_ms):
            return False
        sock.write(MESSAGE)
        sock.flush()
        sock.waitForBytesWritten(self.owner.timeout_ms)
        sock.disconnectFromServer()
        return True

    def listen(self) -> None:
        """Listening since acquire()."""

    def _listen_now(self) -> bool:
        # Nobody answered: a stale socket from a crash must not block this start.
        self.server_class.removeServer(self.owner.name)
        server = self.server_class(self.owner)
        server.setSocketOptions(self.server_class.SocketOption.UserAccessOption)
        if not server.listen(self.owner.name):
            log.warning("single instance: cannot listen on %s: %s", self.owner.name,
                        server.errorString())  # fmt: skip
            server.deleteLater()
            return False
        server.newConnection.connect(self._on_new_connection)
        self.server = server
        return True

    def _on_new_connection(self) -> None:
        # The caller writes right after connecting, so this waits a few ms at most.
        while self.server is not None and (conn := self.server.nextPendingConnection()):
            if conn.bytesAvailable() or conn.waitForReadyRead(self.owner.timeout_ms):
                message = bytes(conn.readAll().data())
            else:
                message = b""
            conn.abort()
            conn.deleteLater()
            self.owner._message(message)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None


class FakeSingleInstance(QObject):
    """For tests of the app: `first=False` acts like a second start."""

    activated = Signal()
    upgraded = Signal()
    removed = Signal()

    def __init__(self, first: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.first = first
        self.acquired = False

    @property
    def is_primary(self) -> bool:
        return self.acquired and self.first

    def acquire(self, _listen: bool = True) -> bool:
        self.acquired = True
        return self.first

    def listen(self) -> None:
        pass

    def release(self) -> None:
        self.acquired = False


def bring_forward(widget) -> None:
    """Show a QWidget that another start asked for: restore, raise, activate."""
    if widget.isMinimized():
        widget.showNormal()
    widget.show()
    widget.raise_()
    widget.activateWindow()
