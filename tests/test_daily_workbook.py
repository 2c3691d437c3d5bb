"""The daily workbook: per staff, trend, situations not used, the previous range, notices."""

import json
from datetime import date

import pytest
from openpyxl import load_workbook
from reportdata import ROSTER, ev, make_db, read_csv

from counter_assistant.reports.export import Options, export_report
from counter_assistant.reports.words import Names

D0, D1 = date(2026, 3, 1), date(2026, 3, 31)


def notice(counter, day, business, missing, variant="print"):
    detail = json.dumps({"missing": missing}, ensure_ascii=False)
    return ev(counter, day, situation="notice", variant=variant, business=business, detail=detail)


@pytest.fixture
def month(tmp_path):
    a = [
        ev("PJ-01", "2026-03-02", staff="0312", situation="greeting"),
        ev("PJ-01", "2026-03-02", staff="0312", situation="farewell"),
        ev("PJ-01", "2026-03-03", staff="0420", situation="greeting"),
        ev("PJ-01", "2026-02-10", staff="0312", situation="greeting"),  # the month before
        notice("PJ-01", "2026-03-03", "loan", ["身份证", "户口簿"]),
        notice("PJ-01", "2026-03-04", "loan", ["户口簿"], variant="pdf"),
    ]
    b = [
        ev("PJ-02", "2026-03-10", staff="0501", situation="documents"),
        notice("PJ-02", "2026-03-10", "withdraw_rent", ["户口簿", "租房合同"]),
    ]
    return [
        make_db(tmp_path / "a.sqlite3", "PJ-01", a),
        make_db(tmp_path / "b.sqlite3", "PJ-02", b),
        make_db(tmp_path / "c.sqlite3", "PJ-03"),
    ]


def rows_of(ws):
    return [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]


def test_the_daily_workbook_sheets(month, tmp_path):
    out = tmp_path / "d.xlsx"
    options = Options(names=Names.of((), ROSTER))
    export_report(month, D0, D1, "daily", "xlsx", out, options=options)
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "每日汇总", "按人员", "趋势", "未使用的情形", "与上期对比",
                             "告知单"]  # fmt: skip
    daily = wb["每日汇总"]
    assert daily.freeze_panes == "A2" and daily.print_title_rows == "$1:$1"
    assert [c.value for c in daily[1]] == ["日期", "窗口", "工号", "姓名", "情形", "次数",
                                           "情形代码"]  # fmt: skip
    assert daily["A2"].is_date and daily["D2"].value == "王强"

    staff = rows_of(wb["按人员"])
    assert staff[0][:6] == ["工号", "姓名", "窗口", "使用天数", "提示次数", "日均次数"]
    assert "接待问候" in staff[0] and "一次性告知单" in staff[0]
    by_id = {r[0]: r for r in staff[1:]}
    assert by_id["0312"][:6] == ["0312", "王强", "PJ-01", 1, 2, 2.0]

    trend = wb["趋势"]
    assert len(trend._charts) == 1 and trend._charts[0].tagname == "lineChart"
    assert [c.value for c in trend[1]] == ["日期", "PJ-01", "PJ-02", "PJ-03", "合计"]
    assert trend.max_row == 32  # every day of March
    assert [trend.cell(11, c).value for c in range(2, 6)] == [0, 2, 0, 2]  # 2026-03-10

    unused = rows_of(wb["未使用的情形"])
    pj1 = [r[1] for r in unused if r[0] == "PJ-01"]
    assert "接听电话" in pj1 and "接待问候" not in pj1 and "礼貌送别" not in pj1
    assert ["PJ-03", "（无记录）"] in unused

    compare = rows_of(wb["与上期对比"])
    assert any("2026-01-29 至 2026-02-28" in str(r[0]) for r in compare if r)
    pj1_row = next(r for r in compare if r and r[0] == "PJ-01")
    assert pj1_row[1:5] == [5, 1, 4, 4.0]  # this range, previous, change, change rate

    notices = rows_of(wb["告知单"])
    assert ["PJ-01", 2] in notices and ["PJ-02", 1] in notices and ["PJ-03", 0] in notices
    assert ["公积金贷款", 2, "loan"] in notices
    assert ["户口簿", 3] in notices and ["身份证", 1] in notices
    lines = {r[0]: r[1] for r in rows_of(wb["汇总"]) if len(r) == 2}
    assert lines["一次性告知单"] == 3
    assert lines["最常缺少的材料"].startswith("户口簿 3")
    assert len(wb["汇总"]._charts) == 1


def test_a_long_range_is_charted_per_week(month, tmp_path):
    out = tmp_path / "d.xlsx"
    export_report(month, date(2026, 1, 1), date(2026, 6, 30), "daily", "xlsx", out)
    trend = load_workbook(out)["趋势"]
    assert trend["A1"].value == "周（起始日）"
    weeks = [trend.cell(r, 1).value.date() for r in range(2, trend.max_row + 1)]
    assert weeks[0] == date(2025, 12, 29) and all(w.weekday() == 0 for w in weeks)
    # PJ-01 in the week of 2 March: three prompts and two notices
    assert trend.cell(weeks.index(date(2026, 3, 2)) + 2, 2).value == 5


def test_csv_carries_the_main_table_only(month, tmp_path):
    out = tmp_path / "d.csv"
    export_report(month, D0, D1, "daily", "csv", out)
    rows = read_csv(out)
    assert rows[0] == ["日期", "窗口", "工号", "姓名", "情形", "次数", "情形代码"]
    assert all(len(r) == 7 for r in rows)
    assert rows[-1][1:5] == ["PJ-03", "", "", "（无记录）"]


def test_english_daily_workbook(month, tmp_path):
    out = tmp_path / "d.xlsx"
    export_report(month, D0, D1, "daily", "xlsx", out, lang="en")
    wb = load_workbook(out)
    assert wb.sheetnames == ["summary", "daily", "per staff", "trend", "situations not used",
                             "vs previous range", "notices"]  # fmt: skip
    daily = rows_of(wb["daily"])
    assert daily[0] == ["date", "counter", "staff ID", "name", "situation", "count",
                        "situation code"]  # fmt: skip
    situations = {r[4] for r in wb["daily"].iter_rows(min_row=2, values_only=True)}
    assert situations >= {"Greeting", "Farewell", "One-time notice", "Documents"}
    assert wb["trend"]._charts[0].title.tx.rich.p[0].r[0].t == "Uses per day, per counter"
    for sheet in wb.worksheets:  # titles and words in English, punctuation too
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and set(value) & set("（）：")), value
