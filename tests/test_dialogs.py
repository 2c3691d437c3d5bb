"""The picker and the fields dialog work from the keyboard alone."""

from PySide6.QtCore import Qt

from counter_assistant.core.business import load_business_catalog
from counter_assistant.core.picking import choices
from counter_assistant.core.prompts import debris_in, load_builtin
from counter_assistant.ui.fields import FieldsDialog
from counter_assistant.ui.picker import PickerDialog


def make_picker(values=None):
    catalog = load_builtin()
    return PickerDialog(
        choices(catalog),
        lambda c: catalog[c.key].variants[c.index].render(values or {}),
    )


def test_picker_shows_what_would_be_said_never_a_slot(qtbot):
    picker = make_picker({"department": "归集科"})
    qtbot.addWidget(picker)
    picker.open_fresh()
    texts = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert len(texts) == 20
    assert all(not debris_in(t) for t in texts), [t for t in texts if debris_in(t)]
    assert any("公积金管理中心归集科。" in t for t in texts)


def test_picker_by_number_then_enter(qtbot):
    picker = make_picker()
    qtbot.addWidget(picker)
    picker.open_fresh()
    with qtbot.waitSignal(picker.chosen) as blocker:
        qtbot.keyClicks(picker.filter, "23")
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert blocker.args == ["greeting", 2]
    assert not picker.isVisible()


def test_picker_by_initials_and_arrow_keys(qtbot):
    picker = make_picker()
    qtbot.addWidget(picker)
    picker.open_fresh()
    qtbot.keyClicks(picker.filter, "gz")
    assert picker.list.count() == 2
    qtbot.keyClick(picker.filter, Qt.Key.Key_Down)
    with qtbot.waitSignal(picker.chosen) as blocker:
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
    assert blocker.args == ["outage", 1]


def test_picker_escape_chooses_nothing(qtbot):
    picker = make_picker()
    qtbot.addWidget(picker)
    picker.open_fresh()
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.keyClick(picker.filter, Qt.Key.Key_Escape)
    assert not picker.isVisible()


def test_fields_typed_business_and_enter_apply(qtbot):
    dialog = FieldsDialog(load_business_catalog())
    qtbot.addWidget(dialog)
    dialog.open_for({}, "")
    qtbot.keyClicks(dialog.business, "tx")
    qtbot.keyClick(dialog.business, Qt.Key.Key_Tab)
    dialog.edits["surname"].setText("刘")
    dialog.title.setCurrentText("先生")
    with qtbot.waitSignal(dialog.applied) as blocker:
        qtbot.keyClick(dialog.edits["place"], Qt.Key.Key_Return)
    values, business = blocker.args
    assert business == "withdraw_retire"
    assert values["surname"] == "刘" and values["title"] == "先生"


def test_fields_next_customer_clears(qtbot):
    dialog = FieldsDialog(load_business_catalog())
    qtbot.addWidget(dialog)
    dialog.open_for({"surname": "赵"}, "loan")
    assert dialog.edits["surname"].text() == "赵" and dialog.business_key() == "loan"
    with qtbot.waitSignal(dialog.next_customer):
        dialog._clear()
    assert dialog.edits["surname"].text() == "" and dialog.business_key() == ""
