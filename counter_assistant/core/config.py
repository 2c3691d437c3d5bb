"""Counter config: TOML, looked up in the brief's order, validated key by key.

Every problem is reported at once (file, line, key, what is allowed) and a bad
key falls back to its default, so one typo never stops a counter.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_assistant.core.hotkeyspec import HotkeyError, parse_hotkey
from counter_assistant.core.problems import Problem, TomlFileError, locate, read_toml
from counter_assistant.core.prompts import LANGUAGES, SITUATION_KEYS

ENV_VAR = "COUNTER_ASSISTANT_CONFIG"
ACTIONS = ("next_variant", "toggle_window", "next_customer", "picker", "fields")
BACKENDS = ("auto", "win32", "x11", "keyboard", "none")

DEFAULT_HOTKEYS: dict[str, str] = {
    **{key: f"ctrl+alt+{(i + 1) % 10}" for i, key in enumerate(SITUATION_KEYS)},
    "next_variant": "ctrl+alt+n",
    "toggle_window": "ctrl+alt+h",
    "next_customer": "ctrl+alt+c",
    "picker": "ctrl+alt+p",
    "fields": "ctrl+alt+f",
}

PREP_ITEMS = (
    "开启机具电源，确保机具功能正常，摆放整齐，整洁干净",
    "将数量足够当天使用的凭证、单据、宣传材料等，分类整齐摆放在规定位置",
    "将文具印章等工具整齐摆放在规定位置",
    "检查整体环境是否整齐、干净，工作用品是否已准备妥当",
)
CLOSE_ITEMS = (
    "业务收尾：完成当日所有业务，检查是否有遗漏",
    "物品入库：按规定将印章、票据等重要物品收好",
    "机具关闭：确认功能正常，关闭电源",
    "环境整理：确认柜台环境整洁，物品归位",
)

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str

    @property
    def display(self) -> str:
        return f"{self.name}（{self.id}）" if self.name and self.name != self.id else self.id


@dataclass
class Config:
    center_name: str = "住房公积金管理中心"
    opening: str = "08:30"
    closing: str = "17:00"
    prep_minutes: int = 10
    counter_id: str = field(default_factory=lambda: default_counter_id())
    window: str = "1"
    department: str = "归集科"
    hotkeys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HOTKEYS))
    hotkey_backend: str = "auto"
    language: str = "zh-Hans"
    prompt_overrides: str = ""
    business_catalog: str = ""
    font_size: int = 20
    bold: bool = False
    roster: list[StaffMember] = field(default_factory=list)
    prep_extra: list[str] = field(default_factory=list)
    close_extra: list[str] = field(default_factory=list)
    data_dir: str = ""
    database: str = ""
    supervisor_pin_hash: str = ""
    source: str = "<built-in defaults>"
    problems: list[Problem] = field(default_factory=list)

    @property
    def prep_items(self) -> list[str]:
        return [*PREP_ITEMS, *self.prep_extra]

    @property
    def close_items(self) -> list[str]:
        return [*CLOSE_ITEMS, *self.close_extra]

    def slot_values(self) -> dict[str, str]:
        return {"department": self.department, "window": self.window}


def default_counter_id() -> str:
    """The computer's name, so counters without a valid id never merge under one name."""
    name = os.environ.get("COMPUTERNAME") or (os.uname().nodename if hasattr(os, "uname") else "")
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "-", name.split(".")[0])[:32].strip("-")
    return cleaned or "COUNTER-1"


def machine_config_path() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("ProgramData", r"C:\ProgramData")
        return Path(base) / "CounterAssistant" / "config.toml"
    return Path("/etc/counter-assistant/config.toml")


def find_config(explicit: str | Path | None = None) -> Path | None:
    """--config, then the environment variable, then the machine-wide file."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    machine = machine_config_path()
    return machine if machine.is_file() else None


# key -> (attribute, kind); kind is a validator name below.
SCHEMA: dict[str, dict[str, tuple[str, str]]] = {
    "center": {
        "name": ("center_name", "text"),
        "opening": ("opening", "time"),
        "closing": ("closing", "time"),
        "prep_minutes": ("prep_minutes", "minutes"),
    },
    "counter": {
        "id": ("counter_id", "counter_id"),
        "window": ("window", "text"),
        "department": ("department", "text"),
    },
    "prompts": {
        "language": ("language", "language"),
        "overrides": ("prompt_overrides", "path"),
        "business_catalog": ("business_catalog", "path"),
    },
    "window": {"font_size": ("font_size", "font_size"), "bold": ("bold", "bool")},
    "app": {
        "hotkey_backend": ("hotkey_backend", "backend"),
        "data_dir": ("data_dir", "path"),
        "database": ("database", "path"),
    },
    "checklists": {
        "prep_extra": ("prep_extra", "text_list"),
        "close_extra": ("close_extra", "text_list"),
    },
    "staff": {"roster": ("roster", "roster")},
    "supervisor": {"pin_hash": ("supervisor_pin_hash", "text")},
}


def _check(kind: str, value: Any) -> tuple[Any, str | None]:
    """(converted value, None) or (None, what is allowed)."""
    if kind in ("text", "path"):
        return (
            (value.strip(), None)
            if isinstance(value, str)
            else (None, "must be a string in quotes")
        )
    if kind == "counter_id":
        ok = isinstance(value, str) and bool(re.fullmatch(r"[A-Za-z0-9_.\-]{1,32}", value))
        return (
            (value, None)
            if ok
            else (None, 'letters, digits, "-", "_" or ".", up to 32, e.g. "PJ-03"')
        )
    if kind == "time":
        ok = isinstance(value, str) and bool(_TIME_RE.match(value))
        return (value, None) if ok else (None, 'a 24-hour time in quotes, e.g. "08:30"')
    if kind == "minutes":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 180
        return (value, None) if ok else (None, "a whole number of minutes from 0 to 180")
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, "true or false, no quotes")
    if kind == "font_size":
        ok = isinstance(value, int) and not isinstance(value, bool) and 10 <= value <= 72
        return (value, None) if ok else (None, "a whole number of points from 10 to 72")
    if kind == "language":
        return (value, None) if value in LANGUAGES else (None, f"one of {', '.join(LANGUAGES)}")
    if kind == "backend":
        return (value, None) if value in BACKENDS else (None, f"one of {', '.join(BACKENDS)}")
    if kind == "text_list":
        ok = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        return ([v.strip() for v in value], None) if ok else (None, "a list of non-empty strings")
    if kind == "roster":
        return _roster(value)
    raise AssertionError(kind)


def _roster(value: Any) -> tuple[Any, str | None]:
    allowed = 'a list like ["张丽", {id = "0312", name = "王强"}]'
    if not isinstance(value, list):
        return None, allowed
    out = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(StaffMember(item.strip(), item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip():
            out.append(StaffMember(item["id"].strip(), str(item.get("name", item["id"])).strip()))
        else:
            return None, allowed
    return out, None


def _suggest(word: str, choices: list[str]) -> str:
    import difflib  # only when a key is wrong

    close = difflib.get_close_matches(word, choices, n=1)
    return f'; did you mean "{close[0]}"?' if close else f"; known keys: {', '.join(choices)}"


def _apply(cfg: Config, data: dict[str, Any], name: str, text: str) -> None:
    problems = cfg.problems
    for section, values in data.items():
        if section == "hotkeys":
            _apply_hotkeys(cfg, values, name, text)
            continue
        if section not in SCHEMA:
            problems.append(
                Problem(
                    name,
                    section,
                    "unknown section" + _suggest(section, [*SCHEMA, "hotkeys"]),
                    locate(text, section),
                )
            )
            continue
        if not isinstance(values, dict):
            problems.append(
                Problem(name, section, f"must be a [{section}] table", locate(text, section))
            )
            continue
        for key, value in values.items():
            dotted = f"{section}.{key}"
            if key not in SCHEMA[section]:
                problems.append(
                    Problem(
                        name,
                        dotted,
                        "unknown key" + _suggest(key, list(SCHEMA[section])),
                        locate(text, dotted),
                    )
                )
                continue
            attr, kind = SCHEMA[section][key]
            converted, allowed = _check(kind, value)
            if allowed:
                default = getattr(cfg, attr)
                problems.append(
                    Problem(
                        name,
                        dotted,
                        f"{value!r} is not allowed: {allowed}; using {default!r}",
                        locate(text, dotted),
                    )
                )
            else:
                setattr(cfg, attr, converted)
    _check_times(cfg, name, text)


def _apply_hotkeys(cfg: Config, values: Any, name: str, text: str) -> None:
    if not isinstance(values, dict):
        cfg.problems.append(
            Problem(name, "hotkeys", "must be a [hotkeys] table", locate(text, "hotkeys"))
        )
        return
    known = list(DEFAULT_HOTKEYS)
    for key, value in values.items():
        dotted = f"hotkeys.{key}"
        if key not in DEFAULT_HOTKEYS:
            cfg.problems.append(
                Problem(
                    name,
                    dotted,
                    "unknown situation or action" + _suggest(key, known),
                    locate(text, dotted),
                )
            )
            continue
        if value in ("", False):
            cfg.hotkeys[key] = ""  # switched off on purpose
            continue
        try:
            cfg.hotkeys[key] = str(parse_hotkey(value))
        except HotkeyError as exc:
            cfg.problems.append(
                Problem(
                    name, dotted, f"{exc}; using {DEFAULT_HOTKEYS[key]!r}", locate(text, dotted)
                )
            )
    seen: dict[str, str] = {}
    for key, combo in cfg.hotkeys.items():
        if combo and combo in seen:
            cfg.problems.append(
                Problem(
                    name,
                    f"hotkeys.{key}",
                    f"{combo!r} is also used for {seen[combo]!r}; {key!r} is switched off",
                    locate(text, f"hotkeys.{key}"),
                )
            )
            cfg.hotkeys[key] = ""
        elif combo:
            seen[combo] = key


def _check_times(cfg: Config, name: str, text: str) -> None:
    if cfg.closing <= cfg.opening:
        cfg.problems.append(
            Problem(
                name,
                "center.closing",
                f"closing {cfg.closing} is not after opening {cfg.opening}; using 08:30 and 17:00",
                locate(text, "center.closing"),
            )
        )
        cfg.opening, cfg.closing = "08:30", "17:00"


def load_config(explicit: str | Path | None = None) -> Config:
    """The config in force. Never raises for bad content: see Config.problems."""
    cfg = Config()
    path = find_config(explicit)
    if path is None:
        return cfg
    cfg.source = str(path)
    try:
        data, text = read_toml(path)
    except TomlFileError as exc:
        cfg.problems.append(exc.problem)
        return cfg
    _apply(cfg, data, str(path), text)
    base = path.parent
    for attr in ("prompt_overrides", "business_catalog", "data_dir", "database"):
        value = getattr(cfg, attr)
        if value and not Path(value).is_absolute():
            setattr(cfg, attr, str(base / value))
    return cfg
