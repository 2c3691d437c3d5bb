"""Every word a report writes, in Chinese and English, and the names behind the codes.

Report rows hold typed values and codes; only the writers and the report window turn
them into words, through a Words for the report's language. Situation titles and
wording labels come from the built-in prompt catalog, business names from the
business catalog, staff names from the config's roster.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from counter_assistant.core.calendar import DayKind

log = logging.getLogger(__name__)

LANGS = ("zh", "en")
NOTICE, ANSWER = "notice", "answer"  # usage records that are not Article 8 prompts


class Mark(Enum):
    """A cell that says something about the row instead of holding a value."""

    NO_RECORDS = "no_records"  # a counter with no record in the range
    DAMAGED = "damaged"  # a counter whose database could not be read
    NO_USES = "no_uses"  # records (checklists) but no prompt used


class PrepStatus(Enum):
    """How a counter-day's Article 14 preparation stands."""

    ON_TIME = "on_time"
    LATE = "late"
    UNPREPARED = "unprepared"  # prompts used without a preparation
    NOT_PREPARED = "not_prepared"  # a working day with no preparation and no use
    CLOCK = "clock"  # a preparation whose time cannot be trusted


HEADERS = {
    "date": ("日期", "date"),
    "week": ("周（起始日）", "week of"),
    "weekday": ("星期", "weekday"),
    "day_kind": ("日类型", "day type"),
    "time": ("时间", "time"),
    "counter": ("窗口", "counter"),
    "counters": ("窗口", "counters"),
    "staff": ("工号", "staff ID"),
    "name": ("姓名", "name"),
    "situation": ("情形", "situation"),
    "wording": ("说法", "wording"),
    "business": ("业务", "business"),
    "trigger": ("触发方式", "trigger"),
    "situation_key": ("情形代码", "situation code"),
    "wording_code": ("说法代码", "wording code"),
    "business_code": ("业务代码", "business code"),
    "version": ("程序版本", "app version"),
    "content_version": ("话术版本", "content version"),
    "uuid": ("记录编号", "record ID"),
    "count": ("次数", "count"),
    "status": ("状态", "status"),
    "prep_staff": ("准备人员", "prepared by"),
    "prep_time": ("准备时间", "prepared at"),
    "prep_status": ("准备情况", "preparation"),
    "close_staff": ("收尾人员", "closed by"),
    "close_times": ("收尾时间", "close-out times"),
    "reopen_times": ("重新开启时间", "reopened at"),
    "uses": ("提示次数", "prompts used"),
    "needs_action": ("需处理", "needs action"),
    "notes": ("说明", "notes"),
    "days_worked": ("工作天数", "days worked"),
    "on_time": ("按时准备", "prepared on time"),
    "on_time_rate": ("按时率", "on-time rate"),
    "late": ("准备迟到", "prepared late"),
    "late_rate": ("迟到率", "late rate"),
    "unprepared": ("未准备即使用", "used unprepared"),
    "unprepared_rate": ("未准备率", "unprepared rate"),
    "no_close": ("未收尾", "no close-out"),
    "no_close_rate": ("未收尾率", "no close-out rate"),
    "reopened": ("重新开启", "reopenings"),
    "reopened_rate": ("重新开启率", "reopening rate"),
    "clock": ("时钟异常", "clock faults"),
    "idle": ("无记录工作日", "working days without records"),
    "days_used": ("使用天数", "days used"),
    "per_day": ("日均次数", "per day"),
    "total": ("合计", "total"),
    "this_range": ("本期", "this range"),
    "previous_range": ("上期", "previous range"),
    "change": ("增减", "change"),
    "change_rate": ("增减比例", "change %"),
    "notices": ("告知单", "notices"),
    "material": ("缺少的材料", "missing material"),
    "file": ("文件", "file"),
    "reason": ("原因", "reason"),
    "item": ("项目", "item"),
    "value": ("数值", "value"),
}

TEXTS = {
    "app": ("窗口服务助手", "Counter Assistant"),
    "range": ("日期范围", "date range"),
    "to": (" 至 ", " to "),
    "report": ("报表", "report"),
    "counters_line": ("窗口", "counters"),
    "files": ("数据库文件", "database files"),
    "skipped": ("未能读取的文件", "files not read"),
    "previous": ("上期", "previous range"),
    "calendar": ("节假日日历", "holiday calendar"),
    "no_calendar": (
        "未配置节假日日历：只按每周工作日计算",
        "no holiday calendar configured: ordinary weeks only",
    ),
    "calendar_missing_years": (
        "节假日日历未包含以下年份，这些年份只按每周工作日计算：",
        "the holiday calendar does not cover these years (ordinary weeks used): ",
    ),
    "workdays": ("工作日", "working days"),
    "rows": ("行数", "rows"),
    "page": ("第 &P 页，共 &N 页", "page &P of &N"),
    "by_situation": ("各情形使用次数", "Uses per situation"),
    "by_counter": ("各窗口", "Per counter"),
    "by_staff": ("各工作人员", "Per staff member"),
    "on_time_chart": ("各窗口按时准备比例", "On-time preparation per counter"),
    "trend_chart_day": ("每日使用次数（按窗口）", "Uses per day, per counter"),
    "trend_chart_week": ("每周使用次数（按窗口）", "Uses per week, per counter"),
    "notices_total": ("一次性告知单", "one-time notices"),
    "notices_by_business": ("各业务的告知单", "Notices per business"),
    "notices_by_counter": ("各窗口的告知单", "Notices per counter"),
    "top_missing": ("最常缺少的材料", "Materials most often missing"),
    "needs_action_days": ("需处理的窗口·天", "counter-days needing action"),
    "prepared_days": ("已准备（窗口·天）", "prepared (counter-days)"),
    "late_days": ("其中迟到", "of which late"),
    "unprepared_days": ("有使用但未准备", "used without preparation"),
    "no_close_days": ("未收尾", "no close-out"),
    "reopen_count": ("重新开启次数", "reopenings"),
    "clock_days": ("时钟异常", "clock faults"),
    "compare_total": ("使用总次数", "total uses"),
    "not_finished": ("当天尚未结束", "day not over yet"),
    "clock_prep_ahead": (
        "准备记录的时间 {a} 晚于本窗口其后的记录（{b}），本机时钟可能超前，未计入准备",
        "the preparation at {a} is dated after the counter's next record ({b}); "
        "the clock may have been ahead, so it is not counted",
    ),
    "clock_backwards": (
        "记录时间倒退 {n} 分钟（{a} 之后是 {b}），本机时钟曾被调整，当天准备未计入",
        "records ran {n} minutes backwards ({a}, then {b}); the clock was changed, "
        "so the day's preparation is not counted",
    ),
    "closed_after_reopen": ("重新开启后未再收尾", "not closed again after reopening"),
    "late_note": ("准备迟到", "prepared late"),
    "unprepared_note": ("未确认准备即使用提示", "prompts used without a preparation"),
    "no_close_note": ("未做日终收尾", "no close-out"),
    "not_prepared_note": ("工作日无任何记录", "working day without any record"),
}

REPORT_NAMES = {
    "events": ("使用明细", "events"),
    "daily": ("每日汇总", "daily"),
    "checklists": ("准备与收尾", "checklists"),
    "compliance": ("准备与收尾合规", "compliance"),
}

SHEETS = {
    "summary": ("汇总", "summary"),
    "events": ("使用明细", "events"),
    "daily": ("每日汇总", "daily"),
    "staff": ("按人员", "per staff"),
    "trend": ("趋势", "trend"),
    "unused": ("未使用的情形", "situations not used"),
    "compare": ("与上期对比", "vs previous range"),
    "notices": ("告知单", "notices"),
    "checklists": ("准备与收尾", "checklists"),
    "detail": ("每日明细", "per day"),
    "trend_data": ("趋势数据", "trend data"),
}

ENUM_WORDS = {
    Mark.NO_RECORDS: ("（无记录）", "(no records)"),
    Mark.DAMAGED: ("（数据库无法读取）", "(database not readable)"),
    Mark.NO_USES: ("（无提示使用）", "(no prompts used)"),
    PrepStatus.ON_TIME: ("按时", "on time"),
    PrepStatus.LATE: ("迟到", "late"),
    PrepStatus.UNPREPARED: ("未准备即使用", "used unprepared"),
    PrepStatus.NOT_PREPARED: ("未准备", "not prepared"),
    PrepStatus.CLOCK: ("时钟异常", "clock fault"),
    DayKind.WORKDAY: ("工作日", "working day"),
    DayKind.SWAPPED: ("调休上班", "swapped working day"),
    DayKind.WEEKEND: ("休息日", "weekend"),
    DayKind.HOLIDAY: ("节假日", "holiday"),
}
BOOLS = {True: ("是", "yes"), False: ("否", "no")}
WEEKDAY_NAMES = (
    ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
)
SEP = ("、", ", ")

TRIGGERS = {
    "hotkey": ("热键", "hotkey"),
    "click": ("点击", "click"),
    "tray": ("托盘", "tray"),
    "picker": ("选择", "picker"),
    "button": ("按钮", "button"),
    "print": ("打印", "print"),
}

# Situations are titled from the prompt catalog in Chinese; English titles here.
SITUATIONS_EN = {
    "phone": "Phone",
    "greeting": "Greeting",
    "documents": "Documents",
    "signature": "Signature",
    "refusal": "Cannot be done",
    "outage": "Equipment failure",
    "feedback": "Complaints and suggestions",
    "crowding": "Crowding",
    "handover": "Handing back",
    "farewell": "Farewell",
}
EXTRA_SITUATIONS = {
    NOTICE: ("一次性告知单", "One-time notice"),
    ANSWER: ("常见问题", "Frequent answer"),
}
WORDINGS_EN = {
    ("phone", "answer"): "answer",
    ("phone", "call_out"): "call out",
    ("phone", "end"): "end of call",
    ("greeting", "business"): "greeting",
    ("greeting", "help"): "offer help",
    ("greeting", "after_wait"): "sorry for the wait",
    ("greeting", "busy"): "please wait",
    ("documents", "ask"): "ask for documents",
    ("documents", "missing"): "documents missing",
    ("documents", "return"): "hand documents back",
    ("signature", "sign"): "check and sign",
    ("refusal", "policy"): "against policy",
    ("refusal", "incomplete"): "procedure incomplete",
    ("outage", "short"): "short outage",
    ("outage", "long"): "long outage",
    ("feedback", "thanks"): "thanks for feedback",
    ("crowding", "order"): "in order please",
    ("handover", "done"): "hand back",
    ("handover", "referral"): "referral",
    ("farewell", "farewell"): "farewell",
}
NOTICE_WORDINGS = {"print": ("打印", "printed"), "pdf": ("存为 PDF", "saved as PDF")}


@functools.cache
def _builtin_catalog() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(situation -> Chinese title, (situation, variant) -> label), in catalog order."""
    try:
        from counter_assistant.core.prompts import load_builtin

        catalog = load_builtin()
    except Exception as exc:  # reports still work with bare codes
        log.warning("prompt catalog not loaded for reports (%s)", exc)
        return {}, {}
    titles = {s.key: s.title for s in catalog}
    labels = {(s.key, v.id): v.label for s in catalog for v in s.variants}
    return titles, labels


@functools.cache
def _builtin_business() -> dict[str, str]:
    try:
        from counter_assistant.core.business import load_business_catalog

        return {b.key: b.name for b in load_business_catalog(None).items}
    except Exception as exc:
        log.warning("business catalog not loaded for reports (%s)", exc)
        return {}


def situation_titles() -> dict[str, str]:
    """Situation key -> Chinese title, in catalog order."""
    return dict(_builtin_catalog()[0])


def situation_keys() -> list[str]:
    """The Article 8 situations in catalog order."""
    return list(_builtin_catalog()[0])


def situation_order(key: str) -> tuple[int, str]:
    keys = situation_keys() + list(EXTRA_SITUATIONS)
    return (keys.index(key), "") if key in keys else (len(keys), key)


@dataclass
class Names:
    """Names behind the codes: businesses (the center's catalog), staff (the roster) and
    the center's frequent answers (their titles)."""

    business: dict[str, str] = field(default_factory=dict)
    staff: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, business: Iterable = (), roster: Iterable = (), answers: Iterable = ()) -> Names:
        """business: items with key and name; roster: items with id and name; answers:
        items with key and title."""
        names = {b.key: b.name for b in business} or dict(_builtin_business())
        staff = {m.id: m.name for m in roster if m.name and m.name != m.id}
        return cls(names, staff, {a.key: a.title for a in answers})


class Words:
    """The words of one language, and the names of one center."""

    def __init__(self, lang: str = "zh", names: Names | None = None):
        if lang not in LANGS:
            raise ValueError(lang)
        self.lang = lang
        self.i = LANGS.index(lang)
        self.names = names or Names.of()
        self.titles, self.labels = _builtin_catalog()

    def header(self, key: str) -> str:
        return HEADERS[key][self.i]

    def text(self, key: str, **values: object) -> str:
        words = TEXTS[key][self.i]
        return words.format(**values) if values else words

    def report(self, key: str) -> str:
        return REPORT_NAMES[key][self.i]

    def sheet(self, key: str) -> str:
        return SHEETS[key][self.i]

    def enum(self, value: Enum) -> str:
        return ENUM_WORDS[value][self.i]

    def yes_no(self, value: bool) -> str:
        return BOOLS[bool(value)][self.i]

    def weekday(self, index: int) -> str:
        return WEEKDAY_NAMES[self.i][index]

    @property
    def sep(self) -> str:
        return SEP[self.i]

    def situation(self, key: str) -> str:
        if key in EXTRA_SITUATIONS:
            return EXTRA_SITUATIONS[key][self.i]
        if self.lang == "en":
            return SITUATIONS_EN.get(key, key)
        return self.titles.get(key, key)

    def wording(self, situation: str, variant: str) -> str:
        """A wording's label; an answer is named by its key when no title is known."""
        if situation == NOTICE and variant in NOTICE_WORDINGS:
            return NOTICE_WORDINGS[variant][self.i]
        if situation == ANSWER:
            return self.names.answers.get(variant, variant)
        if self.lang == "en":
            return WORDINGS_EN.get((situation, variant), variant)
        return self.labels.get((situation, variant), variant)

    def business(self, key: str) -> str:
        return self.names.business.get(key, key)

    def staff_name(self, staff_id: str) -> str:
        return self.names.staff.get(staff_id, "")

    def trigger(self, key: str) -> str:
        words = TRIGGERS.get(key)
        return words[self.i] if words else key
