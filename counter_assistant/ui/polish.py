"""Style-sheet states (dynamic properties) applied again after they change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def repolish(*widgets: QWidget) -> None:
    """Make the style sheet look at the widgets' properties again. Before a widget is first
    polished (shown) there is nothing to redo, and the style is not asked for: that keeps
    QStyle's Python types (a dozen enums, milliseconds) off the way to the first paint."""
    for widget in widgets:
        if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
            style = widget.style()
            style.unpolish(widget)
            style.polish(widget)
            widget.update()
