"""Cyclic garbage is collected on the GUI thread, never in a worker that allocates."""

from __future__ import annotations

import gc
import threading

from counter_assistant.ui.gc_guard import GarbageCollector


def test_collection_happens_on_the_gui_thread(qtbot):
    collected_in: list[str] = []

    def note(phase, _info) -> None:
        if phase == "start":
            collected_in.append(threading.current_thread().name)

    guard = GarbageCollector(interval_ms=20)
    gc.callbacks.append(note)
    try:
        assert not gc.isenabled()

        def churn() -> None:  # a worker allocating cycles, well past every threshold
            for _ in range(50_000):
                a: list = []
                a.append(a)

        worker = threading.Thread(target=churn, name="worker")
        worker.start()
        worker.join()
        assert "worker" not in collected_in
        qtbot.waitUntil(lambda: bool(collected_in), timeout=5000)
        assert set(collected_in) == {threading.main_thread().name}
    finally:
        gc.callbacks.remove(note)
        guard.stop()
        gc.disable()  # as the test session keeps it (conftest)
