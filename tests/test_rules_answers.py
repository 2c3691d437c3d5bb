"""The center's rules and frequent answers: every problem named by file, line and key."""

import re
from importlib import resources

import pytest

from counter_assistant.core import answers, rules
from counter_assistant.core.problems import parse_toml


def parse_rules(text):
    return rules.parse(parse_toml(text, "rules.toml"), "rules.toml", text)


GOOD = """
[[rule]]
key = "in_person"
name = "本人办理"
initials = "brbl"
text = "此项业务须由本人持有效身份证件办理"
"""


def test_a_good_rule_is_loaded_with_its_spoken_text():
    loaded = parse_rules(GOOD)
    assert loaded.problems == []
    assert loaded.spoken == {"in_person": "此项业务须由本人持有效身份证件办理"}
    assert "brbl" in loaded.items[0].search_text and "身份证件" in loaded.items[0].search_text


def test_each_bad_entry_is_named_by_file_line_and_key_and_the_good_ones_kept():
    text = (
        GOOD
        + """
[[rule]]
key = "in_person"
name = "重复"
initials = "cf"
text = "重复的键"

[[rule]]
key = "bad key"
name = "坏"
initials = "Huai"
text = "办理××业务"

[[rule]]
key = "brackets"
name = "括号"
initials = "kh"
text = "（不要外层括号）"
intials = "typo"
"""
    )
    loaded = parse_rules(text)
    assert [r.key for r in loaded] == ["in_person"]
    shown = [str(p) for p in loaded.problems]
    assert any("rules.toml:9 [rule[1].key]" in s and "used twice" in s for s in shown), shown
    assert any("rules.toml:15 [rule[2].key]" in s for s in shown), shown
    assert any("rules.toml:17 [rule[2].initials]" in s for s in shown), shown
    assert any("rules.toml:18 [rule[2].text]" in s and "××" in s for s in shown), shown
    assert any("[rule[3].intials]" in s and "unknown key" in s for s in shown), shown


def test_outer_brackets_are_refused_because_the_sentence_adds_them():
    text = GOOD.replace("此项业务须由本人持有效身份证件办理", "（须本人办理）")
    loaded = parse_rules(text)
    assert len(loaded) == 0 and "brackets" in str(loaded.problems[0])


def test_missing_file_and_bad_toml_are_problems_not_crashes(tmp_path):
    assert len(rules.load(None)) == 0 and rules.load(None).problems == []
    missing = rules.load(tmp_path / "nope.toml")
    assert "file not found" in str(missing.problems[0])
    broken = tmp_path / "answers.toml"
    broken.write_text('[[answer]\nkey = "x"\n', encoding="utf-8")
    loaded = answers.load(broken)
    assert len(loaded) == 0 and str(loaded.problems[0]).startswith(f"{broken}:1")


def test_an_answer_needs_every_field():
    text = '[[answer]]\nkey = "payout"\ntitle = "到账"\ninitials = "dz"\n'
    loaded = answers.parse(parse_toml(text, "a.toml"), "a.toml", text)
    assert len(loaded) == 0 and "a.toml:1 [answer[0].text]" in str(loaded.problems[0])


@pytest.mark.parametrize(("name", "module"), [("rules", rules), ("answers", answers)])
def test_shipped_examples_are_marked_valid_and_hold_no_figures(name, module):
    ref = resources.files("counter_assistant.resources").joinpath(f"{name}.example.toml")
    text = ref.read_text("utf-8")
    loaded = module.parse(parse_toml(text, name), name, text)
    assert loaded.problems == [] and len(loaded) >= 3
    assert "EXAMPLE" in text
    spoken = [item.text for item in loaded]
    assert not [t for t in spoken if re.search(r"[0-9０-９一二三四五六七八九十百千万]", t)]


def test_an_unknown_key_is_named_and_the_entry_still_used():
    loaded = parse_rules(GOOD + 'note = "内部说明"\n')
    assert [r.key for r in loaded] == ["in_person"]
    (problem,) = loaded.problems
    assert (
        str(problem)
        == "rules.toml:7 [rule[0].note]: unknown key 'note'; use key, name, initials, text"
    )
