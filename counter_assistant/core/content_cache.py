"""The last good version of the center's content, kept in the counter's data folder.

Written (atomically) only after a version passed the counter's own checks, so a counter
started while the server is down uses what it had, and a bad version never replaces a
good one. Read back, it is checked again like a download: a file damaged on disk, or
one this release no longer accepts, is not used (the local files are).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from counter_assistant.core.config import Config
from counter_assistant.core.content import Content, ContentError, File, load_version
from counter_assistant.core.files import write_text_keeping_owner

FORMAT = 1


def save(path: Path, content: Content) -> None:
    """Replace the cache in one step; raises OSError when it cannot be written."""
    data = {
        "format": FORMAT,
        "center_id": content.center_id,
        "version": content.version,
        "published_at": content.published_at,
        "published_by": content.published_by,
        "files": [{"kind": f.kind, "name": f.name, "body": f.body} for f in content.files.values()],
    }
    text = json.dumps(data, ensure_ascii=False, indent=1)
    write_text_keeping_owner(path, text + "\n", new_mode=0o600)


def load(path: Path, cfg: Config, center_id: str) -> Content | None:
    """The cached version for this center, checked again; None when there is none.

    Raises ContentError when the cache cannot be used (named by file and what is wrong).
    """
    try:
        raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        message = f"cannot be read ({exc}); using the local files"
        raise ContentError([_problem(path, message)]) from None
    try:
        if raw.get("format") != FORMAT:
            raise ValueError(f"format {raw.get('format')!r}")
        files = {f["kind"]: File(f["kind"], f["name"], f["body"]) for f in raw["files"]}
        version = int(raw["version"])
        cached_center = str(raw.get("center_id", ""))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ContentError([_problem(path, f"is not a content cache ({exc}); ignored")]) from None
    if cached_center != center_id:
        return None  # another center's content: this counter moved; wait for its own
    return load_version(
        version,
        files,
        cfg,
        center_id=center_id,
        published_at=str(raw.get("published_at", "")),
        published_by=str(raw.get("published_by", "")),
    )


def _problem(path: Path, message: str):
    from counter_assistant.core.problems import Problem

    return Problem(str(path), "", message)
