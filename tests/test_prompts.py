"""The Article 8 catalog: every variant renders clean, with and without slot values."""

import itertools

import pytest

from counter_assistant.core.prompts import (
    SITUATION_KEYS,
    debris_in,
    load_builtin,
    load_catalog,
    slots_of,
)

BRIEF_TEXTS = {
    ("phone", "answer"): "您好，公积金管理中心归集科。",
    ("phone", "call_out"): "您好，这里是公积金管理中心3号窗口。",
    ("phone", "end"): "感谢您的来电，再见。",
    ("greeting", "business"): "您好！请问您办理什么业务？",
    ("greeting", "help"): "您好！请问有什么需要帮忙吗？",
    ("greeting", "after_wait"): "对不起，让您久等了，请问您要办理什么业务？",
    ("greeting", "busy"): "对不起，请稍等。",
    ("documents", "return"): "谢谢，请您收好。",
    ("signature", "sign"): "请您核对无误后，在申请表右下角处签字。",
    ("outage", "short"): "请原谅，计算机临时出现故障，我们尽快排除，请稍候。",
    ("outage", "long"): "请原谅，机器故障暂时无法排除，请您留下电话，我会及时与您联系。",
    ("crowding", "order"): "对不起，请大家按顺序办理，谢谢合作。",
    ("handover", "done"): "这是您的相关资料，请收好，慢走。",
    ("farewell", "farewell"): "张先生，请慢走。",
}
VALUES = {
    "department": "归集科",
    "window": "3",
    "place": "申请表右下角",
    "surname": "张",
    "title": "先生",
}
HALF_WIDTH = set(",!?();:")


@pytest.fixture(scope="module")
def catalog():
    return load_builtin()


def test_all_ten_situations_in_article_order(catalog):
    assert list(catalog.situations) == list(SITUATION_KEYS)
    assert [s.article for s in catalog] == [f"8.{i}" for i in range(1, 11)]
    assert catalog.problems == []


def test_canonical_texts(catalog):
    for (key, vid), expected in BRIEF_TEXTS.items():
        variant = next(v for v in catalog[key].variants if v.id == vid)
        assert variant.render(VALUES) == expected


def test_variant_counts_match_the_brief(catalog):
    counts = {s.key: len(s.variants) for s in catalog}
    assert counts == {
        "phone": 3,
        "greeting": 4,
        "documents": 3,
        "signature": 1,
        "refusal": 2,
        "outage": 2,
        "feedback": 1,
        "crowding": 1,
        "handover": 2,
        "farewell": 1,
    }


def _all_subsets(slots):
    for n in range(len(slots) + 1):
        yield from itertools.combinations(slots, n)


def test_every_variant_renders_clean_with_any_subset_of_slots(catalog):
    for situation in catalog:
        for variant in situation.variants:
            for filled in _all_subsets(variant.slots):
                text = variant.render({s: "甲乙" for s in filled})
                assert not debris_in(text), (situation.key, variant.id, filled, text)
                assert not slots_of(text)
                assert not HALF_WIDTH & set(text), text
                assert "××" not in text and "XX" not in text and "хх" not in text


def test_empty_or_blank_slot_uses_fallback(catalog):
    ask = catalog["documents"].variants[0]
    assert ask.render({"business": "购房提取", "documents": "身份证"}) == (
        "办理购房提取业务需要您的身份证，请您提供证件，好吗？"
    )
    assert ask.render({"business": "购房提取", "documents": "  "}) == (
        "办理购房提取业务需要您的相关证件，请您提供证件，好吗？"
    )
    assert "{" not in ask.render({})


def test_override_replaces_one_text_and_keeps_the_rest(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '[[greeting.variants]]\nid = "busy"\nlabel = "稍等"\ntext = "请您稍等片刻。"\n',
        encoding="utf-8",
    )
    catalog = load_catalog(override=path)
    assert catalog.problems == []
    texts = [v.text for v in catalog["greeting"].variants]
    assert texts[3] == "请您稍等片刻。" and len(texts) == 4
    assert catalog["phone"].variants[0].text.startswith("您好")


def test_broken_override_names_file_and_line_and_builtin_keeps_working(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '[greeting]\ntitle = "问候"\n[[greeting.variants]\nid = "x"\n', encoding="utf-8"
    )
    catalog = load_catalog(override=path)
    assert len(catalog) == 10
    (problem,) = catalog.problems
    assert str(path) in str(problem) and problem.line == 3


def test_override_with_debris_is_refused_with_key_and_line(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '\n[[greeting.variants]]\nid = "busy"\ntext = "您好，公积金管理中心××科?!?"\n',
        encoding="utf-8",
    )
    catalog = load_catalog(override=path)
    (problem,) = catalog.problems
    assert problem.key == "greeting.variants[0].text" and problem.line == 4
    assert catalog["greeting"].variants[3].text == "对不起，请稍等。"


def test_override_keeps_the_builtin_label_and_fallbacks(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '[[signature.variants]]\nid = "sign"\ntext = "请在{place}签字。"\n', encoding="utf-8"
    )
    catalog = load_catalog(override=path)
    assert catalog.problems == []
    sign = catalog["signature"].variants[0]
    assert sign.label == "核对签字" and sign.render({}) == "请您核对无误后签字。"
    assert sign.render({"place": "右下角"}) == "请在右下角签字。"
    assert (sign.source, sign.fallback_source) == ("center", "product")


def test_override_whose_last_fallback_has_a_slot_is_refused(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '[[signature.variants]]\nid = "sign"\ntext = "请在{place}签字。"\n'
        'fallbacks = ["请在{place}处签字。"]\n',
        encoding="utf-8",
    )
    catalog = load_catalog(override=path)
    assert "fallbacks" in catalog.problems[0].key
    assert catalog["signature"].variants[0].text == "请您核对无误后，在{place}处签字。"


def test_unknown_slot_is_named_with_line_and_the_builtin_kept(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '[[signature.variants]]\nid = "sign"\ntext = "请您在{plcae}处签字。"\n'
        'fallbacks = ["请您在指定位置签字。"]\n',
        encoding="utf-8",
    )
    catalog = load_catalog(override=path)
    (problem,) = catalog.problems
    assert problem.key == "signature.variants[0].text" and problem.line == 3
    assert "{plcae}" in problem.message and "{place}" in problem.message
    assert catalog["signature"].variants[0].text == "请您核对无误后，在{place}处签字。"


def test_new_variant_from_override_is_added_with_its_label(tmp_path):
    path = tmp_path / "center.toml"
    path.write_text(
        '[[greeting.variants]]\nid = "morning"\nlabel = "早安"\n'
        'text = "早上好！请问您办理什么业务？"\n',
        encoding="utf-8",
    )
    catalog = load_catalog(override=path)
    assert catalog.problems == []
    assert [v.label for v in catalog["greeting"].variants][-1] == "早安"


def test_traditional_set_has_the_same_shape_and_renders_clean(catalog):
    hant = load_builtin("zh-Hant")
    assert hant.problems == []
    for simplified, traditional in zip(catalog, hant, strict=True):
        assert simplified.key == traditional.key and simplified.article == traditional.article
        assert [v.id for v in simplified.variants] == [v.id for v in traditional.variants]
        for a, b in zip(simplified.variants, traditional.variants, strict=True):
            assert a.slots == b.slots and len(a.fallbacks) == len(b.fallbacks)
            assert a.source == b.source
            for filled in _all_subsets(b.slots):
                assert not debris_in(b.render({s: "甲" for s in filled}))


def _standard_text() -> str:
    """Article 8 as saved, its half-width marks made full-width, as the catalog writes."""
    from pathlib import Path

    path = Path(__file__).parent / "data" / "standard-article-8.zh-Hant.txt"
    text = path.read_text(encoding="utf-8")
    return text.translate(str.maketrans(",!?():;", "，！？（）：；"))


# The saved page mixes a few Simplified forms into its Traditional text.
_SAME = str.maketrans({"麼": "么", "繫": "系", "裡": "里", "後": "后", "於": "于"})


def test_standard_variants_are_the_standards_own_words():
    """A variant marked standard is the standard's sentence, its ×× filled by slots (so
    compared as a pattern); product is ours. Compared in the Traditional set, as saved."""
    import re

    page = _standard_text().translate(_SAME)
    hant = load_builtin("zh-Hant")
    for situation in hant:
        for v in situation.variants:
            body = v.text.rstrip("。").translate(_SAME)
            pattern = ".{0,12}?".join(re.escape(part) for part in re.split(r"\{[a-z_]+\}", body))
            found = re.search(pattern, page) is not None
            assert found == (v.source == "standard"), (situation.key, v.id, v.source, body)


def test_sources_in_the_json(catalog):
    data = {s["key"]: s for s in catalog.to_json({"phone": "ctrl+alt+1"})}
    phone = {v["id"]: v for v in data["phone"]["variants"]}
    assert phone["answer"]["source"] == "standard"
    assert phone["call_out"]["source"] == phone["end"]["source"] == "product"
    assert phone["answer"]["fallback_source"] == "product"
    assert data["phone"]["note"] == "三声内接听；对方挂机后再放电话。"
    assert data["phone"]["hotkey"] == "ctrl+alt+1"
    product = {(s.key, v.id) for s in catalog for v in s.variants if v.source == "product"}
    assert product == {("phone", "call_out"), ("phone", "end")}
