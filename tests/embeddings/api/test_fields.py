"""The one text check every API text goes through: type, blank, length, and what PostgreSQL and the
tokenizer cannot take (NUL, surrogate code points). No database needed."""

import pytest
from rest_framework import serializers

from embeddings.api.fields import StorableJSONField, StrictTextField, json_text_error, text_error

NUL = "must not contain NUL characters (\\u0000)."
SURROGATE = "must not contain surrogate code points (U+D800 to U+DFFF); send valid UTF-8."


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("hello", {}, None),
        ("naïve café 東京 🙂", {}, None),
        ("\ufffe and \uffff are storable", {}, None),
        ("a\x00b", {}, NUL),
        ("\ud800", {}, SURROGATE),
        ("paired halves are still surrogates: \ud83d\ude00", {}, SURROGATE),
        ("\udfff", {}, SURROGATE),
        (42, {}, "must be a string, not int."),
        (None, {}, "must be a string, not NoneType."),
        (["a"], {}, "must be a string, not list."),
        ("", {}, "must not be empty or only whitespace."),
        (" \t\n", {}, "must not be empty or only whitespace."),
        (" \t\n", {"blank": "reject-empty"}, None),
        ("", {"blank": "reject-empty"}, "must not be an empty string."),
        ("", {"blank": "allow"}, None),
        ("x" * 10, {"max_chars": 10}, None),
        ("x" * 11, {"max_chars": 10, "noun": "a query"}, "a query may have at most 10 characters, got 11."),
    ],
)
def test_text_error_names_the_first_problem(value, options, expected):
    assert text_error(value, **options) == expected


def test_the_length_is_checked_before_the_characters_are_scanned():
    assert text_error("\x00" * 11, max_chars=10) == "a text may have at most 10 characters, got 11."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"lang": "en", "tags": ["a", {"b": [1, 2.5, None, True]}]}, None),
        ({"k\x00": "v"}, NUL),
        ({"k": ["ok", {"deep": "v\x00"}]}, NUL),
        ({"k": "\udc80"}, SURROGATE),
        ([1, 2, 3], None),
    ],
)
def test_json_text_error_walks_every_key_and_string(value, expected):
    assert json_text_error(value) == expected


def _validate(field, value):
    with pytest.raises(serializers.ValidationError) as caught:
        field.run_validation(value)
    return caught.value.detail


def test_strict_text_field_refuses_nul_and_surrogates_with_the_shared_messages():
    field = StrictTextField(max_chars=lambda: 5, noun="a message")

    assert _validate(field, "a\x00") == [NUL]
    assert _validate(field, "\ud800") == [SURROGATE]
    assert _validate(field, "toolong") == ["a message may have at most 5 characters, got 7."]
    assert _validate(field, "") == ["must not be empty or only whitespace."]
    assert _validate(field, 7) == ["must be a string, not int."]
    assert field.run_validation("  ok ") == "  ok "  # kept as sent: no trimming


def test_strict_text_field_reads_a_callable_limit_at_validation_time():
    limit = {"value": 3}
    field = StrictTextField(max_chars=lambda: limit["value"])

    limit["value"] = 8
    assert field.run_validation("12345678") == "12345678"


def test_strict_text_field_may_allow_blank():
    assert StrictTextField(allow_blank=True).run_validation("") == ""


def test_storable_json_field_refuses_what_jsonb_cannot_store():
    field = StorableJSONField()

    assert _validate(field, {"a": ["\x00"]}) == [NUL]
    assert field.run_validation({"a": ["ok"]}) == {"a": ["ok"]}
