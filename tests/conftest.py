"""Shared fixtures: every standard directory points at a temp dir; no real profile is touched."""

from __future__ import annotations

import os

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


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL cluster for the whole test session (see tests/pgcluster.py)."""
    try:
        from tests.pgcluster import PgCluster, require_postgres
    except ImportError:  # tests/ run as rootdir modules
        from pgcluster import PgCluster, require_postgres
    require_postgres()
    with PgCluster() as cluster:
        yield cluster
