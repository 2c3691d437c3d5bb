"""The names derived from SHA-256 stay what hashlib gives: sockets and locks of a running
older version must still be found."""

import hashlib

import pytest

from counter_assistant.core.digest import sha256_hex


@pytest.mark.parametrize(
    "data", [b"", b"abc", "柜台 counter-assistant".encode(), bytes(range(256))]
)
def test_sha256_hex_equals_hashlib(data):
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
