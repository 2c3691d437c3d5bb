"""The picker and the fields dialog work from the keyboard alone, and drop nothing typed."""

import pytest
from PySide6.QtCore import Qt

from counter_assistant.core import answers, rules
from counter_assistant.core.business import Business, BusinessCatalog, load_business_catalog
from counter_assistant.core.picking import choices
from counter_assistant.core.prompts import debris_in, load_builtin
from counter_assistant.core.session import Filled
from counter_assistant.ui.fields import FieldsDialog
from counter_assistant.ui.picker import PickerDialog

ALT = Qt.KeyboardModifier.AltModifier
EXAMPLES = "resources/{}.example.toml"


def make_picker(values=None):
    catalog = load_builtin()
    return PickerDialog(
        choices(catalog, answers.load(EXAMPLES.format("answers"))),
        lambda c: catalog[c.key].variants[c.index].render(values or {}),
    )


@pytest.fixture
def picker(qtbot):
    dialog = make_picker({"department": "归集科"})
    qtbot.addWidget(dialog)
    dialog.open_fresh()
    return dialog


def choose(qtbot, picker, typed):
    with qtbot.waitSignal(picker.chosen) as blocker:
        qtbot.keyClicks(picker.filter, typed)
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    return blocker.args


def test_picker_shows_what_would_be_said_never_a_slot(picker):
    texts = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert len(texts) == 23  # 20 wordings of Article 8 and the center's 3 answers
    assert all(not debris_in(t) for t in texts), [t for t in texts if debris_in(t)]
    assert any("公积金管理中心归集科。" in t for t in texts)
    assert texts[0].startswith("8.1.1  接听电话")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("8.1", ["phone", 0]), ("1", ["phone", 0]), ("8.10", ["farewell", 0]),
     ("10", ["farewell", 0]), ("8.2.3", ["greeting", 2]), ("dz", ["answer", 0])],
)  # fmt: skip
def test_picker_numbers_as_the_heading_shows_them_then_enter(qtbot, picker, typed, expected):
    assert choose(qtbot, picker, typed) == expected
    assert not picker.isVisible()


def test_picker_arrow_keys_pick_the_wording(qtbot, picker):
    qtbot.keyClicks(picker.filter, "8.6")
    assert picker.list.count() == 2
    qtbot.keyClick(picker.filter, Qt.Key.Key_Down)
    with qtbot.waitSignal(picker.chosen) as blocker:
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert blocker.args == ["outage", 1]


def test_picker_says_when_nothing_matches(qtbot, picker):
    qtbot.keyClicks(picker.filter, "23")
    assert picker.list.count() == 0
    assert not picker.empty_label.isHidden() and "8.2.3" in picker.empty_label.text()
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert picker.isVisible()
    picker.filter.clear()
    assert picker.empty_label.isHidden()


def test_picker_escape_chooses_nothing(qtbot, picker):
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.keyClick(picker.filter, Qt.Key.Key_Escape)
    assert not picker.isVisible()


# --- the fields dialog ---------------------------------------------------------------

EIGHT = Business(
    "loan_combo", "组合贷款", ("身份证", "户口簿", "婚姻证明", "购房合同", "首付款发票",
                              "收入证明", "银行流水", "不动产登记证明"), "zhdk",
)  # fmt: skip


@pytest.fixture
def dialog(qtbot):
    catalog = load_business_catalog()
    catalog = BusinessCatalog([*catalog.items, EIGHT], catalog.source)
    made = FieldsDialog(catalog, rules=rules.load(EXAMPLES.format("rules")))
    qtbot.addWidget(made)
    made.open_for(Filled())
    return made


def apply(qtbot, dialog, widget=None):
    with qtbot.waitSignal(dialog.applied) as blocker:
        qtbot.keyClick(widget or dialog.edits["place"], Qt.Key.Key_Return)
    return blocker.args[0]


def test_fields_typed_business_and_enter_apply(qtbot, dialog):
    qtbot.keyClicks(dialog.business, "tx")
    qtbot.keyClick(dialog.business, Qt.Key.Key_Tab)
    dialog.edits["surname"].setText("刘")
    dialog.title.setCurrentText("先生")
    filled = apply(qtbot, dialog)
    assert filled.business_key == "withdraw_retire" and filled.business_text == ""
    assert filled.fields["surname"] == "刘" and filled.fields["title"] == "先生"


def test_alt_s_with_the_business_list_open_moves_to_the_surname(qtbot, dialog):
    """The completer's list holds the keyboard; Alt+S must still reach the surname box,
    and nothing typed lands in the wrong box or is lost on Enter."""
    qtbot.keyClicks(dialog.business.lineEdit(), "tx")
    popup = dialog.business.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_S, ALT)
    assert not popup.isVisible()
    assert dialog.focusWidget() is dialog.surname
    qtbot.keyClicks(dialog.focusWidget(), "Wang")  # (QTest types ASCII only)
    filled = apply(qtbot, dialog, dialog.surname)
    assert filled.business_key == "withdraw_retire" and filled.fields["surname"] == "Wang"


def test_an_unlisted_business_is_kept_as_typed_and_said_so(qtbot, dialog):
    dialog.business.setEditText("缴存证明打印")
    assert "原样" in dialog.business_hint.text()
    filled = apply(qtbot, dialog)
    assert filled.business_key == "" and filled.business_text == "缴存证明打印"


@pytest.mark.parametrize(("typed", "says"), [("提取", "对应多项业务"), ("qq", "没有首字母")])
def test_a_business_that_cannot_be_used_is_refused_with_a_reason(qtbot, dialog, typed, says):
    dialog.business.setEditText(typed)
    dialog.surname.setText("王")
    with qtbot.assertNotEmitted(dialog.applied):
        qtbot.keyClick(dialog.edits["place"], Qt.Key.Key_Return)
    assert dialog.isVisible() and says in dialog.business_hint.text()
    assert dialog.business.currentText() == typed and dialog.surname.text() == "王"


def test_missing_documents_are_ticked_from_the_business_list(qtbot, dialog):
    dialog.business.setEditText("zhdk")
    assert [c.text() for c in dialog.doc_checks] == list(EIGHT.documents)
    dialog.doc_checks[7].setChecked(True)
    qtbot.keyClick(dialog.doc_checks[1], Qt.Key.Key_Space)
    dialog.edits["missing"].setText("户籍证明")
    filled = apply(qtbot, dialog)
    assert filled.missing_docs == ("户口簿", "不动产登记证明")
    assert filled.fields["missing"] == "户籍证明"


def test_rules_are_picked_by_initials_and_typing_stays_possible(qtbot, dialog):
    qtbot.keyClicks(dialog.rule_edit, "wtbl")
    popup = dialog.rule_completer.popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.rule_edit.text() == "")
    assert dialog.rule_keys() == ("by_agent",)
    dialog.rule_edit.setText("本人办理")  # a name typed whole is the listed rule
    filled = apply(qtbot, dialog)
    assert filled.rule_keys == ("by_agent", "in_person") and filled.fields["rule"] == ""
    dialog.open_for(filled)
    dialog.rule_checks["by_agent"].setChecked(False)
    dialog.rule_edit.setText("须带原件")
    filled = apply(qtbot, dialog)
    assert filled.rule_keys == ("in_person",) and filled.fields["rule"] == "须带原件"


def test_reopened_for_the_same_customer_shows_what_was_entered(qtbot, dialog):
    dialog.open_for(Filled({"surname": "赵"}, "withdraw_retire", "", ("退休证明",)))
    assert dialog.surname.text() == "赵" and dialog.business_key() == "withdraw_retire"
    assert dialog.missing_documents() == ("退休证明",)
    dialog.open_for(Filled({}, "", "缴存证明打印"))
    assert dialog.business.currentText() == "缴存证明打印" and dialog.missing_documents() == ()


def test_fields_next_customer_clears(qtbot, dialog):
    dialog.open_for(Filled({"surname": "赵"}, "loan"), fresh=False)
    assert dialog.fresh_label.isHidden()
    with qtbot.waitSignal(dialog.next_customer):
        dialog._clear()
    assert dialog.edits["surname"].text() == "" and dialog.business_key() == ""
    dialog.open_for(Filled(), fresh=True)
    assert not dialog.fresh_label.isHidden()
