"""Whether a sentence fits a box at a font size, and where to cut it into pages.

The citizen must hear the whole sentence: the window shrinks the type down to a
readable minimum, then grows, then shows pages. Cuts fall after punctuation, so a page
never ends mid-phrase unless a single phrase is longer than a page.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics

MIN_READABLE_PT = 14  # the smallest prompt type a clerk reads at a glance
_FLAGS = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft)
_AFTER = re.compile(r"(?<=[，。；！？、：）,.;!?:)])")


def sized(font: QFont, points: float) -> QFont:
    out = QFont(font)
    out.setPointSizeF(points)
    return out


def text_height(font: QFont, text: str, width: int) -> int:
    """Height of ``text`` wrapped to ``width`` (as a word-wrapped QLabel lays it out)."""
    if not text:
        return 0
    box = QFontMetrics(font).boundingRect(QRect(0, 0, max(width, 1), 1 << 20), _FLAGS, text)
    return box.height()


def largest_fitting(
    font: QFont, text: str, width: int, height: int, largest: float, smallest: float
) -> float | None:
    """The largest size, in whole points from ``largest`` down, at which the text fits."""
    points = largest
    while points >= smallest:
        if text_height(sized(font, points), text, width) <= height:
            return points
        points -= 1
    return None


def phrases(text: str) -> list[str]:
    """The text cut after each punctuation mark; joined they give the text back."""
    return [p for p in _AFTER.split(text) if p]


def split_pages(font: QFont, text: str, width: int, height: int) -> list[str]:
    """Pages that each fit width x height, cut between phrases where possible."""
    pages: list[str] = []
    current = ""
    for phrase in phrases(text):
        if text_height(font, current + phrase, width) <= height:
            current += phrase
            continue
        if current:
            pages.append(current)
            current = ""
        while text_height(font, phrase, width) > height and len(phrase) > 1:
            cut = _longest_prefix(font, phrase, width, height)
            pages.append(phrase[:cut])
            phrase = phrase[cut:]
        current = phrase
    if current:
        pages.append(current)
    return pages or [text]


def _longest_prefix(font: QFont, phrase: str, width: int, height: int) -> int:
    low, high = 1, len(phrase)
    while low < high:
        mid = (low + high + 1) // 2
        if text_height(font, phrase[:mid], width) <= height:
            low = mid
        else:
            high = mid - 1
    return low
