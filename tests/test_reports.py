import csv
import hashlib
import json
import sqlite3
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from counter_assistant.reports import csv_writer, xlsx_writer
from counter_assistant.reports import export as export_mod
from counter_assistant.reports.export import ExportError, export_report, find_databases, preview
from counter_assistant.reports.today import today_counts
from counter_assistant.storage.db import open_database

HOSTILE = '=HYPERLINK("http://x","y")'
D0, D1 = date(2026, 3, 1), date(2026, 3, 31)
EVENT_COLS = ("uuid", "ts_utc", "local_date", "counter_id", "staff_id", "situation", "variant",
              "business", "trigger", "app_version")  # fmt: skip


def ev(counter, day="2026-03-02", situation="greeting", staff="S01", uid=None, **kw):
    row = {
        "uuid": uid or str(uuid.uuid4()),
        "ts_utc": f"{day}T01:02:03.000001+00:00",
        "local_date": day,
        "counter_id": counter,
        "staff_id": staff,
        "situation": situation,
        "variant": "default",
        "business": "",
        "trigger": "hotkey",
        "app_version": "0.1.0",
    }
    row.update(kw)
    return row


def make_db(path: Path, counter_id: str, events=(), checklists=()) -> Path:
    open_database(path, counter_id).close()
    con = sqlite3.connect(path)
    with con:
        for e in events:
            con.execute(
                f"INSERT INTO usage_event ({', '.join(e)}) VALUES ({', '.join('?' * len(e))})",
                tuple(e.values()),
            )
        for c in checklists:
            con.execute(
                f"INSERT INTO checklist_record ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})",
                tuple(c.values()),
            )
    con.close()
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


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
    assert len({r[0] for r in rows}) == 4
    assert s.counters == ["PJ-01", "PJ-02"] and s.missing_counters == []
    s = export_report(two_dbs, D0, D1, "daily", "csv", tmp_path / "daily.csv")
    daily = read_csv(tmp_path / "daily.csv")[1:]
    assert sum(int(r[-1]) for r in daily) == 4
    assert ["2026-03-03", "PJ-01", "S01", "接待问候", "greeting", "1"] in daily
    counts = {(p["counter"], p["situation"]): p["count"] for p in preview(two_dbs, D0, D1)}
    assert counts == {("PJ-01", "greeting"): 2, ("PJ-01", "farewell"): 1, ("PJ-02", "documents"): 1}


def test_csv_bom_and_chinese(two_dbs, tmp_path):
    out = tmp_path / "e.csv"
    export_report(two_dbs[:1], D0, D1, "events", "csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    rows = read_csv(out)
    assert rows[0][:4] == ["记录编号", "日期", "时间", "窗口"]
    assert {r[5] for r in rows[1:]} == {"接待问候", "礼貌送别"}
    assert rows[1][9] == "热键"
    export_report(two_dbs[:1], D0, D1, "events", "csv", out, lang="en", force=True)
    assert read_csv(out)[0][:3] == ["uuid", "date", "local_time"]


@pytest.mark.parametrize("paths", [1, 2], ids=["single-db", "merged"])
@pytest.mark.parametrize("report", ["events", "daily", "checklists"])
def test_hostile_text_is_inert_in_csv(tmp_path, paths, report):
    odd = ['a,"b"\nc', "x\x1fy", "+1", "-2", "@sum", "\tt", "\rr"]
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
    if report != "checklists":
        assert {'a,"b"\nc', "x\x1fy", "'+1", "'-2", "'@sum", "'\tt", "'\rr"} <= set(cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_xlsx_has_chart_strings_and_no_formulas(tmp_path):
    db = make_db(
        tmp_path / "a.sqlite3",
        "PJ-01",
        [ev("PJ-01", staff=HOSTILE), ev("PJ-01", situation="farewell", staff="bad\x01char")],
    )
    out = tmp_path / "r.xlsx"
    s = export_report([db], D0, D1, "events", "xlsx", out)
    assert s.rows == 2
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert any(n.startswith("xl/charts/chart") for n in names)
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in x or "<f " in x for x in sheets)
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "使用明细"]
    assert len(wb["汇总"]._charts) == 1
    detail = list(wb["使用明细"].iter_rows(values_only=False))
    assert detail[0][0].value == "记录编号"
    staff = {r[4].value: r[4].data_type for r in detail[1:]}
    assert staff == {HOSTILE: "s", "badchar": "s"}
    summary = [[c for c in r if c is not None] for r in wb["汇总"].iter_rows(values_only=True)]
    assert ["接待问候", "greeting", 1] in summary and ["礼貌送别", "farewell", 1] in summary


def test_xlsx_continuation_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_writer, "MAX_SHEET_ROWS", 4)
    monkeypatch.setattr("counter_assistant.reports.query.BATCH", 2)
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01") for _ in range(7)])
    out = tmp_path / "r.xlsx"
    assert export_report([db], D0, D1, "events", "xlsx", out).rows == 7
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["汇总", "使用明细", "使用明细 (2)", "使用明细 (3)"]
    sizes = [len(list(wb[n].iter_rows())) for n in wb.sheetnames[1:]]
    assert sizes == [4, 4, 2]  # header + 3, header + 3, header + 1
    wb.close()


def test_dates_inclusive_and_backwards_range(tmp_path):
    days = ["2026-02-28", "2026-03-01", "2026-03-31", "2026-04-01"]
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01", day=d) for d in days])
    out = tmp_path / "e.csv"
    export_report([db], D0, D1, "events", "csv", out)
    assert sorted(r[1] for r in read_csv(out)[1:]) == ["2026-03-01", "2026-03-31"]
    out.unlink()
    with pytest.raises(ExportError, match="颠倒"):
        export_report([db], D1, D0, "events", "csv", out)
    with pytest.raises(ExportError):
        preview([db], D1, D0)
    assert not out.exists()


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


def test_unwritable_output_leaves_nothing(tmp_path, monkeypatch):
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01") for _ in range(5)])
    with pytest.raises(ExportError):
        export_report([db], D0, D1, "events", "csv", tmp_path / "no" / "such" / "o.csv")
    with pytest.raises(ExportError):
        export_report([db], D0, D1, "events", "csv", tmp_path)
    out = tmp_path / "out" / "o.csv"
    out.parent.mkdir()
    out.write_text("previous report", encoding="utf-8")

    def disk_full(path, *a, **kw):
        Path(path).write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_mod, "write_csv_lines", disk_full)
    with pytest.raises(ExportError, match="无法写入"):
        export_report([db], D0, D1, "events", "csv", out, force=True)
    assert [p.name for p in out.parent.iterdir()] == ["o.csv"]
    assert out.read_text(encoding="utf-8") == "previous report"


def test_live_database_is_not_altered(tmp_path):
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")])
    live = sqlite3.connect(db)  # a counter still running, with WAL content
    with live:
        row = ev("PJ-01")
        live.execute(f"INSERT INTO usage_event ({', '.join(row)}) VALUES ({', '.join('?' * 10)})",
                     tuple(row.values()))  # fmt: skip

    def digest():
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in tmp_path.iterdir()
            if p.name in ("a.sqlite3", "a.sqlite3-wal")  # -shm holds reader marks, not data
        }

    before = digest()
    assert "a.sqlite3-wal" in before
    export_report([db], D0, D1, "events", "xlsx", tmp_path / "r.xlsx")
    export_report([db], D0, D1, "events", "csv", tmp_path / "r.csv")
    assert len(read_csv(tmp_path / "r.csv")) == 3
    assert digest() == before
    live.close()


def chk(counter, kind, day="2026-03-02", time="08:15:00", staff="S01", late=False):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "local_date": day,
        "ts_utc": f"{day}T00:15:00+00:00",
        "ts_local": f"{day}T{time}",
        "counter_id": counter,
        "staff_id": staff,
        "items": json.dumps(["开启机具电源"], ensure_ascii=False),
        "late": late,
        "app_version": "0.1.0",
    }


def test_checklists_report(tmp_path):
    checks = [
        chk("PJ-01", "prep", time="08:25:00", late=True),
        chk("PJ-01", "close", time="17:05:00", staff="S02"),
        chk("PJ-01", "reopen", time="17:10:00"),
        chk("PJ-01", "prep", day="2026-03-03", time="08:10:00"),
    ]
    events = [ev("PJ-01", day="2026-03-04")]
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", events, checks)
    backup = make_db(tmp_path / "b.sqlite3", "PJ-01", [], checks[:2])
    out = tmp_path / "c.csv"
    assert export_report([db, backup], D0, D1, "checklists", "csv", out).rows == 31
    rows = read_csv(out)
    assert rows[0][:5] == ["日期", "窗口", "准备人员", "准备时间", "准备是否迟到"]
    assert rows[0][-1] == "当日提示次数"
    assert [r[0] for r in rows[1:]] == [f"2026-03-{d:02d}" for d in range(1, 32)]  # every day
    assert rows[2:5] == [
        ["2026-03-02", "PJ-01", "S01", "08:25:00", "是", "S02", "17:05:00", "17:10:00", "0"],
        ["2026-03-03", "PJ-01", "S01", "08:10:00", "否", "", "", "", "0"],
        ["2026-03-04", "PJ-01", "", "", "未确认", "", "", "", "1"],
    ]
    assert rows[1] == ["2026-03-01", "PJ-01", "", "", "未确认", "", "", "", "0"]


def test_a_counter_without_any_record_is_in_every_report(tmp_path):
    a = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")], [chk("PJ-01", "prep")])
    silent = make_db(tmp_path / "s.sqlite3", "PJ-05", [], [])
    export_report([a, silent], D0, D0, "checklists", "csv", tmp_path / "c.csv")
    rows = read_csv(tmp_path / "c.csv")
    assert [r[:2] for r in rows[1:]] == [["2026-03-01", "PJ-01"], ["2026-03-01", "PJ-05"]]
    assert rows[2][4] == "未确认" and rows[2][-1] == "0"
    export_report([a, silent], D0, D1, "daily", "csv", tmp_path / "d.csv")
    daily = read_csv(tmp_path / "d.csv")
    assert daily[-1] == ["2026-03-01~2026-03-31", "PJ-05", "", "（无记录）", "", "0"]


def test_missing_counter_called_out(tmp_path):
    a = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01")])
    c = make_db(tmp_path / "c.sqlite3", "PJ-09", [ev("PJ-09", day="2026-01-05")])
    for fmt in ("csv", "xlsx"):
        s = export_report([a, c], D0, D1, "events", fmt, tmp_path / f"r.{fmt}")
        assert s.counters == ["PJ-01", "PJ-09"] and s.missing_counters == ["PJ-09"]
    rows = preview([a, c], D0, D1)
    assert rows[-1] == {
        "counter": "PJ-09", "situation": "", "title": "", "count": 0, "missing": True
    }  # fmt: skip
    summary = [
        list(r) for r in load_workbook(tmp_path / "r.xlsx")["汇总"].iter_rows(values_only=True)
    ]
    assert any(r[:3] == ["PJ-09", 0, "无记录"] for r in summary)


def test_progress_reaches_total(tmp_path, monkeypatch):
    monkeypatch.setattr("counter_assistant.reports.query.BATCH", 3)
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01") for _ in range(10)])
    seen = []
    export_report(
        [db], D0, D1, "events", "csv", tmp_path / "o.csv", progress=lambda *a: seen.append(a)
    )
    assert seen[0] == (0, 10) and seen[-1] == (10, 10) and len(seen) >= 4


def test_find_databases(tmp_path):
    a = make_db(tmp_path / "a.sqlite3", "PJ-01")
    b = make_db(tmp_path / "PJ-02-2026-03-01.db", "PJ-02")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "broken.db").write_bytes(b"not sqlite at all")
    con = sqlite3.connect(tmp_path / "other.sqlite3")
    con.execute("CREATE TABLE t (x)")
    con.close()
    (tmp_path / "a.sqlite3-wal").write_bytes(b"")
    assert find_databases(tmp_path) == sorted([a, b])
    with pytest.raises(ExportError):
        find_databases(tmp_path / "nope")


def test_today_counts(tmp_path):
    events = [ev("PJ-01", situation="greeting") for _ in range(3)]
    events += [ev("PJ-01", situation="farewell"), ev("PJ-02", situation="farewell")]
    events += [ev("PJ-01", day="2026-03-01"), ev("PJ-01", situation="custom")]
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", events)
    con = sqlite3.connect(db)
    counts = today_counts(con, "PJ-01", "2026-03-02")
    con.close()
    by_key = {k: (t, n) for t, k, n in counts}
    assert by_key["greeting"] == ("接待问候", 3)
    assert by_key["farewell"] == ("礼貌送别", 1)
    assert by_key["phone"][1] == 0
    assert counts[-1] == ("custom", "custom", 1)
    assert [k for _t, k, _n in counts][:2] == ["phone", "greeting"]


def test_csv_writer_plain_rows_neutralised(tmp_path):
    out = tmp_path / "x.csv"
    n = csv_writer.write_csv(out, ["a", "b"], [[("=1", 2), (None, "ok")]])
    assert n == 2
    assert read_csv(out) == [["a", "b"], ["'=1", "2"], ["", "ok"]]


def test_checklists_xlsx_summary_counts_preparation(tmp_path):
    checks = [chk("PJ-01", "prep", day="2026-03-02", late=True),
              chk("PJ-01", "prep", day="2026-03-03")]  # fmt: skip
    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [ev("PJ-01", day="2026-03-04")], checks)
    out = tmp_path / "c.xlsx"
    export_report([db], D0, D1, "checklists", "xlsx", out)
    lines = {r[0]: r[1] for r in load_workbook(out)["汇总"].iter_rows(values_only=True) if r}
    assert lines["已确认准备（窗口·天）"] == 2 and lines["其中迟到"] == 1
    assert lines["有使用但未确认准备"] == 1 and lines["数据库文件数"] == 1
