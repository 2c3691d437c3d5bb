"""This customer's details: business, missing documents, surname, place, rules, referral.

Built for picking, not typing Chinese while the citizen waits: the business by initials,
missing documents ticked from that business's list, rules from the center's list. What
is typed is never dropped: a business the catalog does not list is spoken as typed, and
what cannot be used (initials of no business, several matches) is said in the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_assistant.core.business import BusinessCatalog
from counter_assistant.core.picking import BusinessMatch, listed, resolve_business
from counter_assistant.core.rules import RuleList
from counter_assistant.core.session import TITLES, Filled
from counter_assistant.ui.mnemonics import PopupMnemonics
from counter_assistant.ui.screen import VerticalScroll, fit_dialog, set_up_dialog
from counter_assistant.ui.text import colour

TEXT_FIELDS = (
    ("place", "签字位置(&P)"),
    ("procedure", "办理手续(&O)"),
    ("ref_department", "转办部门(&D)"),
    ("ref_window", "转办窗口号(&W)"),
)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
DOC_COLUMNS = 3


class FieldsDialog(QDialog):
    applied = Signal(object)  # Filled
    next_customer = Signal()
    notice_requested = Signal()  # applied, then the one-time notice asked for

    def __init__(
        self,
        business: BusinessCatalog,
        font_size: int = 14,
        parent=None,
        rules: RuleList | None = None,
    ) -> None:
        super().__init__(parent)
        set_up_dialog(self, "窗口服务助手 · 本位客户信息", font_size)
        self._catalog = business
        self._rules = rules or RuleList()
        self._match = BusinessMatch()
        layout = QVBoxLayout(self)
        self.fresh_label = QLabel("上一位客户已送别：以下为新客户填写。", objectName="fresh")
        colour(self.fresh_label, "#6b5a3a")
        self.fresh_label.hide()
        layout.addWidget(self.fresh_label)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._build_business(form)
        self._build_missing(form)
        self._build_surname(form)
        self.edits: dict[str, QLineEdit] = {}
        self.edits["place"] = self._edit(form, "place", "签字位置(&P)")
        self._build_rules(form)
        for name, label in TEXT_FIELDS[1:]:
            self.edits[name] = self._edit(form, name, label)
        self.edits["surname"] = self.surname
        self.edits["missing"] = self.other_missing
        self.edits["rule"] = self.rule_edit
        body = QWidget()
        body.setLayout(form)
        layout.addWidget(VerticalScroll(body), 1)  # scrolls only where small type is too big
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        clear = QPushButton("下一位客户（清空）(&N)")
        clear.setAutoDefault(False)
        buttons.addButton(clear, QDialogButtonBox.ButtonRole.ResetRole)
        clear.clicked.connect(self._clear)
        notice = QPushButton("一次性告知单…(&G)")
        notice.setAutoDefault(False)
        notice.setToolTip("用所填业务和勾选的缺少材料打印一次性告知单")
        buttons.addButton(notice, QDialogButtonBox.ButtonRole.ActionRole)
        notice.clicked.connect(self._notice)
        self.notice_button = notice
        buttons.accepted.connect(self._apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # --- building --------------------------------------------------------------
    def _edit(self, form: QFormLayout, name: str, label: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        caption = QLabel(label)  # a QLabel with a buddy turns &P into Alt+P
        caption.setBuddy(edit)
        form.addRow(caption, edit)
        return edit

    def _build_business(self, form: QFormLayout) -> None:
        self.business = QComboBox()
        self.business.addItem("", "")
        for item in self._catalog.items:
            self.business.addItem(listed(item), item.key)
        self.business.setEditable(True)
        self.business.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        example = next((b.initials for b in self._catalog.items if b.initials), "")
        hint = f"名称或首字母，如 {example}" if example else "业务名称"
        self.business.lineEdit().setPlaceholderText(hint)
        completer = self.business.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        PopupMnemonics(self, completer)
        self.business_hint = QLabel("")
        self.business_hint.setWordWrap(True)
        caption = QLabel("业务(&B)")
        caption.setBuddy(self.business)
        box = QVBoxLayout()
        box.setSpacing(0)
        box.addWidget(self.business)
        box.addWidget(self.business_hint)
        form.addRow(caption, box)
        self.business.currentTextChanged.connect(self._business_changed)

    def _build_missing(self, form: QFormLayout) -> None:
        self.docs_box = QWidget()
        self.docs_grid = QGridLayout(self.docs_box)
        self.docs_grid.setContentsMargins(0, 0, 0, 0)
        self.doc_checks: list[QCheckBox] = []
        self.other_missing = QLineEdit(placeholderText="清单外的其他材料，可直接输入")
        self.other_missing.setObjectName("missing")
        self.missing_caption = QLabel("缺少材料(&M)")
        self.missing_caption.setBuddy(self.other_missing)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.docs_box)
        box.addWidget(self.other_missing)
        form.addRow(self.missing_caption, box)

    def _build_surname(self, form: QFormLayout) -> None:
        self.surname = QLineEdit()
        self.surname.setObjectName("surname")
        self.title = QComboBox()
        self.title.addItems(["", *TITLES])
        title_label = QLabel("称呼(&T)")
        title_label.setBuddy(self.title)
        row = QHBoxLayout()
        row.addWidget(self.surname, 1)
        row.addWidget(title_label)
        row.addWidget(self.title)
        caption = QLabel("姓氏(&S)")
        caption.setBuddy(self.surname)
        form.addRow(caption, row)

    def _build_rules(self, form: QFormLayout) -> None:
        self.rule_edit = QLineEdit()
        self.rule_edit.setObjectName("rule")
        self.rule_checks: dict[str, QCheckBox] = {}
        self.rules_box = QVBoxLayout()
        self.rules_box.setSpacing(0)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.rule_edit)
        box.addLayout(self.rules_box)
        caption = QLabel("有关规定(&R)")
        caption.setBuddy(self.rule_edit)
        form.addRow(caption, box)
        if not len(self._rules):
            self.rule_edit.setPlaceholderText("简要说明有关规定")
            return
        example = self._rules.items[0].initials
        self.rule_edit.setPlaceholderText(f"从中心清单选：首字母或文字，如 {example}；也可直接输入")
        model = QStandardItemModel(self)
        for rule in self._rules:
            item = QStandardItem(f"{rule.name}：{rule.text}")
            item.setData(rule.search_text, SEARCH_ROLE)
            item.setData(rule.key, KEY_ROLE)
            model.appendRow(item)
        completer = QCompleter(model, self)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated[QModelIndex].connect(self._rule_picked)
        self.rule_edit.setCompleter(completer)
        self.rule_completer = completer
        PopupMnemonics(self, completer)

    # --- business and its documents ----------------------------------------------
    def _business_changed(self, typed: str) -> None:
        self._match = resolve_business(self._catalog, typed)
        business = self._match.business
        if business is not None:
            count = len(business.documents)
            docs = f"共 {count} 项材料，缺少的请在下方勾选" if count else "清单未列出材料"
            self._say(f"→ {business.name}（{docs}）")
        elif self._match.problem:
            self._say(self._match.problem, warning=True)
        elif self._match.text:
            self._say("不在业务清单中：将按输入原样说出，不列材料。")
        else:
            self._say("")
        self._set_documents(business.documents if business else ())

    def _say(self, text: str, warning: bool = False) -> None:
        self.business_hint.setText(text)
        colour(self.business_hint, "#b45309" if warning else "#2f5d8a")
        self.business_hint.setVisible(bool(text))

    def _set_documents(self, documents: tuple[str, ...], ticked: tuple[str, ...] = ()) -> None:
        if tuple(c.text() for c in self.doc_checks) == documents:
            if ticked:
                for check in self.doc_checks:
                    check.setChecked(check.text() in ticked)
            return
        for check in self.doc_checks:
            check.setParent(None)
            check.deleteLater()
        self.doc_checks = []
        for i, doc in enumerate(documents):
            check = QCheckBox(doc.replace("&", "&&"))
            check.setChecked(doc in ticked)
            self.docs_grid.addWidget(check, i // DOC_COLUMNS, i % DOC_COLUMNS)
            self.doc_checks.append(check)
        self.docs_box.setVisible(bool(documents))
        first = self.doc_checks[0] if self.doc_checks else self.other_missing
        self.missing_caption.setBuddy(first)
        self.setTabOrder(self.business, first)
        for a, b in zip(self.doc_checks, self.doc_checks[1:], strict=False):
            self.setTabOrder(a, b)
        if self.doc_checks:
            self.setTabOrder(self.doc_checks[-1], self.other_missing)

    def missing_documents(self) -> tuple[str, ...]:
        return tuple(c.text().replace("&&", "&") for c in self.doc_checks if c.isChecked())

    # --- rules -------------------------------------------------------------------
    def _rule_picked(self, index) -> None:
        key = index.data(KEY_ROLE)
        if key:
            self._add_rule(key, checked=True)
        QTimer.singleShot(0, self.rule_edit.clear)  # after the completer wrote its text

    def _add_rule(self, key: str, checked: bool) -> None:
        rule = self._rules.get(key)
        if rule is None:
            return
        check = self.rule_checks.get(key)
        if check is None:
            check = QCheckBox(rule.name.replace("&", "&&"))
            check.setToolTip(rule.text)
            self.rules_box.addWidget(check)
            self.rule_checks[key] = check
        check.setChecked(checked)

    def rule_keys(self) -> tuple[str, ...]:
        return tuple(k for k, c in self.rule_checks.items() if c.isChecked())

    def _typed_rule(self) -> str:
        """What is left in the rule box: one of the list by name or initials, else text."""
        typed = self.rule_edit.text().strip()
        for rule in self._rules:
            if typed.lower() in (rule.name.lower(), rule.initials):
                self._add_rule(rule.key, checked=True)
                return ""
        return typed

    # --- in and out --------------------------------------------------------------
    def load(self, filled: Filled) -> None:
        values = filled.fields
        for name, edit in self.edits.items():
            edit.setText(values.get(name, ""))
        self.title.setCurrentText(values.get("title", ""))
        for key in list(self.rule_checks):
            self.rule_checks.pop(key).setParent(None)
        for key in filled.rule_keys:
            self._add_rule(key, checked=True)
        index = self.business.findData(filled.business_key) if filled.business_key else -1
        if index > 0:
            self.business.setCurrentIndex(index)
        else:
            self.business.setCurrentIndex(0)
            self.business.setEditText(filled.business_text)
        self._business_changed(self.business.currentText())
        business = self._match.business
        self._set_documents(business.documents if business else (), filled.missing_docs)
        self.business.lineEdit().selectAll()

    def values(self) -> dict[str, str]:
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        values["title"] = self.title.currentText()
        values["rule"] = self._typed_rule()
        return values

    def business_key(self) -> str:
        business = resolve_business(self._catalog, self.business.currentText()).business
        return business.key if business else ""

    def filled(self) -> Filled | None:
        """What was entered; None when the business box holds something unusable."""
        match = resolve_business(self._catalog, self.business.currentText())
        if match.problem:
            return None
        return Filled(
            self.values(), match.business.key if match.business else "", match.text,
            self.missing_documents(), self.rule_keys(),
        )  # fmt: skip

    def _apply(self) -> bool:
        filled = self.filled()
        if filled is None:  # say why, keep everything typed, go back to the business box
            self._business_changed(self.business.currentText())
            self.business.setFocus()
            self.business.lineEdit().selectAll()
            return False
        self.applied.emit(filled)
        self.accept()
        return True

    def _notice(self) -> None:
        if self._apply():
            self.notice_requested.emit()

    def _clear(self) -> None:
        self.load(Filled())
        self.next_customer.emit()
        self.accept()

    def open_for(self, filled: Filled, fresh: bool = False) -> None:
        self.load(filled)
        self.fresh_label.setVisible(fresh)
        fit_dialog(self, QSize(560, 0))
        self.show()
        self.raise_()
        self.activateWindow()
        self.business.setFocus()
