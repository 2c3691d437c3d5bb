"""The supervisors' report window: pick databases, a date range and a report; export."""

from __future__ import annotations

import sys
import threading
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_assistant.reports.export import (
    ExportError,
    ExportSummary,
    export_report,
    find_databases,
    preview,
    preview_checklists,
)
from counter_assistant.reports.query import HEADERS, WORDS

TITLE = "窗口服务助手 - 统计报表"
REPORT_CHOICES = [("使用明细（每次使用一行）", "events"), ("每日汇总", "daily"),
                  ("准备与收尾", "checklists")]  # fmt: skip
FORMAT_CHOICES = [("Excel 工作簿 (*.xlsx)", "xlsx"), ("CSV 文件 (*.csv)", "csv")]
MISSING_COLOR = QColor("#c62828")


def _to_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class _ExportSignals(QObject):
    progress = Signal(int, int)
    done = Signal(object)  # ExportSummary
    failed = Signal(str)


class SupervisorWindow(QMainWindow):
    export_finished = Signal(object)  # ExportSummary, or an error message str

    def __init__(
        self, ctx: object | None = None, parent: QWidget | None = None, tasks=None
    ) -> None:
        """ctx: the app Context (optional); its counter database is preselected if present.
        tasks: the TaskRunner that reads and exports off the GUI thread."""
        if isinstance(ctx, QWidget):  # SupervisorWindow(parent) also works
            ctx, parent = None, ctx
        super().__init__(parent)
        self.tasks = tasks
        self.setWindowTitle(TITLE)
        self.paths: list[Path] = []
        self._thread: threading.Thread | None = None
        self._signals = _ExportSignals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)

        self.source_label = QLabel("尚未选择数据库")
        self.source_label.setWordWrap(True)
        pick_folder = QPushButton("选择文件夹…")
        pick_folder.clicked.connect(self._choose_folder)
        pick_files = QPushButton("选择文件…")
        pick_files.clicked.connect(self._choose_files)
        pick_row = QHBoxLayout()
        pick_row.addWidget(pick_folder)
        pick_row.addWidget(pick_files)
        pick_row.addStretch(1)

        today = date.today()
        self.date_from = QDateEdit(QDate(today.year, today.month, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.report = QComboBox()
        for label, key in REPORT_CHOICES:
            self.report.addItem(label, key)
        self.fmt = QComboBox()
        for label, key in FORMAT_CHOICES:
            self.fmt.addItem(label, key)

        form = QFormLayout()
        form.addRow("数据库：", self.source_label)
        form.addRow("", _wrap(pick_row))
        form.addRow("开始日期：", self.date_from)
        form.addRow("结束日期：", self.date_to)
        form.addRow("报表：", self.report)
        form.addRow("格式：", self.fmt)

        self.preview_button = QPushButton("预览")
        self.preview_button.clicked.connect(self.refresh_preview)
        self.export_button = QPushButton("导出…")
        self.export_button.clicked.connect(self._choose_output)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["窗口", "情形", "情形键", "次数"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        layout = QVBoxLayout()
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.setCentralWidget(_wrap(layout))
        self.resize(720, 560)
        own = getattr(getattr(ctx, "paths", None), "database", None)
        if own is not None and Path(own).is_file():
            self.set_paths([Path(own)])

    # choosing sources -------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择存放各窗口数据库或备份的文件夹")
        if folder:
            self.load_folder(Path(folder))

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "选择数据库文件", "", "数据库 (*.sqlite3 *.sqlite *.db *.bak);;所有文件 (*)"
        )
        if files:
            self.set_paths([Path(f) for f in files])

    def load_folder(self, folder: Path) -> None:
        try:
            paths = find_databases(folder)
        except ExportError as exc:
            self._error(str(exc))
            return
        if not paths:
            self._error(f"{folder} 中没有找到窗口服务助手的数据库。")
        self.set_paths(paths)

    def set_paths(self, paths: list[Path]) -> None:
        self.paths = list(paths)
        names = "、".join(p.name for p in self.paths[:6])
        more = f" 等 {len(self.paths)} 个" if len(self.paths) > 6 else ""
        self.source_label.setText(
            f"{len(self.paths)} 个数据库：{names}{more}" if self.paths else "尚未选择数据库"
        )
        if self.paths:
            self.refresh_preview()

    # preview ----------------------------------------------------------------
    def _range(self) -> tuple[date, date]:
        return _to_date(self.date_from.date()), _to_date(self.date_to.date())

    def refresh_preview(self) -> None:
        self.table.setRowCount(0)
        if not self.paths:
            self._error("请先选择数据库文件或文件夹。")
            return
        if self.report.currentData() == "checklists":
            self._preview_checklists()
            return
        self.table.setColumnCount(4)
        self.table.setHorizontalHeaderLabels(["窗口", "情形", "情形键", "次数"])
        d0, d1 = self._range()
        try:
            rows = preview(self.paths, d0, d1)
        except ExportError as exc:
            self._error(str(exc))
            return
        self.table.setRowCount(len(rows))
        missing = []
        for i, row in enumerate(rows):
            if row["missing"]:
                missing.append(row["counter"])
                cells = [row["counter"], "无记录", "", "0"]
            else:
                cells = [row["counter"], row["title"], row["situation"], str(row["count"])]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if row["missing"]:
                    item.setForeground(QBrush(MISSING_COLOR))
                    item.setToolTip("该窗口在所选日期范围内没有任何使用记录")
                self.table.setItem(i, j, item)
        total = sum(r["count"] for r in rows)
        text = f"{d0} 至 {d1}：共 {total} 次使用。"
        if missing:
            text += f" 无记录的窗口：{'、'.join(missing)}。"
        self._set_status(text, error=bool(missing))

    def _preview_checklists(self) -> None:
        d0, d1 = self._range()
        try:
            rows = preview_checklists(self.paths, d0, d1)
        except ExportError as exc:
            self._error(str(exc))
            return
        headers = HEADERS["checklists"]["zh"]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        flagged = 0
        for i, row in enumerate(rows):
            # Prompts used without a confirmed preparation, or a late one: what to look at.
            unprepared = row[4] == WORDS["zh"]["none"] and row[-1] > 0
            late = row[4] == WORDS["zh"]["yes"]
            flagged += unprepared or late
            for j, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if unprepared or late:
                    item.setForeground(QBrush(MISSING_COLOR))
                self.table.setItem(i, j, item)
        text = f"{d0} 至 {d1}：{len(rows)} 行（每个窗口每天一行）。"
        if flagged:
            text += f" 其中 {flagged} 天未确认准备却有使用，或准备迟到（红色）。"
        self._set_status(text, error=bool(flagged))

    # export -----------------------------------------------------------------
    def _choose_output(self) -> None:
        fmt = self.fmt.currentData()
        d0, d1 = self._range()
        suggested = f"窗口服务统计_{self.report.currentData()}_{d0}_{d1}.{fmt}"
        label = self.fmt.currentText()
        out, _ = QFileDialog.getSaveFileName(self, "导出到", suggested, label)
        if out:
            if not out.lower().endswith("." + fmt):
                out += "." + fmt
            self.export_to(Path(out), fmt)

    def export_to(self, out: Path, fmt: str | None = None) -> None:
        """Start the export in a worker thread; export_finished fires when it ends."""
        if self._thread is not None and self._thread.is_alive():
            return
        if not self.paths:
            self._error("请先选择数据库文件或文件夹。")
            return
        d0, d1 = self._range()
        fmt = fmt or self.fmt.currentData()
        report = self.report.currentData()
        self.export_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._set_status("正在导出…")
        signals, paths = self._signals, list(self.paths)

        def work() -> None:  # no widget access here: only signals
            try:
                summary = export_report(
                    paths, d0, d1, report, fmt, out, progress=signals.progress.emit
                )
            except ExportError as exc:
                signals.failed.emit(str(exc))
            except Exception as exc:  # unexpected: still tell the supervisor
                signals.failed.emit(f"导出失败：{exc}")
            else:
                signals.done.emit(summary)

        self._thread = threading.Thread(target=work, name="report-export", daemon=True)
        self._thread.start()

    def _on_progress(self, done: int, total: int) -> None:
        scale = max(1, total // 1_000_000 + 1)  # QProgressBar takes int32
        self.progress.setRange(0, max(1, total // scale))
        self.progress.setValue(done // scale)

    def _on_done(self, summary: ExportSummary) -> None:
        self.export_button.setEnabled(True)
        self.progress.setVisible(False)
        text = f"已导出 {summary.rows} 行到 {summary.out}。"
        if summary.missing_counters:
            text += f" 注意：{'、'.join(summary.missing_counters)} 在此日期范围内无记录。"
        self._set_status(text, error=bool(summary.missing_counters))
        self.export_finished.emit(summary)

    def _on_failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.progress.setVisible(False)
        self._error(message)
        self.export_finished.emit(message)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {MISSING_COLOR.name()};" if error else "")

    def _error(self, text: str) -> None:
        self._set_status(text, error=True)


def _wrap(layout) -> QWidget:
    w = QWidget()
    w.setLayout(layout)
    return w


def run_supervisor(ctx, url: str | None = None, center: str | None = None) -> int:
    """The report window on its own. Where the config in force sets a supervisor PIN (a
    counter PC), it is asked first, as from the counter's menu. With a server (--url or
    [sync] url) its first page is today, live, at every counter."""
    from counter_assistant.core.pin import PinGuard
    from counter_assistant.ui.pin_dialog import ask_pin
    from counter_assistant.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
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
        tasks.shutdown(wait=False)
