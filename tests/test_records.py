"""The records the counter writes: their ids."""


def test_record_ids_are_version_4_uuids():
    import uuid

    from counter_assistant.core.records import new_id

    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)


def test_stamps_are_what_the_standard_library_writes():
    from datetime import UTC, datetime, timedelta, timezone

    from counter_assistant.core.records import Stamp

    for minutes in (0, 480, -300, 330, 345, -570, 840):
        zone = timezone(timedelta(minutes=minutes))
        for when in (datetime(2026, 12, 5, 23, 59, 59, 999999, zone),
                     datetime(2026, 1, 1, 0, 0, 0, 0, zone),
                     datetime(2024, 2, 29, 12, 30, 5, 123, zone)):  # fmt: skip
            assert Stamp.of(when) == Stamp(
                when.astimezone(UTC).isoformat(timespec="microseconds"),
                when.strftime("%Y-%m-%dT%H:%M:%S"),
                minutes,
                when.date().isoformat(),
            )


def test_the_clock_is_local_time_as_astimezone_gives_it(monkeypatch):
    import time
    from datetime import datetime

    from counter_assistant.core.clock import Clock

    clock = Clock()
    for zone in ("Asia/Shanghai", "America/New_York", "Asia/Kolkata", "UTC"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        before, now, after = datetime.now().astimezone(), clock.now(), datetime.now().astimezone()
        assert before <= now <= after and now.utcoffset() == after.utcoffset(), zone
    monkeypatch.delenv("TZ")
    time.tzset()
