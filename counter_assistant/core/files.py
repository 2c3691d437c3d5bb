"""Rewriting a file that someone else owns (IT's config): atomically, keeping owner and mode."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_text_keeping_owner(path: Path, text: str, new_mode: int = 0o644) -> None:
    """Replace path's content in one step; the new file keeps the old one's owner and mode.

    A file that did not exist gets new_mode. Raises OSError when it cannot be written.
    """
    path = Path(path)
    try:
        old = path.stat()
        mode, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
    except FileNotFoundError:
        mode, owner = new_mode, None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown"):
            with contextlib.suppress(PermissionError):  # only root may give files away
                os.chown(tmp, *owner)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
