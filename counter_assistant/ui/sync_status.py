"""The counter's state for its status row on the center's server, taken on the GUI thread.

Only plain values leave this function: the sender's thread never touches a widget.
"""

from __future__ import annotations

from counter_assistant import __version__
from counter_assistant.core.day import DayState
from counter_assistant.sync.status import CounterSnapshot


def snapshot_of(ui) -> CounterSnapshot:
    """ui: the CounterUi (its gate, hotkeys and notices)."""
    gate, hotkeys = ui.gate, ui.hotkeys
    prep = gate.prepared
    backend = hotkeys.backend
    return CounterSnapshot(
        app_version=__version__,
        local_date=gate.local_date,
        staff_id=gate.staff_on_duty or (prep.staff_id if prep else ""),
        prepared_at=prep.ts_local if prep else "",
        prep_late=prep.late if prep else None,
        closed=gate.state is DayState.CLOSED,
        hotkeys_armed=0 if hotkeys.paused else hotkeys.armed,
        hotkeys_total=len(hotkeys.bindings),
        hotkey_backend=backend.name if backend is not None else "in-window",
        content_version=ui.ctx.content_version,
        last_error=ui.storage_notice or _hotkey_problem(hotkeys),
    )


def _hotkey_problem(hotkeys) -> str:
    text, warning = hotkeys.status()
    return text if warning else ""
