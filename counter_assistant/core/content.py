"""The center's content: the files it publishes once for every counter (Article 22).

A *kind* is one file the center owns: prompt text overrides, the business catalog, the
center's facts (hours, extra checklist items, name, address, telephone), and more as
they join. For each kind the registry says how a published copy is checked and loaded
(with the loaders' own checks, so ``publish`` refuses exactly what a counter would) and
where the loaded value lives in the running app. A version holds one file per kind
published so far; a kind never published comes from each counter's local files.

Pure: texts in, values and problems (file, line, key) out. No network, no Qt.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_assistant.core import answers as answers_file
from counter_assistant.core import business as business_file
from counter_assistant.core import calendar as calendar_file
from counter_assistant.core import rules as rules_file
from counter_assistant.core.config import SETTINGS, Config, _check_whole, _Reader
from counter_assistant.core.problems import Problem, TomlFileError, locate, parse_toml
from counter_assistant.core.prompts import apply_override, load_builtin

LOCAL = 0  # the version number of "local files only": nothing published is in force


@dataclass(frozen=True)
class File:
    """One published file: its kind, the name it had when published, its text."""

    kind: str
    name: str
    body: str


@dataclass(frozen=True)
class CenterFacts:
    """The center-owned config values that are not files: Config attribute -> value, and
    where each came from ("section.key" -> file or published version)."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, cfg: Config) -> CenterFacts:
        keys = center_keys()
        return cls(
            {SETTINGS[k].name: copy.deepcopy(getattr(cfg, SETTINGS[k].name)) for k in keys},
            {k: cfg.origin[k] for k in keys if k in cfg.origin},
        )

    def overlaid(self, published: CenterFacts) -> CenterFacts:
        """The local facts with every key the published file sets replaced."""
        return CenterFacts({**self.values, **published.values}, {**self.origin, **published.origin})

    def put(self, cfg: Config) -> None:
        """Into the running config, in place: every part holding it sees the new values."""
        for key in center_keys():
            attr = SETTINGS[key].name
            if attr in self.values:
                setattr(cfg, attr, copy.deepcopy(self.values[attr]))
            if key in self.origin:
                cfg.origin[key] = self.origin[key]
            else:
                cfg.origin.pop(key, None)


def center_keys() -> list[str]:
    """Center-owned settings that are values, not files: what a center file may set."""
    return [k for k, f in SETTINGS.items() if f.metadata["center"] and not f.metadata["path"]]


@dataclass(frozen=True)
class Kind:
    """How one kind of published file is checked, loaded and put into the running app.

    parse(text, name, cfg) -> (value, problems); cfg is the counter's (or publisher's)
    config, for what a file is read against (the prompts' language).
    """

    name: str  # the publish option (--prompts) and the key in a version
    what: str  # for people: --list, check-config
    config_key: str  # the setting that names the local file ("" for the center's facts)
    attr: str  # the Context attribute that holds the loaded value
    parse: Callable[[str, str, Config], tuple[Any, list[Problem]]]
    get: Callable[[Any], Any] | None = None  # the value in force in a holder (Context)
    put: Callable[[Any, Any], None] | None = None  # into a holder
    combine: Callable[[Any, Any], Any] = lambda local, published: published
    without_file: str = "built-in"  # what a counter uses when no file is named

    def value_in(self, holder: Any) -> Any:
        return self.get(holder) if self.get else getattr(holder, self.attr)

    def put_into(self, holder: Any, value: Any) -> None:
        if self.put:
            self.put(holder, value)
        else:
            setattr(holder, self.attr, value)


def _toml(text: str, name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        return parse_toml(text, name), []
    except TomlFileError as exc:
        return None, [exc.problem]


def parse_prompts(text: str, name: str, cfg: Config) -> tuple[Any, list[Problem]]:
    """The built-in texts of the counter's language with the center's overrides on top."""
    data, problems = _toml(text, name)
    if data is None:
        return None, problems
    catalog = apply_override(load_builtin(cfg.language), data, name, text)
    return catalog, list(catalog.problems)


def parse_catalog(text: str, name: str, cfg: Config) -> tuple[Any, list[Problem]]:
    data, problems = _toml(text, name)
    if data is None:
        return None, problems
    catalog = business_file.parse(data, name, text)
    problems = list(catalog.problems)
    if not catalog.items and not problems:
        problems.append(Problem(name, "business", "no [[business]] entry: list at least one"))
    return catalog, problems


def parse_center(text: str, name: str, cfg: Config) -> tuple[Any, list[Problem]]:
    """A TOML file with the center-owned config keys, checked by the config's own table
    (the same messages as check-config); a per-counter key or a file key is refused."""
    data, problems = _toml(text, name)
    if data is None:
        return None, problems
    scratch = Config(source=Path(name))  # the whole-file checks name this file
    _Reader(scratch, Path(name), text).apply(data)
    _check_whole(scratch, {name: text})
    problems = list(scratch.problems)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for key in scratch.origin:
        f = SETTINGS.get(key)
        line = locate(text, key)
        if f is None or not f.metadata["center"]:
            message = "a per-counter setting: it comes only from each counter's own config"
            problems.append(Problem(name, key, message, line))
        elif f.metadata["path"]:
            kind = next((k for k in KINDS.values() if k.config_key == key), None)
            how = (f"publish the file itself with --{kind.name}" if kind
                   else "each counter's config names it")  # fmt: skip
            problems.append(Problem(name, key, f"names a file: {how}", line))
        else:
            values[f.name] = getattr(scratch, f.name)
            origin[key] = name
    return CenterFacts(values, origin), problems


def _entry_list(module: Any, table: str) -> Callable[[str, str, Config], tuple[Any, list]]:
    """Rules or answers: the list file's own parse; an empty list is a problem here (a
    center that publishes one means to have entries)."""

    def parse(text: str, name: str, cfg: Config) -> tuple[Any, list[Problem]]:
        data, problems = _toml(text, name)
        if data is None:
            return None, problems
        entries = module.parse(data, name, text)
        problems = list(entries.problems)
        if not entries.items and not problems:
            problems.append(Problem(name, table, f"no [[{table}]] entry: list at least one"))
        return entries, problems

    return parse


def parse_notice(text: str, name: str, cfg: Config) -> tuple[Any, list[Problem]]:
    from counter_assistant.core.notice_template import NoticeTemplate, check_template

    return NoticeTemplate(text, name), check_template(text, name)


def parse_calendar(text: str, name: str, cfg: Config) -> tuple[Any, list[Problem]]:
    """Holidays and swapped working days; the value is (calendar, problems in force)."""
    data, problems = _toml(text, name)
    if data is None:
        return None, problems
    calendar, problems = calendar_file.parse(data, name, text)
    if not calendar.years and not problems:
        problems.append(Problem(name, "", "no year table such as [2026]: list at least one"))
    return (calendar, []), problems


def _get_calendar(ctx: Any) -> tuple[Any, list[Problem]]:
    return ctx.calendar, list(ctx.calendar_problems)


def _put_calendar(ctx: Any, value: tuple[Any, list[Problem]]) -> None:
    """After the center's facts: its working weekdays are the ones in force."""
    calendar, problems = value
    ctx.calendar = calendar.with_weekdays(ctx.config.workdays)
    ctx.calendar_problems = list(problems)


def _get_center(ctx: Any) -> CenterFacts:
    return CenterFacts.of(ctx.config)


def _put_center(ctx: Any, facts: CenterFacts) -> None:
    facts.put(ctx.config)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


register(Kind("prompts", "prompt text overrides", "prompts.overrides", "catalog", parse_prompts))
register(Kind("catalog", "business catalog", "prompts.business_catalog", "business", parse_catalog))
register(
    Kind(
        "center",
        "center facts: hours, checklist items, name, address, telephone",
        "",
        "config",
        parse_center,
        get=_get_center,
        put=_put_center,
        combine=lambda local, published: local.overlaid(published),
    )
)
for _name, _what, _module, _table in (
    ("rules", "rules list", rules_file, "rule"),
    ("answers", "frequent answers", answers_file, "answer"),
):
    _parse = _entry_list(_module, _table)
    register(Kind(_name, _what, f"prompts.{_name}", _name, _parse, without_file="none"))
register(Kind("notice", "one-time notice template (HTML)", "notice.template", "notice_template",
              parse_notice))  # fmt: skip
register(
    Kind(  # after "center": the working weekdays come from the facts in force
        "calendar",
        "business-day calendar: holidays and swapped working days (调休)",
        "center.calendar",
        "calendar",
        parse_calendar,
        get=_get_calendar,
        put=_put_calendar,
        without_file="ordinary weeks, no holidays",
    )
)


# --- a version ---------------------------------------------------------------------------


@dataclass
class Content:
    """One published version as loaded, or version 0: nothing published in force."""

    version: int = LOCAL
    center_id: str = ""
    files: dict[str, File] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # kind -> loaded value
    published_at: str = ""  # ISO 8601, the server's time
    published_by: str = ""  # database role (OS user@host)
    ignored: list[str] = field(default_factory=list)  # kinds this release does not know

    @property
    def label(self) -> str:
        return f"published version {self.version}" if self.version else "local files"


class ContentError(Exception):
    """A version (or files to publish) with problems: none of it is used."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(map(str, problems[:3])))
        self.problems = problems


def check_files(files: Iterable[File], cfg: Config, suffix: str = "") -> tuple[dict, list]:
    """(kind -> value, problems) for the files; suffix is added to each file's name."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for f in files:
        kind = KINDS.get(f.kind)
        if kind is None:
            message = (f"unknown kind of content {f.kind!r}, published by a newer release: "
                       "publish with that release")  # fmt: skip
            problems.append(Problem(f.name, "", message))
            continue
        value, found = kind.parse(f.body, f.name + suffix, cfg)
        problems += found
        values[f.kind] = value
    return values, problems


def load_version(
    version: int,
    files: Mapping[str, File],
    cfg: Config,
    *,
    center_id: str = "",
    published_at: str = "",
    published_by: str = "",
) -> Content:
    """A version checked again as this counter loads it; ContentError if anything is wrong.

    A kind this release does not know (published by a newer one) is left aside, named in
    Content.ignored: the kinds it knows still reach the counter."""
    known = [f for f in files.values() if f.kind in KINDS]
    values, problems = check_files(known, cfg, f" (published version {version})")
    if problems:
        raise ContentError(problems)
    published = f"published version {version}"
    center = values.get("center")
    if center is not None:
        values["center"] = CenterFacts(center.values, {k: published for k in center.origin})
    ignored = sorted(kind for kind in files if kind not in KINDS)
    return Content(version, center_id, dict(files), values, published_at, published_by, ignored)


def read_file(kind: str, path: Path | str) -> tuple[File | None, list[Problem]]:
    """A local file to publish, as text (a BOM is dropped); a problem when unreadable."""
    try:
        body = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, [Problem(str(path), "", "file not found")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), "", f"cannot read it as UTF-8 text: {exc}")]
    return File(kind, str(path), body), []
