"""Quick fields for this customer: business, surname and title, place, material, rule, referral."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from counter_assistant.core.business import BusinessCatalog
from counter_assistant.core.session import TITLES

FIELD_LABELS = (
    ("surname", "姓氏(&S)"),
    ("place", "签字位置(&P)"),
    ("missing", "缺少材料(&M)"),
    ("rule", "有关规定(&R)"),
    ("procedure", "办理手续(&O)"),
    ("ref_department", "转办部门(&D)"),
    ("ref_window", "转办窗口号(&W)"),
)


class FieldsDialog(QDialog):
    applied = Signal(dict, str)  # field values, business key
    next_customer = Signal()

    def __init__(self, business: BusinessCatalog, font_size: int = 14, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("窗口服务助手 · 本位客户信息")
        font = QFont(self.font())
        font.setPointSize(font_size)
        self.setFont(font)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.business = QComboBox()
        self.business.addItem("", "")
        for item in business.items:
            suffix = f"  {item.initials}" if item.initials else ""
            self.business.addItem(f"{item.name}{suffix}", item.key)
        self.business.setEditable(True)
        self.business.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        example = next((b.initials for b in business.items if b.initials), "")
        hint = f"名称或首字母，如 {example}" if example else "业务名称"
        self.business.lineEdit().setPlaceholderText(hint)
        completer = self.business.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        form.addRow("业务(&B)", self.business)
        self.edits: dict[str, QLineEdit] = {}
        for name, label in FIELD_LABELS:
            edit = QLineEdit()
            self.edits[name] = edit
            if name == "surname":
                row = QHBoxLayout()
                self.title = QComboBox()
                self.title.addItems(["", *TITLES])
                title_label = QLabel("称呼(&T)")
                title_label.setBuddy(self.title)
                row.addWidget(edit, 1)
                row.addWidget(title_label)
                row.addWidget(self.title)
                surname_label = QLabel(label)  # a QLabel with a buddy turns &S into Alt+S
                surname_label.setBuddy(edit)
                form.addRow(surname_label, row)
            else:
                form.addRow(label, edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        clear = QPushButton("下一位客户（清空）(&N)")
        clear.setAutoDefault(False)
        buttons.addButton(clear, QDialogButtonBox.ButtonRole.ResetRole)
        clear.clicked.connect(self._clear)
        buttons.accepted.connect(self._apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def load(self, values: dict[str, str], business_key: str) -> None:
        for name, edit in self.edits.items():
            edit.setText(values.get(name, ""))
        self.title.setCurrentText(values.get("title", ""))
        index = self.business.findData(business_key)
        self.business.setCurrentIndex(max(index, 0))
        self.business.lineEdit().selectAll()

    def values(self) -> dict[str, str]:
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        values["title"] = self.title.currentText()
        return values

    def business_key(self) -> str:
        """The business whose list text is typed, else the first that contains it."""
        typed = self.business.currentText().strip().lower()
        if not typed:
            return ""
        texts = [self.business.itemText(i).lower() for i in range(self.business.count())]
        if typed in texts:
            return self.business.itemData(texts.index(typed)) or ""
        for i, text in enumerate(texts):
            if i and typed in text:
                return self.business.itemData(i)
        return ""

    def _apply(self) -> None:
        self.applied.emit(self.values(), self.business_key())
        self.accept()

    def _clear(self) -> None:
        self.load({}, "")
        self.next_customer.emit()
        self.accept()

    def open_for(self, values: dict[str, str], business_key: str) -> None:
        self.load(values, business_key)
        self.show()
        self.raise_()
        self.activateWindow()
        self.business.setFocus()
