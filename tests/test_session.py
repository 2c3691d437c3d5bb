"""What the window shows: cycling variants, slots from config, catalog and fields."""

import pytest

from counter_assistant.core.business import load_business_catalog
from counter_assistant.core.hotkeyspec import HotkeyError, parse_hotkey
from counter_assistant.core.picking import choices, match
from counter_assistant.core.prompts import load_builtin
from counter_assistant.core.session import PromptSession


@pytest.fixture
def session():
    return PromptSession(
        load_builtin(), load_business_catalog(), {"department": "归集科", "window": "3"}
    )


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
    assert session.current().text == "请慢走，欢迎您再来。"
    assert session.show("documents").text == "办理这项业务需要您的相关证件，请您提供证件，好吗？"


def test_unknown_business_is_ignored(session):
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


def test_picker_matches_numbers_initials_and_words():
    items = choices(load_builtin())
    assert [c.number for c in match(items, "2")] == ["2.1", "2.2", "2.3", "2.4"]
    assert [(c.key, c.index) for c in match(items, "23")] == [("greeting", 2)]
    assert {c.key for c in match(items, "wh")} == {"greeting"}
    assert {c.key for c in match(items, "0")} == {"farewell"}
    assert {c.key for c in match(items, "签字")} == {"signature"}
    assert match(items, "zzz") == []


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
