"""Everything loaded from disk before any window: config, paths, prompts, catalog."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from counter_assistant.core import answers as answer_file
from counter_assistant.core import calendar as calendar_file
from counter_assistant.core import rules as rule_file
from counter_assistant.core.answers import AnswerList
from counter_assistant.core.business import BusinessCatalog, load_business_catalog
from counter_assistant.core.calendar import Calendar
from counter_assistant.core.config import Config
from counter_assistant.core.content import KINDS, Content, ContentError
from counter_assistant.core.notice_template import (
    NoticeTemplate,
    builtin_template,
    load_notice_template,
)
from counter_assistant.core.paths import Paths
from counter_assistant.core.problems import Problem
from counter_assistant.core.prompts import Catalog
from counter_assistant.core.rules import RuleList
from counter_assistant.start_context import StartContext, load_start

log = logging.getLogger(__name__)


@dataclass
class Context:
    config: Config
    paths: Paths
    catalog: Catalog
    business: BusinessCatalog
    notice_template: NoticeTemplate = field(default_factory=builtin_template)
    rules: RuleList = field(default_factory=RuleList)
    answers: AnswerList = field(default_factory=AnswerList)
    calendar: Calendar = field(default_factory=Calendar)
    calendar_problems: list[Problem] = field(default_factory=list)
    content: Content = field(default_factory=Content)  # the center's version in force
    local: dict[str, Any] = field(default_factory=dict)  # kind -> what the local files gave

    @property
    def problems(self) -> list[Problem]:
        return [
            *self.config.problems,
            *self.catalog.problems,
            *self.business.problems,
            *self.notice_template.problems,
            *self.rules.problems,
            *self.answers.problems,
            *self.calendar_problems,
        ]

    def complete(self) -> Context:
        """Already complete (a StartContext is not)."""
        return self

    @property
    def content_version(self) -> int:
        return self.content.version

    def use_content(self, content: Content) -> None:
        """What the center owns: the version's value for each kind it holds, the local
        files' for the others. The config is changed in place, so every part that holds
        it (the day gate, the checklists) sees the new hours and items."""
        if not self.local:
            self.local = {name: kind.value_in(self) for name, kind in KINDS.items()}
        for name, kind in KINDS.items():
            local, published = self.local[name], content.values.get(name)
            kind.put_into(self, local if published is None else kind.combine(local, published))
        self.content = content


def load_context(
    config_path: str | None = None, data_dir: str | None = None, *, debug: bool = False
) -> Context:
    return complete_context(load_start(config_path, data_dir, debug=debug))


def complete_context(start: StartContext) -> Context:
    """The rest of the files beside what the window needed first, and the center's cache."""
    config = start.config
    business = load_business_catalog(config.business_catalog or None)
    notice = load_notice_template(config.notice_template or None)
    rules = rule_file.load(config.rules or None)
    answers = answer_file.load(config.answers or None)
    calendar, calendar_problems = calendar_file.from_config(config)
    ctx = Context(
        config, start.paths, start.catalog, business, notice, rules, answers, calendar,
        calendar_problems,
    )  # fmt: skip
    use_cached_content(ctx)
    for problem in ctx.problems:
        log.warning("config/resource problem: %s", problem)
    return ctx


def use_cached_content(ctx: Context) -> None:
    """With a server configured, the last good published version wins over the local
    files for what the center owns; a cache that cannot be used is logged and skipped."""
    ctx.local = {name: kind.value_in(ctx) for name, kind in KINDS.items()}
    if not ctx.config.sync_url:
        return
    from counter_assistant.core import content_cache

    try:
        content = content_cache.load(ctx.paths.content_cache, ctx.config, ctx.config.center_id)
    except ContentError as exc:
        for problem in exc.problems:
            log.warning("center content cache: %s", problem)
        return
    if content is not None:
        ctx.use_content(content)
        log.info("center content: %s (cached)", content.label)
