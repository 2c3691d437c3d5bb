"""The log file rotates at its size limit and keeps five old files."""

import logging

from counter_assistant import logsetup


def test_rotates_and_keeps_five(tmp_path, monkeypatch):
    monkeypatch.setattr(logsetup, "MAX_BYTES", 200)
    (tmp_path / "logs").mkdir()
    log_file = tmp_path / "logs" / "counter-assistant.log"
    handler = logsetup.RotatingLog(log_file, encoding="utf-8")
    logger = logging.getLogger("test-rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for i in range(200):
            logger.warning("line %03d 热键", i)
    finally:
        logger.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["counter-assistant.log"] + [f"counter-assistant.log.{i}" for i in range(1, 6)]
    assert all(p.stat().st_size < 260 for p in log_file.parent.iterdir())
    assert "line 199" in log_file.read_text(encoding="utf-8")
