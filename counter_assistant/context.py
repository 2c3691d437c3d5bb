"""Everything loaded from disk before any window: config, paths, prompts, catalog."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from counter_assistant import __version__
from counter_assistant.core import answers as answer_file
from counter_assistant.core import rules as rule_file
from counter_assistant.core.answers import AnswerList
from counter_assistant.core.business import BusinessCatalog, load_business_catalog
from counter_assistant.core.config import Config, load_config
from counter_assistant.core.notice_template import (
    NoticeTemplate,
    builtin_template,
    load_notice_template,
)
from counter_assistant.core.paths import Paths, resolve_paths
from counter_assistant.core.problems import Problem
from counter_assistant.core.prompts import Catalog, load_catalog
from counter_assistant.core.rules import RuleList
from counter_assistant.logsetup import setup_logging

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

    @property
    def problems(self) -> list[Problem]:
        return [
            *self.config.problems,
            *self.catalog.problems,
            *self.business.problems,
            *self.notice_template.problems,
            *self.rules.problems,
            *self.answers.problems,
        ]


def load_context(
    config_path: str | None = None, data_dir: str | None = None, *, debug: bool = False
) -> Context:
    config = load_config(config_path)
    paths = resolve_paths(data_dir or config.data_dir or None, config.database or None)
    setup_logging(paths.log_file, debug)
    catalog = load_catalog(config.language, config.prompt_overrides or None)
    business = load_business_catalog(config.business_catalog or None)
    notice = load_notice_template(config.notice_template or None)
    rules = rule_file.load(config.rules or None)
    answers = answer_file.load(config.answers or None)
    ctx = Context(config, paths, catalog, business, notice, rules, answers)
    log.info(
        "counter-assistant %s, config %s, database %s",
        __version__,
        ", ".join(map(str, config.files)) or "<built-in defaults>",
        paths.database,
    )
    for problem in ctx.problems:
        log.warning("config/resource problem: %s", problem)
    return ctx
