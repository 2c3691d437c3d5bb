"""What the sender reports: the counter's status row, and the sync state in a word.

The GUI thread hands the sender a CounterSnapshot (plain values, no widgets) on its
tick; the sender adds what it knows (records waiting, prompts today) and upserts the
counter's one status row. SyncState goes the other way: the sender emits it, the GUI
shows its word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CAUSES = {
    "authentication": "用户名或密码错误",
    "name resolution": "服务器名称无法解析",
    "refused": "服务器拒绝连接",
    "timeout": "连接超时",
    "network": "网络中断",
    "permission": "服务器拒绝写入（权限）",
    "schema": "服务器尚未初始化",
    "config": "同步配置有误",
    "server": "服务器出错",
    "internal": "程序内部错误，见日志",
}


@dataclass(frozen=True)
class CounterSnapshot:
    """The counter as the GUI sees it, taken on the GUI thread."""

    app_version: str = ""
    local_date: str = ""  # YYYY-MM-DD at the counter
    staff_id: str = ""
    prepared_at: str = ""  # local wall time YYYY-MM-DDTHH:MM:SS, "" when not yet
    prep_late: bool | None = None
    closed: bool = False  # Article 16 close-out done today
    hotkeys_armed: int = 0
    hotkeys_total: int = 0
    hotkey_backend: str = ""
    content_version: int = 0
    last_error: str = ""  # the notice the clerk sees about storage, if any


STATUS_UPSERT = """
INSERT INTO ca.counter_status AS s (center_id, counter_id, last_seen, counter_time,
    local_date, app_version, staff_id, prepared_at, prep_late, closed, prompts_today,
    records_waiting, hotkeys_armed, hotkeys_total, hotkey_backend, content_version, last_error)
VALUES (:center, :counter, now(), CAST(:counter_time AS timestamptz),
    CAST(:local_date AS date), :app_version, :staff_id, CAST(:prepared_at AS timestamp),
    :prep_late, :closed, :prompts_today, :records_waiting,
    :hotkeys_armed, :hotkeys_total, :hotkey_backend, :content_version, :last_error)
ON CONFLICT (center_id, counter_id) DO UPDATE SET
    last_seen = EXCLUDED.last_seen, counter_time = EXCLUDED.counter_time,
    local_date = EXCLUDED.local_date, app_version = EXCLUDED.app_version,
    staff_id = EXCLUDED.staff_id, prepared_at = EXCLUDED.prepared_at,
    prep_late = EXCLUDED.prep_late, closed = EXCLUDED.closed,
    prompts_today = EXCLUDED.prompts_today, records_waiting = EXCLUDED.records_waiting,
    hotkeys_armed = EXCLUDED.hotkeys_armed, hotkeys_total = EXCLUDED.hotkeys_total,
    hotkey_backend = EXCLUDED.hotkey_backend, content_version = EXCLUDED.content_version,
    last_error = EXCLUDED.last_error
"""


def status_params(
    snap: CounterSnapshot,
    center_id: str,
    counter_id: str,
    now_utc: datetime,
    prompts_today: int,
    waiting: int,
) -> dict:
    return {
        "center": center_id,
        "counter": counter_id,
        "counter_time": now_utc.isoformat(),
        "local_date": snap.local_date or None,
        "app_version": snap.app_version,
        "staff_id": snap.staff_id,
        "prepared_at": snap.prepared_at or None,
        "prep_late": snap.prep_late,
        "closed": snap.closed,
        "prompts_today": prompts_today,
        "records_waiting": waiting,
        "hotkeys_armed": snap.hotkeys_armed,
        "hotkeys_total": snap.hotkeys_total,
        "hotkey_backend": snap.hotkey_backend,
        "content_version": snap.content_version,
        "last_error": snap.last_error[:500],
    }


@dataclass(frozen=True)
class SyncState:
    """The sender's state for the status line and the tray."""

    state: str = "off"  # off | connecting | ok | failing
    waiting: int = 0  # records not yet on the server
    last_success: datetime | None = None  # local time of the last round that reached it
    cause: str = ""  # a key of connection.CAUSES while failing

    @property
    def word(self) -> str:
        """For the status line: short."""
        if self.state == "off":
            return ""
        if self.state == "connecting":
            return "同步：连接中"
        if self.state == "failing":
            return f"未同步 {self.waiting} 条" if self.waiting else "同步中断"
        if self.waiting:
            return f"待同步 {self.waiting} 条"
        return f"已同步 {self.last_success:%H:%M}" if self.last_success else "已同步"

    @property
    def tooltip(self) -> str:
        """For the tray: what the word means, and why it fails."""
        if self.state == "off":
            return ""
        parts = [self.word]
        if self.state == "failing":
            parts.append(f"原因：{CAUSES.get(self.cause, self.cause)}")
        if self.last_success:
            parts.append(f"上次成功 {self.last_success:%m-%d %H:%M}")
        else:
            parts.append("尚未连上服务器")
        if self.state == "failing":
            parts.append("记录保存在本机，恢复后自动补传")
        return "；".join(parts)
