"""Problems found in input files, each naming the file, line and key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, phrased so IT can fix it."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.key:
            where += f" [{self.key}]"
        return f"{where}: {self.message}"


class TomlFileError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


_LINE_RE = re.compile(r"at line (\d+)")


def read_toml(path: Path | str) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; raise TomlFileError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TomlFileError(Problem(str(path), "", "file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TomlFileError(Problem(str(path), "", f"cannot read: {exc}")) from None
    return parse_toml(text, str(path)), text


def parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise TomlFileError(
            Problem(name, "", f"not valid TOML ({exc}); fix the syntax at that line", line)
        ) from None


def resource_path(relative: str) -> Path:
    """A file shipped in the counter_assistant.resources package, on disk in a source
    checkout, an installed wheel and the bundle alike. (importlib.resources would find
    it too, at the cost of importing tempfile and random at every start.)"""
    import counter_assistant.resources as package

    return Path(package.__path__[0], relative)


def read_resource_toml(relative: str) -> tuple[dict[str, Any], str, str]:
    """Read a TOML file shipped in the resources package (works in the bundle)."""
    text = resource_path(relative).read_text(encoding="utf-8")
    name = f"<built-in>/{relative}"
    return parse_toml(text, name), text, name


def locate(text: str, dotted_key: str) -> int | None:
    """Best-effort line of a key such as 'hotkeys.greeting' or 'greeting.variants[1].text'."""
    match = re.fullmatch(r"(?:(.+?)(?:\[(\d+)\])?\.)?([^.\[\]]+)", dotted_key)
    if not match:
        return None
    table, index, leaf = match.group(1), int(match.group(2) or 0), match.group(3)
    lines = text.splitlines()
    start = 0
    if table:
        header = re.compile(r"^\s*\[\[?\s*" + re.escape(table) + r"\s*\]\]?\s*(#.*)?$")
        found = [i for i, line in enumerate(lines) if header.match(line)]
        if len(found) <= index:
            return None
        start = found[index]
    key_re = re.compile(r"^\s*\"?" + re.escape(leaf) + r"\"?\s*=")
    for i in range(start, len(lines)):
        if key_re.match(lines[i]):
            return i + 1
        if i > start and table and lines[i].lstrip().startswith("["):
            break
    if table:
        return start + 1
    header = re.compile(r"^\s*\[\[?\s*" + re.escape(leaf) + r"\s*\]\]?")
    return next((i + 1 for i, line in enumerate(lines) if header.match(line)), None)
