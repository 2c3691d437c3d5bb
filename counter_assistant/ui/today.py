"""The clerk's "today" view: how often each prompt was used today at this counter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class TodayDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        counts: list[tuple[str, str, int]],
        heading: str = "",
    ):
        """counts: (situation title, key, count), e.g. from reports.query.today_counts."""
        super().__init__(parent)
        self.setWindowTitle("窗口服务助手 - 今日使用次数")
        total = sum(n for _t, _k, n in counts)
        self.summary = QLabel(heading or f"今天共使用提示 {total} 次。")
        self.table = QTableWidget(len(counts), 2)
        self.table.setHorizontalHeaderLabels(["情形", "次数"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, (title, key, count) in enumerate(counts):
            name = QTableWidgetItem(title)
            name.setToolTip(key)
            number = QTableWidgetItem(str(count))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, number)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(320, 420)
