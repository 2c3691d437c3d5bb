"""What the window shows: cycling variants, slots from config, catalog and fields, and
when one customer ends and the next begins (the clock handed in)."""

from datetime import datetime, timedelta

import pytest

from counter_assistant.core.business import load_business_catalog
from counter_assistant.core.hotkeyspec import HotkeyError, parse_hotkey
from counter_assistant.core.prompts import load_builtin
from counter_assistant.core.session import Filled, PromptSession

T0 = datetime(2026, 11, 27, 9, 0).astimezone()
RULES = {"in_person": "此项业务须由本人持有效身份证件办理"}


@pytest.fixture
def session():
    return PromptSession(
        load_builtin(),
        load_business_catalog(),
        {"department": "归集科", "window": "3"},
        rules=RULES,
        rule_names={"in_person": "本人办理"},
        idle_minutes=10,
    )


def wang_retiring(session, now=T0):
    session.fill(Filled({"surname": "王", "title": "女士"}, "withdraw_retire"), now)


def test_same_key_cycles_variants_and_wraps(session):
    texts = [session.show("greeting").text for _ in range(5)]
    assert texts[0] == "您好！请问您办理什么业务？"
    assert texts[3] == "对不起，请稍等。" and texts[4] == texts[0]
    assert session.show("phone").text == "您好，公积金管理中心归集科。"
    assert session.next_variant().text == "您好，这里是公积金管理中心3号窗口。"


def test_business_fills_documents_and_next_customer_clears(session):
    session.set_business("withdraw_purchase")
    session.set_field("surname", "李")
    session.set_field("title", "女士")
    assert (
        session.show("documents").text
        == "办理购房提取业务需要您的身份证、购房合同、购房发票，请您提供证件，好吗？"
    )
    assert session.show("farewell").text == "李女士，请慢走。"
    session.next_customer()
    assert session.current().text == "请慢走。"  # the standard's words, the name left out
    assert session.show("documents").text == "办理这项业务需要您的相关证件，请您提供证件，好吗？"


def test_the_first_greeting_after_a_farewell_begins_a_new_customer(session):
    """The issue's own steps: 退休提取 and 王女士, farewell, greeting, documents."""
    wang_retiring(session)
    assert "退休证明" in session.show("documents", T0).text
    assert session.show("farewell", T0).text == "王女士，请慢走。"
    assert session.ended and session.has_customer  # still shown until the next greeting
    greeting = session.show("greeting", T0 + timedelta(seconds=20))
    assert greeting.new_customer and not session.has_customer
    assert (
        session.show("documents", T0).text == "办理这项业务需要您的相关证件，请您提供证件，好吗？"
    )
    assert session.show("farewell", T0).text == "请慢走。"


@pytest.mark.parametrize("index", [0, 1, 2])  # 问候, 询问需要, 久等致歉
def test_each_greeting_to_the_citizen_now_served_begins_a_new_customer(session, index):
    wang_retiring(session)
    session.show("handover", T0)  # 这是您的相关资料，请收好，慢走。
    assert session.ended
    shown = session.choose("greeting", index, T0)
    assert shown.new_customer and session.business_key == ""


def test_please_wait_is_said_to_someone_else_and_keeps_the_customer(session):
    wang_retiring(session)
    session.show("farewell", T0)
    shown = session.choose("greeting", 3, T0)  # 对不起，请稍等。
    assert not shown.new_customer
    assert session.business_key == "withdraw_retire" and session.ended


def test_a_referral_or_a_greeting_without_an_end_keeps_the_customer(session):
    wang_retiring(session)
    session.choose("handover", 1, T0)  # referral: the citizen is still at the counter
    assert not session.ended
    assert not session.show("greeting", T0).new_customer
    assert session.values()["surname"] == "王"


def test_idle_time_clears_at_the_next_prompt_and_on_the_tick(session):
    wang_retiring(session)
    assert not session.expire(T0 + timedelta(minutes=9, seconds=59))
    shown = session.show("farewell", T0 + timedelta(minutes=10))
    assert shown.new_customer and shown.text == "请慢走。"
    wang_retiring(session, T0 + timedelta(hours=1))
    assert session.expire(T0 + timedelta(hours=1, minutes=10))
    assert not session.has_customer


def test_idle_time_zero_means_never(session):
    session.idle_minutes = 0
    wang_retiring(session)
    assert not session.expire(T0 + timedelta(days=1))
    assert session.values()["surname"] == "王"


def test_details_entered_after_the_end_belong_to_the_next_customer(session):
    wang_retiring(session)
    session.show("farewell", T0)
    assert session.for_dialog(T0) == Filled()  # the dialog opens empty, for the next one
    session.fill(Filled({"surname": "李", "title": "先生"}, "loan"), T0)
    assert not session.ended
    greeting = session.show("greeting", T0)
    assert not greeting.new_customer  # what was just typed is never dropped
    assert session.show("farewell", T0).text == "李先生，请慢走。"


def test_unlisted_business_is_spoken_as_typed_without_documents(session):
    session.fill(Filled({}, "", "公积金缴存证明打印"), T0)
    assert session.business_name == "公积金缴存证明打印"
    assert session.show("documents", T0).text == (
        "办理公积金缴存证明打印业务需要您的相关证件，请您提供证件，好吗？"
    )


def test_missing_documents_ticked_and_rules_picked_and_typed(session):
    session.fill(
        Filled(
            {"missing": "户口簿", "rule": "原件须本人带来"},
            "withdraw_retire",
            "",
            ("本人银行卡", "退休证明", "不在清单中"),
            ("in_person", "unknown_rule"),
        ),
        T0,
    )
    assert session.missing_docs == ("退休证明", "本人银行卡")  # the catalog's order
    assert session.rule_keys == ("in_person",)
    text = session.choose("documents", 1, T0).text
    assert text == (
        "对不起，根据规定您还应提供退休证明、本人银行卡、户口簿资料"
        "（此项业务须由本人持有效身份证件办理；原件须本人带来），这次让您白跑一趟，真是抱歉。"
    )
    assert session.details()[-1] == ("规定", "本人办理、原件须本人带来")


def test_the_strip_names_the_customer_first(session):
    session.fill(Filled({"surname": "王", "title": "女士", "ref_window": "5"}, "loan"), T0)
    assert session.details() == [("客户", "王女士"), ("业务", "公积金贷款"), ("转办", "5号窗口")]


def test_changing_the_business_forgets_its_ticked_documents(session):
    session.fill(Filled({}, "withdraw_retire", "", ("退休证明",)), T0)
    session.set_business("loan")
    assert session.missing_docs == ()


def test_unknown_business_key_is_not_kept(session):
    session.set_business("nope")
    assert session.business_key == ""


def test_example_catalog_is_marked_as_example():
    catalog = load_business_catalog()
    assert catalog.problems == [] and len(catalog.items) >= 5
    from importlib import resources

    text = (
        resources.files("counter_assistant.resources")
        .joinpath("business_catalog.toml")
        .read_text("utf-8")
    )
    assert "EXAMPLE" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ctrl+alt+1", "ctrl+alt+1"),
        ("Alt + Ctrl + F9", "ctrl+alt+f9"),
        ("win+shift+p", "shift+win+p"),
        ("f8", "f8"),
    ],
)
def test_hotkey_parsing(text, expected):
    assert str(parse_hotkey(text)) == expected


@pytest.mark.parametrize(
    "text", ["", "ctrl+alt+", "ctrl+hyper+1", "a", "ctrl+alt+delete", "ctrl+alt", "ctrl+alt+é"]
)
def test_bad_hotkeys_say_why(text):
    with pytest.raises(HotkeyError):
        parse_hotkey(text)
