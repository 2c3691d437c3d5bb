"""The real app for end-to-end tests that must read the screen: ``python
tests/screen_runner.py --config FILE --data-dir DIR`` runs it as ``counter-assistant``
does, and every 100 ms writes what the prompt window shows (heading, prompt, the customer
strip) and the center content version in force, as JSON, to the file CA_TEST_SCREEN
names. The product writes no sentence to its log (it may hold a citizen's name)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from counter_assistant import app as app_module
from counter_assistant.context import load_context


def main() -> int:
    args = sys.argv[1:]
    config, data = args[args.index("--config") + 1], args[args.index("--data-dir") + 1]
    screen = Path(os.environ["CA_TEST_SCREEN"])
    build = app_module.build_counter

    def build_and_watch(*a, **kw):
        counter = build(*a, **kw)
        window, ui = counter.ui.window, counter.ui

        def dump() -> None:
            state = {
                "heading": window.heading_label.text(),
                "prompt": window.prompt_label.text(),
                "customer": window.customer.text,
                "version": ui.ctx.content_version,
                "visible": window.isVisible(),
            }
            tmp = screen.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            tmp.replace(screen)

        timer = QTimer(interval=100, timeout=dump)
        timer.start()
        counter.screen_timer = timer  # kept alive with the counter
        return counter

    app_module.build_counter = build_and_watch
    return app_module.run_app(load_context(config, data, debug=True))


if __name__ == "__main__":
    sys.exit(main())
