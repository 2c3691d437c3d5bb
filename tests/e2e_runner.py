"""The real app for end-to-end tests that move the clock: ``python tests/e2e_runner.py
--config FILE --data-dir DIR`` with CA_TEST_CLOCK_OFFSET naming a file that holds seconds
to add to the real time (read at every tick), and the day checked every 300 ms."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

from counter_assistant import app as app_module
from counter_assistant.context import load_context
from counter_assistant.core.clock import Clock


class OffsetClock(Clock):
    def __init__(self, offset_file: Path) -> None:
        self._file = offset_file

    def now(self) -> datetime:
        try:
            offset = float(self._file.read_text(encoding="utf-8") or 0)
        except (OSError, ValueError):
            offset = 0.0
        return datetime.now().astimezone() + timedelta(seconds=offset)


def main() -> int:
    args = sys.argv[1:]
    config, data = args[args.index("--config") + 1], args[args.index("--data-dir") + 1]
    app_module.TICK_MS = 300
    clock = OffsetClock(Path(os.environ["CA_TEST_CLOCK_OFFSET"]))
    return app_module.run_app(load_context(config, data, debug=True), clock=clock)


if __name__ == "__main__":
    sys.exit(main())
