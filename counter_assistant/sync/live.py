"""Today at every counter of a center, read from the server: what the live page shows.

The counter's status row (sent about once a minute) says who is on duty, whether it is
prepared, its backlog and hotkeys; the records already on the server fill in what a
status row that is missing or from an earlier day cannot say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from counter_assistant.sync.connection import Connection

LIVE_SQL = """
WITH known AS (
    SELECT counter_id FROM ca.counter_account WHERE center_id = :c
    UNION SELECT counter_id FROM ca.counter_status WHERE center_id = :c
    UNION SELECT DISTINCT counter_id FROM ca.usage_event
        WHERE center_id = :c AND local_date = :d
    UNION SELECT DISTINCT counter_id FROM ca.checklist_record
        WHERE center_id = :c AND local_date = :d
), used AS (
    SELECT counter_id, count(*) AS n FROM ca.usage_event
    WHERE center_id = :c AND local_date = :d GROUP BY counter_id
), prep AS (
    SELECT DISTINCT ON (counter_id) counter_id, ts_local, late, staff_id
    FROM ca.checklist_record WHERE center_id = :c AND local_date = :d AND kind = 'prep'
    ORDER BY counter_id, ts_utc
), shift AS (
    SELECT DISTINCT ON (counter_id) counter_id, staff_id
    FROM ca.staff_shift WHERE center_id = :c AND local_date = :d
    ORDER BY counter_id, ts_utc DESC
)
SELECT k.counter_id, s.last_seen, s.local_date = :d, s.app_version, s.staff_id,
    s.prepared_at, s.prep_late, s.closed, s.prompts_today, s.records_waiting,
    s.hotkeys_armed, s.hotkeys_total, s.last_error,
    coalesce(u.n, 0), p.ts_local, p.late, coalesce(sh.staff_id, p.staff_id), now(),
    s.hotkey_backend, s.content_version
FROM known k
LEFT JOIN ca.counter_status s ON s.center_id = :c AND s.counter_id = k.counter_id
LEFT JOIN used u ON u.counter_id = k.counter_id
LEFT JOIN prep p ON p.counter_id = k.counter_id
LEFT JOIN shift sh ON sh.counter_id = k.counter_id
ORDER BY k.counter_id
"""


@dataclass(frozen=True)
class LiveCounter:
    counter_id: str
    last_seen: datetime | None  # server time of the last status row, aware
    seen_today: bool
    app_version: str
    staff_id: str
    prepared_at: datetime | None  # the counter's wall time
    prep_late: bool | None
    closed: bool
    prompts_today: int
    waiting: int | None  # records not yet on the server, as last reported
    hotkeys_armed: int | None
    hotkeys_total: int | None
    last_error: str
    server_now: datetime
    hotkey_backend: str = ""
    content_version: int | None = None  # the center content version it runs, as reported
    content_current: int = 0  # the center's current version (0: nothing published)

    @property
    def content_lag(self) -> int:
        """0: runs the current version; 1: on the one before, or not yet back after a
        rollback (it follows within its poll interval); 2 or more: it does not follow."""
        if self.content_version is None:  # never reported: unknown, not behind
            return 0
        have, want = self.content_version, self.content_current
        if have == want:
            return 0
        return 1 if have > want or have == want - 1 else want - have

    @property
    def minutes_since_seen(self) -> float | None:
        if self.last_seen is None:
            return None
        return max(0.0, (self.server_now - self.last_seen).total_seconds() / 60)


def current_content(con: Connection, center_id: str) -> int:
    """The center's current content version; 0 when none (or the server predates it)."""
    if not con.run("SELECT to_regclass('ca.content_event') IS NOT NULL")[0][0]:
        return 0
    from counter_assistant.sync.content_server import current_version

    return current_version(con, center_id)


def today_at_counters(con: Connection, center_id: str, today: date) -> list[LiveCounter]:
    out = []
    current = current_content(con, center_id)
    for row in con.run(LIVE_SQL, c=center_id, d=today):
        (counter, seen, status_today, version, staff, prepared, late, closed, reported,
         waiting, armed, total, error, on_server, rec_prep, rec_late, rec_staff,
         now, backend, content) = row  # fmt: skip
        status_today = bool(status_today)
        out.append(
            LiveCounter(
                counter_id=counter,
                last_seen=seen,
                seen_today=bool(seen) and status_today,
                app_version=version or "",
                staff_id=(staff if status_today and staff else rec_staff) or "",
                prepared_at=(prepared if status_today and prepared else rec_prep),
                prep_late=(late if status_today and prepared else rec_late),
                closed=bool(closed) and status_today,
                # both count only what they saw: the counter's own count is up to a minute
                # old, the server's lacks what is still waiting; the larger is nearer
                prompts_today=max(on_server, (reported or 0) if status_today else 0),
                waiting=waiting,
                hotkeys_armed=armed,
                hotkeys_total=total,
                last_error=error or "",
                server_now=now,
                hotkey_backend=backend or "",
                content_version=content,
                content_current=current,
            )
        )
    return out
