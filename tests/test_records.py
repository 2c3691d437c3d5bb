"""The records the counter writes: their ids."""


def test_record_ids_are_version_4_uuids():
    import uuid

    from counter_assistant.core.records import new_id

    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
