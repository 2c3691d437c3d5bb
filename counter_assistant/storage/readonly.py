"""Opening a database read-only: the one way, used by everyone (no peewee here).

A path becomes a URI through Path.as_uri(), never by string formatting, so folders named
with '#', '?', '%' or spaces work. A read-only connection never creates, checkpoints or
changes the file's header.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 5000


def readonly_uri(path: Path | str) -> str:
    return Path(path).resolve().as_uri() + "?mode=ro"


def connect_readonly(
    path: Path | str, timeout: float = BUSY_TIMEOUT_MS / 1000
) -> sqlite3.Connection:
    """A read-only connection: never creates, checkpoints or changes the file's header."""
    return sqlite3.connect(readonly_uri(path), uri=True, timeout=timeout, check_same_thread=False)
