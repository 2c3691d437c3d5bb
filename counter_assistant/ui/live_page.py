"""今日实况: every counter of the center on one screen, read from the server.

The first page of the supervisors' window when it is connected to the center's server.
It refreshes itself every 30 seconds off the GUI thread (TaskRunner); a counter not seen
today stands out in red, one silent for some minutes in amber. The same connection
loads the report pages with the server's records instead of a folder of files.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)
REFRESH_MS = 30_000
SILENT_MINUTES = 3  # a running counter sends its status about once a minute
HEADERS = ["窗口", "最后在线", "在岗人员", "岗前准备", "今日提示", "待同步", "热键", "版本",
           "话术版本", "备注"]  # fmt: skip
NOTES = len(HEADERS) - 1
NUMBERS = (4, 5)  # right-aligned columns
RED, AMBER, GREEN, GREY = (QColor(c) for c in ("#c62828", "#b45309", "#2e7d32", "#6b7280"))
MISSED_BG = QColor("#fdecea")
READING = "正在读取…"


@dataclass
class ServerLink:
    """Where the supervisors' account logs in; the password never leaves memory."""

    url: str
    password: str | None
    center_id: str

    def connect(self):
        from counter_assistant.sync.connection import connect

        return connect(self.url, self.password, application_name="counter-assistant supervisor")


def read_live(link: ServerLink, today: date):
    from counter_assistant.sync.connection import close_quietly
    from counter_assistant.sync.live import today_at_counters

    con = link.connect()
    try:
        return today_at_counters(con, link.center_id, today)
    finally:
        close_quietly(con)


def fetch_for_reports(link: ServerLink, folder: Path, d0: date, d1: date, ctx=None):
    """(the range's databases, the report options of the center's published content or
    None). ctx: the window's Context, copied: the published calendar, hours and catalog
    name things in the reports; the app's own context is never changed."""
    from counter_assistant.sync.connection import close_quietly
    from counter_assistant.sync.fetch import fetch_range

    con = link.connect()
    try:
        paths = fetch_range(con, folder, d0, d1, link.center_id)
        return paths, (published_options(con, ctx, link.center_id) if ctx else None)
    finally:
        close_quietly(con)


def published_options(con, ctx, center_id: str):
    import copy
    from dataclasses import replace

    from counter_assistant.reports.export import Options
    from counter_assistant.sync.connection import sqlstate
    from counter_assistant.sync.content_poll import fetch_current

    try:
        content = fetch_current(con, ctx.config, center_id)
    except Exception as exc:  # not checked, or not readable: the local files are used
        if sqlstate(exc) is None and not hasattr(exc, "problems"):
            raise
        log.warning("reports from the server: published content not used: %s", exc)
        return None
    if content is None:
        return None
    own = replace(ctx, config=copy.deepcopy(ctx.config), local=dict(ctx.local))
    own.use_content(content)
    return Options.from_context(own)


def cells(c, now_local: datetime) -> tuple[list[str], dict[int, QColor], bool]:
    """The row's texts, colours by column, and whether the whole row stands out."""
    colors: dict[int, QColor] = {}
    if c.prepared_at is not None:
        prep = f"{c.prepared_at:%H:%M}" + (" 迟到" if c.prep_late else "")
        if c.prep_late:
            colors[3] = AMBER
    else:
        prep = "未确认"
        colors[3] = RED
    if c.closed:
        prep += " · 已收尾"
    minutes = c.minutes_since_seen
    if not c.seen_today:
        seen = "今日未上线" if c.last_seen is None else f"今日未上线（最后 {_day(c.last_seen)}）"
        colors[1] = RED
    elif minutes is not None and minutes >= SILENT_MINUTES:
        seen = f"{c.last_seen.astimezone():%H:%M}（{int(minutes)} 分钟无响应）"
        colors[1] = AMBER
    else:
        seen = f"{c.last_seen.astimezone():%H:%M} 在线"
        colors[1] = GREEN
    # what a counter not seen today last said is stale, except records stuck on it
    waiting = str(c.waiting) if c.waiting and not c.seen_today else "-"
    if c.seen_today and c.waiting is not None:
        waiting = str(c.waiting)
    if c.waiting:
        colors[5] = AMBER
    if c.hotkeys_total and c.seen_today:
        keys = f"{c.hotkeys_armed}/{c.hotkeys_total}"
        if not c.hotkeys_armed:
            colors[6] = RED
    else:
        keys = "-"
    content, color = content_cell(c)
    if color is not None:
        colors[8] = color
    texts = [c.counter_id, seen, c.staff_id or "-", prep, str(c.prompts_today), waiting, keys,
             c.app_version or "-", content, c.last_error if c.seen_today else ""]  # fmt: skip
    return texts, colors, not c.seen_today


def content_cell(c) -> tuple[str, QColor | None]:
    """The center content version a counter runs; one that does not follow stands out."""
    if c.content_version is None:
        return "-", None
    have = f"{c.content_version}" if c.content_version else "本地文件"
    lag = c.content_lag
    if lag == 0:
        return have, None
    if lag == 1:
        return f"{have}（更新中，最新 {c.content_current}）", AMBER
    return f"{have}（落后 {lag} 个版本，最新 {c.content_current}）", RED


def _day(when: datetime) -> str:
    return f"{when.astimezone():%m-%d %H:%M}"


def summary(counters: list, today: date, now_local: datetime) -> str:
    seen = [c for c in counters if c.seen_today]
    prepared = [c for c in counters if c.prepared_at is not None]
    late = [c for c in prepared if c.prep_late]
    missing = [c.counter_id for c in counters if not c.seen_today]
    text = (
        f"{today:%Y-%m-%d} 共 {len(counters)} 个窗口：今日上线 {len(seen)}，已准备 "
        f"{len(prepared)}（迟到 {len(late)}），今日提示 {sum(c.prompts_today for c in counters)}"
        " 次。"
    )
    if missing:
        text += f" 今日未上线：{'、'.join(missing)}。"
    return text + f"  更新于 {now_local:%H:%M:%S}"


class LivePage(QWidget):
    """tasks: the TaskRunner; today: the supervisor PC's date (tests pass their own)."""

    refreshed = Signal(list)  # the counters just read (the fleet page shows them too)

    def __init__(
        self,
        tasks,
        link: ServerLink | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.link = link
        self.today = today
        self.counters: list = []
        self._busy = False
        self._refresh_failed = False
        self.url_edit = QLineEdit(link.url if link else "")
        self.url_edit.setPlaceholderText("postgresql://主管账号@服务器/数据库")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("密码（未预先配置时填写）")
        self.connect_button = QPushButton("连接")
        self.connect_button.clicked.connect(self._connect_clicked)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("中心服务器："))
        bar.addWidget(self.url_edit, 3)
        bar.addWidget(self.password_edit, 1)
        bar.addWidget(self.connect_button)

        self.summary = QLabel("尚未连接中心服务器。")
        self.summary.setWordWrap(True)
        font = QFont(self.summary.font())
        font.setPointSize(font.pointSize() + 1)
        self.summary.setFont(font)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.legend = QLabel(
            "每分钟由各窗口上报一次；红色：今日未上线、未确认岗前准备或话术落后两个版本以上；"
            f"橙色：迟到、{SILENT_MINUTES} 分钟以上无响应、有记录待同步或话术正在更新。"
            "本页每 30 秒自动刷新。"
        )
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(f"color: {GREY.name()};")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.legend)
        self.timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        if link is not None:
            self.timer.start()
            QTimer.singleShot(0, self.refresh)

    # --- connecting -------------------------------------------------------------------
    def _connect_clicked(self) -> None:
        url = self.url_edit.text().strip()
        if not url.startswith(("postgresql://", "postgres://")):
            self._set_status(
                "请填写中心服务器地址，例如 postgresql://sup_wang@db.center.local/ca", True
            )
            return
        password = self.password_edit.text() or (self.link.password if self.link else None)
        center = self.link.center_id if self.link else ""
        self.link = ServerLink(url, password, center)
        self.timer.start()
        self.refresh()

    # --- refreshing -------------------------------------------------------------------
    def refresh(self) -> None:
        if self.link is None or self._busy:
            return
        self._busy = True
        link, today = self.link, self.today()
        if not self.status.text():  # never over what loading the reports says
            self._set_status(READING)
        self.tasks.run(lambda: read_live(link, today), self._show, self._failed)

    def _show(self, counters: list) -> None:
        self._busy = False
        self.counters = counters
        now = datetime.now().astimezone()
        self.table.setRowCount(len(counters))
        for i, c in enumerate(counters):
            texts, colors, stands_out = cells(c, now)
            for j, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if j in NUMBERS:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if j in colors:
                    item.setForeground(QBrush(colors[j]))
                if stands_out:
                    item.setBackground(QBrush(MISSED_BG))
                    item.setForeground(QBrush(RED))
                if j == NOTES and text:
                    item.setToolTip(text)
                    item.setForeground(QBrush(AMBER))
                self.table.setItem(i, j, item)
        empty = "服务器上还没有本中心的窗口：请 IT 运行 server add-counter。"
        self.summary.setText(summary(counters, self.today(), now) if counters else empty)
        if self.status.text() == READING or self._refresh_failed:
            self._set_status("")  # the refresh's own words only
        self._refresh_failed = False
        self.refreshed.emit(counters)

    def _failed(self, exc: BaseException) -> None:
        from counter_assistant.sync.connection import classify

        self._busy = False
        error = classify(exc)
        log.warning("live page: %s", error)
        hint = "；此页需要主管账号（server add-supervisor）" if error.cause == "permission" else ""
        self._set_status(f"读取中心服务器失败：{error}{hint}（30 秒后重试）", True)
        self._refresh_failed = True

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {RED.name()};" if error else "")


def attach_live_page(window, page: LivePage) -> None:
    """The live page first in the report window, and a way to load its reports from the
    server. Uses the window's add_page when it has one; else puts its pages in tabs."""
    add_page = getattr(window, "add_page", None)
    if add_page is not None:
        add_page("今日实况", page, first=True)
    else:
        from PySide6.QtWidgets import QTabWidget

        tabs = QTabWidget()
        reports = window.takeCentralWidget()
        tabs.addTab(page, "今日实况")
        tabs.addTab(reports, "统计报表")
        window.setCentralWidget(tabs)
        window.pages = tabs
    from counter_assistant.ui.fleet_page import FleetPage

    fleet = FleetPage()
    page.refreshed.connect(fleet.show_counters)
    page.fleet = fleet
    if add_page is not None:
        add_page("设备状态", fleet)
    else:
        window.pages.addTab(fleet, "设备状态")
    load = QPushButton("报表改用服务器数据")
    load.setToolTip(
        "从中心服务器读取“统计报表”页所选日期范围内全部窗口的记录，代替文件夹中的数据库"
    )
    load.clicked.connect(lambda: load_reports_from_server(window, page))
    row = page.layout().itemAt(0).layout()
    row.addWidget(load)
    page.load_reports_button = load


def _window_range(window) -> tuple[date, date]:
    edits = getattr(window, "date_from", None), getattr(window, "date_to", None)
    if all(e is not None for e in edits):
        q0, q1 = (e.date() for e in edits)
        return date(q0.year(), q0.month(), q0.day()), date(q1.year(), q1.month(), q1.day())
    today = date.today()
    return today.replace(day=1), today


def load_reports_from_server(window, page: LivePage) -> None:
    """The chosen range's records into temporary databases, then the report pages use
    them (the same report code as for files)."""
    if page.link is None:
        page._set_status("请先连接中心服务器。", True)
        return
    d0, d1 = _window_range(window)
    folder = Path(tempfile.mkdtemp(prefix="ca-server-"))
    page._set_status(f"正在从服务器读取 {d0} 至 {d1} 的记录…")
    link = page.link

    ctx = getattr(window, "ctx", None)

    def done(result) -> None:
        paths, options = result
        page._set_status(f"已读取 {len(paths)} 个窗口 {d0} 至 {d1} 的记录，报表页使用服务器数据。")
        reports = getattr(window, "reports", None)
        if options is not None and reports is not None:
            reports.options = options  # the center's published calendar and names
        window.set_paths(paths)
        pages = getattr(window, "pages", None)
        if pages is not None and hasattr(pages, "setCurrentIndex"):
            pages.setCurrentIndex(1)

    def failed(exc: BaseException) -> None:
        from counter_assistant.sync.connection import classify

        page._set_status(f"读取中心服务器失败：{classify(exc)}", True)

    page.tasks.run(lambda: fetch_for_reports(link, folder, d0, d1, ctx), done, failed)
    window.destroyed.connect(lambda: _remove(folder))


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def open_server_pages(window, tasks, url: str, password_file: str, center_id: str) -> LivePage:
    """The report window connected to the server: the live page first. The password:
    the URL's, COUNTER_ASSISTANT_SYNC_PASSWORD, the password file, or typed in the page."""
    from counter_assistant.sync.connection import ServerError, read_password

    try:
        password = read_password(password_file)
    except ServerError as exc:
        log.warning("live page: %s", exc)
        password = None
    page = LivePage(tasks, ServerLink(url, password, center_id))
    attach_live_page(window, page)
    from PySide6.QtCore import QSize

    from counter_assistant.ui.screen import fit_window

    fit_window(window, QSize(max(window.width(), 1000), max(window.height(), 620)))
    return page
