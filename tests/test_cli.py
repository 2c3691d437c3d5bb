"""The command line in-process: export (issue 9 item 1: never over a database) and set-pin."""

from __future__ import annotations

import csv
import dataclasses
import sqlite3
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from counter_assistant.cli import main
from counter_assistant.core.config import load_config
from counter_assistant.core.pin import verify_pin
from counter_assistant.storage.db import open_database

INSERT = (
    "INSERT INTO usage_event (uuid, ts_utc, local_date, counter_id, staff_id, situation,"
    " variant, business, trigger, app_version) VALUES (?, '2026-03-02T01:00:00+00:00',"
    " '2026-03-02', ?, 'S01', 'greeting', 'business', '', 'hotkey', '0.1.0')"
)


def counter_db(path: Path, counter: str, events: int) -> Path:
    opened = open_database(path, counter)
    for i in range(events):
        opened.db.execute_sql(INSERT, (f"{counter}-{i}", counter))
    opened.close()
    return path


def events_in(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM usage_event").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def live(tmp_path) -> Path:
    """This counter's own database, open as while the counter app runs (WAL files exist)."""
    path = counter_db(tmp_path / "data" / "counter.sqlite3", "PJ-03", 3)
    opened = open_database(path, "PJ-03")
    yield path
    opened.close()


def export(tmp_path, out, *extra) -> int:
    dates = ["--from", "2026-03-01", "--to", "2026-03-31"]
    return main(["--data-dir", str(tmp_path / "data"), "export", *dates,
                 "--report", "events", "--out", str(out), *extra])  # fmt: skip


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_export_reads_the_live_database_by_default(tmp_path, live, capsys):
    out = tmp_path / "events.csv"
    assert export(tmp_path, out) == 0
    assert len(read_csv(out)) == 1 + 3
    assert "3 rows, counters: PJ-03" in capsys.readouterr().out
    assert events_in(live) == 3


def test_export_merges_several_databases_to_xlsx(tmp_path, live):
    other = counter_db(tmp_path / "PJ-04.sqlite3", "PJ-04", 2)
    out = tmp_path / "all.xlsx"
    assert export(tmp_path, out, "--db", str(live), "--db", str(other)) == 0
    sheets = load_workbook(out, read_only=True)
    detail = sheets[sheets.sheetnames[-1]]
    counters = [row[2] for row in detail.iter_rows(min_row=2, values_only=True)]  # 窗口
    assert sorted(counters) == ["PJ-03"] * 3 + ["PJ-04"] * 2


def test_export_replaces_an_existing_file_only_with_force(tmp_path, live, capsys):
    out = tmp_path / "events.csv"
    out.write_text("last month's report", encoding="utf-8")
    assert export(tmp_path, out) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "last month's report"
    assert export(tmp_path, out, "--force") == 0
    assert len(read_csv(out)) == 4
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["events.csv"]


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "forced"])
@pytest.mark.parametrize("target", ["live", "live-wal", "live-shm", "input", "other-db"])
def test_export_never_writes_over_a_database(tmp_path, live, capsys, force, target):
    other = counter_db(tmp_path / "PJ-04.sqlite3", "PJ-04", 2)
    stranger = counter_db(tmp_path / "PJ-05.sqlite3", "PJ-05", 1)
    inputs = []
    out = {
        "live": live,
        "live-wal": Path(f"{live}-wal"),
        "live-shm": Path(f"{live}-shm"),
        "input": other,
        "other-db": stranger,
    }[target]
    if target == "input":
        inputs = ["--db", str(other)]
    assert out.exists()
    before, inode = out.read_bytes(), out.stat().st_ino
    assert export(tmp_path, out, *inputs, *force) == 2
    assert "不会" in capsys.readouterr().err
    assert out.stat().st_ino == inode
    if target != "live-shm":  # readers of the live database update its shared-memory index
        assert out.read_bytes() == before
    assert (events_in(live), events_in(other), events_in(stranger)) == (3, 2, 1)
    assert not list(out.parent.glob("*.part"))


def test_export_refuses_the_live_database_spelled_another_way(tmp_path, live):
    (tmp_path / "data" / "sub").mkdir()
    assert export(tmp_path, tmp_path / "data" / "sub" / ".." / live.name, "--force") == 2
    assert events_in(live) == 3


CONFIG = """\
# IT's config for counter 3 (deployed by the center's script)
[center]
name = "盘锦市住房公积金管理中心"
opening = "08:30"   # the hall opens
closing = "17:00"

[counter]
id = "PJ-03"
window = "3"
department = "归集科"

[supervisor]{header_comment}
pin_hash = "pbkdf2_sha256$1000$b2xk$b2xk"

[hotkeys]
greeting = "ctrl+alt+1"
phone = "ctrl+alt+f1"
"""


def settings(path: Path) -> dict:
    cfg = load_config(path)
    assert cfg.problems == []
    values = dataclasses.asdict(cfg)
    for where in ("supervisor_pin_hash", "source", "files", "origin", "problems"):
        values.pop(where)
    return values


@pytest.mark.parametrize("header_comment", ["", "  # 主管 PIN，IT 用 set-pin 设置"])
def test_set_pin_edits_only_the_pin_line(tmp_path, capsys, header_comment):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(header_comment=header_comment), encoding="utf-8")
    before_text = config.read_text(encoding="utf-8")
    before = settings(config)
    assert main(["--config", str(config), "--data-dir", str(tmp_path / "data"),
                 "set-pin", "--pin", "24681012"]) == 0  # fmt: skip
    assert str(config) in capsys.readouterr().out
    text = config.read_text(encoding="utf-8")
    data = tomllib.loads(text)  # still one valid TOML file
    assert settings(config) == before  # every other setting as it was
    assert verify_pin("24681012", data["supervisor"]["pin_hash"])
    assert len(text.splitlines()) == len(before_text.splitlines())
    pairs = zip(before_text.splitlines(), text.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert [a for a, _b in changed] == ['pin_hash = "pbkdf2_sha256$1000$b2xk$b2xk"']


def test_set_pin_adds_a_supervisor_section_when_there_is_none(tmp_path):
    config = tmp_path / "config.toml"
    text = CONFIG.format(header_comment="").replace(
        '[supervisor]\npin_hash = "pbkdf2_sha256$1000$b2xk$b2xk"\n\n', ""
    )
    config.write_text(text, encoding="utf-8")
    before = settings(config)
    assert main(["--config", str(config), "set-pin", "--pin", "246810"]) == 0
    assert settings(config) == before
    assert verify_pin("246810", load_config(config).supervisor_pin_hash)
    assert config.read_text(encoding="utf-8").startswith(text)


def test_set_pin_without_a_config_writes_the_machine_wide_file(tmp_path):
    assert main(["set-pin", "--pin", "246810"]) == 0
    machine = tmp_path / "machine" / "config.toml"  # conftest points the machine dir here
    assert verify_pin("246810", load_config().supervisor_pin_hash)
    assert load_config().source == machine and load_config().problems == []


WINDOW_ARGVS = [
    [], ["run"], ["--config", "c.toml"], ["--config=c.toml", "run"], ["--debug"],
    ["--data-dir", "d", "run", "--exit-when-ready"], ["run", "--config", "c.toml", "--debug"],
    ["--config", "a.toml", "run", "--config", "b.toml"], ["run", "--data-dir=d"],
    ["--debug", "run", "--debug", "--exit-when-ready"], ["--config=", "run"],
    ["--config", "运行.toml"],
]  # fmt: skip
OTHER_ARGVS = [
    ["export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", "x.csv"], ["-h"],
    ["--version"], ["run", "--bogus"], ["--config"], ["run", "run"], ["--exit-when-ready"],
    ["run", "-h"], ["supervisor"], ["prompts", "--json"], ["--config", "-h"], ["--debug=1"],
    ["run", "--exit-when-ready=yes"], ["--data-dir"],
]  # fmt: skip


def test_starting_the_window_parses_as_the_full_command_line_does():
    from counter_assistant.cli import build_parser
    from counter_assistant.start import window_args, window_parser

    for argv in WINDOW_ARGVS:
        assert window_args(argv) is not None, argv
        assert window_args(argv) == build_parser().parse_args(argv), argv
        assert window_parser()[0].parse_args(argv) == build_parser().parse_args(argv), argv
    for argv in OTHER_ARGVS:
        assert window_args(argv) is None, argv
