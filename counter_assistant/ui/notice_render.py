"""The notice on paper or in a PDF: Qt lays the HTML out and paints it page by page.

Everything here may run on a worker thread: Qt allows painting on QPrinter and
QPdfWriter outside the GUI thread and QTextDocument is reentrant, so a slow print
queue never freezes the window. A QGuiApplication must exist (fonts).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QRawFont,
    QTextDocument,
)

from counter_assistant import __version__
from counter_assistant.core.pdf_text import corrections_for, fix_text_maps

# paper -> (page size, body text in points, margin in mm): A5 is read at arm's length too.
PAPERS = {
    "A4": (QPageSize.PageSizeId.A4, 13.0, 18.0),
    "A5": (QPageSize.PageSizeId.A5, 10.0, 10.0),
}
# CJK faces found on Linux, Windows and macOS, first found wins (a template may name others).
FONT_FAMILIES = [
    "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "SimSun",
    "WenQuanYi Micro Hei", "PingFang SC",
]  # fmt: skip
TITLE = "一次性告知单"
# Windows' own "printers" that write a file: as the default printer they would ask for a
# file name in a dialog (taking the keyboard) and print nothing. Used only when named.
FILE_PRINTERS = ("microsoft print to pdf", "microsoft xps document writer", "onenote", "fax")


class NoticeError(Exception):
    """Printing did not happen; the message says why, in the clerk's words."""


def notice_font(paper: str) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(PAPERS[paper][1])
    # Noto CJK's localized forms swap digits after Latin letters (PJ-03) for glyphs that
    # have no character in the font's map: they print right but copy as nothing.
    font.setFeature(QFont.Tag("locl"), 0)
    return font


def _prepare(device: QPagedPaintDevice, paper: str) -> None:
    size_id, _, margin = PAPERS[paper]
    device.setPageSize(QPageSize(size_id))
    device.setPageMargins(QMarginsF(margin, margin, margin, margin), QPageLayout.Unit.Millimeter)


def layout(html: str, device: QPagedPaintDevice, paper: str) -> QTextDocument:
    """The HTML laid out in pages of the device's printable area."""
    if paper not in PAPERS:
        raise NoticeError(f"纸张 {paper!r} 不支持，请用 A4 或 A5")
    _prepare(device, paper)
    doc = QTextDocument()
    doc.setDefaultFont(notice_font(paper))
    doc.setDocumentMargin(0)
    doc.documentLayout().setPaintDevice(device)
    doc.setHtml(html)
    area = device.pageLayout().paintRectPixels(device.resolution())
    doc.setPageSize(QSizeF(area.width(), area.height()))
    return doc


@dataclass
class Painted:
    doc: QTextDocument
    extra_text: str  # drawn outside the document: the page numbers

    @property
    def pages(self) -> int:
        return self.doc.pageCount()


def paint(html: str, device: QPagedPaintDevice, paper: str) -> Painted:
    """Lay the HTML out on the device's pages and paint them.

    A notice longer than one sheet gets "第 1 页，共 2 页" at the foot of each page, so
    the citizen knows a sheet is missing.
    """
    doc = layout(html, device, paper)
    width, height = doc.pageSize().width(), doc.pageSize().height()
    footer = QFont(doc.defaultFont())
    footer.setPointSizeF(footer.pointSizeF() * 0.8)
    footer_height = QFontMetricsF(footer, device).height() * 1.5 if doc.pageCount() > 1 else 0.0
    if footer_height:
        doc.setPageSize(QSizeF(width, height - footer_height))
    page_height = doc.pageSize().height()
    pages = doc.pageCount()
    extra = []
    painter = QPainter()
    if not painter.begin(device):
        raise NoticeError("无法开始打印")
    try:
        for page in range(pages):
            if page and not device.newPage():
                raise NoticeError("无法换页")
            painter.save()
            painter.translate(0, -page * page_height)
            doc.drawContents(painter, QRectF(0, page * page_height, width, page_height))
            painter.restore()
            if footer_height:
                extra.append(f"第 {page + 1} 页，共 {pages} 页")
                painter.setFont(footer)
                painter.drawText(
                    QRectF(0, height - footer_height, width, footer_height),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                    extra[-1],
                )
    finally:
        painter.end()
    return Painted(doc, "".join(extra))


def _bmp() -> str:
    """Every code point of the Basic Multilingual Plane a QString can hold, in order."""
    return "".join(chr(c) if not 0xD800 <= c < 0xE000 else " " for c in range(0x10000))


def text_corrections(painted: Painted) -> dict[int, int]:
    """For core.pdf_text: what was drawn, and each font's map from characters to glyphs."""
    doc = painted.doc
    drawn: set[str] = set(painted.extra_text)
    fonts: dict[tuple, QRawFont] = {}
    block = doc.begin()
    while block.isValid():
        drawn.update(block.text())
        text_layout = block.layout()
        if text_layout is not None:
            for run in text_layout.glyphRuns(0, block.length()):
                raw = run.rawFont()
                fonts.setdefault((raw.familyName(), raw.styleName(), raw.weight()), raw)
        block = block.next()
    bmp = _bmp()
    maps = []
    for raw in fonts.values():
        glyphs = list(raw.glyphIndexesForString(bmp))
        for c in range(0xD800, 0xE000):
            glyphs[c] = 0
        maps.append(glyphs)
    return corrections_for(drawn, maps)


def _describe(writer: QPdfWriter, title: str) -> None:
    writer.setTitle(title)
    writer.setCreator(f"Counter Assistant {__version__}")


def pdf_bytes(html: str, paper: str, title: str = TITLE) -> bytes:
    """The notice as a PDF whose Chinese text copies and searches as written."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    _describe(writer, title)
    painted = paint(html, writer, paper)
    del writer  # finishes the file into the buffer
    buffer.close()
    return fix_text_maps(bytes(data.data()), text_corrections(painted))


def write_pdf(html: str, path: Path, paper: str, title: str = TITLE) -> Path:
    """Write the PDF in one step: a reader never sees half a file."""
    data = pdf_bytes(html, paper, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with open(part, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def find_printer(name: str):
    """The configured printer, or the system's default one; NoticeError if none is usable."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    info = QPrinterInfo.printerInfo(name) if name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        if name:
            raise NoticeError(f"未找到打印机“{name}”")
        raise NoticeError("本机没有默认打印机")
    if not name and is_file_printer(info.printerName()):
        raise NoticeError(f"默认打印机“{info.printerName()}”只能存成文件，不出纸")
    if info.state() == QPrinter.PrinterState.Error:
        raise NoticeError(f"打印机“{info.printerName()}”已停止或出错")
    return info


def is_file_printer(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in FILE_PRINTERS)


def print_html(html: str, paper: str, printer_name: str, title: str = TITLE) -> str:
    """Print on the configured (or default) printer; return the printer's name."""
    from PySide6.QtPrintSupport import QPrinter

    info = find_printer(printer_name)
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setCreator(f"Counter Assistant {__version__}")
    paint(html, printer, paper)
    if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        raise NoticeError(f"打印机“{info.printerName()}”打印失败")
    return info.printerName()
