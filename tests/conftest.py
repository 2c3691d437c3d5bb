"""Shared fixtures: every standard directory points at a temp dir; no real profile is touched."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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


@pytest.fixture(autouse=True)
def isolated_runtime_dir(monkeypatch):
    """The single-instance lock lives here: never the session's own runtime dir.
    (A short path of its own: a Unix socket's path is limited to 107 bytes.)"""
    runtime = Path(tempfile.mkdtemp(prefix="ca-rt-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    yield runtime
    shutil.rmtree(runtime, ignore_errors=True)
