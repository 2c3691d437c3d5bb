"""Every window on the screen it is on, whole, at any display scaling (100-200 %).

At 1024x768 with 150 % scaling Qt sees a 683x512 screen: a dialog laid out for a large
monitor would hang off its edges. Dialogs take smaller type before they grow past the
screen; the prompt window is moved and shrunk to lie wholly on one screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

SMALLEST_DIALOG_PT = 9
SHARE = 0.92  # of the available area; the rest is for the window manager's frame


def available_for(widget: QWidget | None = None) -> QRect:
    """The work area (without task bars) of the widget's screen, else the primary one."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen else QRect(0, 0, 1280, 800)


def fit_dialog(dialog: QWidget, preferred: QSize | None = None, avoid: QRect | None = None) -> None:
    """Before showing a dialog: the size its content asks (or ``preferred``), never larger
    than the screen; type a point smaller at a time while it does not fit, then less
    room between rows (a dialog with a scroll area scrolls only after that).
    Centred, or with ``avoid`` in the corner that leaves most of that rect uncovered."""
    area = available_for(dialog)
    limit = QSize(int(area.width() * SHARE), int(area.height() * SHARE))
    font = QFont(dialog.font())
    _measure(dialog)
    while not _within(_wanted(dialog), limit) and font.pointSizeF() > SMALLEST_DIALOG_PT:
        font.setPointSizeF(font.pointSizeF() - 1)
        dialog.setFont(font)
        _measure(dialog)
    if not _within(_wanted(dialog), limit):
        _tighten(dialog)
    dialog.setMaximumSize(area.size())
    wanted = dialog.sizeHint().expandedTo(preferred or QSize(0, 0))
    size = wanted.expandedTo(dialog.minimumSizeHint()).boundedTo(limit)
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(area.center())
    if avoid is not None and rect.intersects(avoid):
        rect = min(_corners(rect, area), key=lambda r: _overlap(r, avoid))
    dialog.setGeometry(rect)


def fit_window(window: QWidget, preferred: QSize) -> None:
    """A large window (the reports): the size it prefers, never larger than the screen,
    centred; its body scrolls (scrolling_body) where the screen is smaller than that."""
    area = available_for(window)
    size = preferred.boundedTo(QSize(int(area.width() * SHARE), int(area.height() * SHARE)))
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(area.center())
    window.setGeometry(rect)


def scrolling_body(body: QWidget) -> QScrollArea:
    """``body`` in a frameless scroll area: the window may be smaller than its content."""
    scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
    scroll.setWidget(body)
    return scroll


def _corners(rect: QRect, area: QRect) -> list[QRect]:
    margin = max(8, area.height() // 50)
    inner = area.adjusted(margin, margin, -margin, -margin)
    out = []
    for x in (inner.left(), inner.right() - rect.width()):
        for y in (inner.top(), inner.bottom() - rect.height()):
            out.append(fit_inside(QRect(x, y, rect.width(), rect.height()), area))
    return out


def _overlap(a: QRect, b: QRect) -> int:
    common = a.intersected(b)
    return 0 if common.isEmpty() else common.width() * common.height()


def _tighten(dialog: QWidget) -> None:
    """Less room between rows: the last step before a dialog would leave the screen."""
    from PySide6.QtWidgets import QLayout

    for layout in dialog.findChildren(QLayout):
        layout.setSpacing(min(layout.spacing(), 2))
        margins = layout.contentsMargins()
        if margins.left() > 4:
            layout.setContentsMargins(4, 4, 4, 4)
    if dialog.layout() is not None:
        dialog.layout().activate()


def _measure(dialog: QWidget) -> None:
    """Size hints as they will be once shown: every child styled (widgets made while the
    dialog was hidden are not yet), scrolled bodies passing their size up."""
    from PySide6.QtWidgets import QLayout

    for child in (dialog, *dialog.findChildren(QWidget)):
        child.ensurePolished()
    for layout in dialog.findChildren(QLayout):
        layout.invalidate()
    for scroll in dialog.findChildren(VerticalScroll):
        scroll.updateGeometry()
    if dialog.layout() is not None:
        dialog.layout().invalidate()
        dialog.layout().activate()


def _wanted(dialog: QWidget) -> QSize:
    return dialog.sizeHint().expandedTo(dialog.minimumSizeHint())


def _within(size: QSize, limit: QSize) -> bool:
    return size.width() <= limit.width() and size.height() <= limit.height()


def place_on_screen(
    rect: QRect | None, width: int, height: int, taken: Sequence[QRect] = ()
) -> QRect:
    """Where the window goes: the saved rect, moved (and if need be shrunk) to lie wholly on
    the screen that shows most of it; the primary screen's lower right without a saved rect,
    or when no screen shows any of it (a monitor unplugged). ``taken``: where other users'
    prompt windows are on this display; ours is offset so that it never covers one exactly."""
    areas = [s.availableGeometry() for s in QGuiApplication.screens()]
    home = available_for(None)
    placed, area = fit_inside(QRect(0, 0, width, height), home, corner=True), home
    if rect is not None and rect.width() > 50 and rect.height() > 50:
        overlap = [(a.intersected(rect), a) for a in areas]
        best_visible, best = max(overlap, key=lambda o: o[0].width() * o[0].height(),
                                 default=(QRect(), home))  # fmt: skip
        if not best_visible.isEmpty():
            placed, area = fit_inside(rect, best), best
    for step in (-STACK_OFFSET, STACK_OFFSET):  # up and left first, then down and right
        moved = placed
        for _ in range(8):
            if not any(_stacked(moved, t) for t in taken):
                return moved
            moved = fit_inside(moved.translated(step, step), area)
    return placed


STACK_OFFSET = 40  # px a second user's window is moved up and left from the first one's


def _stacked(a: QRect, b: QRect) -> bool:
    return abs(a.x() - b.x()) < STACK_OFFSET // 2 and abs(a.y() - b.y()) < STACK_OFFSET // 2


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


class VerticalScroll(QScrollArea):
    """A dialog's body that scrolls up and down, only on a screen too small for it even in
    small type: it asks for its whole content (so fit_dialog makes the type smaller first)
    and is never narrower than the content, so nothing is cut at the side."""

    def __init__(self, body: QWidget) -> None:
        super().__init__(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(body)

    def _bar(self) -> int:
        return self.verticalScrollBar().sizeHint().width()

    def sizeHint(self) -> QSize:
        inner = self.widget().sizeHint().expandedTo(self.widget().minimumSizeHint())
        return QSize(inner.width() + self._bar(), inner.height())

    def minimumSizeHint(self) -> QSize:
        inner = self.widget().minimumSizeHint()
        return QSize(
            inner.width() + self._bar(), min(inner.height(), 4 * self.fontMetrics().height())
        )


def set_up_dialog(dialog: QWidget, title: str, font_size: int) -> None:
    """What every dialog of the counter shares: its title, above the always-on-top prompt
    window, and the clerk's type size (fit_dialog may make it smaller to fit)."""
    dialog.setWindowTitle(title)
    dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
    font = QFont(dialog.font())
    font.setPointSize(font_size)
    dialog.setFont(font)
