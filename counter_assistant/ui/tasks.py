"""Run work off the GUI thread and come back: the one way the windows read data.

``tasks.run(fn, on_done, on_error)`` runs fn on a worker thread; on_done(result) or
on_error(exception) is then called once, on the GUI thread. fn may accept a
``cancel`` keyword (a threading.Event) and stop early when it is set; cancel() sets it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal

if TYPE_CHECKING:  # the pool and its threads are made at the first task, not at start
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised by a task that saw its cancel event set."""


class Task:
    def __init__(self, future: Future, cancel: threading.Event):
        self.future = future
        self._cancel = cancel

    def cancel(self) -> None:
        self._cancel.set()
        self.future.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def done(self) -> bool:
        return self.future.done()


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # future, on_done, on_error

    def __init__(self, workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._made: ThreadPoolExecutor | None = None
        self._under_way: set[Future] = set()  # submitted, not yet delivered
        # Queued even when a task is already done as run() adds its callback: the
        # caller's on_done never runs inside its own call to run().
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def _pool(self) -> ThreadPoolExecutor:
        if self._made is None:
            from concurrent.futures import ThreadPoolExecutor

            self._made = ThreadPoolExecutor(self._workers, thread_name_prefix="ui-task")
        return self._made

    @property
    def busy(self) -> bool:
        """Work under way (a notice being printed, today's counts being read)."""
        return bool(self._under_way)

    def run(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        cancel = threading.Event()
        wants_cancel = _takes_cancel(fn)
        future = self._pool.submit(fn, cancel=cancel) if wants_cancel else self._pool.submit(fn)
        self._under_way.add(future)
        # The callback runs on the worker thread: only a signal crosses to the GUI thread.
        future.add_done_callback(lambda f: self._finished.emit(f, on_done, on_error))
        return Task(future, cancel)

    def _deliver(self, future: Future, on_done, on_error) -> None:
        self._under_way.discard(future)
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            if on_done is not None:
                on_done(future.result())
        elif on_error is not None:
            on_error(error)
        elif not isinstance(error, Cancelled):
            log.error("background task failed", exc_info=error)

    def shutdown(self, wait: bool = True) -> None:
        if self._made is not None:
            self._made.shutdown(wait=wait, cancel_futures=True)


def _takes_cancel(fn: Callable[..., Any]) -> bool:
    """Whether fn has a ``cancel`` parameter (without inspect: it costs start-up time)."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return False
    return "cancel" in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
