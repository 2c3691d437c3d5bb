"""The strip at the top of the prompt window: whose details are filled in, read at a glance.

One line, always the same height, so the sentence below never jumps: the name large and
bold (the clerk reads it before saying it), then the business and how much is missing,
shortened with … rather than wrapped; after a farewell it says the details go at the
next greeting. Empty, it says so: nothing stale is ever shown as if current.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from counter_assistant.ui.polish import repolish

EMPTY = "新客户 · 尚未填写"
ENDED = "已送别 · 问候下一位时清空"


class ElidedLabel(QLabel):
    """A one-line label that ends in … instead of growing the window or wrapping."""

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs) -> None:
        super().__init__(text, parent, **kwargs)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = QFontMetrics(self.font()).elidedText(
            self.text(), Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment()), shown)


def summary(details: list[tuple[str, str]]) -> tuple[str, str]:
    """(the name, the rest in short) from PromptSession.details()."""
    name, rest = "", []
    for label, value in details:
        if label == "客户":
            name = value
        elif label == "缺":
            items = value.split("、")
            rest.append(f"缺{len(items)}项" if len(items) > 2 else f"缺：{value}")
        elif label == "业务":
            rest.append(value)
        else:
            rest.append(f"{label}：{value}")
    return name, " · ".join(rest)


class CustomerStrip(QFrame):
    def __init__(self, font_size: int, fields_key: str = "", parent: QWidget | None = None):
        super().__init__(parent, objectName="customer")
        self._empty = f"{EMPTY}（{fields_key} 填写）" if fields_key else EMPTY
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 6, 2)
        layout.setSpacing(8)
        self.name_label = QLabel("", objectName="customerName")
        name_font = QFont(self.name_label.font())
        name_font.setPointSize(max(12, round(font_size * 0.8)))
        name_font.setBold(True)
        self.name_label.setFont(name_font)
        self.details_label = ElidedLabel("", objectName="customerDetails")
        details_font = QFont(self.details_label.font())
        details_font.setPointSize(max(10, round(font_size * 0.6)))
        self.details_label.setFont(details_font)
        self.details_label.setMinimumHeight(QFontMetrics(name_font).height())
        self.ended_label = QLabel(ENDED, objectName="customerEnded")
        layout.addWidget(self.name_label)
        layout.addWidget(self.details_label, 1)
        layout.addWidget(self.ended_label)
        self.show_details([], ended=False)

    @property
    def text(self) -> str:
        """All the strip says, for tests and the log of what a clerk saw."""
        parts = [self.name_label.text(), self.details_label.text()]
        if not self.ended_label.isHidden():
            parts.append(self.ended_label.text())
        return " · ".join(p for p in parts if p)

    def show_details(self, details: list[tuple[str, str]], ended: bool) -> None:
        name, rest = summary(details)
        state = "ended" if details and ended else "filled" if details else "empty"
        self.name_label.setText(name)
        self.name_label.setVisible(bool(name))
        self.details_label.setText(rest if details else self._empty)
        self.details_label.setToolTip(rest)
        self.ended_label.setVisible(state == "ended")
        self.setProperty("state", state)
        self.details_label.setProperty("state", state)
        repolish(self, self.name_label, self.details_label)  # the state's colours
