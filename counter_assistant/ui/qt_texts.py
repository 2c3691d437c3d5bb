"""Qt's own words (file dialogs, standard buttons) in Simplified Chinese, for every window."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)


def install_chinese_qt_texts(app: QCoreApplication) -> bool:
    """Load Qt's Simplified Chinese translation once per application; True if loaded."""
    if app.property("counter_assistant_qt_zh"):
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    translator = QTranslator(app)
    if not translator.load(locale, "qtbase", "_", folder):
        log.info("Qt's Chinese translation not found in %s; its buttons stay in English", folder)
        return False
    app.installTranslator(translator)
    app.setProperty("counter_assistant_qt_zh", True)
    return True
