import pytest

from counter_assistant.core.pin import hash_pin, verify_pin


def test_hash_and_verify():
    stored = hash_pin("2468", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$")
    assert "2468" not in stored
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("", stored)


def test_salted():
    assert hash_pin("2468", iterations=1000) != hash_pin("2468", iterations=1000)


def test_default_hash_round_trip():
    assert verify_pin("密码1", hash_pin("密码1"))


@pytest.mark.parametrize(
    "stored", ["", None, "2468", "md5$1$a$b", "pbkdf2_sha256$x$a$b", "pbkdf2_sha256$10$!!$!!"]
)
def test_malformed_hash_never_verifies(stored):
    assert not verify_pin("2468", stored)


def test_empty_pin_rejected():
    with pytest.raises(ValueError):
        hash_pin("  ")
