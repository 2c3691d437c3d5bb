"""The notice before it is printed: a preview, and the citizen's name for the paper.

Opened only on request (it takes the keyboard, then gives it back). The name is typed
for this one sheet: it is not kept after the dialog closes, recorded or logged, and a
notice that ends up saved as a PDF leaves the name line blank.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from counter_assistant.ui.notice_render import paint
from counter_assistant.ui.screen import fit_dialog, set_up_dialog


class NoticeDialog(QDialog):
    print_requested = Signal(str)  # the name typed, "" for none

    def __init__(self, paper: str, font_size: int = 14, parent=None) -> None:
        super().__init__(parent)
        set_up_dialog(self, "窗口服务助手 · 一次性告知单", font_size)
        self._paper = paper
        self._html_for: Callable[[str], str] = lambda _name: ""
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("可不填：不填则留空由客户手写")
        form.addRow("客户姓名(&N)", self.name)
        layout.addLayout(form)
        hint = QLabel("姓名只打印在纸上，不保存、不记录；未能打印而存为 PDF 时不含姓名。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        # A printer object for the preview only: no print system is asked anything.
        self._printer = QPrinter(QPrinterInfo(), QPrinter.PrinterMode.HighResolution)
        self._printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.preview = QPrintPreviewWidget(self._printer, self)
        self.preview.setZoomMode(QPrintPreviewWidget.ZoomMode.FitToWidth)
        self.preview.paintRequested.connect(self._paint)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.preview, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("打印(&P)")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._print)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._refresh = QTimer(self, singleShot=True, interval=300)
        self._refresh.timeout.connect(self.preview.updatePreview)
        self.name.textChanged.connect(lambda _text: self._refresh.start())
        self.finished.connect(lambda _result: self.name.clear())

    def _paint(self, printer: QPrinter) -> None:
        paint(self._html_for(self.name.text().strip()), printer, self._paper)

    def _print(self) -> None:
        name = self.name.text().strip()
        self.accept()
        self.print_requested.emit(name)

    def open_for(self, html_for: Callable[[str], str]) -> None:
        """Show the notice; html_for(name) renders it with the name typed so far."""
        self._html_for = html_for
        self.name.clear()
        self.preview.updatePreview()
        fit_dialog(self, QSize(560, 760))  # never past the screen (1024x768 at 150 %)
        self.show()
        self.raise_()
        self.activateWindow()
        self.name.setFocus()
