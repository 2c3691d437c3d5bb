"""设备状态: every counter PC as IT needs to see it, from the status rows the counters send.

App version, hotkey backend and how many hotkeys are armed, the center content version
it runs, its last error, when it was last seen. Filled by the live page's refresh (one
query for both pages); a counter that does not follow the content, has no hotkey armed
or reports an error stands out.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_assistant.ui.live_page import AMBER, GREY, RED, content_cell

HEADERS = ["窗口", "最后在线", "程序版本", "热键方式", "已生效热键", "话术版本", "最近错误"]
BACKENDS = {"in-window": "仅窗口内", "fake": "测试"}


def fleet_cells(c, now_local: datetime) -> tuple[list[str], dict[int, QColor]]:
    colors: dict[int, QColor] = {}
    if c.last_seen is None:
        seen = "从未上线"
        colors[1] = RED
    else:
        seen = f"{c.last_seen.astimezone():%m-%d %H:%M}"
        if not c.seen_today:
            colors[1] = RED
    if c.hotkeys_total:
        keys = f"{c.hotkeys_armed}/{c.hotkeys_total}"
        if (c.hotkeys_armed or 0) < c.hotkeys_total:
            colors[4] = RED if not c.hotkeys_armed else AMBER
    else:
        keys = "-"
    content, color = content_cell(c)
    if color is not None:
        colors[5] = color
    if c.last_error:
        colors[6] = AMBER
    backend = BACKENDS.get(c.hotkey_backend, c.hotkey_backend) or "-"
    texts = [c.counter_id, seen, c.app_version or "-", backend, keys, content, c.last_error]
    return texts, colors


class FleetPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counters: list = []
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.summary = QLabel("连接中心服务器后显示各窗口电脑的状态。")
        self.summary.setWordWrap(True)
        legend = QLabel(
            "各窗口每分钟上报一次。红色：今日未上线、热键全部未生效或话术落后两个版本以上；"
            "橙色：部分热键未生效、话术正在更新或有错误。错误详情见该窗口电脑的日志。"
        )
        legend.setWordWrap(True)
        legend.setStyleSheet(f"color: {GREY.name()};")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(legend)

    def show_counters(self, counters: list) -> None:
        self.counters = counters
        now = datetime.now().astimezone()
        self.table.setRowCount(len(counters))
        for i, c in enumerate(counters):
            texts, colors = fleet_cells(c, now)
            for j, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if j in colors:
                    item.setForeground(QBrush(colors[j]))
                if j == len(texts) - 1 and text:
                    item.setToolTip(text)
                self.table.setItem(i, j, item)
        versions = sorted({c.app_version for c in counters if c.app_version})
        behind = [c.counter_id for c in counters if c.content_lag > 1]
        current = counters[0].content_current if counters else 0
        text = (f"共 {len(counters)} 台窗口电脑；程序版本：{'、'.join(versions) or '-'}；"
                f"中心话术当前版本：{current or '未发布'}")  # fmt: skip
        if behind:
            text += f"；话术未跟上：{'、'.join(behind)}"
        self.summary.setText(text + f"。更新于 {now:%H:%M:%S}")
