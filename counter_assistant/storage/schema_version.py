"""The counter database's schema version (PRAGMA user_version) this release writes, and
the refusal of a newer one.

Its own module so that start-up and the usage writer can compare versions without
importing peewee and the models; storage/migrations.py checks at import that its last
step is this number.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 4


class SchemaTooNew(Exception):
    def __init__(self, path: Path, version: int):
        super().__init__(
            f"{path} was written by a newer Counter Assistant (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); it is left untouched. Install the newer version or point "
            "--data-dir elsewhere."
        )
        self.version = version


def check_not_newer(con: sqlite3.Connection, path: Path) -> None:
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(path, version)
