"""A report's typed table as a Qt model: words from the same rules as the CSV writer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from counter_assistant.reports.table import Kind, Table, as_text
from counter_assistant.reports.words import Words

WARN_COLOR = QColor("#c62828")
RIGHT = (Kind.INT, Kind.NUMBER, Kind.RATE)
CENTER = (Kind.DATE, Kind.TIME, Kind.TIMES, Kind.BOOL, Kind.WEEKDAY)
Index = QModelIndex | QPersistentModelIndex


class TableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table: Table | None = None
        self.words = Words("zh")
        self._text: list[list[str]] = []
        self._warn: list[bool] = []

    def set_table(self, table: Table | None, words: Words) -> None:
        self.beginResetModel()
        self.table, self.words = table, words
        rows = table.rows if table is not None and table.rows is not None else []
        kinds = [c.kind for c in table.columns] if table is not None else []
        self._text = [[as_text(v, k, words) for v, k in zip(r, kinds, strict=True)] for r in rows]
        warn = table.highlight if table is not None else None
        self._warn = [bool(warn(r)) if warn else False for r in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._text)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.table is None:
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[r][c]
        if role == Qt.ItemDataRole.ForegroundRole and self._warn[r]:
            return QBrush(WARN_COLOR)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            kind = self.table.columns[c].kind
            if kind in RIGHT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if kind in CENTER:
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and self.table is not None
        ):
            return self.table.columns[section].header(self.words)
        return super().headerData(section, orientation, role)

    def text(self, row: int, column: int) -> str:
        return self._text[row][column]

    def warned(self, row: int) -> bool:
        return self._warn[row]
