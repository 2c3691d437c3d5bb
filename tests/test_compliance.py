"""Articles 14 and 16 over a fixture month (May 2026): a holiday, a 调休 Saturday, a late
preparation, a missing close-out, two close-outs and a clock fault."""

import datetime as dt
from datetime import date

import pytest
from openpyxl import load_workbook
from reportdata import MAY, chk, ev, make_db, may_fixture, may_options, read_csv

from counter_assistant.reports.export import export_report
from counter_assistant.reports.preview import preview


@pytest.fixture
def may(tmp_path):
    folder = tmp_path / "dbs"
    folder.mkdir()
    may_fixture(folder)
    return folder


def detail_rows(folder, tmp_path, report="compliance", lang="zh"):
    out = tmp_path / f"{report}-{lang}.csv"
    export_report([folder], *MAY, report, "csv", out, lang=lang, options=may_options())
    header, *rows = read_csv(out)
    return header, {(r[0], r[3]): dict(zip(header, r, strict=True)) for r in rows}


def test_days_listed_follow_the_calendar(may, tmp_path):
    _h, rows = detail_rows(may, tmp_path)
    pj1 = sorted(d for d, c in rows if c == "PJ-01")
    assert "2026-05-01" not in pj1 and "2026-05-04" not in pj1  # holidays, unused
    assert "2026-05-02" not in pj1 and "2026-05-23" not in pj1  # weekends, unused
    assert rows["2026-05-09", "PJ-01"]["日类型"] == "调休上班"  # a worked Saturday
    assert rows["2026-05-16", "PJ-01"]["日类型"] == "休息日"  # used on a weekend: listed
    assert rows["2026-05-16", "PJ-01"]["准备情况"] == "未准备即使用"
    assert len(pj1) == 20  # 19 working days and the Saturday it was used
    assert sum(1 for _d, c in rows if c == "PJ-03") == 19  # a silent counter: every working day
    assert rows["2026-05-20", "PJ-02"]["准备情况"] == "未准备"
    assert rows["2026-05-20", "PJ-02"]["需处理"] == "否"
    assert "2026-05-30" not in {d for d, _c in rows}  # past the last date held


def test_every_case_of_the_fixture_month(may, tmp_path):
    _h, rows = detail_rows(may, tmp_path)
    late = rows["2026-05-06", "PJ-01"]
    assert (late["准备情况"], late["准备人员"], late["姓名"], late["准备时间"]) == (
        "迟到", "0420", "张丽", "08:35:00"
    )  # fmt: skip
    assert late["需处理"] == "是"
    open_day = rows["2026-05-07", "PJ-01"]
    assert open_day["收尾时间"] == "" and open_day["需处理"] == "是"
    assert "未做日终收尾" in open_day["说明"]
    twice = rows["2026-05-08", "PJ-01"]
    assert twice["收尾时间"] == "17:00:00、17:20:00" and twice["重新开启时间"] == "17:10:00"
    assert twice["需处理"] == "否"
    carried = rows["2026-05-12", "PJ-01"]
    assert carried["准备情况"] == "按时" and carried["准备时间"] == "08:15:00"
    ahead = rows["2026-05-13", "PJ-01"]
    assert ahead["准备情况"] == "时钟异常" and ahead["需处理"] == "是"
    assert "08:14:00" in ahead["说明"] and "超前" in ahead["说明"]
    unprepared = rows["2026-05-14", "PJ-01"]
    assert unprepared["准备情况"] == "未准备即使用" and unprepared["准备人员"] == ""
    flagged = sorted(d for (d, c), r in rows.items() if r["需处理"] == "是")
    assert flagged == ["2026-05-06", "2026-05-07", "2026-05-13", "2026-05-14", "2026-05-16"]


def test_figures_per_counter_and_per_staff(may, tmp_path):
    out = tmp_path / "c.xlsx"
    export_report([may], *MAY, "compliance", "xlsx", out, options=may_options())
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "按人员", "每日明细"]
    summary = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(summary) if r[0] == "窗口" and r[1] == "工作天数")
    header = summary[head]
    assert header[:14] == ["窗口", "工作天数", "按时准备", "按时率", "准备迟到", "迟到率",
                           "未准备即使用", "未准备率", "未收尾", "未收尾率", "重新开启",
                           "重新开启率", "时钟异常", "无记录工作日"]  # fmt: skip
    by_counter = {r[0]: r[1:15] for r in summary[head + 1 : head + 4]}
    assert by_counter["PJ-01"] == [20, 16, 0.8, 1, 0.05, 2, 0.1, 2, 0.1, 1, 0.05, 1, 0, None]
    assert by_counter["PJ-02"] == [18, 18, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, None]
    assert by_counter["PJ-03"][0] == 0 and by_counter["PJ-03"][12] == 19
    assert by_counter["PJ-03"][13] == "（无记录）"
    lines = {r[0]: r[1] for r in summary[:head] if r[0]}
    assert lines["需处理的窗口·天"] == 5 and lines["其中迟到"] == 1
    assert lines["有使用但未准备"] == 2 and lines["未收尾"] == 2
    assert lines["重新开启次数"] == 1 and lines["时钟异常"] == 1
    assert lines["节假日日历"] == "may.toml"
    staff = [list(r) for r in wb["按人员"].iter_rows(values_only=True)]
    assert staff[0][:4] == ["工号", "姓名", "窗口", "工作天数"]
    by_staff = {r[0]: r[1:] for r in staff[1:]}
    assert by_staff["0312"] == ["王强", "PJ-01", 20, 16, 0.8, 0, 0, 2, 0.1, 2, 0.1, 1, 0.05, 1]
    assert by_staff["0420"] == ["张丽", "PJ-01", 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert by_staff["0501"][:4] == [None, "PJ-02", 18, 18]
    # a chart of on-time preparation per counter, as rates
    chart = wb["汇总"]._charts[0]
    assert len(wb["汇总"]._charts) == 1
    ref = chart.series[0].val.numRef.f
    assert ref.endswith(f"$D${head + 2}:$D${head + 4}")  # the 按时率 column
    detail = wb["每日明细"]
    assert detail.freeze_panes == "A2" and detail.auto_filter.ref.startswith("A1:")
    assert detail.print_title_rows == "$1:$1"
    assert detail["A2"].is_date and detail["I2"].is_date  # date and preparation time
    rates = wb["汇总"].cell(head + 2, 4)
    assert rates.number_format == "0.0%" and rates.value == 0.8


def test_checklists_is_the_day_by_day_table(may, tmp_path):
    header, rows = detail_rows(may, tmp_path, "checklists")
    assert header == ["日期", "星期", "日类型", "窗口", "准备情况", "准备人员", "姓名",
                      "准备时间", "收尾时间", "收尾人员", "重新开启时间", "提示次数"]  # fmt: skip
    assert len(rows) == 20 + 18 + 1 + 19  # PJ-01, PJ-02 (+ its idle day), PJ-03
    assert rows["2026-05-08", "PJ-01"]["收尾时间"] == "17:00:00、17:20:00"
    out = tmp_path / "c.xlsx"
    export_report([may], *MAY, "checklists", "xlsx", out, options=may_options())
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "准备与收尾"]
    lines = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r[0]}
    assert lines["已准备（窗口·天）"] == 35 and lines["其中迟到"] == 1
    # Times are time cells; a day closed out twice lists both as text in one cell.
    sheet = list(wb["准备与收尾"].iter_rows(values_only=True))
    names = list(sheet[0])
    at = {(str(r[0])[:10], r[3]): dict(zip(names, r, strict=True)) for r in sheet[1:]}
    twice = at.pop(("2026-05-08", "PJ-01"))["收尾时间"]
    assert twice == "17:00:00、17:20:00"
    closes = [row["收尾时间"] for row in at.values() if row["收尾时间"] is not None]
    assert len(closes) > 30 and all(isinstance(t, dt.time) for t in closes)
    assert all(isinstance(r["准备时间"], dt.time) for r in at.values() if r["准备时间"])


def test_english_compliance_translates_everything(may, tmp_path):
    header, rows = detail_rows(may, tmp_path, lang="en")
    assert header[:6] == ["date", "weekday", "day type", "counter", "needs action", "preparation"]
    assert rows["2026-05-06", "PJ-01"]["preparation"] == "late"
    assert rows["2026-05-09", "PJ-01"]["day type"] == "swapped working day"
    assert rows["2026-05-13", "PJ-01"]["preparation"] == "clock fault"
    assert "ahead" in rows["2026-05-13", "PJ-01"]["notes"]
    out = tmp_path / "c.xlsx"
    export_report([may], *MAY, "compliance", "xlsx", out, lang="en", options=may_options())
    wb = load_workbook(out)
    assert wb.sheetnames == ["summary", "per staff", "per day"]
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    for data in ("王强", "张丽", "劳动节调休"):  # names from the roster and the calendar
        text = text.replace(data, "")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert wb["per day"].oddFooter.center.text == "page &P of &N"
    chart_title = wb["summary"]._charts[0].title.tx.rich.p[0].r[0].t
    assert chart_title == "On-time preparation per counter"


def test_a_clock_running_backwards_flags_both_days(tmp_path):
    """Records that run back by more than ten minutes: neither day counts as prepared."""
    events = [
        ev("PJ-01", day="2026-03-03", at="09:00:00"),  # the PC a day ahead
        ev("PJ-01", day="2026-03-02", at="09:05:00"),  # put right
        ev("PJ-01", day="2026-03-02", at="09:03:00"),  # two minutes back: not a fault
    ]
    checks = [chk("PJ-01", "prep", day="2026-03-03", at="08:10:00"),
              chk("PJ-01", "prep", day="2026-03-02", at="08:11:00")]  # fmt: skip
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", events, checks)
    out = tmp_path / "c.csv"
    export_report([db], date(2026, 3, 2), date(2026, 3, 3), "compliance", "csv", out)
    rows = {r[0]: r for r in read_csv(out)[1:]}
    assert rows["2026-03-02"][5] == rows["2026-03-03"][5] == "时钟异常"
    assert "倒退" in rows["2026-03-02"][-1]


def test_preview_of_compliance_and_checklists(may):
    p = preview([may], *MAY, "compliance", may_options())
    assert [r[0] for r in p.table.rows] == ["PJ-01", "PJ-02", "PJ-03"]
    assert p.flagged == 5 and p.silent == ["PJ-03"]
    p = preview([may], *MAY, "checklists", may_options())
    flagged = [r for r in p.table.rows if p.table.highlight(r)]
    assert {r[0].isoformat() for r in flagged} == {"2026-05-06", "2026-05-13", "2026-05-14",
                                                   "2026-05-16"}  # fmt: skip


def test_a_reopening_after_the_last_close_out_leaves_the_day_open(tmp_path):
    checks = [
        chk("PJ-01", "prep", at="08:10:00"),
        chk("PJ-01", "close", at="17:00:00"),
        chk("PJ-01", "reopen", at="17:30:00"),
    ]
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")], checks)
    out = tmp_path / "c.csv"
    export_report([db], date(2026, 3, 2), date(2026, 3, 2), "compliance", "csv", out)
    row = read_csv(out)[1]
    assert row[4] == "是" and row[9] == "17:00:00" and row[11] == "17:30:00"
    assert row[-1] == "重新开启后未再收尾"
