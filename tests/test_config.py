"""Config lookup and validation: every problem at once, each bad key falls back."""

from counter_assistant.core.config import (
    DEFAULT_HOTKEYS,
    PREP_ITEMS,
    default_counter_id,
    load_config,
)

GOOD = """
[center]
name = "盘锦市住房公积金管理中心"
opening = "08:30"
closing = "17:00"
prep_minutes = 10

[counter]
id = "PJ-03"
window = "3"
department = "归集科"

[hotkeys]
greeting = "ctrl+alt+1"
phone = "ctrl+alt+f1"
"""


def write(tmp_path, text, name="config.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "counter_assistant.core.config.machine_config_path", lambda: tmp_path / "none.toml"
    )
    cfg = load_config()
    assert cfg.problems == [] and cfg.source == "<built-in defaults>"
    assert cfg.hotkeys == DEFAULT_HOTKEYS and cfg.prep_items == list(PREP_ITEMS)


def test_brief_example_is_valid(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.problems == []
    assert (cfg.counter_id, cfg.window, cfg.department) == ("PJ-03", "3", "归集科")
    assert cfg.hotkeys["greeting"] == "ctrl+alt+1"


def test_lookup_order_env_then_machine(tmp_path, monkeypatch):
    env_file = write(tmp_path, '[counter]\nid = "ENV-1"\n', "env.toml")
    machine = write(tmp_path, '[counter]\nid = "MACHINE-1"\n', "machine.toml")
    monkeypatch.setattr("counter_assistant.core.config.machine_config_path", lambda: machine)
    assert load_config().counter_id == "MACHINE-1"
    monkeypatch.setenv("COUNTER_ASSISTANT_CONFIG", str(env_file))
    assert load_config().counter_id == "ENV-1"
    assert load_config(machine).counter_id == "MACHINE-1"


def test_every_problem_reported_at_once_with_line_and_fallback(tmp_path):
    text = """[center]
opening = "8:30"
prep_minutes = "ten"
[counter]
id = "PJ 03"
windows = "3"
[hotkeys]
greeting = "ctrl+alt+"
refusal = "ctrl+alt+q"
outage = "ctrl+alt+q"
farewel = "ctrl+alt+9"
[colours]
a = 1
"""
    cfg = load_config(write(tmp_path, text))
    by_key = {p.key: p for p in cfg.problems}
    assert set(by_key) == {
        "center.opening",
        "center.prep_minutes",
        "counter.id",
        "counter.windows",
        "hotkeys.greeting",
        "hotkeys.outage",
        "hotkeys.farewel",
        "colours",
    }
    assert by_key["center.opening"].line == 2 and "08:30" in by_key["center.opening"].message
    assert (
        by_key["counter.windows"].line == 6
        and 'did you mean "window"' in by_key["counter.windows"].message
    )
    assert 'did you mean "farewell"' in by_key["hotkeys.farewel"].message
    assert cfg.opening == "08:30" and cfg.prep_minutes == 10
    assert cfg.counter_id == default_counter_id() and " " not in cfg.counter_id
    assert cfg.hotkeys["greeting"] == DEFAULT_HOTKEYS["greeting"]
    assert cfg.hotkeys["refusal"] == "ctrl+alt+q" and cfg.hotkeys["outage"] == ""
    assert all(str(tmp_path) in str(p) for p in cfg.problems)


def test_syntax_error_names_line_and_keeps_defaults(tmp_path):
    cfg = load_config(write(tmp_path, '[counter]\nid = "PJ-03"\nwindow = 3 3\n'))
    (problem,) = cfg.problems
    assert problem.line == 3 and "TOML" in problem.message
    assert cfg.counter_id == default_counter_id()


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    cfg = load_config(tmp_path / "nope.toml")
    assert "not found" in cfg.problems[0].message


def test_extra_checklist_items_and_roster(tmp_path):
    text = (
        '[checklists]\nprep_extra = ["佩戴工作胸牌（第九条）"]\n'
        '[staff]\nroster = ["张丽", {id = "0312", name = "王强"}]\n'
    )
    cfg = load_config(write(tmp_path, text))
    assert cfg.problems == []
    assert cfg.prep_items[-1] == "佩戴工作胸牌（第九条）" and len(cfg.prep_items) == 5
    assert [m.id for m in cfg.roster] == ["张丽", "0312"]


def test_relative_paths_resolve_against_the_config_file(tmp_path):
    cfg = load_config(write(tmp_path, '[prompts]\noverrides = "center-prompts.toml"\n'))
    assert cfg.prompt_overrides == str(tmp_path / "center-prompts.toml")


def test_window_options(tmp_path):
    cfg = load_config(write(tmp_path, '[window]\nfont_size = 28\nbold = "yes"\n'))
    assert cfg.font_size == 28 and cfg.bold is False
    (problem,) = cfg.problems
    assert problem.key == "window.bold" and problem.line == 3 and "true or false" in problem.message


def test_default_counter_id_is_the_computer_name(monkeypatch):
    monkeypatch.setenv("COMPUTERNAME", "GJK-窗口3.center.local")
    assert default_counter_id() == "GJK---3"
    monkeypatch.setenv("COMPUTERNAME", "柜台")
    assert default_counter_id() == "COUNTER-1"


def test_check_config_says_when_the_whole_file_is_ignored(tmp_path, capsys):
    from counter_assistant.checks import check_config
    from counter_assistant.context import load_context

    path = write(tmp_path, '[counter]\nid = "PJ-03\n')
    assert check_config(load_context(str(path), str(tmp_path / "data"))) == 1
    err = capsys.readouterr().err
    assert "could not be read at all" in err and ":2" in err
