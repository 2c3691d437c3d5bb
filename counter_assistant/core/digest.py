"""SHA-256 for names (the instance socket, the database key) without loading OpenSSL."""

from __future__ import annotations


def sha256_hex(data: bytes) -> str:
    """hashlib.sha256(data).hexdigest(), through Python's own small SHA-2 module where it
    has one: hashlib loads OpenSSL's libcrypto, milliseconds at every start."""
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.11
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()
