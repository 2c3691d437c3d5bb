"""Text that searches and copies right in the PDFs the app writes.

Qt writes each font's ToUnicode map by asking the font which character a glyph stands
for, lowest code point first. CJK fonts draw a Kangxi radical (⼀ U+2F00) and the
ideograph (一 U+4E00) with the same glyph, so 一次性告知单 would come out of the PDF as
⼀次性告知单, and a space as a tab. This puts back the characters the glyphs stand
for (户 comes out as 戶 and 齐 as ⻬ the same way). The caller knows what was drawn and
hands in the corrections; each swap has the same length (four hex digits), so no byte
offset in the file moves and the PDF stays valid without a new cross-reference table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

_BLOCK_RE = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_HEX_RE = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _swap(token: re.Match[bytes], corrections: Mapping[int, int]) -> bytes:
    better = corrections.get(int(token.group(1), 16))
    return token.group(0) if better is None else b"<%04X>" % better


def _fix_line(kind: bytes, line: bytes, corrections: Mapping[int, int]) -> bytes:
    def swap(token: re.Match[bytes]) -> bytes:
        return _swap(token, corrections)

    tokens = list(_HEX_RE.finditer(line))
    if kind == b"bfchar" and len(tokens) == 2:
        target = tokens[1]
        return line[: target.start()] + swap(target) + line[target.end() :]
    if kind == b"bfrange" and b"[" in line:
        start = line.index(b"[")
        return line[:start] + _HEX_RE.sub(swap, line[start:])
    if kind == b"bfrange" and len(tokens) == 3 and tokens[0].group(1) == tokens[1].group(1):
        target = tokens[2]  # a one-glyph range; a longer one counts up and is left alone
        return line[: target.start()] + swap(target) + line[target.end() :]
    return line


def fix_text_maps(pdf: bytes, corrections: Mapping[int, int]) -> bytes:
    """The same PDF with its ToUnicode maps naming the characters that were written.

    corrections: code point Qt wrote -> the character the glyph was drawn for; both in
    the Basic Multilingual Plane (the caller checks), so every swap keeps the length.
    """
    if not corrections:
        return pdf

    def block(match: re.Match[bytes]) -> bytes:
        kind = match.group(1)
        body = b"\n".join(
            _fix_line(kind, line, corrections) for line in match.group(2).split(b"\n")
        )
        return b"begin" + kind + body + b"end" + kind

    fixed = _BLOCK_RE.sub(block, pdf)
    assert len(fixed) == len(pdf), "a ToUnicode fix changed the file's length"
    return fixed


def corrections_for(drawn: Iterable[str], fonts: Iterable[Sequence[int]]) -> dict[int, int]:
    """Which code points Qt will have written for the characters drawn.

    drawn: every character on the page. fonts: for each font used, its glyph for every
    code point of the Basic Multilingual Plane (index = code point, 0 = none). A glyph
    is written as the lowest code point that maps to it; when that is not the character
    drawn (and is not itself on the page), it is corrected back.
    """
    chars = {ord(c) for c in drawn if ord(c) <= 0xFFFF}
    out: dict[int, int] = {}
    for glyphs in fonts:
        wanted = {glyphs[c]: c for c in sorted(chars) if glyphs[c]}
        first: dict[int, int] = {}
        for code, glyph in enumerate(glyphs):
            if glyph in wanted and glyph not in first:
                first[glyph] = code
                if len(first) == len(wanted):
                    break
        for glyph, code in first.items():
            drawn_code = wanted[glyph]
            if code != drawn_code and code not in chars:
                out.setdefault(code, drawn_code)
    return out
