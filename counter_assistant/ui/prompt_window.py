"""The always-on-top prompt window. It never takes keyboard focus when a prompt is shown.

What a clerk reads in it, top to bottom: whose details are filled in (the customer
strip, read before the name is said), where in the standard the sentence comes from,
the sentence itself (always whole: smaller type, then a taller window, then pages with
a visible 1/2), buttons for the situations, notices and a quiet reminder.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
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
from counter_assistant.ui.customer_strip import CustomerStrip, ElidedLabel
from counter_assistant.ui.fitting import (
    MIN_READABLE_PT,
    largest_fitting,
    sized,
    split_pages,
    text_height,
)
from counter_assistant.ui.polish import repolish
from counter_assistant.ui.screen import available_for, fit_inside, place_on_screen

if TYPE_CHECKING:  # Qt classes are built on first use; keep start-up to what it shows
    from PySide6.QtGui import QMouseEvent

__all__ = ["PromptWindow", "fit_inside", "place_on_screen"]

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
GROW_SHARE = 0.65  # a long sentence may make the window at most this tall (of the screen)
WIDEN_SHARE = 0.7  # and, if that is not enough, this wide
COMPACT_BELOW = 600  # screens less tall than this (logical px) get no situation buttons
SAFETY_PX = 4  # what a label's own rounding may add to measured text


def default_size(area: QRect) -> tuple[int, int]:
    """The first size on a screen: small enough to leave the business system its room."""
    return min(560, int(area.width() * 0.55)), min(300, int(area.height() * 0.45))


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
        keys: dict[str, str] | None = None,
    ) -> None:
        super().__init__(None)
        self._bold = bold  # a bold CJK face is another font file in memory
        self._font_size = font_size
        self._keys = keys or {}  # action -> its combination, as the clerk reads it
        self._page_key = self._keys.get("next_page", "")  # what the page badge says to press
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
        self._drag_start: QPoint | None = None
        self._base = QRect()  # the size and place the clerk chose; a long sentence grows it
        self._grown = False  # larger than _base, for the sentence shown now
        self._text = ""
        self._pages: list[str] = [""]
        self._page = 0
        self._save_timer = QTimer(self, singleShot=True, interval=500, timeout=self.save_geometry)
        self._build(font_size, situations)
        self._reminder_index = 0
        self._note = ""
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
        for label in (self.title_label, self.status_label):  # clipped, never widening
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.menu_button = QToolButton(text="☰", objectName="menuButton", toolTip="菜单")
        self.menu_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        header.addWidget(self.title_label, 3)
        header.addWidget(self.status_label, 2, Qt.AlignmentFlag.AlignRight)
        header.addWidget(self.menu_button)
        outer.addLayout(header)

        self.customer = CustomerStrip(font_size, self._keys.get("fields", ""))
        outer.addWidget(self.customer)

        self.heading_label = ElidedLabel("", objectName="heading")
        outer.addWidget(self.heading_label)

        self.prompt_label = PromptLabel("", objectName="prompt")
        self.prompt_label.setWordWrap(True)
        self.prompt_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.prompt_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.prompt_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        font = QFont(self.prompt_label.font())
        font.setPointSize(font_size)
        font.setBold(self._bold)
        self.prompt_label.setFont(font)
        outer.addWidget(self.prompt_label, 1)

        self.context_label = QLabel("", objectName="context")
        self.context_label.setWordWrap(True)
        self.context_label.hide()
        outer.addWidget(self.context_label)

        self.buttons_box = QWidget()
        grid = QGridLayout(self.buttons_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(3)
        self.situation_buttons: dict[str, QPushButton] = {}
        for i, (key, title, hotkey) in enumerate(situations):
            number = (i + 1) % 10
            button = QPushButton(f"{number} {title}", objectName="situation")
            button.setToolTip(text.key_text(hotkey))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, k=key: self.action_requested.emit(k, "click"))
            grid.addWidget(button, i // 5, i % 5)
            self.situation_buttons[key] = button
        outer.addWidget(self.buttons_box)

        self.notice_label = QLabel("", objectName="notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        outer.addWidget(self.notice_label)

        line = QFrame(frameShape=QFrame.Shape.HLine, objectName="rule")
        outer.addWidget(line)
        self.reminder_label = ElidedLabel(REMINDERS[0], objectName="reminder")
        self.page_label = QLabel("", objectName="page")  # in place of the reminder
        self.page_label.hide()
        footer = QHBoxLayout()
        footer.addWidget(self.page_label)
        footer.addWidget(self.reminder_label, 1)
        # Frameless windows have no border to drag: the grip resizes, the body moves.
        self.size_grip = QSizeGrip(self)
        self.size_grip.installEventFilter(self)
        footer.addWidget(
            self.size_grip, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight
        )
        outer.addLayout(footer)

    def set_situation_titles(self, titles: dict[str, str]) -> None:
        """The buttons' words after a new version of the center's texts."""
        for i, (key, button) in enumerate(self.situation_buttons.items()):
            if key in titles:
                button.setText(f"{(i + 1) % 10} {titles[key]}")

    def set_menu(self, menu: QMenu) -> None:
        self.menu_button.setMenu(menu)

    # --- content --------------------------------------------------------
    def show_prompt(
        self,
        heading: str,
        prompt: str,
        context: str = "",
        locked: bool = False,
        note: str = "",
        hint: bool = False,
    ) -> None:
        """A sentence to say (or, ``locked``/``hint``, a message to the clerk, not to say)."""
        self.heading_label.setText(heading)
        kind = "locked" if locked else "hint" if hint else "prompt"
        self.prompt_label.setProperty("kind", kind)
        repolish(self.prompt_label)
        self.set_context(context)
        self._note = note
        self.reminder_label.setText(note or REMINDERS[self._reminder_index])
        if not self.isVisible():
            self.show_quietly()
        self._text = prompt
        self._lay_out_text()

    def set_context(self, context: str) -> None:
        self.context_label.setText(context)
        self.context_label.setVisible(bool(context))

    def set_customer(self, details: list[tuple[str, str]], ended: bool) -> None:
        """The strip: whose details are filled in, the name first and bold."""
        self.customer.show_details(details, ended)

    def set_status(self, status: str, warning: bool = False) -> None:
        self.status_label.setText(status)
        self.status_label.setToolTip(status)
        self.status_label.setProperty("warning", warning)
        repolish(self.status_label)

    def set_notices(self, notices: list[str]) -> None:
        """Notices take room from the sentence: it is laid out again to stay whole (a
        notice may come while a sentence is shown: the database check after start)."""
        text = "\n".join(notices)
        if text == self.notice_label.text() and self.notice_label.isHidden() != bool(notices):
            return
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(notices))
        if self._text:
            reading = sum(len(p) for p in self._pages[: self._page])  # where the page begins
            self._lay_out_text()
            end = 0
            for index, page in enumerate(self._pages):  # the page that holds it, again
                end += len(page)
                if reading < end:
                    if index:
                        self._show_page(index)
                    break

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.title_label.setToolTip(title)
        self.setWindowTitle(title)

    def _next_reminder(self) -> None:
        self._reminder_index = (self._reminder_index + 1) % len(REMINDERS)
        if not self._note:
            self.reminder_label.setText(REMINDERS[self._reminder_index])

    # --- the whole sentence: smaller type, a taller window, then pages ------------
    @property
    def pages(self) -> list[str]:
        return list(self._pages)

    @property
    def page(self) -> int:
        return self._page

    def next_page(self) -> None:
        """The next page of a long sentence; after the last, the first again."""
        if len(self._pages) > 1:
            self._show_page((self._page + 1) % len(self._pages))
            log.debug("page %d/%d shown", self._page + 1, len(self._pages))

    def _show_page(self, index: int) -> None:
        self._page = index
        self.prompt_label.setText(self._pages[index])
        many = len(self._pages) > 1
        if many:
            key = f"  {self._page_key} 翻页" if self._page_key else ""
            self.page_label.setText(f"第 {index + 1}/{len(self._pages)} 页{key}")
        self._show_badge(many)

    def _show_badge(self, shown: bool) -> None:
        self.page_label.setVisible(shown)
        self.reminder_label.setVisible(not shown)

    def _box(self) -> tuple[int, int, int]:
        """(text width, text height, what the rest of the window takes in height) now."""
        self.layout().invalidate()
        self.layout().activate()
        label = self.prompt_label
        inner = label.contentsRect()
        chrome = self.height() - inner.height()
        return inner.width() - SAFETY_PX, inner.height() - SAFETY_PX, chrome

    def _lay_out_text(self) -> None:
        """Whole, in this order: the largest type down to MIN_READABLE_PT in the size the
        clerk chose; else the window taller, then wider (type as large as then fits, the
        height trimmed to the text); else pages at the smallest type."""
        self._pages, self._page = [self._text], 0
        self._show_page(0)
        self._restore_base()
        largest = float(self._font_size)
        smallest = float(min(self._font_size, MIN_READABLE_PT))
        font = self.prompt_label.font()
        width, height, chrome = self._box()
        points = largest_fitting(font, self._text, width, height, largest, smallest)
        small = sized(font, smallest)
        for widen in (False, True):
            if points is not None:
                break
            self._grow(text_height(small, self._text, width) + SAFETY_PX + chrome, widen)
            width, height, chrome = self._box()
            points = largest_fitting(font, self._text, width, height, largest, smallest)
            if points is not None and self.height() > self._base.height():
                needed = text_height(sized(font, points), self._text, width) + SAFETY_PX + chrome
                self._set_height(max(needed, self._base.height()))
        if points is None:  # measured again with the page badge in its place
            points = smallest
            self.page_label.setText(f"第 1/9 页  {self._page_key} 翻页")
            self._show_badge(True)
            width, height, _ = self._box()
            self._pages = split_pages(small, self._text, width, height)
        self.prompt_label.setFont(sized(font, points))
        self._show_page(0)
        if len(self._pages) > 1:
            log.debug("prompt shown in %d pages at %s pt", len(self._pages), points)

    def _set_height(self, height: int) -> None:
        rect = QRect(self.geometry())
        bottom = rect.bottom()
        rect.setHeight(height)
        if self._base.center().y() > available_for(self).center().y():
            rect.moveBottom(bottom)
        self.setGeometry(rect)

    def _grow(self, wanted: int, widen: bool) -> None:
        """Up to ``wanted`` tall within GROW_SHARE of the screen's height, and with
        ``widen`` as wide as WIDEN_SHARE of its width; the edges nearest the screen's
        middle move, the others stay where the clerk put them."""
        area = available_for(self)
        base = self._base if self._base.isValid() else self.geometry()
        rect = QRect(self.geometry())
        limit = max(base.height(), int(area.height() * GROW_SHARE))
        height = min(max(wanted, rect.height()), limit, area.height())
        width = rect.width()
        if widen:
            width = min(max(width, int(area.width() * WIDEN_SHARE)), area.width())
        if (width, height) == (rect.width(), rect.height()):
            return
        bottom, right = base.bottom(), base.right()
        rect.setSize(QSize(width, height))
        if base.center().y() > area.center().y():  # in the lower half: grow upwards
            rect.moveBottom(bottom)
        if base.center().x() > area.center().x():  # in the right half: grow leftwards
            rect.moveRight(right)
        self._grown = True
        self.setGeometry(fit_inside(rect, area))

    def _restore_base(self) -> None:
        """Back to the clerk's size after a long sentence; else the size now is theirs."""
        if self._grown and self._base.isValid():
            self.setGeometry(self._base)
        else:
            self._base = self.geometry()
        self._grown = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.size_grip and event.type() == QEvent.Type.MouseButtonRelease:
            self._base, self._grown = self.geometry(), False  # the clerk chose this size
            QTimer.singleShot(0, self._lay_out_text)
        return super().eventFilter(obj, event)

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
            self._drag_start = self.pos()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_offset is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_offset)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_start is not None and self._base.isValid():
            self._base.translate(self.pos() - self._drag_start)  # moved by the clerk
        self._drag_offset = self._drag_start = None
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
        if not self._grown:
            self._base = self.geometry()
        g = self._base
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
        area = available_for(None)
        self.buttons_box.setVisible(area.height() >= COMPACT_BELOW)
        width, height = default_size(area)
        self._base = place_on_screen(rect, width, height)
        self.setGeometry(self._base)
        if QGuiApplication.platformName() == "xcb":  # after the first paint: a query costs
            QTimer.singleShot(STEP_ASIDE_MS, self.step_aside)

    def step_aside(self) -> None:
        """Another user's prompt window on this display: never cover it exactly."""
        g = self._base if self._base.isValid() else self.geometry()
        placed = place_on_screen(g, g.width(), g.height(), other_instance_rects())
        if placed != g:
            log.info("another Counter Assistant window is there; moved to %s", placed)
            shift = placed.topLeft() - g.topLeft()
            self._base = placed
            self.setGeometry(self.geometry().translated(shift) if self._grown else placed)


STEP_ASIDE_MS = 1500


def other_instance_rects() -> list[QRect]:
    """Other Counter Assistant windows on this X display (another user's); [] elsewhere."""
    if QGuiApplication.platformName() != "xcb":
        return []  # Windows: one session per display
    from counter_assistant.platform.x11_windows import other_instances_on

    return [QRect(w.x, w.y, w.width, w.height) for w in other_instances_on()]
