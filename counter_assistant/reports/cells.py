"""One rule for every text a report writes, whatever the writer.

- Control characters other than tab, line feed and carriage return (and the two
  non-characters U+FFFE, U+FFFF) are removed: XLSX cannot hold them, a NUL cut CSV
  cells in some tools, and none of them is ever meant by a person.
- In CSV, text a spreadsheet could read as a formula gets a leading apostrophe. XLSX
  writes every text as a string cell, which is never a formula.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(text: str) -> str:
    return CONTROL.sub("", text)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet could read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(value: str) -> str:
    return neutralise(clean(value))


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a CJK (wide) character takes two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
