"""Printing a notice from the counter without freezing the window or taking focus.

The whole job (find the printer, lay out, paint; or save the PDF) runs on the
TaskRunner: Qt allows painting on a QPrinter outside the GUI thread, and a CUPS or
Windows spooler that hangs must not hang the counter. The outcome comes back once, on
the GUI thread. No printer, or printing fails: the notice is saved as a PDF without the
citizen's name in the notice folder, and the window says where.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from counter_assistant.core.clock import Clock
from counter_assistant.core.notice import Notice, render_html
from counter_assistant.core.notice_files import KEEP_DAYS, new_pdf_path, pdf_folder
from counter_assistant.core.notice_template import NoticeTemplate
from counter_assistant.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticeSettings:
    paper: str
    printer: str  # "" = the system's default printer
    folder: Path  # where a notice that could not be printed is saved
    template: NoticeTemplate

    @classmethod
    def of(cls, cfg, data_dir: Path, template: NoticeTemplate) -> NoticeSettings:
        return cls(cfg.paper, cfg.printer, pdf_folder(cfg.pdf_dir, data_dir), template)


@dataclass(frozen=True)
class Outcome:
    variant: str  # "print" or "pdf", as recorded
    printer: str = ""
    path: Path | None = None
    reason: str = ""  # why it was not printed

    def message(self) -> str:
        if self.variant == "print":
            return f"一次性告知单已送往打印机“{self.printer}”。"
        return (
            f"{self.reason}：一次性告知单已存为 PDF，可在其他电脑打印"
            f"（{KEEP_DAYS} 天后自动删除）：\n{self.path}"
        )


def produce(named_html: str, blank_html: str, settings: NoticeSettings, now: datetime) -> Outcome:
    """Print; failing that, save the PDF without the name. Runs on a worker thread."""
    from counter_assistant.ui.notice_render import NoticeError, print_html, write_pdf

    try:
        printer = print_html(named_html, settings.paper, settings.printer)
        return Outcome("print", printer=printer)
    except NoticeError as exc:
        reason = str(exc)
    except Exception as exc:  # a driver error must still leave the citizen a notice
        log.exception("printing the notice failed")
        reason = f"打印出错（{exc}）"
    path = write_pdf(blank_html, new_pdf_path(settings.folder, now), settings.paper)
    return Outcome("pdf", path=path, reason=reason)


class NoticePrinter(QObject):
    """Each request is one job on the TaskRunner; several may be under way."""

    finished = Signal(object, object, str)  # Notice, Outcome, trigger
    failed = Signal(object, str, str)  # Notice, what went wrong, trigger

    def __init__(self, settings: NoticeSettings, tasks: TaskRunner, clock: Clock) -> None:
        super().__init__()
        self.settings = settings
        self.tasks = tasks
        self.clock = clock

    def print_notice(self, notice: Notice, trigger: str) -> None:
        template = self.settings.template
        named = render_html(template, notice)
        blank = render_html(template, notice.without_name()) if notice.citizen_name else named
        now, settings = self.clock.now(), self.settings

        def done(outcome: Outcome) -> None:
            if outcome.variant == "print":
                log.info("notice for %s printed on %s", notice.business_key or "-", outcome.printer)
            else:
                log.warning("notice not printed (%s); saved as %s", outcome.reason, outcome.path)
            self.finished.emit(notice, outcome, trigger)

        def error(exc: BaseException) -> None:
            log.error("the notice could be neither printed nor saved: %s", exc)
            self.failed.emit(notice, str(exc), trigger)

        self.tasks.run(lambda: produce(named, blank, settings, now), done, error)
