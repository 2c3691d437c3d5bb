"""The log file IT reads: rotated, in the user log dir, never customer data."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 5
_configured: Path | None = None


class RotatingLog(logging.FileHandler):
    """counter-assistant.log, .1 … .5 at 1 MB each.

    logging.handlers would do the same but pulls in sockets, pickle and queues at start.
    """

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        if self.stream is not None and self.stream.tell() >= MAX_BYTES:
            self.rotate()

    def rotate(self) -> None:
        self.close()
        base = self.baseFilename
        for i in range(BACKUPS - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        os.replace(base, f"{base}.1")
        self.stream = self._open()


def setup_logging(log_file: Path, debug: bool = False) -> Path | None:
    """Log to a rotating file; with debug also to stderr. Returns the file used."""
    global _configured
    root = logging.getLogger()
    if root.handlers and (_configured is not None or getattr(root, "_counter_assistant", False)):
        return _configured
    root._counter_assistant = True  # type: ignore[attr-defined]  (set up once per process)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("peewee").setLevel(logging.INFO)  # its DEBUG lines are every SQL statement
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingLog(log_file, encoding="utf-8")
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
