"""The reports page of the supervisor window: sources, range, report, preview, export.

The preview follows the inputs: a change waits a moment for the next one, then the
preview is built off the GUI thread (the TaskRunner) while a busy bar shows; a newer
preview makes an older one stop and be dropped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_assistant.reports.export import ExportError, Options, export_report
from counter_assistant.reports.preview import Preview, preview
from counter_assistant.reports.sources import Skipped
from counter_assistant.reports.words import REPORT_NAMES
from counter_assistant.ui.export_panel import ERROR_STYLE, NOTE_STYLE, ExportPanel
from counter_assistant.ui.report_model import TableModel

REPORT_CHOICES = [
    ("每日汇总（含按人员、趋势、告知单）", "daily"),
    ("准备与收尾合规（第十四、十六条）", "compliance"),
    ("准备与收尾（逐日）", "checklists"),
    ("使用明细（每次使用一行）", "events"),
]
FORMAT_CHOICES = [("Excel 工作簿 (*.xlsx)", "xlsx"), ("CSV 文件 (*.csv)", "csv")]
LANG_CHOICES = [("中文", "zh"), ("English", "en")]
DEBOUNCE_MS = 300
MAX_COLUMN_PX = 320


def _to_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def suggested_name(report: str, lang: str, d0: date, d1: date, fmt: str) -> str:
    if lang == "en":
        return f"counter-report_{report}_{d0}_{d1}.{fmt}"
    return f"窗口服务统计_{REPORT_NAMES[report][0]}_{d0}_{d1}.{fmt}"


class ReportPage(QWidget):
    preview_ready = Signal(object)  # Preview, or the message shown for a failure

    def __init__(
        self,
        tasks,
        options: Options | None = None,
        own_db: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.options = options or Options()
        self.own_db = Path(own_db) if own_db is not None else None  # never an export's target
        self.inputs: list[Path] = []
        self._preview_task = None
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_preview)

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
            edit.dateChanged.connect(self.schedule_preview)
        self.report = _combo(REPORT_CHOICES)
        self.report.currentIndexChanged.connect(self.schedule_preview)
        self.fmt = _combo(FORMAT_CHOICES)
        self.lang = _combo(LANG_CHOICES)

        form = QFormLayout()
        form.addRow("数据库：", self.source_label)
        form.addRow("", _wrap(pick_row))
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        form.addRow("日期：", _wrap(dates))
        form.addRow("报表：", self.report)
        options_row = QHBoxLayout()
        options_row.addWidget(self.fmt)
        options_row.addWidget(QLabel("语言："))
        options_row.addWidget(self.lang)
        options_row.addStretch(1)
        form.addRow("格式：", _wrap(options_row))

        self.banner = QLabel("")  # files not read, calendar problems
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setVisible(False)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.model = TableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.exporter = ExportPanel(tasks, self)
        self.exporter.export_button.clicked.connect(self._choose_output)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.busy)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.exporter)
        if own_db is not None and Path(own_db).is_file():
            self.set_inputs([Path(own_db)])

    # -- choosing sources ---------------------------------------------------------------

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择存放各窗口数据库或备份的文件夹")
        if folder:
            self.set_inputs([Path(folder)])

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "选择数据库文件", "", "数据库 (*.sqlite3 *.sqlite *.db *.bak);;所有文件 (*)"
        )
        if files:
            self.set_inputs([Path(f) for f in files])

    def set_inputs(self, inputs: list[Path]) -> None:
        """Database files or folders of them; the preview follows."""
        self.inputs = list(inputs)
        names = "、".join(p.name + ("/" if p.is_dir() else "") for p in self.inputs[:6])
        more = f" 等 {len(self.inputs)} 个" if len(self.inputs) > 6 else ""
        self.source_label.setText(names + more if self.inputs else "尚未选择数据库")
        self.schedule_preview()

    def range(self) -> tuple[date, date]:
        return _to_date(self.date_from.date()), _to_date(self.date_to.date())

    # -- preview ------------------------------------------------------------------------

    def schedule_preview(self) -> None:
        self._timer.start()

    def refresh_preview(self) -> None:
        """Build the preview off the GUI thread; an older one still running is stopped."""
        self._timer.stop()
        if self._preview_task is not None:
            self._preview_task.cancel()
        self._generation += 1
        generation = self._generation
        if not self.inputs:
            self.model.set_table(None, self.model.words)
            self._show_summary("请先选择存放各窗口数据库的文件夹，或选择数据库文件。")
            return
        inputs, (d0, d1), report = list(self.inputs), self.range(), self.report.currentData()
        options = self.options

        def build(cancel):
            return preview(inputs, d0, d1, report, options, cancel)

        self.busy.setVisible(True)
        self.table.setEnabled(False)
        self._show_summary(f"正在读取 {d0} 至 {d1} 的记录…")
        self._preview_task = self.tasks.run(
            build,
            lambda result: self._preview_done(generation, result),
            lambda error: self._preview_failed(generation, error),
        )

    def _preview_done(self, generation: int, result: Preview) -> None:
        if generation != self._generation:
            return  # the inputs changed meanwhile; a newer preview is coming
        self._preview_task = None
        self.busy.setVisible(False)
        self.table.setEnabled(True)
        self.model.set_table(result.table, result.words)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for c in range(self.model.columnCount()):
            header.resizeSection(c, min(header.sectionSize(c) + 12, MAX_COLUMN_PX))
        self._show_banner(result.skipped)
        d0, d1 = self.range()
        text = f"{d0} 至 {d1}：{len(result.counters)} 个窗口，共使用提示 {result.uses:,} 次。"
        if result.flagged:
            where = "红色" if self.report.currentData() == "checklists" else "导出后见“每日明细”"
            text += f" 需处理 {result.flagged} 个窗口·天（{where}）。"
        if result.silent:
            text += f" 无记录的窗口：{'、'.join(result.silent)}。"
        self._show_summary(text, NOTE_STYLE if result.silent or result.flagged else "")
        self.preview_ready.emit(result)

    def _preview_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._preview_task = None
        self.busy.setVisible(False)
        self.table.setEnabled(True)
        self.model.set_table(None, self.model.words)
        self._show_banner([])
        text = str(error) if isinstance(error, ExportError) else f"预览失败：{error}"
        self._show_summary(text, ERROR_STYLE)
        self.preview_ready.emit(text)

    def _show_banner(self, skipped: list[Skipped]) -> None:
        lines = [f"未能读取、不计入报表的文件：{s}" for s in skipped]
        lines += [f"节假日日历：{p}" for p in self.options.calendar_problems]
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))

    def _show_summary(self, text: str, style: str = "") -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet(style)

    # -- export -------------------------------------------------------------------------

    def _choose_output(self) -> None:
        fmt, lang = self.fmt.currentData(), self.lang.currentData()
        d0, d1 = self.range()
        name = suggested_name(self.report.currentData(), lang, d0, d1, fmt)
        folder = self.inputs[0] if self.inputs and self.inputs[0].is_dir() else Path.home()
        out, _ = QFileDialog.getSaveFileName(
            self, "导出到", str(folder / name), self.fmt.currentText()
        )
        if out:
            if not out.lower().endswith("." + fmt):
                out += "." + fmt
            self.export_to(Path(out), fmt)

    def export_to(self, out: Path, fmt: str | None = None) -> None:
        """Start the export; the export panel's finished signal fires when it ends.
        The file dialog has already asked before replacing an existing file."""
        if not self.inputs:
            self.exporter.show_status("请先选择数据库文件或文件夹。", ERROR_STYLE)
            return
        fmt = fmt or self.fmt.currentData()
        inputs, (d0, d1) = list(self.inputs), self.range()
        report, lang, options = self.report.currentData(), self.lang.currentData(), self.options
        protected = [self.own_db] if self.own_db is not None else []

        def job(progress, cancel):
            return export_report(
                inputs, d0, d1, report, fmt, out, lang, progress,
                force=True, protected=protected, options=options, cancel=cancel,
            )  # fmt: skip

        self.exporter.start(job, out)

    def shutdown(self) -> None:
        self._timer.stop()
        if self._preview_task is not None:
            self._preview_task.cancel()


def _combo(choices: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    for label, key in choices:
        box.addItem(label, key)
    return box


def _wrap(layout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w
