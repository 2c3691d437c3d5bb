"""The parts of sync that need no server: causes, the state's word, URLs, passwords."""

from __future__ import annotations

import socket
from datetime import datetime

import pytest

from counter_assistant.sync.connection import (
    PASSWORD_ENV,
    ServerError,
    classify,
    parse_url,
    read_password,
)
from counter_assistant.sync.status import SyncState


class FakeServerError(Exception):
    """Shaped like pg8000's DatabaseError: the server's fields in a dict."""

    __module__ = "pg8000.exceptions"


def chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (chained(OSError("cannot connect"), socket.gaierror(-2, "Name or service not known")),
         "name resolution"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (TimeoutError("timed out"), "timeout"),
        (FakeServerError({"C": "28P01", "M": "password authentication failed"}),
         "authentication"),
        (FakeServerError({"C": "42501", "M": "permission denied for table usage_event"}),
         "permission"),
        (FakeServerError({"C": "42P01", "M": 'relation "ca.usage_event" does not exist'}),
         "schema"),
        (FakeServerError({"C": "57014", "M": "canceling statement due to statement timeout"}),
         "timeout"),
        (ConnectionResetError(104, "Connection reset by peer"), "network"),
    ],
)  # fmt: skip
def test_every_failure_gets_one_cause_word(exc, cause):
    assert classify(exc, "u@h:5432/db").cause == cause


def test_the_word_for_the_status_line_and_the_tooltip():
    at = datetime(2026, 11, 28, 14, 5)
    assert SyncState("off").word == "" and SyncState("off").tooltip == ""
    assert SyncState("ok", 0, at).word == "已同步 14:05"
    assert SyncState("ok", 12, at).word == "待同步 12 条"
    failing = SyncState("failing", 35, at, "authentication")
    assert failing.word == "未同步 35 条"
    assert "用户名或密码错误" in failing.tooltip and "上次成功 11-28 14:05" in failing.tooltip
    assert "尚未连上服务器" in SyncState("failing", 0, None, "refused").tooltip


def test_url_parts_and_where_without_the_password():
    t = parse_url("postgresql://ca_pj_pj-03:s%40cret@db.center.local:6432/ca?sslmode=require")
    assert (t.user, t.password, t.host, t.port, t.database) == (
        "ca_pj_pj-03", "s@cret", "db.center.local", 6432, "ca")  # fmt: skip
    assert t.sslmode == "require" and "cret" not in t.where
    with pytest.raises(ServerError):
        parse_url("postgresql://h/db?sslmode=sometimes")


def test_password_from_the_environment_first_then_the_file(tmp_path, monkeypatch):
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    secret.chmod(0o600)
    warnings = []
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert read_password(str(secret), warn=warnings.append) == "from-file" and not warnings
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert read_password(str(secret)) == "from-env"
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(ServerError, match="password_file"):
        read_password(str(tmp_path / "missing"))
