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


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_counter_assistant", False)]


def test_setting_up_again_replaces_the_handler(tmp_path):
    """What lets every test (and a second load_context) log into its own folder."""
    first = tmp_path / "a" / "counter-assistant.log"
    second = tmp_path / "b" / "counter-assistant.log"
    assert logsetup.setup_logging(first) == first
    logging.getLogger("test-setup").warning("to the first file")
    assert logsetup.setup_logging(second) == second
    logging.getLogger("test-setup").warning("to the second file")
    assert len(ours()) == 1
    assert "to the second file" not in first.read_text(encoding="utf-8")
    assert "to the first file" not in second.read_text(encoding="utf-8")
    assert "to the second file" in second.read_text(encoding="utf-8")


def test_a_line_that_cannot_be_written_is_dropped_and_counted(tmp_path):
    log_file = tmp_path / "logs" / "counter-assistant.log"
    logsetup.setup_logging(log_file)
    log_file.parent.rmdir()  # the folder goes: the file cannot be opened
    logging.getLogger("test-drop").warning("lost")  # must not raise
    assert logsetup.dropped_lines() == 1
    log_file.parent.mkdir()
    logging.getLogger("test-drop").warning("back")
    assert logsetup.dropped_lines() == 1
    assert "back" in log_file.read_text(encoding="utf-8")
