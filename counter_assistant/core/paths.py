"""Where this counter keeps its data, log and window state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "CounterAssistant"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    log_dir: Path
    database: Path

    @property
    def state_file(self) -> Path:
        return self.data_dir / "window-state.json"

    @property
    def pending_file(self) -> Path:
        """Records not yet in the database (locked, disk full) wait here across a crash."""
        return self.data_dir / "pending-records.jsonl"

    @property
    def pin_state_file(self) -> Path:
        """Wrong supervisor PIN tries and the wait they set (see core/pin.py)."""
        return self.data_dir / "pin-attempts.json"

    @property
    def content_cache(self) -> Path:
        """The last good version of the center's published content, for a start offline."""
        return self.data_dir / "center-content.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "counter-assistant.log"


def resolve_paths(data_dir: str | Path | None = None, database: str | Path | None = None) -> Paths:
    """--data-dir or [app] data_dir, else the platform's user dirs."""
    if data_dir:
        base = Path(data_dir)
        logs = base / "logs"
    else:
        base = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        logs = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    db = Path(database) if database else base / "counter.sqlite3"
    return Paths(base, logs, db)
