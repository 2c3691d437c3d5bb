"""The always-on-top prompt window. It never takes keyboard focus when a prompt is shown."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizeGrip,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from counter_assistant.ui import text

if TYPE_CHECKING:  # Qt classes are built on first use; keep start-up to what it shows
    from PySide6.QtGui import QMouseEvent

log = logging.getLogger(__name__)

WINDOW_TITLE = "窗口服务助手"
REMINDERS = (
    "三声服务：来有迎声，问有答声，去有送声",
    "一次性办结：一次了解清楚，一次答复清楚，一次办理完毕",
    "五个决不：决不让工作事项在我这里耽误",
    "五个决不：决不让工作差错在我这里发生",
    "五个决不：决不让不正之风在我这里出现",
    "五个决不：决不让人民群众在我这里受冷",
    "五个决不：决不让中心形象在我这里受损",
)


class PromptLabel(QLabel):
    """The big prompt text; remembers when it last painted (for latency measurement)."""

    painted = Signal(float)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit(time.perf_counter())


class PromptWindow(QWidget):
    action_requested = Signal(str, str)  # action, trigger

    def __init__(
        self,
        font_size: int,
        situations: list[tuple[str, str, str]],
        state_file: Path | None,
        focusable: bool = False,
        bold: bool = False,
    ) -> None:
        super().__init__(None)
        self._bold = bold  # a bold CJK face is another font file in memory
        self.setWindowTitle(WINDOW_TITLE)
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.FramelessWindowHint
        )
        if not focusable:
            flags |= Qt.WindowType.WindowDoesNotAcceptFocus
        self.setWindowFlags(flags)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setObjectName("promptWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # draw the border
        self._state_file = state_file
        self._drag_offset: QPoint | None = None
        self._save_timer = QTimer(self, singleShot=True, interval=500, timeout=self.save_geometry)
        self._build(font_size, situations)
        self._reminder_index = 0
        self._reminder_timer = QTimer(self, interval=60_000, timeout=self._next_reminder)
        self._reminder_timer.start()
        self.restore_geometry()

    # --- building -------------------------------------------------------
    def _build(self, font_size: int, situations: list[tuple[str, str, str]]) -> None:
        self.setStyleSheet(text.STYLE)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 8)
        outer.setSpacing(4)

        header = QHBoxLayout()
        self.title_label = QLabel(WINDOW_TITLE, objectName="title")
        self.status_label = QLabel("", objectName="status")
        self.menu_button = QToolButton(text="☰", objectName="menuButton", toolTip="菜单")
        self.menu_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.status_label)
        header.addWidget(self.menu_button)
        outer.addLayout(header)

        self.heading_label = QLabel("", objectName="heading")
        outer.addWidget(self.heading_label)

        self.prompt_label = PromptLabel("", objectName="prompt")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.prompt_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        font = QFont(self.prompt_label.font())
        font.setPointSize(font_size)
        font.setBold(self._bold)
        self.prompt_label.setFont(font)
        self.prompt_label.setMinimumHeight(int(font_size * 4.2))
        outer.addWidget(self.prompt_label, 1)

        self.context_label = QLabel("", objectName="context")
        self.context_label.setWordWrap(True)
        outer.addWidget(self.context_label)

        grid = QGridLayout()
        grid.setSpacing(3)
        self.situation_buttons: dict[str, QPushButton] = {}
        for i, (key, title, hotkey) in enumerate(situations):
            number = (i + 1) % 10
            button = QPushButton(f"{number} {title}", objectName="situation")
            button.setToolTip(hotkey)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self.action_requested.emit(k, "click"))
            grid.addWidget(button, i // 5, i % 5)
            self.situation_buttons[key] = button
        outer.addLayout(grid)

        self.notice_label = QLabel("", objectName="notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        outer.addWidget(self.notice_label)

        line = QFrame(frameShape=QFrame.Shape.HLine, objectName="rule")
        outer.addWidget(line)
        self.reminder_label = QLabel(REMINDERS[0], objectName="reminder")
        footer = QHBoxLayout()
        footer.addWidget(self.reminder_label, 1)
        # Frameless windows have no border to drag: the grip resizes, the body moves.
        footer.addWidget(
            QSizeGrip(self), 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight
        )
        outer.addLayout(footer)
        self.resize(560, 300)

    def set_menu(self, menu: QMenu) -> None:
        self.menu_button.setMenu(menu)

    # --- content --------------------------------------------------------
    def show_prompt(
        self, heading: str, prompt: str, context: str = "", locked: bool = False
    ) -> None:
        self.heading_label.setText(heading)
        self.prompt_label.setText(prompt)
        self.prompt_label.setProperty("locked", locked)
        self.prompt_label.style().unpolish(self.prompt_label)
        self.prompt_label.style().polish(self.prompt_label)
        self.context_label.setText(context)
        self.context_label.setVisible(bool(context))
        if not self.isVisible():
            self.show_quietly()

    def set_context(self, context: str) -> None:
        self.context_label.setText(context)
        self.context_label.setVisible(bool(context))

    def set_status(self, status: str, warning: bool = False) -> None:
        self.status_label.setText(status)
        self.status_label.setProperty("warning", warning)
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)

    def set_notices(self, notices: list[str]) -> None:
        self.notice_label.setText("\n".join(notices))
        self.notice_label.setVisible(bool(notices))

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.setWindowTitle(title)

    def _next_reminder(self) -> None:
        self._reminder_index = (self._reminder_index + 1) % len(REMINDERS)
        self.reminder_label.setText(REMINDERS[self._reminder_index])

    # --- showing without taking focus -------------------------------------
    def set_focusable(self, focusable: bool) -> None:
        """Only when no global hotkey works: the clerk clicks the window to use its shortcuts."""
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, not focusable)
        if visible:
            self.show_quietly()

    def show_quietly(self) -> None:
        self.show()
        self.raise_()  # raise only; never activateWindow()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.show_quietly()

    # --- dragging and remembering where it was -----------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_offset = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_offset is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_offset)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_offset = None
        super().mouseReleaseEvent(event)

    def moveEvent(self, event) -> None:
        super().moveEvent(event)
        self._save_timer.start()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._save_timer.start()

    def save_geometry(self) -> None:
        if not self._state_file:
            return
        g = self.geometry()
        data = {"x": g.x(), "y": g.y(), "width": g.width(), "height": g.height()}
        try:
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(self._state_file)
        except OSError as exc:
            log.warning("cannot save window position to %s: %s", self._state_file, exc)

    def restore_geometry(self) -> None:
        rect = None
        if self._state_file and self._state_file.exists():
            try:
                d = json.loads(self._state_file.read_text(encoding="utf-8"))
                rect = QRect(int(d["x"]), int(d["y"]), int(d["width"]), int(d["height"]))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring unreadable window state %s: %s", self._state_file, exc)
        self.setGeometry(place_on_screen(rect, self.size().width(), self.size().height()))
        if QGuiApplication.platformName() == "xcb":  # after the first paint: a query costs
            QTimer.singleShot(STEP_ASIDE_MS, self.step_aside)

    def step_aside(self) -> None:
        """Another user's prompt window on this display: never cover it exactly."""
        g = self.geometry()
        placed = place_on_screen(g, g.width(), g.height(), other_instance_rects())
        if placed != g:
            log.info("another Counter Assistant window is there; moved to %s", placed)
            self.setGeometry(placed)


def place_on_screen(
    rect: QRect | None, width: int, height: int, taken: Sequence[QRect] = ()
) -> QRect:
    """Where the window goes: the saved rect, moved (and if need be shrunk) to lie wholly on
    the screen that shows most of it; the primary screen's lower right without a saved rect,
    or when no screen shows any of it (a monitor unplugged). ``taken``: where other users'
    prompt windows are on this display; ours is offset so that it never covers one exactly."""
    areas = [s.availableGeometry() for s in QGuiApplication.screens()]
    primary = QGuiApplication.primaryScreen()
    home = primary.availableGeometry() if primary else QRect(0, 0, 1280, 800)
    placed, area = fit_inside(QRect(0, 0, width, height), home, corner=True), home
    if rect is not None and rect.width() > 50 and rect.height() > 50:
        overlap = [(a.intersected(rect), a) for a in areas]
        best_visible, best = max(overlap, key=lambda o: o[0].width() * o[0].height(),
                                 default=(QRect(), home))  # fmt: skip
        if not best_visible.isEmpty():
            placed, area = fit_inside(rect, best), best
    for step in (-STACK_OFFSET, STACK_OFFSET):
        moved = placed
        for _ in range(8):
            if not any(_stacked(moved, t) for t in taken):
                return moved
            moved = fit_inside(moved.translated(step, step), area)
    return placed


STACK_OFFSET = 40  # px a second user's window is moved up and left from the first one's
STEP_ASIDE_MS = 1500


def _stacked(a: QRect, b: QRect) -> bool:
    return abs(a.x() - b.x()) < STACK_OFFSET // 2 and abs(a.y() - b.y()) < STACK_OFFSET // 2


def other_instance_rects() -> list[QRect]:
    """Other Counter Assistant windows on this X display (another user's); [] elsewhere."""
    if QGuiApplication.platformName() != "xcb":
        return []  # Windows: one session per display
    from counter_assistant.platform.x11_windows import other_instances_on

    return [QRect(w.x, w.y, w.width, w.height) for w in other_instances_on()]


def fit_inside(rect: QRect, area: QRect, corner: bool = False) -> QRect:
    width = min(rect.width(), area.width())
    height = min(rect.height(), area.height())
    if corner:
        x, y = area.right() - width - 16, area.bottom() - height - 48
    else:
        x = min(max(rect.x(), area.left()), area.right() - width + 1)
        y = min(max(rect.y(), area.top()), area.bottom() - height + 1)
    return QRect(max(x, area.left()), max(y, area.top()), width, height)
