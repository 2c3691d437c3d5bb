"""Every window on the screen it is on, whole, at any display scaling (100-200 %).

At 1024x768 with 150 % scaling Qt sees a 683x512 screen: a dialog laid out for a large
monitor would hang off its edges. Dialogs take smaller type before they grow past the
screen; the prompt window is moved and shrunk to lie wholly on one screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QWidget

SMALLEST_DIALOG_PT = 9
SHARE = 0.92  # of the available area; the rest is for the window manager's frame


def available_for(widget: QWidget | None = None) -> QRect:
    """The work area (without task bars) of the widget's screen, else the primary one."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen else QRect(0, 0, 1280, 800)


def fit_dialog(dialog: QWidget, preferred: QSize | None = None) -> None:
    """Before showing a dialog: the size its content asks (or ``preferred``), never larger
    than the screen; type a point smaller at a time while even its minimum does not fit."""
    area = available_for(dialog)
    limit = QSize(int(area.width() * SHARE), int(area.height() * SHARE))
    font = QFont(dialog.font())
    while not _within(dialog.minimumSizeHint(), limit) and font.pointSizeF() > SMALLEST_DIALOG_PT:
        font.setPointSizeF(font.pointSizeF() - 1)
        dialog.setFont(font)
        if dialog.layout() is not None:
            dialog.layout().activate()
    dialog.setMaximumSize(area.size())
    wanted = dialog.sizeHint().expandedTo(preferred or QSize(0, 0))
    size = wanted.expandedTo(dialog.minimumSizeHint()).boundedTo(limit)
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(area.center())
    dialog.setGeometry(rect)


def _within(size: QSize, limit: QSize) -> bool:
    return size.width() <= limit.width() and size.height() <= limit.height()


def place_on_screen(rect: QRect | None, width: int, height: int) -> QRect:
    """Where the window goes: the saved rect, moved (and if need be shrunk) to lie wholly on
    the screen that shows most of it; the primary screen's lower right without a saved rect,
    or when no screen shows any of it (a monitor unplugged)."""
    areas = [s.availableGeometry() for s in QGuiApplication.screens()]
    home = available_for(None)
    if rect is not None and rect.width() > 50 and rect.height() > 50:
        overlap = [(a.intersected(rect), a) for a in areas]
        best_visible, best = max(overlap, key=lambda o: o[0].width() * o[0].height(),
                                 default=(QRect(), home))  # fmt: skip
        if not best_visible.isEmpty():
            return fit_inside(rect, best)
    return fit_inside(QRect(0, 0, width, height), home, corner=True)


def fit_inside(rect: QRect, area: QRect, corner: bool = False) -> QRect:
    width = min(rect.width(), area.width())
    height = min(rect.height(), area.height())
    if corner:
        margin = max(8, area.height() // 50)
        x, y = area.right() - width - margin, area.bottom() - height - margin
    else:
        x = min(max(rect.x(), area.left()), area.right() - width + 1)
        y = min(max(rect.y(), area.top()), area.bottom() - height + 1)
    return QRect(max(x, area.left()), max(y, area.top()), width, height)
