"""The one-time notice (一次性告知单): what goes on it, and the HTML template it fills.

Article 8.3 and 15.7 ask that a citizen missing materials is told everything at once;
the notice puts it on paper. Assembled from the config, the customer being served, the
staff on duty and the date; rendered into the center's template (core/notice_template.py)
with every value escaped. Pure: the Qt side (ui/notice_render.py) lays the HTML out on
paper or PDF.
The citizen's name is typed for the paper only: it is never in a record or a log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from counter_assistant.core.business import Business
from counter_assistant.core.notice_template import PLACEHOLDER_RE, NoticeTemplate

WEEKDAY_NAMES = {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五",
                 "sat": "周六", "sun": "周日"}  # fmt: skip
BLANK = "_" * 14  # a line to write on
MISSING_MARK = "■ 需补交"
GIVEN_MARK = "√ 已提供"
_SPLIT_RE = re.compile(r"[、，,；;\n]+")


@dataclass(frozen=True)
class Material:
    name: str
    missing: bool
    listed: bool = True  # a document of the business in the catalog; else typed by the clerk


@dataclass(frozen=True)
class Notice:
    """Everything printed on one notice."""

    center_name: str
    day: date
    window: str
    department: str
    staff_id: str
    business_key: str  # "" for a business the catalog does not list
    business: str
    materials: tuple[Material, ...]
    rules: tuple[str, ...]
    address: str
    phone: str
    hours: str
    signature_line: bool
    citizen_name: str = field(default="", repr=False)  # for the paper only

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.materials if m.missing)

    @property
    def catalog_missing(self) -> tuple[str, ...]:
        """The catalog's materials that were missing: what the usage log may keep."""
        return tuple(m.name for m in self.materials if m.missing and m.listed)

    def detail(self) -> str:
        """The usage record's detail: catalog materials only, never what was typed."""
        return json.dumps({"missing": list(self.catalog_missing)}, ensure_ascii=False)

    def without_name(self) -> Notice:
        return replace(self, citizen_name="")

    def why_not(self) -> str:
        """Why this notice cannot be printed yet, in the clerk's words; "" when it can."""
        if not self.business:
            return "请先在“填写客户信息”中选择业务并勾选缺少的材料，再打印一次性告知单。"
        if not self.missing:
            return f"“{self.business}”还没有勾选缺少的材料，请先勾选再打印一次性告知单。"
        return ""


def split_items(text: str) -> list[str]:
    """Materials typed in one field: 购房合同、购房发票 -> two items."""
    return [p.strip() for p in _SPLIT_RE.split(text or "") if p.strip()]


def opening_hours(workdays: Sequence[str], opening: str, closing: str) -> str:
    order = list(WEEKDAY_NAMES)
    days = [d for d in order if d in workdays]
    if len(days) == 7:
        when = "每天"
    elif len(days) > 2 and order.index(days[-1]) - order.index(days[0]) == len(days) - 1:
        when = f"{WEEKDAY_NAMES[days[0]]}至{WEEKDAY_NAMES[days[-1]]}"
    else:
        when = "、".join(WEEKDAY_NAMES[d] for d in days)
    return f"{when} {opening}-{closing}".strip()


def build_notice(
    cfg,
    *,
    business: Business | None,
    business_text: str = "",
    missing: Iterable[str] = (),
    other_missing: Iterable[str] = (),
    rules: Iterable[str] = (),
    staff_id: str = "",
    today: date,
    citizen_name: str = "",
) -> Notice:
    """The notice for one business. A typed material that is one of the business's
    documents counts as that document; anything else is listed after them."""
    listed = business.documents if business else ()
    gone = set(missing)
    extra: list[str] = []
    for text in other_missing:
        for item in split_items(text):
            if item in listed:
                gone.add(item)
            elif item not in extra:
                extra.append(item)
    materials = tuple(Material(d, d in gone) for d in listed)
    materials += tuple(Material(x, True, listed=False) for x in extra)
    return Notice(
        center_name=cfg.center_name,
        day=today,
        window=cfg.window,
        department=cfg.department,
        staff_id=staff_id,
        business_key=business.key if business else "",
        business=business.name if business else business_text.strip(),
        materials=materials,
        rules=tuple(dict.fromkeys(r.strip() for r in rules if r and r.strip())),
        address=cfg.address,
        phone=cfg.phone,
        hours=opening_hours(cfg.workdays, cfg.opening, cfg.closing),
        signature_line=cfg.signature_line,
        citizen_name=citizen_name.strip(),
    )


def notice_for_session(cfg, session, staff_id: str, today: date, citizen_name: str = "") -> Notice:
    """The notice for the customer being served (core/session.py PromptSession)."""
    rules: Mapping[str, str] = session.rules
    return build_notice(
        cfg,
        business=session.business,
        business_text=session.business_text,
        missing=session.missing_docs,
        other_missing=[session.fields.get("missing", "")],
        rules=[
            *(rules[k] for k in session.rule_keys if k in rules),
            session.fields.get("rule", ""),
        ],
        staff_id=staff_id,
        today=today,
        citizen_name=citizen_name,
    )


# --- filling it in ---------------------------------------------------------------------


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def _e(text: str) -> str:
    """Text as HTML (what html.escape does, without its large import at start-up)."""
    return text.translate(_ESCAPES)


def documents_html(notice: Notice) -> str:
    rows = [
        '<table class="documents" width="100%" border="1" cellspacing="0" cellpadding="4"'
        ' style="border-collapse: collapse; border-color: #000000;">',
        '<tr><th width="12%">序号</th><th>所需材料</th><th width="30%">本次情况</th></tr>',
    ]
    for n, m in enumerate(notice.materials, 1):
        if m.missing:
            rows.append(
                f'<tr><td class="missing" align="center"><b>{n}</b></td>'
                f'<td class="missing"><b>{_e(m.name)}</b></td>'
                f'<td class="missing"><b>{MISSING_MARK}</b></td></tr>'
            )
        else:
            rows.append(
                f'<tr><td class="given" align="center">{n}</td>'
                f'<td class="given">{_e(m.name)}</td>'
                f'<td class="given">{GIVEN_MARK}</td></tr>'
            )
    rows.append("</table>")
    return "\n".join(rows)


def rules_html(notice: Notice) -> str:
    if not notice.rules:
        return ""
    items = "".join(f"<li>{_e(r)}</li>" for r in notice.rules)
    return f'<p class="rules-title"><b>办理依据：</b></p>\n<ol class="rules">{items}</ol>'


def signature_html(notice: Notice) -> str:
    if not notice.signature_line:
        return ""
    return '<p class="signature">申请人签收：________________　　　日期：________年____月____日</p>'


def values(notice: Notice) -> dict[str, str]:
    """Placeholder -> HTML, every value escaped."""
    d = notice.day
    counter = " · ".join(
        x for x in (f"{notice.window}号窗口" if notice.window else "", notice.department) if x
    )
    return {
        "center_name": _e(notice.center_name),
        "date": f"{d.year}年{d.month}月{d.day}日",
        "counter": _e(counter),
        "window": _e(notice.window),
        "department": _e(notice.department),
        "staff_id": _e(notice.staff_id),
        "business": _e(notice.business),
        "missing": _e("、".join(notice.missing)),
        "missing_count": str(len(notice.missing)),
        "documents": documents_html(notice),
        "rules": rules_html(notice),
        "address": _e(notice.address),
        "phone": _e(notice.phone),
        "hours": _e(notice.hours),
        "citizen_name": _e(notice.citizen_name) if notice.citizen_name else BLANK,
        "signature": signature_html(notice),
    }


def render_html(template: NoticeTemplate, notice: Notice) -> str:
    filled = values(notice)
    return PLACEHOLDER_RE.sub(lambda m: filled.get(m.group(1), ""), template.text)
