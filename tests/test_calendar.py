from datetime import date
from importlib import resources

from counter_assistant.core.calendar import Calendar, DayKind, from_config, load, parse
from counter_assistant.core.config import load_config
from counter_assistant.core.problems import parse_toml

GOOD = """
[2026]
holidays = [
  { name = "元旦", from = 2026-01-01, to = 2026-01-03 },
  { name = "清明节", date = "2026-04-06" },
]
workdays = [{ name = "元旦调休", date = 2026-01-04 }]
"""


def parsed(text: str, name: str = "cal.toml"):
    return parse(parse_toml(text, name), name, text)


def test_holidays_and_swapped_days():
    cal, problems = parsed(GOOD)
    assert problems == []
    assert cal.kind(date(2026, 1, 1)) is DayKind.HOLIDAY  # a Thursday
    assert cal.kind(date(2026, 1, 3)) is DayKind.HOLIDAY
    assert cal.kind(date(2026, 1, 4)) is DayKind.SWAPPED and cal.is_workday(date(2026, 1, 4))
    assert cal.kind(date(2026, 1, 5)) is DayKind.WORKDAY
    assert cal.kind(date(2026, 1, 10)) is DayKind.WEEKEND
    assert cal.name_of(date(2026, 4, 6)) == "清明节"
    assert cal.workdays_between(date(2026, 1, 1), date(2026, 1, 9)) == [
        date(2026, 1, d) for d in (4, 5, 6, 7, 8, 9)
    ]
    assert cal.missing_years(date(2025, 12, 1), date(2027, 1, 1)) == [2025, 2027]


def test_workdays_from_the_config(tmp_path):
    (tmp_path / "cal.toml").write_text(GOOD, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        '[center]\nworkdays = ["mon", "tue", "wed", "thu", "fri", "sat"]\ncalendar = "cal.toml"\n',
        encoding="utf-8",
    )
    cal, problems = from_config(load_config(config))
    assert problems == [] and cal.source == str(tmp_path / "cal.toml")
    assert cal.is_workday(date(2026, 1, 10))  # a Saturday, worked at this center
    assert not cal.is_workday(date(2026, 1, 11))
    assert not cal.is_workday(date(2026, 1, 2))  # still a holiday
    default, _problems = from_config(load_config(tmp_path / "missing-is-fine.toml"))
    assert default.source == "" and default.is_workday(date(2026, 1, 2))


def test_every_problem_is_named_with_its_line():
    text = """[2026]
holidays = [
  { name = "元旦", from = 2026-01-03, to = 2026-01-01 },
  { name = "春节", date = "2026-02-30" },
  { name = "国庆", date = 2027-10-01 },
  { name = "劳动节", day = 2026-05-01 },
  "2026-06-01",
  { name = "元旦", date = 2026-01-01 },
]
workdays = [{ name = "x", date = 2026-01-01 }]
extra = 1

[next]
"""
    cal, problems = parsed(text)
    found = {(p.key, p.line) for p in problems}
    assert ("2026.holidays[0]", 3) in found  # backwards range
    assert ("2026.holidays[1]", 4) in found  # no such date
    assert ("2026.holidays[2]", 5) in found  # wrong year
    assert ("2026.holidays[3].day", 6) in found  # unknown key
    assert ("2026.holidays[4]", 7) in found  # not a table
    assert any(p.key == "2026.workdays[0]" and "both" in p.message for p in problems)
    assert ("2026.extra", 11) in found
    assert any(p.key == "next" for p in problems)
    assert all(p.file == "cal.toml" for p in problems)
    # what was valid is kept
    assert cal.kind(date(2026, 1, 1)) is DayKind.HOLIDAY and len(problems) == 8


def test_broken_file_and_no_file(tmp_path):
    bad = tmp_path / "cal.toml"
    bad.write_text("[2026\n", encoding="utf-8")
    cal, problems = load(bad)
    assert len(problems) == 1 and problems[0].line == 1 and str(bad) in str(problems[0])
    assert cal.is_workday(date(2026, 1, 1))  # ordinary weeks
    assert load(None) == (Calendar(), [])


def test_the_example_is_marked_and_valid():
    text = resources.files("counter_assistant.resources").joinpath("calendar.example.toml")
    body = text.read_text(encoding="utf-8")
    assert "EXAMPLE" in body.splitlines()[0] and "国务院" in body
    cal, problems = parsed(body, "calendar.example.toml")
    assert problems == [] and cal.years == {2026}
    for swapped in cal.swapped:  # every 调休 day is a weekend day
        assert swapped.weekday() >= 5


def test_check_config_names_calendar_problems(tmp_path, capsys):
    from counter_assistant.checks import check_config
    from counter_assistant.context import load_context

    (tmp_path / "cal.toml").write_text(
        '[2026]\nholidays = [{ name = "元旦", date = "2026-13-01" }]\n', encoding="utf-8"
    )
    config = tmp_path / "config.toml"
    config.write_text('[center]\ncalendar = "cal.toml"\n', encoding="utf-8")
    ctx = load_context(str(config), str(tmp_path / "data"))
    assert check_config(ctx) == 1
    out, err = capsys.readouterr()
    assert "business-day calendar:" in out and "cal.toml" in out
    assert f"{tmp_path / 'cal.toml'}:2 [2026.holidays[0]]" in err
