"""A throwaway PostgreSQL cluster on a free loopback port, for tests and the bench.

Why: the sync code must be tested against a real server (roles, row-level security,
transactions, a server that stops and starts again). Debian's ``postgresql`` package
puts its binaries in /usr/lib/postgresql/<major>/bin; ``initdb`` and ``pg_ctl`` refuse
to run as root, so as root they run as the ``postgres`` user (``runuser``) in a folder
under /tmp that user can enter. Nothing of a server already running on the machine is
touched: the cluster has its own folder, port and socket directory.

API:
    PgCluster()                  context manager; .url(user, password, db), .admin_url,
                                 .stop(), .start(), .port
    postgres_available() -> bool
    require_postgres()           skip without PostgreSQL; fail instead when
                                 CA_REQUIRE_POSTGRES=1 or CA_REQUIRE_XVFB=1 (CI)
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ADMIN_PASSWORD = "admin-" + secrets.token_hex(8)
DATABASE = "center"


def pg_bin() -> Path | None:
    """The newest server binaries: Debian's versioned folder, else pg_ctl on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_major)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _major(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def postgres_available() -> bool:
    return pg_bin() is not None


def require_postgres() -> None:
    import pytest

    if postgres_available():
        return
    required = "1" in (os.environ.get("CA_REQUIRE_POSTGRES"), os.environ.get("CA_REQUIRE_XVFB"))
    message = "PostgreSQL server binaries are not installed (apt-get install postgresql)"
    if required:
        pytest.fail(message + " but CA_REQUIRE_POSTGRES/CA_REQUIRE_XVFB=1")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """initdb, start on 127.0.0.1:<free port>, a database ``center``; removed on exit."""

    def __init__(self, fsync: bool = False) -> None:
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found")
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="ca-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.fsync = fsync
        os.chmod(self.dir, 0o755)
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        pwfile = self.dir / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if self.as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--pwfile", str(pwfile),
            "-A", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        self.start()
        self.psql(f"CREATE DATABASE {DATABASE}")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        env = {**os.environ, "PGPASSWORD": ADMIN_PASSWORD}
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, cwd=self.dir, env=env
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")
        return done

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=40"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, user: str = "postgres", password: str = ADMIN_PASSWORD, db: str = DATABASE):
        return (
            f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}"
            f"@127.0.0.1:{self.port}/{db}"
        )

    @property
    def admin_url(self) -> str:
        return self.url()

    def psql(self, sql: str, db: str = "postgres") -> str:
        """Run SQL as the superuser over the cluster's own socket; returns the output."""
        done = self._run(
            "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir),
            "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql,
        )  # fmt: skip
        return done.stdout

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
