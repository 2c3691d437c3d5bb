"""Connecting to the center's server: the URL, the password, timeouts, why it failed.

The driver is pg8000 (pure Python: nothing to compile or bundle beyond its modules);
everything that depends on it is in this module and in the SQL the others send.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    pass

PASSWORD_ENV = "COUNTER_ASSISTANT_SYNC_PASSWORD"
CONNECT_TIMEOUT = 10.0  # seconds to reach the server and log in
STATEMENT_TIMEOUT_MS = 60_000  # the server cancels a statement that runs longer
SOCKET_TIMEOUT = 90.0  # a silent network: longer than any statement may run

Connection = Any  # pg8000.native.Connection, imported on first use (57 ms): never at start
__all__ = ["Connection", "ServerError", "classify", "connect"]


class ServerError(Exception):
    """The server cannot be used, with a cause word for the log and the status line."""

    def __init__(self, cause: str, message: str):
        super().__init__(message)
        self.cause = cause


@dataclass(frozen=True)
class Target:
    user: str
    password: str | None
    host: str
    port: int
    database: str
    sslmode: str
    sslrootcert: str
    connect_timeout: float

    @property
    def where(self) -> str:
        """host:port/db, never the password: for the log and messages."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def parse_url(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ServerError("config", f"not a PostgreSQL URL (postgresql://user@host/db): {url!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port or 5432
    except ValueError as exc:
        raise ServerError("config", f"bad port in the server URL ({exc})") from None
    sslmode = query.get("sslmode", "prefer")
    if sslmode not in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
        raise ServerError("config", f"sslmode={sslmode!r}: use disable, prefer, require, "
                          "verify-ca or verify-full")  # fmt: skip
    return Target(
        user=unquote(parts.username or ""),
        password=unquote(parts.password) if parts.password is not None else None,
        host=parts.hostname or "localhost",
        port=port,
        database=unquote(parts.path.lstrip("/")) or unquote(parts.username or "") or "postgres",
        sslmode=sslmode,
        sslrootcert=query.get("sslrootcert", ""),
        connect_timeout=float(query.get("connect_timeout", CONNECT_TIMEOUT)),
    )


def read_password(password_file: str = "", warn=None) -> str | None:
    """The environment variable, else the first line of the password file, else None.

    warn(message) is told when others than the owner may read the file.
    """
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not password_file:
        return None
    path = Path(password_file)
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except OSError as exc:
        raise ServerError(
            "config", f"[sync] password_file {path}: cannot read it ({exc.strerror or exc})"
        ) from None
    if warn is not None and sys.platform != "win32" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        warn(f"[sync] password_file {path} can be read by other accounts; chmod 600 it")
    line = text.splitlines()[0].strip() if text.strip() else ""
    return line or None


def _ssl_context(target: Target) -> ssl.SSLContext | bool | None:
    if target.sslmode == "disable":
        return False
    if target.sslmode in ("allow", "prefer"):
        return None  # pg8000: try TLS, fall back to plain
    if target.sslmode == "require":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    ctx = ssl.create_default_context(cafile=target.sslrootcert or None)
    ctx.check_hostname = target.sslmode == "verify-full"
    return ctx


def connect(
    url: str,
    password: str | None = None,
    *,
    application_name: str = "counter-assistant",
    statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
) -> Connection:
    """A connection with timeouts set; ServerError with a cause word when it cannot be had."""
    import pg8000.native

    target = parse_url(url)
    raw = None
    try:
        # Our own socket: pg8000 leaves its own open when the login fails.
        raw = socket.create_connection((target.host, target.port), target.connect_timeout)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        con = pg8000.native.Connection(
            target.user,
            host=target.host,
            port=target.port,
            database=target.database,
            password=target.password if target.password is not None else password,
            ssl_context=_ssl_context(target),
            application_name=application_name,
            sock=raw,
        )
    except Exception as exc:
        if raw is not None:
            raw.close()
        raise classify(exc, target.where) from exc
    try:
        con._usock.settimeout(SOCKET_TIMEOUT)  # statements may run longer than a connect
        con.run(f"SET statement_timeout = {int(statement_timeout_ms)}")
    except Exception as exc:
        close_quietly(con)
        raise classify(exc, target.where) from exc
    return con


def close_quietly(con: Connection | None) -> None:
    if con is None:
        return
    handles = (getattr(con, "_sock", None), getattr(con, "_usock", None))
    with contextlib.suppress(Exception):  # the socket may already be gone
        con.close()
    for handle in handles:  # pg8000 leaves the socket's file object open on a broken link
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()


def classify(exc: BaseException, where: str = "") -> ServerError:
    """One cause word for an exception from connecting or a statement."""
    from pg8000.exceptions import InterfaceError

    if isinstance(exc, ServerError):
        return exc
    code = sqlstate(exc)
    chain = list(_chain(exc))
    at = f" ({where})" if where else ""
    if code in ("28P01", "28000"):
        return ServerError("authentication", f"the server refused the login{at}: {_msg(exc)}")
    if code == "3D000":
        return ServerError("config", f"no such database on the server{at}: {_msg(exc)}")
    if code == "42501" or ((code or "").startswith("42") and "row-level security" in _msg(exc)):
        return ServerError("permission", f"the server refused a write{at}: {_msg(exc)}")
    if code in ("42P01", "3F000"):
        return ServerError("schema", f"the server has no counter tables{at}; run "
                           f"`counter-assistant server init`: {_msg(exc)}")  # fmt: skip
    if code == "57014":
        return ServerError("timeout", f"a statement took too long{at}: {_msg(exc)}")
    for e in chain:  # the most telling cause anywhere in the chain first
        if isinstance(e, socket.gaierror):
            return ServerError("name resolution", f"the server's name does not resolve{at}: {e}")
        if isinstance(e, ConnectionRefusedError):
            return ServerError("refused", f"nothing accepts connections{at}: {e}")
        if isinstance(e, (TimeoutError, socket.timeout)):
            return ServerError("timeout", f"the server does not answer in time{at}")
    for e in chain:
        if isinstance(e, (OSError, EOFError)) or (
            isinstance(e, InterfaceError) and "network" in str(e).lower()
        ):
            return ServerError("network", f"the connection to the server broke{at}: {e}")
    if code and code.startswith(("08", "57P")):
        return ServerError("network", f"the server ended the connection{at}: {_msg(exc)}")
    if isinstance(exc, InterfaceError):
        return ServerError("network", f"the connection to the server broke{at}: {exc}")
    return ServerError("server", f"the server reported an error{at}: {_msg(exc)}")


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _server_error(e: BaseException) -> bool:
    """pg8000's DatabaseError carries the server's fields as a dict."""
    return type(e).__module__.startswith("pg8000") and bool(e.args) and isinstance(e.args[0], dict)


def sqlstate(exc: BaseException) -> str | None:
    for e in _chain(exc):
        if _server_error(e):
            return e.args[0].get("C")
    return None


def _msg(exc: BaseException) -> str:
    for e in _chain(exc):
        if _server_error(e):
            return e.args[0].get("M", str(e))
    return str(exc)
