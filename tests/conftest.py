"""Shared fixtures: every standard directory points at a temp dir; no real profile is touched.

Nothing a test does reads the machine-wide config (/etc/counter-assistant or ProgramData)
or writes a log file outside the test's own temporary folder.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from counter_assistant.core.config import MACHINE_DIR_ENV

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
    monkeypatch.setenv(MACHINE_DIR_ENV, str(tmp_path / "machine"))  # empty: no machine config
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


@pytest.fixture(autouse=True)
def own_log_handlers():
    """setup_logging (called by load_context) points the log at the test's data folder;
    afterwards its handler goes, so the next test never writes into this one's folder."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "_counter_assistant", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture(autouse=True, scope="session")
def collect_on_the_main_thread():
    """As in the app (ui/gc_guard.py): cyclic garbage is collected on the main thread
    only, never in a worker that happens to allocate, where a Qt object in a cycle would be
    destroyed on the wrong thread."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def collect_after_each_test():
    yield
    gc.collect()


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
