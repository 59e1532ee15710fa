"""The key format and hashing, without a database."""

import hashlib

import pytest

from apikeys.secrets import generate_key, hash_secret, secret_matches, split_key


def test_generated_key_splits_back_into_its_parts():
    plain, parts = generate_key()

    assert plain == f"ep-{parts.prefix}-{parts.secret}"
    assert split_key(plain) == parts
    assert len(parts.prefix) == 12
    assert len(parts.secret) >= 43  # 32 random bytes, base64url


def test_two_keys_never_share_prefix_or_secret():
    (_, first), (_, second) = generate_key(), generate_key()

    assert first.prefix != second.prefix
    assert first.secret != second.secret


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ep",
        "ep-",
        "sk-123456789012-secret",
        "ep-short-secret",
        "ep-123456789012-",
        "Bearer",
        "ep-123456789012",
    ],
)
def test_malformed_keys_do_not_split(text):
    assert split_key(text) is None


def test_secret_is_compared_through_its_sha256():
    assert hash_secret("abc") == hashlib.sha256(b"abc").hexdigest()
    assert secret_matches("abc", hash_secret("abc"))
    assert not secret_matches("abd", hash_secret("abc"))
