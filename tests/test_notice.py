"""The one-time notice as data: what goes on it, the template and its problems, the files."""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime

import pytest

from counter_assistant.core.business import Business, BusinessCatalog
from counter_assistant.core.config import Config
from counter_assistant.core.notice import (
    BLANK,
    build_notice,
    notice_for_session,
    opening_hours,
    render_html,
)
from counter_assistant.core.notice_files import new_pdf_path, pdf_folder, prune_pdfs
from counter_assistant.core.notice_template import (
    PLACEHOLDERS,
    REQUIRED,
    builtin_template,
    check_template,
    load_notice_template,
)
from counter_assistant.core.pdf_text import corrections_for, fix_text_maps
from counter_assistant.core.prompts import load_catalog
from counter_assistant.core.session import PromptSession

PURCHASE = Business("withdraw_purchase", "购房提取", ("身份证", "购房合同", "购房发票"), "gf")
DAY = date(2026, 11, 28)


def config(**overrides) -> Config:
    cfg = Config(
        center_name="盘锦市住房公积金管理中心",
        window="3",
        department="归集科",
        address="兴隆台区市府大路 1 号",
        phone="0427-2825678",
    )
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg


def test_every_document_is_listed_in_catalog_order_with_the_missing_ones_marked():
    notice = build_notice(
        config(), business=PURCHASE, missing=["购房发票", "身份证"], staff_id="0312", today=DAY
    )
    assert [(m.name, m.missing) for m in notice.materials] == [
        ("身份证", True),
        ("购房合同", False),
        ("购房发票", True),
    ]
    assert notice.missing == ("身份证", "购房发票")
    assert (notice.business, notice.business_key, notice.staff_id) == (
        "购房提取",
        PURCHASE.key,
        "0312",
    )
    assert notice.hours == "周一至周五 08:30-17:00"


def test_typed_materials_count_as_catalog_documents_when_they_are_one():
    notice = build_notice(
        config(),
        business=PURCHASE,
        other_missing=["购房合同、结婚证；户口簿", "结婚证"],
        today=DAY,
    )
    assert notice.missing == ("购房合同", "结婚证", "户口簿")
    assert notice.catalog_missing == ("购房合同",)
    # Only catalog materials go to the usage log: typed text may hold anything.
    assert json.loads(notice.detail()) == {"missing": ["购房合同"]}


def test_a_typed_business_lists_what_was_typed_and_logs_no_material():
    notice = build_notice(
        config(), business=None, business_text=" 异地转入 ", other_missing=["原单位证明"], today=DAY
    )
    assert (notice.business, notice.business_key) == ("异地转入", "")
    assert notice.missing == ("原单位证明",)
    assert json.loads(notice.detail()) == {"missing": []}


def test_why_not_says_what_the_clerk_must_do_first():
    assert "选择业务" in build_notice(config(), business=None, today=DAY).why_not()
    assert "勾选" in build_notice(config(), business=PURCHASE, today=DAY).why_not()
    ready = build_notice(config(), business=PURCHASE, missing=["身份证"], today=DAY)
    assert ready.why_not() == ""


def test_the_session_is_read_through_its_attributes():
    catalog = BusinessCatalog([PURCHASE], "test")
    session = PromptSession(load_catalog(), catalog, {}, rules={"r1": "规定一", "r2": "规定二"})
    session.set_business(PURCHASE.key)
    session.set_missing(["购房发票"])
    session.rule_keys = ("r2",)
    session.fields.update({"rule": "口头说明的规定", "missing": "结婚证", "surname": "王"})
    notice = notice_for_session(config(), session, "0312", DAY, "王小明")
    assert notice.missing == ("购房发票", "结婚证")
    assert notice.rules == ("规定二", "口头说明的规定")
    assert notice.citizen_name == "王小明"
    assert notice.without_name().citizen_name == ""
    assert "王" not in notice.detail()


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (["mon", "tue", "wed", "thu", "fri"], "周一至周五 08:30-17:00"),
        (["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "每天 08:30-17:00"),
        (["mon", "wed", "fri"], "周一、周三、周五 08:30-17:00"),
        (["sat", "sun"], "周六、周日 08:30-17:00"),
    ],
)
def test_opening_hours(days, text):
    assert opening_hours(days, "08:30", "17:00") == text


def test_every_value_is_escaped_and_the_name_line_is_blank_without_a_name():
    cfg = config(center_name='<b>中心</b> & "x"', address="<script>alert(1)</script>")
    evil = Business("k", "<i>购房</i>", ("<td>身份证</td>",))
    notice = build_notice(
        cfg, business=evil, missing=["<td>身份证</td>"], rules=["</ol><h1>x"], today=DAY
    )
    html = render_html(builtin_template(), notice)
    for raw in ("<b>中心</b>", "<script>", "<i>购房</i>", "<td>身份证</td>", "</ol><h1>x"):
        assert raw not in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;购房&lt;/i&gt;" in html
    assert "&amp; &quot;x&quot;" in html
    assert f"尊敬的 {BLANK}" in html
    named = render_html(builtin_template(), build_notice(cfg, business=evil, today=DAY,
                                                          citizen_name="<王>"))  # fmt: skip
    assert "&lt;王&gt;" in named and "<王>" not in named


def test_the_signature_line_follows_the_config():
    with_line = build_notice(config(), business=PURCHASE, missing=["身份证"], today=DAY)
    without = build_notice(
        config(signature_line=False), business=PURCHASE, missing=["身份证"], today=DAY
    )
    assert "申请人签收" in render_html(builtin_template(), with_line)
    assert "申请人签收" not in render_html(builtin_template(), without)


def test_the_builtin_template_is_valid_and_uses_every_placeholder():
    template = builtin_template()
    assert check_template(template.text, template.source) == []
    for key in PLACEHOLDERS:
        if key not in ("window", "department"):  # the built-in one uses {{counter}}
            assert "{{" + key + "}}" in template.text, key


def test_template_problems_name_file_line_and_placeholder(tmp_path):
    path = tmp_path / "notice.html"
    path.write_text(
        "<p>{{center_name}} {{date}}</p>\n<p>{{ busines }}</p>\n<p>{{documents}</p>\n",
        encoding="utf-8",
    )
    loaded = load_notice_template(path)
    assert loaded.builtin  # a broken override falls back to the built-in notice
    text = [str(p) for p in loaded.problems]
    assert any(
        t.startswith(f"{path}:2 [{{{{busines}}}}]: unknown placeholder") and '"{{business}}"' in t
        for t in text
    ), text
    assert any(t.startswith(f"{path}:3 [{{{{]: a placeholder is not closed") for t in text), text
    assert any("[{{business}}]: required placeholder missing" in t for t in text), text
    assert any("[{{documents}}]: required placeholder missing" in t for t in text), text
    assert any("this template is not used" in t for t in text)


def test_a_valid_override_is_used(tmp_path):
    path = tmp_path / "center.html"
    body = " ".join("{{" + k + "}}" for k in REQUIRED)
    path.write_text(f"<html><body><p>本中心 {body}</p></body></html>", encoding="utf-8-sig")
    loaded = load_notice_template(path)
    assert not loaded.builtin and loaded.problems == () and loaded.source == str(path)
    html = render_html(loaded, build_notice(config(), business=PURCHASE, today=DAY))
    assert html.startswith("<html><body><p>本中心 盘锦市住房公积金管理中心 2026年11月28日 购房提取")


def test_an_unreadable_or_missing_template_falls_back_with_a_problem(tmp_path):
    bad = tmp_path / "gbk.html"
    bad.write_bytes("{{center_name}} 告知".encode("gbk"))
    missing = tmp_path / "nope.html"
    for path, words in ((bad, "cannot read"), (missing, "file not found")):
        loaded = load_notice_template(path)
        assert loaded.builtin
        assert [p.file for p in loaded.problems] == [str(path)]
        assert words in loaded.problems[0].message
        assert loaded.problems[0].key == "notice.template"


# --- the PDF's text map ------------------------------------------------------------------

CMAP = b"""stream
/CIDInit /ProcSet findresource begin
3 beginbfrange
<0000> <0000> <0000>
<0001> <0004> [<2F00> <6B21> <0009> <6236> ]
<0005> <0005> <2EEC>
endbfrange
1 beginbfchar
<0006> <2F26>
endbfchar
endcmap
endstream"""


def test_text_maps_are_fixed_in_place():
    fixed = fix_text_maps(CMAP, {0x2F00: 0x4E00, 0x09: 0x20, 0x6236: 0x6237, 0x2EEC: 0x9F50,
                                 0x2F26: 0x5B50})  # fmt: skip
    assert len(fixed) == len(CMAP)
    assert b"[<4E00> <6B21> <0020> <6237> ]" in fixed
    assert b"<0005> <0005> <9F50>" in fixed
    assert b"<0006> <5B50>" in fixed
    assert b"<0000> <0000> <0000>" in fixed
    assert fix_text_maps(CMAP, {}) == CMAP


def test_corrections_come_from_what_was_drawn():
    glyphs = [0] * 0x10000
    glyphs[0x09] = glyphs[0x20] = 1  # tab and space share the space glyph
    glyphs[0x2F00] = glyphs[0x4E00] = 2  # ⼀ and 一
    glyphs[0x6236] = glyphs[0x6237] = 3  # 戶 and 户 in a Simplified face
    glyphs[0x6B21] = 4
    assert corrections_for("一 次户", [glyphs]) == {0x09: 0x20, 0x2F00: 0x4E00, 0x6236: 0x6237}
    # A character on the page is never "corrected" into another one.
    assert corrections_for("戶户", [glyphs]) == {}


# --- saved notices ------------------------------------------------------------------------


def test_the_pdf_folder_and_names(tmp_path):
    assert pdf_folder("", tmp_path) == tmp_path / "notices"
    assert pdf_folder(str(tmp_path / "x"), tmp_path) == tmp_path / "x"
    now = datetime(2026, 11, 28, 10, 32, 15)
    first = new_pdf_path(tmp_path, now)
    assert first.name == "notice-20261128-103215.pdf"
    first.write_bytes(b"%PDF")
    assert new_pdf_path(tmp_path, now).name == "notice-20261128-103215-2.pdf"


def test_saved_notices_are_deleted_after_seven_days_and_nothing_else(tmp_path):
    tmp_path = tmp_path / "notices"
    tmp_path.mkdir()
    now = time.time()
    old = tmp_path / "notice-20261120-090000.pdf"
    fresh = tmp_path / "notice-20261127-090000-2.pdf"
    other = tmp_path / "my-own-notes.pdf"
    for path in (old, fresh, other):
        path.write_bytes(b"%PDF")
        os.utime(path, (now - 8 * 86400, now - 8 * 86400))
    os.utime(fresh, (now - 6 * 86400, now - 6 * 86400))
    assert prune_pdfs(tmp_path, now) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name])
    assert prune_pdfs(tmp_path / "never-made", now) == []


def test_check_config_names_a_broken_template(tmp_path, capsys):
    from counter_assistant.checks import check_config
    from counter_assistant.context import load_context

    template = tmp_path / "center.html"
    template.write_text("<p>{{center_name}} {{date}} {{business}}</p>\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[notice]\ntemplate = "center.html"\n', encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "data"))
    assert ctx.notice_template.builtin
    assert check_config(ctx) == 1
    err = capsys.readouterr().err
    assert f"{template} [{{{{documents}}}}]: required placeholder missing" in err
