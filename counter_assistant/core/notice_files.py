"""Notices saved as PDF when no printer took them: where, under which name, how long.

Such a PDF never holds the citizen's name; it is kept seven days so the clerk can print
it elsewhere, then deleted. Only files this app named are ever deleted.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_DAYS = 7
FOLDER = "notices"  # under the user data dir unless [notice] pdf_dir says otherwise
_NAME_RE = re.compile(r"^notice-\d{8}-\d{6}(-\d+)?\.pdf$")


def pdf_folder(pdf_dir: str, data_dir: Path) -> Path:
    return Path(pdf_dir) if pdf_dir else data_dir / FOLDER


def new_pdf_path(folder: Path, now: datetime) -> Path:
    """notice-20261128-103215.pdf, with -2, -3 … when two are saved in one second."""
    stem = f"notice-{now:%Y%m%d-%H%M%S}"
    path = folder / f"{stem}.pdf"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.pdf"
        n += 1
    return path


def prune_pdfs(folder: Path, now: float | None = None, keep_days: int = KEEP_DAYS) -> list[Path]:
    """Delete this app's notice PDFs older than keep_days; return what was deleted."""
    cutoff = (time.time() if now is None else now) - keep_days * 86400
    deleted: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return deleted
    except OSError as exc:
        log.warning("cannot list notice folder %s: %s", folder, exc)
        return deleted
    for path in entries:
        if not _NAME_RE.match(path.name):
            continue
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
        except OSError as exc:
            log.warning("cannot delete old notice %s: %s", path, exc)
    return deleted
