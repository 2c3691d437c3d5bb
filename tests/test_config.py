"""Config lookup and validation: every problem at once, each bad key falls back."""

import os

from counter_assistant.core.actions import default_hotkeys
from counter_assistant.core.config import (
    MACHINE_DIR_ENV,
    PREP_ITEMS,
    default_counter_id,
    load_config,
    machine_config_path,
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


def test_defaults_without_any_file():
    cfg = load_config()
    assert cfg.problems == [] and cfg.source is None and cfg.files == []
    assert cfg.source_text == "<built-in defaults>"
    assert cfg.hotkeys == default_hotkeys() and cfg.prep_items == list(PREP_ITEMS)
    assert cfg.counter_id == default_counter_id() and not cfg.counter_configured
    assert (cfg.window, cfg.department) == ("", "")
    assert cfg.slot_values() == {}  # an empty slot gets the fallback wording, never "××"


def test_tests_never_read_the_machine_wide_config(tmp_path):
    assert os.environ[MACHINE_DIR_ENV] == str(tmp_path / "machine")
    assert machine_config_path() == tmp_path / "machine" / "config.toml"


def test_brief_example_is_valid(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.problems == []
    assert (cfg.counter_id, cfg.window, cfg.department) == ("PJ-03", "3", "归集科")
    assert cfg.hotkeys["greeting"] == "ctrl+alt+1"


def test_lookup_order_env_then_machine(tmp_path, monkeypatch):
    env_file = write(tmp_path, '[counter]\nid = "ENV-1"\n', "env.toml")
    (tmp_path / "machine").mkdir()
    machine = write(tmp_path / "machine", '[counter]\nid = "MACHINE-1"\n')
    cfg = load_config()
    assert cfg.counter_id == "MACHINE-1" and cfg.source == machine
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
    assert cfg.hotkeys["greeting"] == default_hotkeys()["greeting"]
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


def test_an_integer_hotkey_is_a_problem_and_keeps_the_default(tmp_path):
    cfg = load_config(write(tmp_path, "[hotkeys]\ngreeting = 0\nfarewell = false\n"))
    (problem,) = cfg.problems
    assert problem.key == "hotkeys.greeting" and problem.line == 2
    assert "0 is not allowed" in problem.message and "using 'ctrl+alt+2'" in problem.message
    assert cfg.hotkeys["greeting"] == default_hotkeys()["greeting"] == "ctrl+alt+2"
    assert cfg.hotkeys["farewell"] == ""  # false switches it off on purpose: no problem


def test_closing_not_after_opening_is_a_problem_and_both_fall_back(tmp_path):
    for closing in ("08:00", "08:30"):
        text = f'[center]\nopening = "08:30"\nclosing = "{closing}"\n'
        cfg = load_config(write(tmp_path, text))
        (problem,) = cfg.problems
        assert problem.key == "center.closing" and problem.line == 3
        assert problem.file == str(tmp_path / "config.toml")
        assert f"closing {closing} is not after opening 08:30" in problem.message
        assert (cfg.opening, cfg.closing) == ("08:30", "17:00")
    cfg = load_config(write(tmp_path, '[center]\nopening = "09:00"\nclosing = "16:30"\n'))
    assert cfg.problems == [] and (cfg.opening, cfg.closing) == ("09:00", "16:30")


def test_closing_before_opening_across_two_files_names_the_closing_file(tmp_path):
    main = write(tmp_path, '[center]\nclosing = "08:00"\n')
    (tmp_path / "config.d").mkdir()
    write(tmp_path / "config.d", '[center]\nopening = "09:00"\n', "10-center.toml")
    cfg = load_config(main)
    (problem,) = cfg.problems
    assert problem.file == str(main) and problem.line == 2
    assert (cfg.opening, cfg.closing) == ("08:30", "17:00")


def test_dropins_beside_the_main_file_merge_in_name_order(tmp_path):
    main = write(tmp_path, GOOD)
    dropins = tmp_path / "config.d"
    dropins.mkdir()
    write(dropins, '[counter]\nid = "PJ-07"\nwindow = "7"\n', "20-counter.toml")
    write(dropins, '[counter]\nid = "PJ-05"\n[center]\nprep_minutes = 15\n', "10-center.toml")
    write(dropins, '[counter]\nid = "IGNORED"\n', "30-notes.txt")
    cfg = load_config(main)
    assert cfg.problems == []
    assert cfg.files == [main, dropins / "10-center.toml", dropins / "20-counter.toml"]
    assert (cfg.counter_id, cfg.window, cfg.department) == ("PJ-07", "7", "归集科")
    assert cfg.prep_minutes == 15
    assert cfg.origin["counter.id"] == str(dropins / "20-counter.toml")
    assert cfg.origin["counter.department"] == str(main)
    assert cfg.origin["center.prep_minutes"] == str(dropins / "10-center.toml")


def test_dropins_beside_the_machine_wide_folder_without_a_main_file(tmp_path):
    dropins = tmp_path / "machine" / "config.d"
    dropins.mkdir(parents=True)
    write(dropins, '[counter]\nid = "PJ-09"\n', "counter.toml")
    cfg = load_config()
    assert cfg.source is None and cfg.counter_id == "PJ-09" and cfg.counter_configured
    assert cfg.files == [dropins / "counter.toml"]


def test_a_bad_dropin_is_reported_and_the_others_still_apply(tmp_path):
    main = write(tmp_path, GOOD)
    (tmp_path / "config.d").mkdir()
    write(tmp_path / "config.d", "[counter\n", "10-broken.toml")
    write(tmp_path / "config.d", '[counter]\nwindow = "9"\n', "20-window.toml")
    cfg = load_config(main)
    (problem,) = cfg.problems
    assert problem.file == str(tmp_path / "config.d" / "10-broken.toml") and problem.line == 1
    assert cfg.window == "9" and cfg.counter_id == "PJ-03"


def test_check_config_warns_of_what_is_not_configured_yet(tmp_path, capsys):
    """An unattended install before IT's per-counter file arrives: exit 0, and it says so."""
    from counter_assistant.checks import check_config
    from counter_assistant.context import load_context

    path = write(tmp_path, '[sync]\nurl = "postgresql://db.example:5432/center"\n')
    assert check_config(load_context(str(path), str(tmp_path / "data"))) == 0
    err = capsys.readouterr().err
    assert "warning: this counter is not configured (" in err and "the computer's name" in err
    assert "[sync] url is set but [center] id is not" in err
    path = write(
        tmp_path,
        '[counter]\nid = "PJ-03"\nwindow = "3"\ndepartment = "归集科"\n'
        '[center]\nid = "HZ"\n[sync]\nurl = "postgresql://db.example:5432/c"\n',
    )
    assert check_config(load_context(str(path), str(tmp_path / "data"))) == 0
    assert "warning" not in capsys.readouterr().err
