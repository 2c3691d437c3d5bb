"""The center's published content on the server: publish, list, roll back, and what a
counter reads (the current version number, then that version's files).

Versions are numbered per center. Publishing writes a new version holding every kind:
the files given, and the current version's files for the kinds not given. The current
version is the one named by the center's latest event, so a rollback is one more event
and nothing is ever changed or deleted. Every statement is one PostgreSQL 12 accepts.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from datetime import datetime

from counter_assistant import __version__
from counter_assistant.core.content import File
from counter_assistant.sync.connection import Connection

LOCK_KEY = 0x43414354  # with the center's hash: one publish at a time per center

CURRENT_SQL = "SELECT version FROM ca.content_event WHERE center_id = :c ORDER BY id DESC LIMIT 1"


class PublishError(Exception):
    """A publish or rollback the server cannot do, phrased for IT."""


@dataclass(frozen=True)
class VersionInfo:
    version: int
    published_at: datetime
    published_by: str  # database role
    os_user: str  # user@host that ran publish
    app_version: str
    files: tuple[tuple[str, str, int], ...]  # (kind, file name, version it was first given)

    @property
    def given(self) -> list[str]:
        """The kinds this version published (the others it carried over)."""
        return [kind for kind, _name, since in self.files if since == self.version]


@dataclass(frozen=True)
class Event:
    version: int
    action: str  # publish | rollback
    at: datetime
    by_role: str
    os_user: str


def os_user() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a service account without one)
        user = "?"
    return f"{user}@{socket.gethostname()}"


def current_version(con: Connection, center_id: str) -> int:
    """The cheap poll: one row from an index; 0 when the center never published."""
    rows = con.run(CURRENT_SQL, c=center_id)
    return int(rows[0][0]) if rows else 0


def version_files(con: Connection, center_id: str, version: int) -> dict[str, File]:
    rows = con.run(
        "SELECT kind, name, body FROM ca.content_file WHERE center_id = :c AND version = :v",
        c=center_id,
        v=version,
    )
    return {kind: File(kind, name, body) for kind, name, body in rows}


def version_meta(con: Connection, center_id: str, version: int) -> tuple[str, str]:
    """(published_at as ISO text, "role (user@host)") of one version."""
    rows = con.run(
        "SELECT published_at, published_by, os_user FROM ca.content_version "
        "WHERE center_id = :c AND version = :v",
        c=center_id,
        v=version,
    )
    if not rows:
        return "", ""
    at, role, user = rows[0]
    return at.isoformat(), f"{role} ({user})" if user else str(role)


def _lock(con: Connection, center_id: str) -> None:
    con.run("SELECT pg_advisory_xact_lock(:k, hashtext(:c))", k=LOCK_KEY, c=center_id)


def publish(con: Connection, center_id: str, given: dict[str, File], check=None) -> tuple:
    """A new version: the given files, the current version's for the other kinds.

    check(files) is called with the whole new set before anything is written, inside the
    transaction (so nobody publishes in between); it raises to refuse. Returns
    (new version, the version it was based on, the kinds carried over), or
    (current, current, []) when every given file is the same as in the current version.
    """
    con.run("BEGIN")
    try:
        _lock(con, center_id)
        current = current_version(con, center_id)
        before = version_files(con, center_id, current) if current else {}
        since = dict(
            con.run(
                "SELECT kind, since FROM ca.content_file WHERE center_id = :c AND version = :v",
                c=center_id,
                v=current,
            )
        )
        if before and all(kind in before and before[kind].body == f.body
                          for kind, f in given.items()):  # fmt: skip
            con.run("ROLLBACK")
            return current, current, []
        files = {**before, **given}
        if check is not None:
            check(files)
        new = con.run(
            "SELECT coalesce(max(version), 0) + 1 FROM ca.content_version WHERE center_id = :c",
            c=center_id,
        )[0][0]
        user = os_user()
        con.run(
            "INSERT INTO ca.content_version (center_id, version, os_user, app_version) "
            "VALUES (:c, :v, :u, :a)",
            c=center_id,
            v=new,
            u=user,
            a=__version__,
        )
        for kind, f in sorted(files.items()):
            con.run(
                "INSERT INTO ca.content_file (center_id, version, kind, name, body, since) "
                "VALUES (:c, :v, :k, :n, :b, :s)",
                c=center_id,
                v=new,
                k=kind,
                n=f.name,
                b=f.body,
                s=new if kind in given else since[kind],
            )
        _event(con, center_id, new, "publish", user)
        con.run("COMMIT")
    except BaseException:
        con.run("ROLLBACK")
        raise
    return new, current, sorted(set(before) - set(given))


def rollback(con: Connection, center_id: str, version: int, check=None) -> int:
    """Make an earlier version current again (a new event); returns the version it
    replaced. check(files) may refuse a version this release would not load."""
    con.run("BEGIN")
    try:
        _lock(con, center_id)
        current = current_version(con, center_id)
        exists = con.run(
            "SELECT 1 FROM ca.content_version WHERE center_id = :c AND version = :v",
            c=center_id,
            v=version,
        )
        if not exists:
            known = current or "none yet"
            raise PublishError(f"center {center_id or '-'} has no content version {version} "
                               f"(current: {known}); see publish --list")  # fmt: skip
        if version == current:
            raise PublishError(f"version {version} is already the current one")
        if check is not None:
            check(version_files(con, center_id, version))
        _event(con, center_id, version, "rollback", os_user())
        con.run("COMMIT")
    except BaseException:
        con.run("ROLLBACK")
        raise
    return current


def _event(con: Connection, center_id: str, version: int, action: str, user: str) -> None:
    con.run(
        "INSERT INTO ca.content_event (center_id, version, action, os_user) "
        "VALUES (:c, :v, :a, :u)",
        c=center_id,
        v=version,
        a=action,
        u=user,
    )


def versions(con: Connection, center_id: str) -> list[VersionInfo]:
    files: dict[int, list[tuple[str, str, int]]] = {}
    for version, kind, name, since in con.run(
        "SELECT version, kind, name, since FROM ca.content_file WHERE center_id = :c "
        "ORDER BY version, kind",
        c=center_id,
    ):
        files.setdefault(version, []).append((kind, name, since))
    return [
        VersionInfo(v, at, str(role), user, app, tuple(files.get(v, ())))
        for v, at, role, user, app in con.run(
            "SELECT version, published_at, published_by, os_user, app_version "
            "FROM ca.content_version WHERE center_id = :c ORDER BY version",
            c=center_id,
        )
    ]


def events(con: Connection, center_id: str) -> list[Event]:
    return [
        Event(v, action, at, str(role), user)
        for v, action, at, role, user in con.run(
            "SELECT version, action, at, by_role, os_user FROM ca.content_event "
            "WHERE center_id = :c ORDER BY id",
            c=center_id,
        )
    ]
