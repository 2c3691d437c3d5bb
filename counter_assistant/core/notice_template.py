"""The notice's layout: an HTML template the center may replace, checked like any resource.

Placeholders are a name in double braces. Unknown placeholders, unclosed braces, required
placeholders left out and unreadable files are problems named by file, line and
placeholder; a broken override is not used, the built-in notice is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from counter_assistant.core.problems import Problem, resource_path

BUILTIN = "notice/notice.html"
BUILTIN_NAME = f"<built-in>/{BUILTIN}"
PLACEHOLDER_RE = re.compile(r"\{\{[ \t]*([^{}\n]*?)[ \t]*\}\}")

# Every placeholder a template may use, and what it becomes (README and errors list them).
PLACEHOLDERS: dict[str, str] = {
    "center_name": "the center's name ([center] name)",
    "date": "the date, e.g. 2026年11月28日",
    "counter": "window number and department, e.g. 3号窗口 · 归集科",
    "window": "the window number ([counter] window)",
    "department": "the department ([counter] department)",
    "staff_id": "the staff ID on duty",
    "business": "the business",
    "missing": "the missing materials, e.g. 购房合同、购房发票",
    "missing_count": "how many materials are missing",
    "documents": "a table of every required material, the missing ones marked",
    "rules": "the rule(s) picked, as a list; nothing when none was picked",
    "address": "the center's address ([center] address)",
    "phone": "the center's telephone ([center] phone)",
    "hours": "opening hours, e.g. 周一至周五 08:30-17:00",
    "citizen_name": "the name typed for this paper, else a blank line to write it by hand",
    "signature": "the citizen's signature line where [notice] signature_line = true",
}
REQUIRED = ("center_name", "date", "business", "documents")


@dataclass(frozen=True)
class NoticeTemplate:
    text: str
    source: str  # the file, or <built-in>/notice/notice.html
    problems: tuple[Problem, ...] = ()

    @property
    def builtin(self) -> bool:
        return self.source == BUILTIN_NAME


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_template(text: str, name: str) -> list[Problem]:
    """Unknown placeholders, unclosed braces and required placeholders left out."""
    problems: list[Problem] = []
    known = list(PLACEHOLDERS)
    for match in PLACEHOLDER_RE.finditer(text):
        key = match.group(1)
        if key not in PLACEHOLDERS:
            import difflib  # only when a placeholder is wrong

            close = difflib.get_close_matches(key, known, n=1)
            hint = f'did you mean "{{{{{close[0]}}}}}"? ' if close else ""
            problems.append(
                Problem(
                    name,
                    f"{{{{{key}}}}}",
                    f"unknown placeholder: nothing fills it; {hint}"
                    f"known: {', '.join('{{' + k + '}}' for k in known)}",
                    _line(text, match.start()),
                )
            )
    spans = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    for stray in re.finditer(r"\{\{|\}\}", text):
        if not any(start <= stray.start() < end for start, end in spans):
            problems.append(
                Problem(
                    name,
                    stray.group(0),
                    'a placeholder is not closed: write it as "{{name}}" on one line '
                    '(in CSS, put a space between two closing braces: "} }")',
                    _line(text, stray.start()),
                )
            )
    used = {m.group(1) for m in PLACEHOLDER_RE.finditer(text)}
    for key in REQUIRED:
        if key not in used:
            problems.append(
                Problem(
                    name,
                    f"{{{{{key}}}}}",
                    f"required placeholder missing ({PLACEHOLDERS[key]}); add {{{{{key}}}}} "
                    "to the template",
                )
            )
    return problems


def builtin_template() -> NoticeTemplate:
    return NoticeTemplate(resource_path(BUILTIN).read_text(encoding="utf-8"), BUILTIN_NAME)


def load_notice_template(path: Path | str | None = None) -> NoticeTemplate:
    """The center's template if it is readable and valid, else the built-in one, with
    what was wrong in `problems` (file, line, placeholder)."""
    if not path:
        return builtin_template()
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems = [Problem(name, "notice.template", "file not found; using the built-in notice")]
        return replace(builtin_template(), problems=tuple(problems))
    except (OSError, UnicodeDecodeError) as exc:
        problems = [
            Problem(
                name,
                "notice.template",
                f"cannot read ({exc}); save it as UTF-8 text; using the built-in notice",
            )
        ]
        return replace(builtin_template(), problems=tuple(problems))
    problems = check_template(text, name)
    if problems:
        note = Problem(name, "notice.template", "this template is not used: the built-in one is")
        return replace(builtin_template(), problems=(*problems, note))
    return NoticeTemplate(text, name)
