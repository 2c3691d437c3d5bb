"""The supervisor PIN asked before the report window opens, with a growing wait."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from counter_assistant.core.pin import PinGuard

TITLE = "窗口服务助手 - 统计报表"


def ask_pin(parent: QWidget | None, stored_hash: str | None, guard: PinGuard) -> bool:
    """True only for the right PIN; wrong tries make the next one wait longer."""
    if not stored_hash:
        QMessageBox.information(
            parent, TITLE, "尚未设置主管 PIN。请 IT 使用 counter-assistant set-pin 设置。"
        )
        return False
    wait = guard.wait_seconds()
    if wait > 0:
        QMessageBox.warning(parent, TITLE, f"PIN 输错次数过多，请 {math.ceil(wait)} 秒后再试。")
        return False
    pin, ok = QInputDialog.getText(
        parent, "主管验证", "请输入主管 PIN：", QLineEdit.EchoMode.Password
    )
    if not ok:
        return False
    if guard.check(pin, stored_hash):
        return True
    wait = guard.wait_seconds()
    QMessageBox.warning(parent, TITLE, f"PIN 不正确。请 {math.ceil(wait)} 秒后再试。")
    return False
