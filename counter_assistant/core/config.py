"""Counter config: TOML files, looked up in the brief's order, validated key by key.

Every setting is declared once, as a field of Config: its TOML key, its default and
what values it allows. The main file is read first, then ``config.d/*.toml`` beside it
in name order (one center-wide file, one small file per counter); a later file wins
key by key. Every problem is reported at once (file, line, key, what is allowed) and a
bad key keeps the value it had, so one typo never stops a counter. Each value remembers
the file it came from, for check-config.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

from counter_assistant.core.actions import ACTIONS, default_hotkeys
from counter_assistant.core.hotkeyspec import HotkeyError, parse_hotkey
from counter_assistant.core.problems import Problem, TomlFileError, locate, read_toml
from counter_assistant.core.prompts import LANGUAGES

ENV_VAR = "COUNTER_ASSISTANT_CONFIG"
MACHINE_DIR_ENV = "COUNTER_ASSISTANT_MACHINE_DIR"  # another machine-wide folder (tests, staging)
DROPIN_DIR = "config.d"
BACKENDS = ("auto", "win32", "x11", "keyboard", "none")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

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
_ID_RE = re.compile(r"[A-Za-z0-9_.\-]{1,32}")


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str

    @property
    def display(self) -> str:
        return f"{self.name}（{self.id}）" if self.name and self.name != self.id else self.id


# --- kinds of value: convert(raw) -> value, or raise Invalid(what is allowed) -----------


class Invalid(ValueError):
    pass


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("must be a string in quotes")
    return value.strip()


def _ident(value: Any) -> str:
    if not (isinstance(value, str) and _ID_RE.fullmatch(value)):
        raise Invalid('letters, digits, "-", "_" or ".", up to 32, e.g. "PJ-03"')
    return value


def _time(value: Any) -> str:
    if not (isinstance(value, str) and _TIME_RE.match(value)):
        raise Invalid('a 24-hour time in quotes, e.g. "08:30"')
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("true or false, no quotes")
    return value


def _int(low: int, high: int, unit: str) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f"a whole number of {unit} from {low} to {high}")
        return value

    return convert


def _choice(*options: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in options:
            raise Invalid(f"one of {', '.join(options)}")
        return value

    return convert


def _text_list(value: Any) -> list[str]:
    if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
        raise Invalid("a list of non-empty strings")
    return [v.strip() for v in value]


def _weekdays(value: Any) -> list[str]:
    allowed = f'a list of weekdays from {", ".join(WEEKDAYS)}, e.g. ["mon", "tue", "wed"]'
    if not isinstance(value, list) or not value:
        raise Invalid(allowed)
    days = [str(v).strip().lower()[:3] for v in value]
    if any(d not in WEEKDAYS for d in days):
        raise Invalid(allowed)
    return [d for d in WEEKDAYS if d in days]


def _url(value: Any) -> str:
    text = _text(value)
    if text and not re.match(r"^postgres(ql)?://", text):
        raise Invalid('a PostgreSQL URL such as "postgresql://counter@db.center.local/counters"')
    return text


def _roster(value: Any) -> list[StaffMember]:
    allowed = 'a list like ["张丽", {id = "0312", name = "王强"}]'
    if not isinstance(value, list):
        raise Invalid(allowed)
    out = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(StaffMember(item.strip(), item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip():
            out.append(StaffMember(item["id"].strip(), str(item.get("name", item["id"])).strip()))
        else:
            raise Invalid(allowed)
    return out


def setting(
    key: str,
    default: Any,
    convert: Callable[[Any], Any],
    *,
    center: bool = False,
    path: bool = False,
) -> Any:
    """A Config field read from ``key`` ("section.name").

    center: owned by the center (a published version wins over local files).
    path: a file or folder; relative to the config file that names it.
    """
    meta = {"key": key, "convert": convert, "center": center, "path": path}
    if isinstance(default, (list, dict)):
        return field(default_factory=partial(copy.copy, default), metadata=meta)
    return field(default=default, metadata=meta)


def default_counter_id() -> str:
    """The computer's name, so counters without a configured id never merge under one name."""
    name = os.environ.get("COMPUTERNAME") or (os.uname().nodename if hasattr(os, "uname") else "")
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "-", name.split(".")[0])[:32].strip("-")
    return cleaned or "COUNTER-1"


@dataclass
class Config:
    # [center]: the center's facts and hours
    center_name: str = setting("center.name", "住房公积金管理中心", _text, center=True)
    center_id: str = setting("center.id", "", _ident)
    opening: str = setting("center.opening", "08:30", _time, center=True)
    closing: str = setting("center.closing", "17:00", _time, center=True)
    prep_minutes: int = setting("center.prep_minutes", 10, _int(0, 180, "minutes"), center=True)
    address: str = setting("center.address", "", _text, center=True)
    phone: str = setting("center.phone", "", _text, center=True)
    workdays: list[str] = setting("center.workdays", list(WEEKDAYS[:5]), _weekdays, center=True)
    calendar: str = setting("center.calendar", "", _text, center=True, path=True)
    # [counter]: this PC
    counter_id: str = setting("counter.id", "", _ident)
    window: str = setting("counter.window", "", _text)
    department: str = setting("counter.department", "", _text)
    # [prompts]: the center's texts and lists
    language: str = setting("prompts.language", "zh-Hans", _choice(*LANGUAGES))
    prompt_overrides: str = setting("prompts.overrides", "", _text, center=True, path=True)
    business_catalog: str = setting("prompts.business_catalog", "", _text, center=True, path=True)
    rules: str = setting("prompts.rules", "", _text, center=True, path=True)
    answers: str = setting("prompts.answers", "", _text, center=True, path=True)
    # [window]
    font_size: int = setting("window.font_size", 20, _int(10, 72, "points"))
    bold: bool = setting("window.bold", False, _bool)
    new_customer_after_minutes: int = setting(
        "window.new_customer_after_minutes", 10, _int(0, 240, "minutes (0: never)")
    )
    # [app]
    hotkey_backend: str = setting("app.hotkey_backend", "auto", _choice(*BACKENDS))
    data_dir: str = setting("app.data_dir", "", _text, path=True)
    database: str = setting("app.database", "", _text, path=True)
    # [staff], [checklists], [supervisor]
    roster: list[StaffMember] = setting("staff.roster", [], _roster)
    prep_extra: list[str] = setting("checklists.prep_extra", [], _text_list, center=True)
    close_extra: list[str] = setting("checklists.close_extra", [], _text_list, center=True)
    supervisor_pin_hash: str = setting("supervisor.pin_hash", "", _text)
    # [sync]: the center's server
    sync_url: str = setting("sync.url", "", _url)
    sync_password_file: str = setting("sync.password_file", "", _text, path=True)
    poll_seconds: int = setting("sync.poll_seconds", 30, _int(5, 3600, "seconds"))
    keep_days: int = setting("sync.keep_days", 400, _int(30, 3650, "days"))
    # [notice]: the one-time notice (一次性告知单)
    notice_template: str = setting("notice.template", "", _text, center=True, path=True)
    signature_line: bool = setting("notice.signature_line", True, _bool, center=True)
    pdf_dir: str = setting("notice.pdf_dir", "", _text, path=True)
    paper: str = setting("notice.paper", "A4", _choice("A4", "A5"))
    printer: str = setting("notice.printer", "", _text)
    # [hotkeys]: action id -> combination ("" = off)
    hotkeys: dict[str, str] = field(default_factory=default_hotkeys)

    # Where it came from
    source: Path | None = None  # the main file, None when only built-in defaults apply
    files: list[Path] = field(default_factory=list)  # every file read, in order
    origin: dict[str, str] = field(default_factory=dict)  # "section.key" -> file that set it
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.counter_id:
            self.counter_id = default_counter_id()

    @property
    def counter_configured(self) -> bool:
        return "counter.id" in self.origin

    @property
    def source_text(self) -> str:
        return str(self.source) if self.source else "<built-in defaults>"

    @property
    def prep_items(self) -> list[str]:
        return [*PREP_ITEMS, *self.prep_extra]

    @property
    def close_items(self) -> list[str]:
        return [*CLOSE_ITEMS, *self.close_extra]

    def slot_values(self) -> dict[str, str]:
        values = {"department": self.department, "window": self.window}
        return {k: v for k, v in values.items() if v}

    def not_configured(self) -> list[str]:
        """Per-counter keys left at their defaults: the PC reports under its own name."""
        return [
            k
            for k in ("counter.id", "counter.window", "counter.department")
            if k not in self.origin
        ]


SETTINGS = {f.metadata["key"]: f for f in fields(Config) if "key" in f.metadata}
SECTIONS = sorted({key.split(".")[0] for key in SETTINGS} | {"hotkeys"})


def default_of(attr: str) -> Any:
    f = Config.__dataclass_fields__[attr]
    if f.default is MISSING:
        return f.default_factory()  # type: ignore[misc,operator]
    return f.default


# --- finding the files ----------------------------------------------------------------


def machine_config_dir() -> Path:
    override = os.environ.get(MACHINE_DIR_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("ProgramData", r"C:\ProgramData")) / "CounterAssistant"
    return Path("/etc/counter-assistant")


def machine_config_path() -> Path:
    return machine_config_dir() / "config.toml"


def find_config(explicit: str | Path | None = None) -> Path | None:
    """--config, then the environment variable, then the machine-wide file."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    machine = machine_config_path()
    return machine if machine.is_file() else None


def dropin_files(main: Path | None) -> list[Path]:
    """config.d/*.toml beside the main file (or the machine-wide folder), by name."""
    folder = (main.parent if main else machine_config_dir()) / DROPIN_DIR
    try:
        return sorted((p for p in folder.glob("*.toml") if p.is_file()), key=lambda p: p.name)
    except OSError:
        return []


# --- applying one file ----------------------------------------------------------------


def _suggest(word: str, choices: list[str]) -> str:
    import difflib  # only when a key is wrong

    close = difflib.get_close_matches(word, choices, n=1)
    return f'; did you mean "{close[0]}"?' if close else f"; known keys: {', '.join(choices)}"


class _Reader:
    """Applies one parsed file to a Config, collecting problems with file and line."""

    def __init__(self, cfg: Config, path: Path, text: str):
        self.cfg, self.path, self.text, self.name = cfg, path, text, str(path)

    def problem(self, key: str, message: str) -> None:
        self.cfg.problems.append(Problem(self.name, key, message, locate(self.text, key)))

    def apply(self, data: dict[str, Any]) -> None:
        for section, values in data.items():
            if section not in SECTIONS:
                self.problem(section, "unknown section" + _suggest(section, SECTIONS))
            elif not isinstance(values, dict):
                self.problem(section, f"must be a [{section}] table")
            elif section == "hotkeys":
                self.hotkeys(values)
            else:
                for key, value in values.items():
                    self.setting(f"{section}.{key}", value)

    def setting(self, dotted: str, value: Any) -> None:
        f = SETTINGS.get(dotted)
        if f is None:
            section, key = dotted.split(".", 1)
            known = [k.split(".", 1)[1] for k in SETTINGS if k.startswith(section + ".")]
            self.problem(dotted, "unknown key" + _suggest(key, known))
            return
        try:
            converted = f.metadata["convert"](value)
        except Invalid as exc:
            keep = getattr(self.cfg, f.name)
            self.problem(dotted, f"{value!r} is not allowed: {exc}; using {keep!r}")
            return
        if f.metadata["path"] and converted and not Path(converted).is_absolute():
            converted = str(self.path.parent / converted)
        setattr(self.cfg, f.name, converted)
        self.cfg.origin[dotted] = self.name

    def hotkeys(self, values: dict[str, Any]) -> None:
        for action, value in values.items():
            dotted = f"hotkeys.{action}"
            if action not in ACTIONS:
                self.problem(dotted, "unknown situation or action" + _suggest(action, [*ACTIONS]))
                continue
            if value is False or value == "":
                self.cfg.hotkeys[action] = ""  # switched off on purpose
            elif not isinstance(value, str):
                keep = self.cfg.hotkeys[action]
                self.problem(
                    dotted,
                    f"{value!r} is not allowed: write a combination in quotes "
                    f'like "ctrl+alt+1", or "" to switch it off; using {keep!r}',
                )
                continue
            else:
                try:
                    self.cfg.hotkeys[action] = str(parse_hotkey(value))
                except HotkeyError as exc:
                    self.problem(dotted, f"{exc}; using {self.cfg.hotkeys[action]!r}")
                    continue
            self.cfg.origin[dotted] = self.name


def _check_whole(cfg: Config, texts: dict[str, str]) -> None:
    """Rules across keys, checked once every file is applied."""

    def problem(key: str, message: str) -> None:
        name = cfg.origin.get(key) or cfg.source_text
        cfg.problems.append(Problem(name, key, message, locate(texts.get(name, ""), key)))

    if cfg.closing <= cfg.opening:
        opening, closing = default_of("opening"), default_of("closing")
        problem(
            "center.closing",
            f"closing {cfg.closing} is not after opening {cfg.opening}; "
            f"using {opening} and {closing}",
        )
        cfg.opening, cfg.closing = opening, closing
    seen: dict[str, str] = {}
    for action, combo in cfg.hotkeys.items():
        if combo and combo in seen:
            problem(
                f"hotkeys.{action}",
                f"{combo!r} is also used for {seen[combo]!r}; {action!r} is switched off",
            )
            cfg.hotkeys[action] = ""
        elif combo:
            seen[combo] = action


def load_config(explicit: str | Path | None = None) -> Config:
    """The config in force. Never raises for bad content: see Config.problems."""
    cfg = Config()
    main = find_config(explicit)
    cfg.source = main
    texts: dict[str, str] = {}
    for path in [*([main] if main else []), *dropin_files(main)]:
        try:
            data, text = read_toml(path)
        except TomlFileError as exc:
            cfg.problems.append(exc.problem)
            continue
        cfg.files.append(path)
        texts[str(path)] = text
        _Reader(cfg, path, text).apply(data)
    if "counter.id" not in cfg.origin:
        cfg.counter_id = default_counter_id()
    _check_whole(cfg, texts)
    return cfg
