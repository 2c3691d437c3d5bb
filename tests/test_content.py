"""The center's content kinds, checked by the loaders' own rules; a version applied over
the local files; the counter's cache of the last good version. No server here."""

from __future__ import annotations

import json

import pytest

from counter_assistant.context import load_context
from counter_assistant.core import content_cache
from counter_assistant.core.config import Config
from counter_assistant.core.content import (
    KINDS,
    Content,
    ContentError,
    File,
    check_files,
    load_version,
)

PROMPTS = """
[greeting]
[[greeting.variants]]
id = "business"
text = "您好！欢迎来到公积金中心，请问您办理什么业务？"
"""
CATALOG = """
[[business]]
key = "withdraw_rent"
name = "租房提取"
initials = "zf"
documents = ["身份证", "租房合同"]
"""
CENTER = """
[center]
name = "盘锦市住房公积金管理中心"
opening = "09:00"
closing = "16:30"
address = "兴隆台区市府路 1 号"
[checklists]
prep_extra = ["检查叫号机"]
"""


def files(**bodies: str) -> dict[str, File]:
    return {kind: File(kind, f"{kind}.toml", body) for kind, body in bodies.items()}


def test_kinds_today():
    assert {"prompts", "catalog", "center", "notice", "rules", "answers", "calendar"} <= set(KINDS)


def test_valid_files_load_with_no_problem():
    values, problems = check_files(files(prompts=PROMPTS, catalog=CATALOG, center=CENTER).values(),
                                   Config())  # fmt: skip
    assert problems == []
    greeting = values["prompts"]["greeting"].variants[0]
    assert greeting.text.startswith("您好！欢迎来到")
    assert values["catalog"].get("withdraw_rent").documents == ("身份证", "租房合同")
    assert values["center"].values == {
        "center_name": "盘锦市住房公积金管理中心",
        "opening": "09:00",
        "closing": "16:30",
        "address": "兴隆台区市府路 1 号",
        "prep_extra": ["检查叫号机"],
    }


@pytest.mark.parametrize(
    "kind, body, line, key, words",
    [
        ("prompts", "[greeting]\n[[greeting.variants]]\nid = \"business\"\ntext = \"您好{nme}\"\n",
         4, "greeting.variants[0].text", "unknown slot {nme}"),
        ("prompts", "[greting]\n[[greting.variants]]\nid = \"x\"\ntext = \"您好\"\n",
         1, "greting", "unknown situation"),
        ("prompts", "[greeting\n", 1, "", "not valid TOML"),
        ("catalog", "[[business]]\nkey = \"a\"\nname = \"甲\"\ndocuments = \"身份证\"\n",
         4, "business[0].documents", "list of strings"),
        ("catalog", "# nothing\n", None, "business", "no [[business]] entry"),
        ("center", "[center]\nopening = \"8:30\"\n", 2, "center.opening", "24-hour time"),
        ("center", "[center]\nopening = \"18:00\"\n", 1, "center.closing", "not after opening"),
        ("center", "[counter]\nwindow = \"5\"\n", 2, "counter.window", "per-counter setting"),
        ("center", "[hotkeys]\ngreeting = \"ctrl+alt+9\"\n", 2, "hotkeys.greeting",
         "per-counter setting"),
        ("center", "[prompts]\nbusiness_catalog = \"b.toml\"\n", 2, "prompts.business_catalog",
         "publish the file itself with --catalog"),
        ("center", "[center]\nnmae = \"x\"\n", 2, "center.nmae", 'did you mean "name"'),
        ("notice", "<p>{{center_name}} {{date}} {{business}}</p>", None, "{{documents}}",
         "required placeholder missing"),
        ("rules", "[[rule]]\nkey = \"r1\"\nname = \"本人\"\ninitials = \"br\"\ntext = \"××\"\n",
         5, "rule[0].text", "contains '××'"),
        ("rules", "# none\n", None, "rule", "no [[rule]] entry"),
        ("calendar", "[2026]\nholidays = [{ name = \"元旦\", date = \"2026-02-30\" }]\n",
         2, "2026.holidays[0]", "needs a date written YYYY-MM-DD"),
        ("calendar", "# nothing\n", None, "", "no year table"),
        ("answers", "[[answer]]\nkey = \"a1\"\ntitle = \"提取\"\ntext = \"到账\"\n",
         1, "answer[0].initials", "must be a non-empty string"),
    ],
)  # fmt: skip
def test_every_problem_names_file_line_and_key(kind, body, line, key, words):
    _values, problems = check_files([File(kind, f"/srv/center/{kind}.toml", body)], Config())
    assert problems, f"{kind}: {body!r} passed"
    problem = next((p for p in problems if p.key == key), problems[0])
    assert problem.file == f"/srv/center/{kind}.toml"
    assert (problem.key, problem.line) == (key, line), problems
    assert words in problem.message
    assert str(problem).startswith(f"/srv/center/{kind}.toml" + (f":{line}" if line else ""))


def test_a_version_with_one_bad_file_is_refused_whole():
    bad = files(prompts=PROMPTS, catalog="[[business]]\nkey = 1\n")
    with pytest.raises(ContentError) as err:
        load_version(7, bad, Config())
    assert all("(published version 7)" in p.file for p in err.value.problems)


def context(tmp_path, config_text: str = ""):
    cfg = tmp_path / "config.toml"
    cfg.write_text(config_text, encoding="utf-8")
    return load_context(str(cfg), str(tmp_path / "data"))


LOCAL = """
[center]
name = "本地中心"
phone = "0427-1234567"
prep_minutes = 15
[counter]
id = "PJ-03"
window = "3"
[prompts]
business_catalog = "business.toml"
"""


def test_a_version_wins_over_local_files_for_what_it_holds(tmp_path):
    (tmp_path / "business.toml").write_text(CATALOG.replace("租房提取", "本地租房"), "utf-8")
    ctx = context(tmp_path, LOCAL)
    assert ctx.business.get("withdraw_rent").name == "本地租房"
    content = load_version(4, files(prompts=PROMPTS, center=CENTER), ctx.config)
    ctx.use_content(content)
    assert ctx.content_version == 4
    assert ctx.catalog["greeting"].variants[0].text.startswith("您好！欢迎来到")
    assert ctx.business.get("withdraw_rent").name == "本地租房"  # not in the version: local
    cfg = ctx.config
    assert (cfg.center_name, cfg.opening, cfg.closing) == (
        "盘锦市住房公积金管理中心",
        "09:00",
        "16:30",
    )
    assert cfg.phone == "0427-1234567" and cfg.prep_minutes == 15  # not set in the version
    assert cfg.prep_items[-1] == "检查叫号机"
    assert cfg.window == "3" and cfg.counter_id == "PJ-03"  # per-counter: never published
    assert cfg.origin["center.opening"] == "published version 4"
    assert cfg.origin["center.phone"].endswith("config.toml")

    # the next version no longer sets the opening: the local value (the default) is back
    ctx.use_content(load_version(5, files(center='[center]\nclosing = "17:30"\n'), ctx.config))
    assert (cfg.opening, cfg.closing, cfg.center_name) == ("08:30", "17:30", "本地中心")
    assert "center.opening" not in cfg.origin
    assert (
        ctx.catalog["greeting"].variants[0].text
        == ctx.local["prompts"]["greeting"].variants[0].text
    )


def test_the_cache_round_trips_and_a_damaged_one_is_not_used(tmp_path):
    ctx = context(tmp_path, LOCAL)
    path = tmp_path / "data" / "center-content.json"
    content = load_version(
        3, files(prompts=PROMPTS), ctx.config, center_id="PJ",
        published_at="2026-11-02T09:00:00+08:00", published_by="pub_li",
    )  # fmt: skip
    content_cache.save(path, content)
    again = content_cache.load(path, ctx.config, "PJ")
    assert again is not None and again.version == 3 and again.published_by == "pub_li"
    assert again.files == content.files
    assert content_cache.load(path, ctx.config, "DL") is None  # another center's

    data = json.loads(path.read_text("utf-8"))
    data["files"][0]["body"] = '[greeting]\n[[greeting.variants]]\nid = "x"\ntext = "××"\n'
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ContentError, match="published version 3"):
        content_cache.load(path, ctx.config, "PJ")
    path.write_text("{not json", "utf-8")
    with pytest.raises(ContentError, match="cannot be read"):
        content_cache.load(path, ctx.config, "PJ")


def test_a_counter_with_a_server_starts_on_its_cached_version(tmp_path):
    server = '[sync]\nurl = "postgresql://ca_pj_pj-03@127.0.0.1:1/center"\n'
    ctx = context(tmp_path, LOCAL + server)
    content = load_version(6, files(prompts=PROMPTS, center=CENTER), ctx.config)
    content_cache.save(ctx.paths.content_cache, content)
    again = context(tmp_path, LOCAL + server)
    assert again.content_version == 6
    assert again.catalog["greeting"].variants[0].text.startswith("您好！欢迎来到")
    assert again.config.opening == "09:00"
    # without a server the local files are used, whatever is cached
    local = context(tmp_path, LOCAL)
    assert local.content_version == 0 and local.config.opening == "08:30"


def test_a_damaged_cache_falls_back_to_the_local_files(tmp_path, caplog):
    server = '[sync]\nurl = "postgresql://ca_pj_pj-03@127.0.0.1:1/center"\n'
    ctx = context(tmp_path, LOCAL + server)
    ctx.paths.content_cache.write_text("{oops", "utf-8")
    again = context(tmp_path, LOCAL + server)
    assert again.content_version == 0 and again.config.center_name == "本地中心"
    assert "center content cache" in caplog.text


def test_version_zero_is_the_local_files():
    assert Content().version == 0 and Content().label == "local files"


def test_the_shipped_example_center_file_is_valid():
    from pathlib import Path

    path = Path(__file__).parent.parent / "resources" / "center.example.toml"
    _values, problems = check_files([File("center", str(path), path.read_text("utf-8"))], Config())
    assert problems == []


def test_check_config_says_where_each_center_owned_value_comes_from(tmp_path, capsys):
    from counter_assistant.checks import check_config

    server = '[sync]\nurl = "postgresql://ca_pj_pj-03@127.0.0.1:1/center"\n'
    (tmp_path / "business.toml").write_text(CATALOG, "utf-8")
    ctx = context(tmp_path, LOCAL + server)
    content = load_version(
        8, files(prompts=PROMPTS, center=CENTER), ctx.config, center_id="",
        published_at="2026-11-02T09:00:00+08:00", published_by="pub_li (li@it-pc)",
    )  # fmt: skip
    content_cache.save(ctx.paths.content_cache, content)
    assert check_config(context(tmp_path, LOCAL + server)) == 0
    out = capsys.readouterr().out
    assert (
        "center content: published version 8 (as cached here; published 2026-11-02 09:00 "
        "by pub_li (li@it-pc))" in out
    )
    assert "  center.opening = '09:00'    <- published version 8" in out
    assert f"  center.phone = '0427-1234567'    <- {tmp_path / 'config.toml'}" in out
    assert "  prompts (prompt text overrides) <- published version 8 (prompts.toml)" in out
    assert f"  catalog (business catalog) <- file {tmp_path / 'business.toml'}" in out
    assert "  rules (rules list) <- none" in out
    assert "  notice (one-time notice template (HTML)) <- built-in" in out


def test_a_published_calendar_follows_the_published_working_weekdays(tmp_path):
    from datetime import date

    ctx = context(tmp_path, LOCAL)
    assert ctx.calendar.is_workday(date(2026, 1, 1))  # local: no file, Monday to Friday
    calendar = '[2026]\nholidays = [{ name = "元旦", from = 2026-01-01, to = 2026-01-03 }]\n'
    version = load_version(
        2, files(calendar=calendar, center='[center]\nworkdays = ["mon", "tue"]\n'), ctx.config
    )
    ctx.use_content(version)
    assert not ctx.calendar.is_workday(date(2026, 1, 1))  # 元旦
    assert ctx.calendar.is_workday(date(2026, 1, 6))  # a Tuesday
    assert not ctx.calendar.is_workday(date(2026, 1, 7))  # a Wednesday
    assert ctx.calendar.source == "calendar.toml (published version 2)"
    ctx.use_content(Content())  # back to the local files
    assert ctx.calendar.is_workday(date(2026, 1, 1)) and ctx.calendar.is_workday(date(2026, 1, 7))


def test_the_events_report_says_which_content_version_each_prompt_was_shown_under(tmp_path):
    """So a supervisor can tell which wording a counter used on a given day."""
    import csv
    from datetime import date

    from openpyxl import load_workbook

    from counter_assistant.reports.export import export_report

    try:
        from tests.reportdata import ev, make_db
    except ImportError:
        from reportdata import ev, make_db

    db = make_db(tmp_path / "a.sqlite3", "PJ-01", [
        ev("PJ-01", day="2026-03-02", content_version=0),
        ev("PJ-01", day="2026-03-03", content_version=4),
    ])  # fmt: skip
    span = date(2026, 3, 1), date(2026, 3, 31)
    export_report([db], *span, "events", "csv", tmp_path / "e.csv", lang="en")
    with (tmp_path / "e.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["date"], r["content version"]) for r in rows] == [
        ("2026-03-02", "0"), ("2026-03-03", "4")
    ]  # fmt: skip
    export_report([db], *span, "events", "xlsx", tmp_path / "e.xlsx")
    sheet = load_workbook(tmp_path / "e.xlsx")["使用明细"]
    header = [c.value for c in sheet[1]]
    column = header.index("话术版本")
    assert [r[column].value for r in sheet.iter_rows(min_row=2)] == [0, 4]


def test_a_kind_from_a_newer_release_is_left_aside_the_rest_is_used():
    version = {**files(prompts=PROMPTS), "seating": File("seating", "seat.toml", "x = 1\n")}
    content = load_version(9, version, Config())
    assert content.ignored == ["seating"] and set(content.values) == {"prompts"}
    assert "seating" in content.files  # cached as published
    # publishing refuses what this release cannot check
    _values, problems = check_files(version.values(), Config())
    assert [p.message.split(",")[0] for p in problems] == ["unknown kind of content 'seating'"]
