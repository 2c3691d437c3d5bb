"""A new version of the center's content, applied between two sentences, never in one.

The sender's thread fetched and checked the version; here, on the GUI thread, it waits
for a moment the clerk is not in the middle of a sentence:
- right before the next prompt is shown (the next sentence is in the new wording), or
- once the window has been quiet for QUIET_SECONDS (no prompt shown in that time), so a
  counter nobody uses still gets new hours and checklist items.
Either way none of the counter's dialogs may be open (the picker, the customer's details,
a checklist, the notice): what the clerk is typing or ticking is never swapped under them.
The customer details already filled in are kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from counter_assistant.core.content import Content

log = logging.getLogger(__name__)
QUIET_SECONDS = 10.0
BUSY_RETRY_MS = 2000  # a dialog is open: look again this much later


class ContentSwap(QObject):
    """busy() -> True while a dialog of the counter is open; apply(content, refresh) swaps
    (refresh: the prompt on screen is rendered again in the new wording)."""

    def __init__(
        self,
        busy: Callable[[], bool],
        apply: Callable[[Content, bool], None],
        quiet_seconds: float = QUIET_SECONDS,
    ) -> None:
        super().__init__()
        self._busy = busy
        self._apply = apply
        self.quiet_seconds = quiet_seconds
        self.pending: Content | None = None
        self.last_prompt = -float("inf")  # time.monotonic() of the last prompt shown
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._when_quiet)

    def offer(self, content: Content) -> None:
        """A checked version from the sender (through the Bridge); a newer one replaces a
        version still waiting."""
        log.info("center content version %d waits for a pause between two prompts",
                 content.version)  # fmt: skip
        self.pending = content
        self._when_quiet()

    def before_prompt(self) -> None:
        """Called right before a prompt is shown: between the last sentence and the next."""
        if self.pending is not None and not self._busy():
            self._swap(refresh=False)  # the prompt about to be shown replaces the screen
        self.last_prompt = time.monotonic()

    def _when_quiet(self) -> None:
        if self.pending is None:
            return
        wait = self.quiet_seconds - (time.monotonic() - self.last_prompt)
        if wait > 0:
            self._timer.start(int(wait * 1000) + 10)
        elif self._busy():
            self._timer.start(BUSY_RETRY_MS)
        else:
            self._swap(refresh=True)

    def _swap(self, refresh: bool) -> None:
        content, self.pending = self.pending, None
        self._timer.stop()
        if content is not None:
            self._apply(content, refresh)

    def stop(self) -> None:
        self._timer.stop()
