"""One window per user session, via a local socket (a named pipe on Windows).

The first start listens; a later start connects, asks it to come forward, and exits.
A socket file left behind by a crash refuses connections: it is removed and reused.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

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
    activated = Signal()  # another start asked this instance to come forward

    def __init__(
        self,
        app_id: str = APP_ID,
        parent: QObject | None = None,
        *,
        user: str | None = None,
        timeout_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self.name = server_name(app_id, user)
        self.timeout_ms = timeout_ms
        self._server: QLocalServer | None = None

    @property
    def is_primary(self) -> bool:
        return self._server is not None

    def acquire(self) -> bool:
        """True: we are the first (now listening). False: the running one was asked forward."""
        if self._server is not None:
            return True
        for _ in range(3):
            if self._notify_running():
                return False
            # Nobody answered: a stale socket from a crash must not block this start.
            QLocalServer.removeServer(self.name)
            server = QLocalServer(self)
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if server.listen(self.name):
                server.newConnection.connect(self._on_new_connection)
                self._server = server
                log.info("single instance: listening on %s", server.fullServerName())
                return True
            log.warning("single instance: cannot listen on %s: %s", self.name, server.errorString())
            server.deleteLater()
        # Could neither reach nor replace the other one: run anyway rather than not at all.
        log.error("single instance: giving up on %s, starting without the lock", self.name)
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _notify_running(self) -> bool:
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(self.timeout_ms):
            return False
        sock.write(MESSAGE)
        sock.flush()
        sock.waitForBytesWritten(self.timeout_ms)
        sock.disconnectFromServer()
        log.info("single instance: another instance runs; asked it to come forward")
        return True

    def _on_new_connection(self) -> None:
        # The caller writes right after connecting, so this waits a few ms at most.
        while self._server is not None and (conn := self._server.nextPendingConnection()):
            if conn.bytesAvailable() or conn.waitForReadyRead(self.timeout_ms):
                message = bytes(conn.readAll().data())
            else:
                message = b""
            conn.abort()
            conn.deleteLater()
            if message.startswith(MESSAGE.strip()):
                self.activated.emit()


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
