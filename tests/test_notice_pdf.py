"""The notice rendered by Qt's PDF writer, read back with poppler (pdftotext, pdffonts)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from counter_assistant.core.business import Business
from counter_assistant.core.config import Config
from counter_assistant.core.notice import build_notice, render_html
from counter_assistant.core.notice_template import builtin_template

DAY = date(2026, 11, 28)
EIGHT = Business(
    "loan_second",
    "二手房公积金贷款",
    ("借款人身份证", "户口簿", "婚姻状况证明", "购房合同", "首付款发票", "收入证明",
     "银行流水（近六个月）", "不动产权证书"),
)  # fmt: skip
LONG_RULE = (
    "《住房公积金管理条例》第二十四条及本中心《个人住房公积金贷款管理办法》第十二条：申请贷款的"
    "职工应当提供本人及配偶的身份证明、户籍证明、婚姻状况证明、购房合同或协议、首付款证明、"
    "收入证明以及近六个月的银行流水；材料不齐全的，中心将一次性告知需补齐的全部材料，"
    "申请人备齐后再行受理。"
)


def require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CA_REQUIRE_XVFB") == "1":
            pytest.fail(f"{tool} is not installed (poppler-utils) but CA_REQUIRE_XVFB=1")
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def config(**overrides) -> Config:
    cfg = Config(
        center_name="盘锦市住房公积金管理中心",
        window="3",
        department="归集科",
        address="盘锦市兴隆台区市府大路 123 号",
        phone="0427-2825678",
    )
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg


def render(tmp_path: Path, notice, paper: str = "A4", name: str = "n.pdf") -> Path:
    from counter_assistant.ui.notice_render import write_pdf

    return write_pdf(render_html(builtin_template(), notice), tmp_path / name, paper)


def text_of(pdf: Path) -> str:
    require("pdftotext")
    return run("pdftotext", "-layout", str(pdf), "-")


def flat(text: str) -> str:
    """The text without line breaks and spaces: wrapped lines join up again."""
    return re.sub(r"\s+", "", text)


def info(pdf: Path) -> dict[str, str]:
    require("pdfinfo")
    out = run("pdfinfo", str(pdf))
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


@pytest.fixture
def qt(qapp):
    return qapp


def test_every_field_is_on_the_notice(qt, tmp_path):
    notice = build_notice(
        config(),
        business=EIGHT,
        missing=["户口簿", "收入证明"],
        rules=["《住房公积金管理条例》第二十四条"],
        staff_id="PJ0312",
        today=DAY,
    )
    text = text_of(render(tmp_path, notice))
    lines = text.splitlines()
    for expected in (
        "盘锦市住房公积金管理中心",
        "一次性告知单",
        "日期：2026年11月28日",
        "3号窗口·归集科",
        "工号：PJ0312",
        "“二手房公积金贷款”",
        "本次还缺2项：户口簿、收入证明",
        "办理依据：",
        "1.《住房公积金管理条例》第二十四条",
        "办理地址：盘锦市兴隆台区市府大路123号",
        "咨询电话：0427-2825678",
        "办公时间：周一至周五08:30-17:00",
        "申请人签收：________________日期：________年____月____日",
        "尊敬的______________：",
    ):
        assert expected in flat(text), expected
    # All eight documents, in catalog order, numbered; exactly the two missing ones marked.
    rows = [line.split() for line in lines if re.match(r"^\s*[1-8]\s+\S", line)]
    assert [(r[0], r[1]) for r in rows] == [(str(i), d) for i, d in enumerate(EIGHT.documents, 1)]
    marked = [r[1] for r in rows if "■" in r and "需补交" in r]
    given = [r[1] for r in rows if "√" in r and "已提供" in r]
    assert marked == ["户口簿", "收入证明"]
    assert len(given) == 6
    assert info(render(tmp_path, notice, name="again.pdf"))["Pages"].strip() == "1"


def test_chinese_extracts_as_the_same_characters_from_embedded_fonts(qt, tmp_path):
    # Characters whose glyphs a CJK font shares with another code point (Kangxi radicals,
    # a Traditional twin): 一 ⼀, 金 ⾦, 户 戶, 齐 ⻬, 心 ⼼, 日 ⽇, 工 ⼯, 身 ⾝, 口 ⼝.
    tricky = Business("t", "一户齐心日工身口金", ("身份证", "户口簿"))
    notice = build_notice(config(), business=tricky, missing=["户口簿"], staff_id="A-03", today=DAY)
    pdf = render(tmp_path, notice)
    text = text_of(pdf)
    assert "一户齐心日工身口金" in text
    assert "户口簿" in text and "身份证" in text and "一次性告知单" in text
    assert "工号：A-03" in text  # digits after letters keep their characters
    assert not re.search(r"[\u2e80-\u2fdf\u6236]", text), "radicals or 戶 in the extracted text"
    require("pdffonts")
    fonts = run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    for line in fonts:
        cols = line.split()
        emb, uni = cols[-5], cols[-3]
        assert (emb, uni) == ("yes", "yes"), line


def test_eight_documents_and_a_long_rule_on_a5(qt, tmp_path):
    notice = build_notice(
        config(),
        business=EIGHT,
        missing=list(EIGHT.documents[::2]),
        rules=[LONG_RULE, "第二条规定"],
        staff_id="0312",
        today=DAY,
    )
    pdf = render(tmp_path, notice, "A5")
    meta = info(pdf)
    assert "A5" in meta["Page size"]
    assert meta["Pages"].strip() == "1", "the A5 notice no longer fits one sheet"
    text = text_of(pdf)
    assert flat(LONG_RULE) in flat(text), "the long rule is cut or garbled"
    assert "2. 第二条规定" in text
    for doc in EIGHT.documents:
        assert flat(doc) in flat(text), doc
    assert text.count("■ 需补交") == 4
    assert "A4" in info(render(tmp_path, notice, "A4", "a4.pdf"))["Page size"]


def test_a_notice_longer_than_a_sheet_numbers_its_pages(qt, tmp_path):
    many = Business("many", "测试业务", tuple(f"第{n}项材料" for n in range(1, 31)))
    notice = build_notice(config(), business=many, missing=["第30项材料"], today=DAY)
    pdf = render(tmp_path, notice, "A5")
    assert info(pdf)["Pages"].strip() == "2"
    text = text_of(pdf)
    assert "第 1 页，共 2 页" in text and "第 2 页，共 2 页" in text
    assert "第30项材料" in text and "申请人签收" in text
    one = render(tmp_path, build_notice(config(), business=EIGHT, missing=["户口簿"], today=DAY))
    assert "页，共" not in text_of(one)


def test_the_name_is_printed_only_when_typed_and_values_are_not_markup(qt, tmp_path):
    business = Business("x", "<b>购房</b>提取", ("身份证",))
    notice = build_notice(
        config(address="A&B <路>"),
        business=business,
        missing=["身份证"],
        today=DAY,
        citizen_name="王<小>明",
    )
    text = text_of(render(tmp_path, notice))
    assert "尊敬的 王<小>明：" in text
    assert "“<b>购房</b>提取”" in text and "A&B <路>" in text
    blank = text_of(render(tmp_path, notice.without_name(), name="blank.pdf"))
    assert "王" not in blank and "尊敬的 ______________：" in blank


def test_no_signature_line_when_the_center_does_not_want_one(qt, tmp_path):
    notice = build_notice(
        config(signature_line=False), business=EIGHT, missing=["户口簿"], today=DAY
    )
    assert "申请人签收" not in text_of(render(tmp_path, notice))


# --- the command line ----------------------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config_file = tmp_path / "config.toml"
    if not config_file.exists():
        config_file.write_text(
            '[center]\nname = "测试市住房公积金管理中心"\naddress = "测试路 8 号"\n'
            'phone = "0427-1111111"\n[counter]\nid = "T-01"\nwindow = "5"\n'
            'department = "提取科"\n',
            encoding="utf-8",
        )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "counter_assistant", "notice", "--config", str(config_file),
         "--data-dir", str(tmp_path / "data"), *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_cli_renders_the_notice_with_the_config_in_force(tmp_path):
    out = tmp_path / "notice.pdf"
    done = cli(tmp_path, "--business", "withdraw_purchase", "--missing", "购房合同", "购房发票",
               "--rule", "测试规定", "--other", "结婚证", "--staff", "0312",
               "--date", "2026-11-28", "--paper", "A5", "--pdf", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"-> {out}" in done.stdout
    text = text_of(out)
    for expected in ("测试市住房公积金管理中心", "5号窗口·提取科", "工号：0312", "测试路8号",
                     "0427-1111111", "2026年11月28日", "本次还缺3项：购房合同、购房发票、结婚证",
                     "1.测试规定"):  # fmt: skip
        assert expected in flat(text), expected
    assert "A5" in info(out)["Page size"]


def test_cli_names_what_is_wrong(tmp_path):
    done = cli(tmp_path, "--business", "nope", "--pdf", str(tmp_path / "x.pdf"))
    assert done.returncode == 2 and "withdraw_purchase (购房提取)" in done.stderr
    done = cli(
        tmp_path, "--business", "购房提取", "--missing", "护照", "--pdf", str(tmp_path / "x.pdf")
    )
    assert done.returncode == 2
    assert "护照 not among the documents of 购房提取: 身份证, 购房合同, 购房发票" in done.stderr
    template = tmp_path / "center.html"
    template.write_text("<p>{{center_name}}</p>\n<p>{{date}} {{busness}}</p>", encoding="utf-8")
    out = tmp_path / "fallback.pdf"
    done = cli(tmp_path, "--business", "loan", "--missing", "户口簿", "--template", str(template),
               "--pdf", str(out))  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"{template}:2 [{{{{busness}}}}]: unknown placeholder" in done.stderr
    assert "一次性告知单" in text_of(out)  # rendered with the built-in template instead


def test_self_check_renders_a_notice_and_says_where_it_would_go(tmp_path):
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "counter_assistant", "--data-dir", str(data), "self-check"],
        capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "one-time notice renders (A4" in done.stdout
    assert f"no default printer: saved as PDF in {data / 'notices'}" in done.stdout


@pytest.mark.parametrize(
    ("name", "file_printer"),
    [
        ("Microsoft Print to PDF", True),
        ("Microsoft XPS Document Writer", True),
        ("OneNote (Desktop)", True),
        ("Send To OneNote 2016", True),
        ("Fax", True),
        ("HP LaserJet Pro M404 (窗口3)", False),
        ("ca-notice", False),
    ],
)
def test_a_default_printer_that_only_writes_files_is_not_used(name, file_printer):
    from counter_assistant.ui.notice_render import is_file_printer

    assert is_file_printer(name) is file_printer
