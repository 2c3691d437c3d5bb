"""The export part of the report window: real progress, cancel, open the result.

The export runs through the TaskRunner; its progress comes back batch by batch
through a signal. Cancelling sets the task's cancel event: the export stops between
batches and removes its temporary file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from counter_assistant.reports.export import Cancelled, ExportError, ExportSummary

ERROR_STYLE = "color: #c62828;"
NOTE_STYLE = "color: #8a5a00;"
DONE_STYLE = "color: #1b5e20;"

# job(progress, cancel) -> ExportSummary; progress(done, total) from the worker thread
Job = Callable[..., ExportSummary]


class _Progress(QObject):
    changed = Signal(int, int)


class ExportPanel(QWidget):
    finished = Signal(object)  # ExportSummary, or the message shown for a failure

    def __init__(self, tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.task = None
        self._job = 0  # the export the callbacks belong to; 0: none running
        self._jobs = 0
        self.last_out: Path | None = None
        # Not a child of the panel: the worker still holds its emit when the window goes.
        self._signal = _Progress()
        self._signal.changed.connect(self._on_progress)

        self.export_button = QPushButton("导出…")
        self.cancel_button = QPushButton("取消导出")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        self.open_file = QPushButton("打开文件")
        self.open_file.clicked.connect(lambda: self._open(self.last_out))
        self.open_folder = QPushButton("打开所在文件夹")
        self.open_folder.clicked.connect(
            lambda: self._open(self.last_out.parent if self.last_out else None)
        )
        for b in (self.open_file, self.open_folder):
            b.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setVisible(False)

        row = QHBoxLayout()
        for w in (self.export_button, self.cancel_button, self.open_file, self.open_folder):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.note)

    @property
    def running(self) -> bool:
        return self._job != 0

    def start(self, job: Job, out: Path) -> None:
        if self.running:
            return
        self.last_out = None
        for b in (self.open_file, self.open_folder):
            b.setVisible(False)
        self.note.setVisible(False)
        self.export_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)  # busy until the rows are counted
        self.progress.setVisible(True)
        self.show_status(f"正在整理数据，准备导出到 {out.name}…")
        emit = self._signal.changed.emit

        def work(cancel):
            return job(progress=emit, cancel=cancel)

        self._jobs += 1
        self._job = n = self._jobs
        self.task = self.tasks.run(work, lambda s: self._done(n, s), lambda e: self._failed(n, e))

    def cancel(self) -> None:
        """Stop the export between batches; its temporary file is removed."""
        if not self.running or self.task is None:
            return
        self.task.cancel()
        self.cancel_button.setEnabled(False)
        self.show_status("正在取消导出…")
        if self.task.future.cancelled():  # it had not started: no callback will come
            self._failed(self._job, Cancelled())

    def cancel_and_wait(self, timeout: float = 10.0) -> None:
        """Cancel and wait until the export has stopped and removed its temporary file."""
        task = self.task
        self.cancel()
        if task is not None:
            with contextlib.suppress(BaseException):
                task.future.exception(timeout)

    def _on_progress(self, done: int, total: int) -> None:
        if not self.running:
            return
        scale = max(1, total // 1_000_000 + 1)  # QProgressBar takes int32
        self.progress.setRange(0, max(1, total // scale))
        self.progress.setValue(done // scale)
        if total and done < total:
            self.show_status(f"正在导出：已写入 {done:,} 行…")
        elif total:
            self.show_status("正在保存文件…")

    def _finish(self) -> None:
        self.task, self._job = None, 0
        self.export_button.setEnabled(True)
        self.cancel_button.setVisible(False)
        self.progress.setVisible(False)

    def _done(self, job: int, summary: ExportSummary) -> None:
        if job != self._job or not isValid(self):
            return
        self._finish()
        self.last_out = summary.out
        self.show_status(f"已导出 {summary.rows:,} 行到 {summary.out}", DONE_STYLE)
        for b in (self.open_file, self.open_folder):
            b.setVisible(True)
        notes = []
        if summary.missing_counters:
            notes.append(f"{'、'.join(summary.missing_counters)} 在此日期范围内无记录。")
        if summary.skipped:
            names = "；".join(str(s) for s in summary.skipped)
            notes.append(f"未能读取、未计入报表的文件：{names}")
        if summary.problems:
            notes.append(
                "节假日日历有问题（已在报表中按可用部分计算）：" + "；".join(summary.problems)
            )
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))
        self.finished.emit(summary)

    def _failed(self, job: int, error: BaseException) -> None:
        if job != self._job or not isValid(self):
            return
        self._finish()
        if isinstance(error, Cancelled):
            text, style = str(error), ""
        elif isinstance(error, ExportError):
            text, style = str(error), ERROR_STYLE
        else:
            text, style = f"导出失败：{error}", ERROR_STYLE
        self.show_status(text, style)
        self.finished.emit(text)

    def show_status(self, text: str, style: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    def _open(self, path: Path | None) -> None:
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
