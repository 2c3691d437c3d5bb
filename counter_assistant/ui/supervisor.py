"""The supervisors' window: pages in tabs, the reports first.

Other pages (the center server's live "today", the fleet of counters) are added with
add_page(); the window itself only holds them and guards closing mid-export.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QTabWidget, QWidget

from counter_assistant.reports.export import Options
from counter_assistant.ui.qt_texts import install_chinese_qt_texts
from counter_assistant.ui.report_page import ReportPage
from counter_assistant.ui.screen import fit_window, scrolling_body

TITLE = "窗口服务助手 - 统计报表"


class SupervisorWindow(QMainWindow):
    def __init__(self, ctx=None, parent: QWidget | None = None, *, tasks) -> None:
        """ctx: the app Context (optional): its calendar, business catalog and roster
        name things in the reports, and its counter database is preselected.
        tasks: the TaskRunner that previews and exports off the GUI thread."""
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        app = QApplication.instance()
        if app is not None:
            install_chinese_qt_texts(app)
        self.tasks = tasks
        self.ctx = ctx  # reports from the server use a copy with the published content
        options = Options.from_context(ctx) if ctx is not None else Options()
        own = getattr(getattr(ctx, "paths", None), "database", None)
        self.tabs = QTabWidget()
        self.tabs.setTabBarAutoHide(True)  # one page: no tab bar
        self.setCentralWidget(scrolling_body(self.tabs))  # a small screen scrolls it
        self.reports = ReportPage(tasks, options, own)
        self.add_page("统计报表", self.reports)
        fit_window(self, QSize(1120, 700))

    def add_page(self, title: str, widget: QWidget, first: bool = False) -> int:
        """Add a page; first puts it before the others and shows it."""
        if first:
            index = self.tabs.insertTab(0, widget, title)
            self.tabs.setCurrentIndex(index)
            return index
        return self.tabs.addTab(widget, title)

    # What other pages use: the live page loads the server's records into the reports.
    @property
    def pages(self) -> QTabWidget:
        return self.tabs

    @property
    def date_from(self):
        return self.reports.date_from

    @property
    def date_to(self):
        return self.reports.date_to

    @property
    def paths(self) -> list[Path]:
        return self.reports.inputs

    def set_paths(self, paths: list[Path]) -> None:
        """Report on these databases (or folders); the reports page is shown."""
        self.reports.set_inputs(paths)
        self.tabs.setCurrentWidget(self.reports)

    def closeEvent(self, event: QCloseEvent) -> None:
        exporter = self.reports.exporter
        if exporter.running:
            answer = QMessageBox.question(
                self,
                TITLE,
                "报表正在导出。要取消导出并关闭窗口吗？\n（已写入的部分会被删除，不会留下不完整的文件。）",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            exporter.cancel_and_wait()  # nothing half-written is left when the window goes
        self.reports.shutdown()
        event.accept()


def run_supervisor(ctx, url: str | None = None, center: str | None = None) -> int:
    """The report window on its own. Where the config in force sets a supervisor PIN (a
    counter PC), it is asked first, as from the counter's menu. With a server (--url or
    [sync] url) its first page is today, live, at every counter."""
    from counter_assistant.core.pin import PinGuard
    from counter_assistant.ui.gc_guard import GarbageCollector
    from counter_assistant.ui.pin_dialog import ask_pin
    from counter_assistant.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_chinese_qt_texts(app)
    app._collector = GarbageCollector(app)  # Qt objects are destroyed on the GUI thread only
    stored = ctx.config.supervisor_pin_hash
    if stored and not ask_pin(None, stored, PinGuard(ctx.paths.pin_state_file)):
        return 1
    tasks = TaskRunner()
    window = SupervisorWindow(ctx, tasks=tasks)
    url = url or ctx.config.sync_url
    if url:
        from counter_assistant.ui.live_page import open_server_pages

        center_id = center if center is not None else ctx.config.center_id
        open_server_pages(window, tasks, url, ctx.config.sync_password_file, center_id)
    window.show()
    try:
        return app.exec()
    finally:
        # A cancelled export removes its temporary file before the process ends.
        tasks.shutdown(wait=True)
