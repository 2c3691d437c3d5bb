"""One window per user session, via a local socket (a named pipe on Windows).

The first start listens; a later start connects, asks it to come forward, and exits.
Nothing a crash leaves behind blocks the next start.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import socket
import sys

from PySide6.QtCore import QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)

APP_ID = "counter-assistant"
MESSAGE = b"activate\n"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some services): fall back to the uid
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def server_name(app_id: str = APP_ID, user: str | None = None) -> str:
    """ASCII-only and short: user names may be Chinese, socket paths are limited."""
    digest = hashlib.sha256((user if user is not None else current_user()).encode()).hexdigest()
    return f"{app_id}-{digest[:16]}"


class SingleInstance(QObject):
    """The first start listens; later starts ask it to come forward and exit.

    Linux: an abstract-namespace Unix socket. The kernel frees it when the process
    dies, so a crash leaves nothing stale, and QtNetwork (2 MB, a few ms at every
    start) is not loaded. Elsewhere: QLocalServer (a named pipe on Windows).
    """

    activated = Signal()  # another start asked this instance to come forward

    def __init__(
        self,
        app_id: str = APP_ID,
        parent: QObject | None = None,
        *,
        user: str | None = None,
        timeout_ms: int = 1000,
        transport: str = "auto",
    ) -> None:
        super().__init__(parent)
        self.name = server_name(app_id, user)
        self.timeout_ms = timeout_ms
        if transport == "auto":
            transport = "abstract" if sys.platform.startswith("linux") else "qt"
        self._impl = _AbstractSocket(self) if transport == "abstract" else _QtLocalServer(self)

    @property
    def is_primary(self) -> bool:
        return self._impl.listening

    def acquire(self) -> bool:
        """True: we are the first (now listening). False: the running one was asked forward."""
        if self._impl.listening:
            return True
        for _ in range(3):
            if self._impl.notify_running():
                log.info("single instance: another instance runs; asked it to come forward")
                return False
            if self._impl.listen():
                log.info("single instance: listening as %s", self.name)
                return True
        # Could neither reach nor replace the other one: run anyway rather than not at all.
        log.error("single instance: giving up on %s, starting without the lock", self.name)
        return True

    def release(self) -> None:
        self._impl.close()

    def _message(self, message: bytes) -> None:
        if message.startswith(MESSAGE.strip()):
            self.activated.emit()


class _AbstractSocket:
    def __init__(self, owner: SingleInstance) -> None:
        self.owner = owner
        self.address = "\0" + owner.name
        self.server: socket.socket | None = None
        self.notifier: QSocketNotifier | None = None

    @property
    def listening(self) -> bool:
        return self.server is not None

    def notify_running(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.owner.timeout_ms / 1000)
            try:
                sock.connect(self.address)
                sock.sendall(MESSAGE)
            except OSError:
                return False
        return True

    def listen(self) -> bool:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(self.address)
        except OSError as exc:  # taken: the other one is starting up; ask again
            server.close()
            log.warning("single instance: %s is taken (%s)", self.owner.name, exc)
            return False
        server.listen(4)
        server.setblocking(False)
        self.server = server
        self.notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self.owner)
        self.notifier.activated.connect(self._accept)
        return True

    def _accept(self) -> None:
        while self.server is not None:
            try:
                conn, _ = self.server.accept()
            except BlockingIOError:
                return
            with conn:
                conn.settimeout(self.owner.timeout_ms / 1000)
                try:
                    message = conn.recv(64)
                except OSError:
                    message = b""
            self.owner._message(message)

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        if self.server is not None:
            self.server.close()
            self.server = None


class _QtLocalServer:
    def __init__(self, owner: SingleInstance) -> None:
        from PySide6.QtNetwork import QLocalServer  # only where it is the transport

        self.owner = owner
        self.server_class = QLocalServer
        self.server = None

    @property
    def listening(self) -> bool:
        return self.server is not None

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

    def listen(self) -> bool:
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

    def __init__(self, first: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.first = first
        self.acquired = False

    @property
    def is_primary(self) -> bool:
        return self.acquired and self.first

    def acquire(self) -> bool:
        self.acquired = True
        return self.first

    def release(self) -> None:
        self.acquired = False


def bring_forward(widget) -> None:
    """Show a QWidget that another start asked for: restore, raise, activate."""
    if widget.isMinimized():
        widget.showNormal()
    widget.show()
    widget.raise_()
    widget.activateWindow()
