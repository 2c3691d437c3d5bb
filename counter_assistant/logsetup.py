"""The log file IT reads: rotated, in the user log dir, never customer data.

Logging can never stop the app: a log line that cannot be written (disk full, folder
gone) is dropped and counted, and the next line tries again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 5


class RotatingLog(logging.FileHandler):
    """counter-assistant.log, .1 … .5 at 1 MB each.

    logging.handlers would do the same but pulls in sockets, pickle and queues at start.
    """

    def __init__(self, filename: Path, encoding: str = "utf-8") -> None:
        super().__init__(filename, encoding=encoding, delay=True)
        self.dropped = 0  # lines that could not be written

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is None:
                self.stream = self._open()
            msg = self.format(record)
            self.stream.write(msg + self.terminator)
            self.stream.flush()
            if self.stream.tell() >= MAX_BYTES:
                self.rotate()
        except Exception:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop the line quietly; reopen on the next one (the file may be back)."""
        self.dropped += 1
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()

    def rotate(self) -> None:
        self.close()
        base = self.baseFilename
        for i in range(BACKUPS - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        os.replace(base, f"{base}.1")
        self.stream = self._open()


def _ours(handler: logging.Handler) -> bool:
    return getattr(handler, "_counter_assistant", False)


def setup_logging(log_file: Path, debug: bool = False) -> Path | None:
    """Log to a rotating file (replacing a file set up earlier); with debug also to stderr.

    Returns the file used, or None when the log folder cannot be made (stderr then).
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("peewee").setLevel(logging.INFO)  # its DEBUG lines are every SQL statement
    used: Path | None = log_file
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingLog(log_file)
    except OSError as exc:
        used = None
        handler = logging.StreamHandler(sys.stderr)
        print(
            f"counter-assistant: cannot write log file {log_file} ({exc}); logging to stderr",
            file=sys.stderr,
        )
    handlers = [handler]
    if debug and used is not None:
        handlers.append(logging.StreamHandler(sys.stderr))
    for h in handlers:
        h.setFormatter(logging.Formatter(FORMAT))
        h._counter_assistant = True  # type: ignore[attr-defined]
        root.addHandler(h)
    return used


def dropped_lines() -> int:
    return sum(getattr(h, "dropped", 0) for h in logging.getLogger().handlers if _ours(h))
