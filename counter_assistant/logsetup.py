"""The log file IT reads: rotated, in the user log dir, never customer data."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_configured: Path | None = None


def setup_logging(log_file: Path, debug: bool = False) -> Path | None:
    """Log to a rotating file (5 x 1 MB); with debug also to stderr. Returns the file used."""
    global _configured
    root = logging.getLogger()
    if _configured is not None:
        return _configured
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("peewee").setLevel(logging.INFO)  # its DEBUG lines are every SQL statement
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
        _configured = log_file
    except OSError as exc:
        handler = logging.StreamHandler(sys.stderr)
        print(
            f"counter-assistant: cannot write log file {log_file} ({exc}); logging to stderr",
            file=sys.stderr,
        )
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    if debug and _configured is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(console)
    return _configured
