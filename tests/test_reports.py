"""Reports: merging, CSV and XLSX writers, the text rule, time zones, ranges, progress."""

import hashlib
import os
import sqlite3
import threading
import time
import zipfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from reportdata import HOSTILE, chk, ev, make_db, read_csv

from counter_assistant.reports import export as export_mod
from counter_assistant.reports import scope as scope_mod
from counter_assistant.reports.export import Cancelled, ExportError, Options, export_report
from counter_assistant.reports.sources import find_databases, scan_folder
from counter_assistant.reports.today import today_counts
from counter_assistant.reports.words import Names

D0, D1 = date(2026, 3, 1), date(2026, 3, 31)
REPORTS = ("events", "daily", "checklists", "compliance")


@pytest.fixture
def two_dbs(tmp_path):
    shared = [ev("PJ-01", situation="greeting"), ev("PJ-01", situation="farewell")]
    a = make_db(tmp_path / "a.sqlite3", "PJ-01", [*shared, ev("PJ-01", day="2026-03-03")])
    backup = make_db(tmp_path / "a-backup.db", "PJ-01", shared)
    b = make_db(tmp_path / "b.sqlite3", "PJ-02", [ev("PJ-02", situation="documents")])
    return [a, backup, b]


def test_merge_counts_overlapping_records_once(two_dbs, tmp_path):
    out = tmp_path / "events.csv"
    s = export_report(two_dbs, D0, D1, "events", "csv", out)
    rows = read_csv(out)[1:]
    assert s.rows == len(rows) == 4
    assert len({r[-1] for r in rows}) == 4  # record ids, last column
    assert s.counters == ["PJ-01", "PJ-02"] and s.missing_counters == []
    export_report(two_dbs, D0, D1, "daily", "csv", tmp_path / "daily.csv")
    daily = read_csv(tmp_path / "daily.csv")[1:]
    assert sum(int(r[5]) for r in daily) == 4
    assert ["2026-03-03", "PJ-01", "S01", "", "接待问候", "1", "greeting"] in daily


def test_events_columns_words_first_codes_last(tmp_path):
    db = make_db(
        tmp_path / "a.sqlite3",
        "PJ-01",
        [
            ev(
                "PJ-01",
                situation="greeting",
                variant="after_wait",
                business="loan",
                trigger="picker",
            )
        ],
    )
    out = tmp_path / "e.csv"
    export_report([db], D0, D1, "events", "csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    header, row = read_csv(out)
    assert header == ["日期", "时间", "窗口", "工号", "情形", "说法", "业务", "触发方式",
                      "情形代码", "说法代码", "业务代码", "程序版本", "话术版本",
                      "记录编号"]  # fmt: skip
    assert row[:8] == ["2026-03-02", "09:00:00", "PJ-01", "S01", "接待问候", "久等致歉",
                       "公积金贷款", "选择"]  # fmt: skip
    assert row[8:13] == ["greeting", "after_wait", "loan", "0.2.0", "0"]
    export_report([db], D0, D1, "events", "csv", out, lang="en", force=True)
    header, row = read_csv(out)
    assert header[:6] == ["date", "time", "counter", "staff ID", "situation", "wording"]
    assert row[4:8] == ["Greeting", "sorry for the wait", "公积金贷款", "picker"]


def test_notices_and_answers_in_events(tmp_path):
    notice = ev("PJ-01", situation="notice", variant="pdf", business="loan",
                detail='{"missing": ["身份证"]}')  # fmt: skip
    answer = ev("PJ-01", situation="answer", variant="rent_limit", at="09:30:00")
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [notice, answer])
    export_report([db], D0, D1, "events", "csv", tmp_path / "e.csv")
    rows = read_csv(tmp_path / "e.csv")[1:]
    assert rows[0][4:7] == ["一次性告知单", "存为 PDF", "公积金贷款"]
    assert rows[1][4:6] == ["常见问题", "rent_limit"]  # no title known: the answer's key
    answers = [SimpleNamespace(key="rent_limit", title="租房提取额度")]
    options = Options(names=Names.of((), (), answers))
    for fmt in ("csv", "xlsx"):
        export_report([db], D0, D1, "events", fmt, tmp_path / f"t.{fmt}", options=options)
    assert read_csv(tmp_path / "t.csv")[2][5] == "租房提取额度"
    assert load_workbook(tmp_path / "t.xlsx")["使用明细"]["F3"].value == "租房提取额度"


@pytest.mark.parametrize("paths", [1, 2], ids=["single-db", "merged"])
@pytest.mark.parametrize("report", REPORTS)
def test_hostile_text_is_inert_in_csv(tmp_path, monkeypatch, paths, report):
    monkeypatch.setattr(scope_mod, "BATCH", 1)  # a batch per row: each takes its own path
    odd = ['a,"b"\nc', "+1", "-2", "@sum", "\tt", "\rr"]
    events = [ev("PJ-01", staff=HOSTILE)] + [ev("PJ-01", staff=s) for s in odd]
    checks = [chk("PJ-01", "prep", staff=HOSTILE)]
    dbs = [make_db(tmp_path / "a.sqlite3", "PJ-01", events, checks)]
    if paths == 2:
        dbs.append(make_db(tmp_path / "b.sqlite3", "PJ-02", events[:2]))
    out = tmp_path / "h.csv"
    export_report(dbs, D0, D1, report, "csv", out)
    cells = [c for row in read_csv(out)[1:] for c in row]
    assert "'" + HOSTILE in cells
    assert HOSTILE not in cells
    if report in ("events", "daily"):
        assert {'a,"b"\nc', "'+1", "'-2", "'@sum", "'\tt", "'\rr"} <= set(cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


CONTROL = "a\x00b\x01c\x1fd\x1ee\x0bf\ufffeg"
CLEAN = "abcdefg"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("paths", [1, 2], ids=["single-db", "merged"])
@pytest.mark.parametrize("report", REPORTS)
def test_one_rule_for_control_characters_in_every_writer(tmp_path, monkeypatch, fmt, paths, report):
    """Control characters (a NUL included) are removed, tab and line breaks kept, the
    rest of the text never cut: the same on every path (issue 9, item 9)."""
    monkeypatch.setattr(scope_mod, "BATCH", 1)  # a batch per row: each takes its own path
    events = [ev("PJ-01", staff=CONTROL), ev("PJ-01", staff="x\ty\nz"), ev("PJ-01", staff="=\x00")]
    events += [ev("PJ-01", staff="p\x00q\x07r")]  # no separator in it: the fast path
    checks = [chk("PJ-01", "prep", staff=CONTROL), chk("PJ-01", "close", staff=CONTROL)]
    dbs = [make_db(tmp_path / "a.sqlite3", "PJ-01", events, checks)]
    if paths == 2:
        dbs.append(make_db(tmp_path / "b.sqlite3", "PJ-02", [ev("PJ-02", staff=CONTROL)]))
    out = tmp_path / f"c.{fmt}"
    export_report(dbs, D0, D1, report, fmt, out)
    if fmt == "csv":
        cells = [c for row in read_csv(out) for c in row]
    else:
        wb = load_workbook(out)
        cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    text = "".join(cells)
    assert not any(ch in text for ch in "\x00\x01\x1f\x1e\x0b\ufffe")
    assert CLEAN in cells
    if report in ("events", "daily"):
        assert "pqr" in cells
        assert "x\ty\nz" in cells
        assert ("'=" if fmt == "csv" else "=") in cells


def test_xlsx_events_workbook_opens_ready(tmp_path):
    events = [
        ev("PJ-01", day="2026-03-02", at="08:31:05", staff="0312", situation="greeting",
           variant="after_wait", business="withdraw_purchase"),
        ev("PJ-01", day="2026-03-03", at="14:00:00", staff="张丽", situation="farewell",
           variant="farewell"),
        ev("PJ-01", staff=HOSTILE),
    ]  # fmt: skip
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", events)
    silent = make_db(tmp_path / "b.sqlite3", "PJ-09")
    out = tmp_path / "r.xlsx"
    assert export_report([db, silent], D0, D1, "events", "xlsx", out).rows == 3
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert not any("<f>" in x or "<f " in x for x in sheets)
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "使用明细"]
    assert len(wb["汇总"]._charts) == 1
    ws = wb["使用明细"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:N4"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "使用明细" in ws.oddHeader.left.text and "2026-03-01" in ws.oddHeader.center.text
    assert "PJ-01" in ws.oddHeader.right.text and "PJ-09" in ws.oddHeader.right.text
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    header = [c.value for c in ws[1]]
    assert header[:8] == ["日期", "时间", "窗口", "工号", "情形", "说法", "业务", "触发方式"]
    assert header[-1] == "记录编号"
    first = ws[2]
    assert first[0].is_date and first[0].number_format == "yyyy-mm-dd"
    assert first[0].value.date() == date(2026, 3, 2)
    assert first[1].is_date and first[1].number_format == "hh:mm:ss"
    assert first[1].value.strftime("%H:%M:%S") == "08:31:05"
    assert first[3].value == "0312" and first[3].data_type == "s"  # a staff ID stays text
    assert [first[i].value for i in (4, 5, 6)] == ["接待问候", "久等致歉", "购房提取"]
    assert {ws.cell(r, 4).value: ws.cell(r, 4).data_type for r in (3, 4)} == {
        "张丽": "s",
        HOSTILE: "s",
    }

    def width(letter):
        return ws.column_dimensions[letter].width

    assert width("A") >= 10 and width("B") >= 8
    assert width("D") >= len(HOSTILE)  # the longest staff ID
    assert 8 <= width("E") < 20  # 接待问候: four wide characters
    assert width("N") >= 36  # a record id
    summary = [[c for c in r if c is not None] for r in wb["汇总"].iter_rows(values_only=True)]
    assert ["接待问候", 2, "greeting"] in summary and ["礼貌送别", 1, "farewell"] in summary
    assert ["PJ-09", 0, "（无记录）"] in summary
    assert wb["汇总"].page_setup.orientation == "landscape"


def test_xlsx_continuation_sheets(tmp_path, monkeypatch):
    from counter_assistant.reports import xlsx_writer

    monkeypatch.setattr(xlsx_writer, "MAX_SHEET_ROWS", 4)
    monkeypatch.setattr(scope_mod, "BATCH", 2)
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01") for _ in range(7)])
    out = tmp_path / "r.xlsx"
    assert export_report([db], D0, D1, "events", "xlsx", out).rows == 7
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["汇总", "使用明细", "使用明细 (2)", "使用明细 (3)"]
    sizes = [len(list(wb[n].iter_rows())) for n in wb.sheetnames[1:]]
    assert sizes == [4, 4, 2]  # header + 3, header + 3, header + 1
    wb.close()


def test_times_are_the_counters_whatever_the_exporting_zone(tmp_path, monkeypatch):
    """Issue 9, item 8: the counter's wall time, from ts_local; else the stored offset;
    else (first-release rows) the exporting PC's zone."""
    rows = [
        ev("PJ-01", at="08:30:00"),
        ev("PJ-01", at="09:00:00", ts_local="", utc_offset=-300,
           ts_utc="2026-03-02T14:10:00.000000+00:00"),  # New York, 09:10 there
        ev("PJ-01", at="09:30:00", ts_local="", utc_offset=None,
           ts_utc="2026-03-02T01:40:00.000000+00:00"),
    ]  # fmt: skip
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", rows)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        out = tmp_path / "e.csv"
        export_report([db], D0, D1, "events", "csv", out)
        assert [r[1] for r in read_csv(out)[1:]] == ["08:30:00", "09:10:00", "09:40:00"]
        monkeypatch.setenv("TZ", "America/Los_Angeles")
        time.tzset()
        for fmt in ("csv", "xlsx"):
            export_report([db], D0, D1, "events", fmt, tmp_path / f"la.{fmt}")
        assert read_csv(tmp_path / "la.csv")[1][1] == "08:30:00"
        assert read_csv(tmp_path / "la.csv")[2][1] == "09:10:00"
        cell = load_workbook(tmp_path / "la.xlsx")["使用明细"]["B2"].value
        assert cell.strftime("%H:%M:%S") == "08:30:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_merged_events_are_sorted_by_time(tmp_path):
    a = make_db(tmp_path / "a.sqlite3", "PJ-01",
                [ev("PJ-01", at="09:00:00"), ev("PJ-01", at="11:00:00")])  # fmt: skip
    b = make_db(tmp_path / "b.sqlite3", "PJ-02",
                [ev("PJ-02", at="08:00:00"), ev("PJ-02", at="10:00:00"),
                 ev("PJ-02", day="2026-03-01", at="23:00:00")])  # fmt: skip
    for fmt in ("csv", "xlsx"):
        export_report([a, b], D0, D1, "events", fmt, tmp_path / f"e.{fmt}")
    got = [(r[0], r[1], r[2]) for r in read_csv(tmp_path / "e.csv")[1:]]
    assert got == [
        ("2026-03-01", "23:00:00", "PJ-02"),
        ("2026-03-02", "08:00:00", "PJ-02"),
        ("2026-03-02", "09:00:00", "PJ-01"),
        ("2026-03-02", "10:00:00", "PJ-02"),
        ("2026-03-02", "11:00:00", "PJ-01"),
    ]
    ws = load_workbook(tmp_path / "e.xlsx")["使用明细"]
    assert [ws.cell(r, 3).value for r in range(2, 7)] == [
        "PJ-02",
        "PJ-02",
        "PJ-01",
        "PJ-02",
        "PJ-01",
    ]


def test_dates_inclusive_backwards_and_too_long(tmp_path):
    days = ["2026-02-28", "2026-03-01", "2026-03-31", "2026-04-01"]
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01", day=d) for d in days])
    out = tmp_path / "e.csv"
    export_report([db], D0, D1, "events", "csv", out)
    assert sorted(r[0] for r in read_csv(out)[1:]) == ["2026-03-01", "2026-03-31"]
    out.unlink()
    with pytest.raises(ExportError, match="颠倒"):
        export_report([db], D1, D0, "events", "csv", out)
    with pytest.raises(ExportError, match="超过十年"):
        export_report([db], date(2026, 1, 1), date(9999, 12, 31), "checklists", "csv", out)
    assert not out.exists()


@pytest.mark.parametrize("report", REPORTS)
def test_the_last_possible_dates_work(tmp_path, report):
    """Issue 9, item 10: no OverflowError at 9999-12-31; calendar rows are clipped to
    the dates the databases hold, so a wide range stays small."""
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01", day="9999-12-31")],
                 [chk("PJ-01", "prep", day="9999-12-31")])  # fmt: skip
    out = tmp_path / "r.csv"
    export_report([db], date(9990, 1, 2), date(9999, 12, 31), report, "csv", out)
    assert len(read_csv(out)) >= 2
    old = make_db(tmp_path / "b.sqlite3", "PJ-02", [ev("PJ-02", day="2026-03-02")])
    s = export_report([old], date(2020, 1, 1), date(2029, 12, 30), report, "csv", out, force=True)
    assert s.rows <= 2  # one day held: not ten years of rows


def test_not_a_counter_database(tmp_path):
    good = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")])
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    for bad in (text, other, tmp_path / "missing.db"):
        with pytest.raises(ExportError, match=bad.name):
            export_report([good, bad], D0, D1, "events", "csv", tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()


def _damaged(path: Path) -> Path:
    """A counter database whose pages after the header are overwritten."""
    make_db(path, "PJ-07", [ev("PJ-07") for _ in range(200)])
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_database_in_a_folder_is_named(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    make_db(folder / "PJ-01.sqlite3", "PJ-01", [ev("PJ-01")])
    _damaged(folder / "PJ-07.sqlite3")
    (folder / "PJ-08.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 10)
    (folder / "readme.txt").write_text("x")
    found, skipped = scan_folder(folder)
    assert [p.name for p in found] == ["PJ-01.sqlite3"]
    assert [s.path.name for s in skipped] == ["PJ-07.sqlite3", "PJ-08.db"]
    assert all("损坏" in s.reason or "不是" in s.reason for s in skipped)
    assert find_databases(folder) == found
    out = tmp_path / "r.xlsx"
    s = export_report([folder], D0, D1, "daily", "xlsx", out)  # export --db FOLDER
    assert [k.path.name for k in s.skipped] == ["PJ-07.sqlite3", "PJ-08.db"]
    lines = [r[:2] for r in load_workbook(out)["汇总"].iter_rows(values_only=True)]
    named = [v for k, v in lines if k == "未能读取的文件"]
    assert len(named) == 2 and named[0].startswith("PJ-07.sqlite3") and "损坏" in named[0]
    export_report([folder], D0, D1, "events", "csv", tmp_path / "r.csv")
    assert len(read_csv(tmp_path / "r.csv")) == 2


def test_export_of_an_empty_folder_says_so(tmp_path):
    with pytest.raises(ExportError, match="没有找到"):
        export_report([tmp_path], D0, D1, "daily", "csv", tmp_path / "o.csv")


def test_unwritable_output_leaves_nothing(tmp_path, monkeypatch):
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01") for _ in range(5)])
    with pytest.raises(ExportError):
        export_report([db], D0, D1, "events", "csv", tmp_path / "no" / "such" / "o.csv")
    with pytest.raises(ExportError):
        export_report([db], D0, D1, "events", "csv", tmp_path)
    out = tmp_path / "out" / "o.csv"
    out.parent.mkdir()
    out.write_text("previous report", encoding="utf-8")

    def disk_full(fh, *a, **kw):
        fh.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_mod, "write_csv_lines", disk_full)
    with pytest.raises(ExportError, match="无法写入"):
        export_report([db], D0, D1, "events", "csv", out, force=True)
    assert [p.name for p in out.parent.iterdir()] == ["o.csv"]
    assert out.read_text(encoding="utf-8") == "previous report"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cancel_stops_between_batches_and_leaves_nothing(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(scope_mod, "BATCH", 2)
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01") for _ in range(20)])
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done >= 4:
            cancel.set()

    with pytest.raises(Cancelled):
        export_report([db], D0, D1, "events", fmt, tmp_path / f"o.{fmt}",
                      progress=progress, cancel=cancel)  # fmt: skip
    assert max(seen) < 20
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("o.", ".o."))]


def test_live_database_is_not_altered(tmp_path):
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")])
    live = sqlite3.connect(db)  # a counter still running, with WAL content
    live.execute("PRAGMA journal_mode=WAL")
    with live:
        row = ev("PJ-01")
        live.execute(f"INSERT INTO usage_event ({', '.join(row)}) VALUES "
                     f"({', '.join('?' * len(row))})", tuple(row.values()))  # fmt: skip

    def digest():
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in tmp_path.iterdir()
            if p.name in ("a.sqlite3", "a.sqlite3-wal")  # -shm holds reader marks, not data
        }

    before = digest()
    assert "a.sqlite3-wal" in before
    for report in REPORTS:
        export_report([db], D0, D1, report, "xlsx", tmp_path / f"{report}.xlsx")
    export_report([db], D0, D1, "events", "csv", tmp_path / "r.csv")
    assert len(read_csv(tmp_path / "r.csv")) == 3
    assert digest() == before
    live.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_progress_is_real_and_reaches_the_total(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(scope_mod, "BATCH", 3)
    events = [ev("PJ-01") for _ in range(10)]
    a = make_db(tmp_path / "a.sqlite3", "PJ-01", events)
    backup = make_db(tmp_path / "b.sqlite3", "PJ-01", events)  # the same records again
    for dbs in ([a], [a, backup]):
        seen = []
        export_report(dbs, D0, D1, "events", fmt, tmp_path / f"o.{fmt}", force=True,
                      progress=lambda *p, seen=seen: seen.append(p))  # fmt: skip
        total = seen[-1][1]
        assert seen[0] == (0, total) and seen[-1] == (total, total)
        assert total in (10, 11)  # an XLSX keeps a tenth for zipping
        dones = [d for d, _t in seen]
        assert dones == sorted(dones) and len(set(dones)) >= 4  # moves batch by batch
        assert all(t == total for _d, t in seen)  # never stuck at half with a backup


def test_a_counter_without_any_record_is_in_every_report(tmp_path):
    a = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")], [chk("PJ-01", "prep")])
    silent = make_db(tmp_path / "s.sqlite3", "PJ-05")
    for report in REPORTS:
        s = export_report([a, silent], D0, D1, report, "csv", tmp_path / f"{report}.csv")
        assert s.counters == ["PJ-01", "PJ-05"] and s.missing_counters == ["PJ-05"]
    daily = read_csv(tmp_path / "daily.csv")
    assert daily[-1] == ["", "PJ-05", "", "", "（无记录）", "0", ""]
    checklists = read_csv(tmp_path / "checklists.csv")
    assert ["2026-03-02", "PJ-05"] in [r[0:4:3] for r in checklists]


def test_today_counts(tmp_path):
    events = [ev("PJ-01", situation="greeting") for _ in range(3)]
    events += [ev("PJ-01", situation="farewell"), ev("PJ-02", situation="farewell")]
    events += [ev("PJ-01", day="2026-03-01"), ev("PJ-01", situation="custom")]
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", events)
    counts = today_counts(db, "PJ-01", "2026-03-02")
    by_key = {k: (t, n) for t, k, n in counts}
    assert by_key["greeting"] == ("接待问候", 3)
    assert by_key["farewell"] == ("礼貌送别", 1)
    assert by_key["phone"][1] == 0
    assert counts[-1] == ("custom", "custom", 1)


def test_cli_export_takes_a_folder_and_the_config_calendar(tmp_path, capsys):
    from counter_assistant.cli import main

    folder = tmp_path / "dbs"
    folder.mkdir()
    make_db(folder / "PJ-01.sqlite3", "PJ-01", [ev("PJ-01", day="2026-01-02")],
            [chk("PJ-01", "prep", day="2026-01-02")])  # fmt: skip
    _damaged(folder / "PJ-07.sqlite3")
    (tmp_path / "cal.toml").write_text(
        '[2026]\nholidays = [{ name = "元旦", from = 2026-01-01, to = 2026-01-03 }]\n',
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    config.write_text('[center]\ncalendar = "cal.toml"\n', encoding="utf-8")
    out = tmp_path / "c.csv"
    args = ["export", "--config", str(config), "--data-dir", str(tmp_path / "data"),
            "--from", "2026-01-01", "--to", "2026-01-09", "--report", "compliance",
            "--db", str(folder), "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "PJ-07.sqlite3" in err and "not read" in err
    rows = read_csv(out)[1:]
    holiday = [r for r in rows if r[0] == "2026-01-02"]
    assert holiday and holiday[0][2] == "节假日"  # used on a holiday: listed as one
    assert [r[0] for r in rows] == ["2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07",
                                    "2026-01-08", "2026-01-09"][: len(rows)]  # fmt: skip
    assert main([*args[:-2], "--out", str(tmp_path / "x.csv"), "--to", "9999-12-31"]) == 2
    assert "超过十年" in capsys.readouterr().err


def test_part_files_never_left_on_failure(tmp_path, monkeypatch):
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")])

    def boom(*a, **k):
        raise RuntimeError("bug")

    monkeypatch.setattr(export_mod, "write_xlsx", boom)
    with pytest.raises(RuntimeError):
        export_report([db], D0, D1, "daily", "xlsx", tmp_path / "o.xlsx")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]
