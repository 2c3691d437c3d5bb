"""On the sender's thread: is there a new version of the center's content? Fetch it,
check it as this counter loads it, cache it, hand it to the GUI.

The poll is one row from an index (the center's latest content event), asked in every
round of the sender, so within ``[sync] poll_seconds``. Only a version number that
differs from the one in force is fetched (a rollback is a smaller number). A version
that fails the counter's checks is refused once and remembered: it never replaces a
good one, and it is not fetched again until another version becomes current.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from counter_assistant.core import content_cache
from counter_assistant.core.config import Config
from counter_assistant.core.content import Content, ContentError, load_version
from counter_assistant.sync import content_server as server
from counter_assistant.sync.connection import Connection, classify, sqlstate

log = logging.getLogger(__name__)
RETRY_UNUSABLE = 600.0  # a server without content tables (not upgraded): ask again later


def fetch(con: Connection, cfg: Config, center_id: str, version: int) -> Content:
    """One version from the server, checked as this PC loads it; ContentError if not."""
    files = server.version_files(con, center_id, version)
    published_at, published_by = server.version_meta(con, center_id, version)
    return load_version(version, files, cfg, center_id=center_id,
                        published_at=published_at, published_by=published_by)  # fmt: skip


def fetch_current(con: Connection, cfg: Config, center_id: str) -> Content | None:
    """The center's current version (for a report made from the server), or None when
    nothing is published or the server predates published content."""
    if not con.run("SELECT to_regclass('ca.content_event') IS NOT NULL")[0][0]:
        return None
    current = server.current_version(con, center_id)
    return fetch(con, cfg, center_id, current) if current else None


class ContentPoller:
    def __init__(
        self,
        cfg: Config,
        cache_path: Path,
        known: int,
        on_content: Callable[[Content], None],
    ):
        self.cfg = cfg
        self.center_id = cfg.center_id
        self.cache_path = Path(cache_path)
        self.known = known  # the version in force (from the cache, or the last fetched)
        self.on_content = on_content
        self.refused = 0  # a version that failed the checks: not fetched again
        self.problem = ""  # why it was refused, for the status row (IT's fleet page)
        self._unusable_until = 0.0
        self._unusable_logged = ""

    def poll(self, con: Connection) -> Content | None:
        """The new version, checked and cached, or None. Network errors propagate (the
        sender's round fails and backs off); a server error about content only (no
        content tables yet, no right to read them) never stops records from being sent."""
        if time.monotonic() < self._unusable_until:
            return None
        try:
            current = server.current_version(con, self.center_id)
            if current in (0, self.known, self.refused):
                return None
            content = fetch(con, self.cfg, self.center_id, current)
        except ContentError as exc:
            self.refused = current
            self.problem = (
                f"中心内容版本 {current} 未通过检查，继续使用版本 {self.known}：{exc.problems[0]}"
            )
            log.warning(
                "center content version %d refused; version %d stays in force:\n  %s",
                current,
                self.known,
                "\n  ".join(map(str, exc.problems)),
            )
            return None
        except Exception as exc:
            if not self._content_only(exc):
                raise
            return None
        try:
            content_cache.save(self.cache_path, content)
        except OSError as exc:  # still used now; a restart offline uses the older cache
            log.warning("center content version %d not cached in %s: %s", current,
                        self.cache_path, exc)  # fmt: skip
        log.info("center content version %d fetched (was %d), published %s by %s",
                 current, self.known, content.published_at, content.published_by)  # fmt: skip
        if content.ignored:
            log.warning("center content version %d holds %s, which this release does not "
                        "know: left aside (a newer release uses it)", current,
                        ", ".join(content.ignored))  # fmt: skip
        self.known, self.refused, self.problem = current, 0, ""
        self.on_content(content)
        return content

    def _content_only(self, exc: BaseException) -> bool:
        """True (logged once, retried later) for a server-side refusal of the content
        query; False for a broken connection."""
        code = sqlstate(exc)
        if code is None or code.startswith(("08", "57")):
            return False
        error = classify(exc)
        if error.cause != self._unusable_logged:
            log.warning("center content cannot be read from the server (%s): %s; records are "
                        "sent as before; asking again in %d minutes", error.cause, error,
                        RETRY_UNUSABLE // 60)  # fmt: skip
            self._unusable_logged = error.cause
        self._unusable_until = time.monotonic() + RETRY_UNUSABLE
        return True
