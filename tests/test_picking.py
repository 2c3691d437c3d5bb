"""The picker's numbers mean what the headings show; the business box never guesses."""

import pytest

from counter_assistant.core import answers
from counter_assistant.core.business import load_business_catalog
from counter_assistant.core.picking import choices, match, nothing_found, resolve_business
from counter_assistant.core.prompts import article_heading, load_builtin

EXAMPLES = "resources/answers.example.toml"


@pytest.fixture(scope="module")
def items():
    return choices(load_builtin(), answers.load(EXAMPLES))


def picked(items, query):
    return [(c.key, c.index) for c in match(items, query)]


@pytest.mark.parametrize(
    ("query", "key"),
    [("8.1", "phone"), ("1", "phone"), ("8.8", "crowding"), ("8", "crowding"),
     ("8.10", "farewell"), ("10", "farewell"), ("0", "farewell"), ("8.3", "documents")],
)  # fmt: skip
def test_numbers_as_the_headings_show_them(items, query, key):
    assert {k for k, _ in picked(items, query)} == {key}


def test_a_third_number_picks_the_wording(items):
    assert picked(items, "8.2.3") == [("greeting", 2)]
    assert picked(items, "2.3") == [("greeting", 2)]
    assert picked(items, "8.10.1") == [("farewell", 0)]
    assert len(picked(items, "8.")) == 20  # all of Article 8, no answers


def test_headings_number_items_the_way_the_standard_does():
    assert article_heading("8.1") == "第八条第1项"
    assert article_heading("8.10") == "第八条第10项"
    assert article_heading("16") == "第十六条"
    assert article_heading("22") == "第二十二条"
    assert [c.number for c in choices(load_builtin())][:3] == ["8.1.1", "8.1.2", "8.1.3"]


def test_an_empty_result_says_so_and_how(items):
    assert picked(items, "23") == [] and picked(items, "8.11") == []
    assert "8.1 … 8.10" in nothing_found("23") and "8.2.3" in nothing_found("23")
    assert picked(items, "zzz") == []
    assert "zzz" in nothing_found("zzz")


def test_initials_and_words_find_situations_and_answers(items):
    assert {k for k, _ in picked(items, "wh")} == {"greeting"}
    assert picked(items, "dz") == [("answer", 0)]
    assert picked(items, "表格") == [("answer", 1)]
    assert {k for k, _ in picked(items, "签字")} == {"signature"}
    answer = match(items, "dz")[0]
    assert answer.answer_key == "payout" and answer.display.startswith("答")


@pytest.mark.parametrize(
    ("typed", "key"),
    [("tx", "withdraw_retire"), ("退休", "withdraw_retire"), ("退休提取  tx", "withdraw_retire"),
     ("购房提取", "withdraw_purchase"), ("GF", "withdraw_purchase"), ("", "")],
)  # fmt: skip
def test_business_by_name_initials_or_list_text(typed, key):
    found = resolve_business(load_business_catalog(), typed)
    assert (found.business.key if found.business else "") == key and not found.problem


def test_business_the_catalog_does_not_list_is_said_as_typed():
    found = resolve_business(load_business_catalog(), " 缴存证明打印 ")
    assert found.business is None and found.text == "缴存证明打印" and not found.problem


def test_business_that_cannot_be_used_says_why():
    several = resolve_business(load_business_catalog(), "提取")
    assert several.business is None and "购房提取" in several.problem
    assert len(several.candidates) == 3
    unknown = resolve_business(load_business_catalog(), "qq")
    assert unknown.business is None and not unknown.text and "qq" in unknown.problem
