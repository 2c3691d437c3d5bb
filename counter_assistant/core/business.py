"""The business catalog: business name -> the documents it requires."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from counter_assistant.core.problems import (
    Problem,
    TomlFileError,
    locate,
    read_resource_toml,
    read_toml,
)

BUILTIN = "business_catalog.toml"


@dataclass(frozen=True)
class Business:
    key: str
    name: str
    documents: tuple[str, ...]
    initials: str = ""

    @property
    def documents_text(self) -> str:
        return "、".join(self.documents)


@dataclass
class BusinessCatalog:
    items: list[Business]
    source: str
    problems: list[Problem] = field(default_factory=list)

    def get(self, key: str) -> Business | None:
        return next((b for b in self.items if b.key == key), None)


def parse(data: dict, name: str, text: str = "") -> BusinessCatalog:
    """Pure: the parsed file and its text in, the catalog and its problems (file, line,
    key) out; the center's publishing checks a file with it as a counter loads it."""
    problems: list[Problem] = []
    items: list[Business] = []
    raw_items = data.get("business", [])
    if not isinstance(raw_items, list):
        line = locate(text, "business")
        return BusinessCatalog(
            [], name, [Problem(name, "business", "must be [[business]] tables", line)]
        )
    for i, raw in enumerate(raw_items):
        where = f"business[{i}]"
        if not isinstance(raw, dict) or not raw.get("key") or not raw.get("name"):
            line = locate(text, f"{where}.key")
            problems.append(Problem(name, where, "each [[business]] needs key and name", line))
            continue
        docs = raw.get("documents", [])
        if not isinstance(docs, list) or not all(isinstance(d, str) for d in docs):
            line = locate(text, f"{where}.documents")
            problems.append(Problem(name, f"{where}.documents", "must be a list of strings", line))
            docs = []
        items.append(
            Business(str(raw["key"]), str(raw["name"]), tuple(docs), str(raw.get("initials", "")))
        )
    return BusinessCatalog(items, name, problems)


def load_business_catalog(path: Path | str | None = None) -> BusinessCatalog:
    """The center's catalog if configured and readable, else the shipped example."""
    problems: list[Problem] = []
    if path:
        try:
            data, text = read_toml(path)
            catalog = parse(data, str(path), text)
            if catalog.items:
                return catalog
            problems = [
                *catalog.problems,
                Problem(str(path), "business", "no usable entry; using the example catalog"),
            ]
        except TomlFileError as exc:
            problems.append(exc.problem)
    data, text, name = read_resource_toml(BUILTIN)
    catalog = parse(data, name, text)
    catalog.problems[:0] = problems
    return catalog
