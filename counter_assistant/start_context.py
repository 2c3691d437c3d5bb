"""What a counter window needs from disk to show itself: the config, the paths and the
prompt catalog of the local files. The rest (business catalog, rules, answers, calendar,
notice template, the center's cached content) is loaded by complete(), once it has painted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NamedTuple

from counter_assistant import __version__
from counter_assistant.core.config import Config, load_config
from counter_assistant.core.paths import Paths, resolve_paths
from counter_assistant.core.prompts import Catalog, load_catalog
from counter_assistant.logsetup import setup_logging

if TYPE_CHECKING:
    from counter_assistant.context import Context

log = logging.getLogger("counter_assistant.context")


class StartContext(NamedTuple):
    config: Config
    paths: Paths
    catalog: Catalog  # the local files' texts; complete() applies the center's cached ones

    def complete(self) -> Context:
        from counter_assistant.context import complete_context

        return complete_context(self)


def load_start(
    config_path: str | None = None, data_dir: str | None = None, *, debug: bool = False
) -> StartContext:
    config = load_config(config_path)
    paths = resolve_paths(data_dir or config.data_dir or None, config.database or None)
    setup_logging(paths.log_file, debug)
    catalog = load_catalog(config.language, config.prompt_overrides or None)
    log.info(
        "counter-assistant %s, config %s, database %s",
        __version__,
        ", ".join(map(str, config.files)) or "<built-in defaults>",
        paths.database,
    )
    return StartContext(config, paths, catalog)
