"""Where an export or backup may be written: never over a database that holds records.

One rule for every command that writes a file: an existing file is replaced only when
the caller says so (--force); a counter database, an input of the same command, the
live database and their WAL/SHM/journal files are never replaced, forced or not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from counter_assistant.storage.db import SIDECARS, is_sqlite_file, sidecars


class OutputRefused(Exception):
    """Why a file may not be written there, and what to do instead."""


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _is_sidecar_of_database(path: Path) -> bool:
    for suffix in SIDECARS:
        if path.name.endswith(suffix):
            return is_sqlite_file(path.with_name(path.name[: -len(suffix)]))
    return False


def check_output(
    out: Path, *, protected: Iterable[Path] = (), force: bool = False, allow_sqlite: bool = False
) -> None:
    """Raise OutputRefused unless out may be (re)written."""
    out = Path(out)
    if out.is_dir():
        raise OutputRefused(f"{out} 是一个文件夹。请输入要保存的文件名。")
    if not out.parent.is_dir():
        raise OutputRefused(f"保存位置不存在：{out.parent}。请选择已有的文件夹。")
    for db in protected:
        for guarded in (Path(db), *sidecars(Path(db))):
            if _same(out, guarded):
                raise OutputRefused(
                    f"{out} 是正在使用或作为输入的数据库文件（{Path(db).name}），"
                    "任何情况下都不会覆盖它。请另选文件名。"
                )
    if out.exists() and _is_sidecar_of_database(out):
        raise OutputRefused(f"{out} 是数据库的日志文件，不会被覆盖。请另选文件名。")
    if out.exists() and is_sqlite_file(out) and not allow_sqlite:
        raise OutputRefused(
            f"{out} 是一个数据库文件，其中可能有记录，不会被覆盖（--force 也不行）。请另选文件名。"
        )
    if out.exists() and not force:
        raise OutputRefused(f"{out} 已存在。若要替换它，请加 --force；或另选文件名。")
