"""Pieces of the composition root that must hold: exceptions never kill the window silently."""

import logging
import sys

from counter_assistant.app import install_excepthook, read_storage
from counter_assistant.context import load_context


def test_uncaught_exception_is_logged_and_the_clerk_told(monkeypatch, caplog):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    told = []
    install_excepthook(told.append)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            sys.excepthook(type(exc), exc, exc.__traceback__)
    assert told and "日志" in told[0]
    assert "ValueError: boom" in caplog.text and "Traceback" in caplog.text


def test_a_broken_notify_does_not_raise_from_the_hook(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    def broken(_message):
        raise RuntimeError("window gone")

    install_excepthook(broken)
    sys.excepthook(ValueError, ValueError("x"), None)


def test_database_that_cannot_open_becomes_a_notice(tmp_path):
    ctx = load_context(None, str(tmp_path / "data"))
    ctx.paths.database.parent.mkdir(parents=True, exist_ok=True)
    ctx.paths.database.mkdir()  # a folder where the file should be
    notices, entries, changes, verify = read_storage(ctx, "2026-11-27")
    assert notices and "数据库" in notices[0]
    assert entries == [] and changes == [] and not verify
    assert ctx.paths.database.is_dir()  # left where it was: not corrupt, just unusable
