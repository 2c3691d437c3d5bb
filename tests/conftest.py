"""Shared fixtures: every standard directory points at a temp dir; no real profile is touched."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test prints on a real printer: CUPS is asked at a socket nobody listens on (the CUPS
# test starts its own scheduler and passes its socket to the processes it runs).
os.environ["CUPS_SERVER"] = "/nonexistent/counter-assistant-tests/cups.sock"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("COUNTER_ASSISTANT_CONFIG", raising=False)
    return home
