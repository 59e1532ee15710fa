"""Property: no request body makes a write route answer 5xx (503 "no worker" aside, on routes that embed),
and every 4xx comes in the error envelope. Hypothesis builds bodies from each route's own fields, mixing valid
values with any JSON, NUL, surrogates, huge numbers, wrong types, unknown keys and non-UTF-8 bytes.

In-process (DRF's test client, staff session: every scope), no worker: the embedding routes answer 503."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ENVELOPE_KEYS = {"message", "type", "param", "code"}
NASTY_TEXT = ["\x00", "a\x00b", "\ud800", "x\udfff", "\ud83d\ude00", "", " ", "\u2028\ufeff\uffff"]

nasty_text = st.sampled_from(NASTY_TEXT)
text = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20).filter(str.strip)
number = st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False))
any_json = st.recursive(
    st.none() | st.booleans() | number | text | nasty_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(text | nasty_text, children, max_size=3)
    ),
    max_leaves=10,
)
# What a field may be replaced by: anything, and nasty text on its own or inside arrays and objects.
bad = st.one_of(
    nasty_text,
    st.lists(nasty_text, min_size=1, max_size=2),
    st.dictionaries(text | nasty_text, nasty_text, min_size=1, max_size=2),
    any_json,
)
token_ids = st.lists(st.integers(min_value=0, max_value=30000), min_size=1, max_size=4)

ROUTES = {
    "generate": ("post", "/api/embedding/generate", {"text": text, "client_hint": text}),
    "openai": (
        "post",
        "/v1/embeddings",
        {
            "input": st.one_of(text, st.lists(text, min_size=1, max_size=3), token_ids),
            "model": st.just("all-MiniLM-L6-v2"),
            "encoding_format": st.sampled_from(["float", "base64"]),
            "user": text,
        },
    ),
    "conversation-create": (
        "post",
        "/api/chat/conversations/",
        {"title": text, "metadata": st.dictionaries(text, text, max_size=2)},
    ),
    "conversation-update": (
        "patch",
        "/api/chat/conversations/{conversation}/",
        {"title": text, "metadata": st.dictionaries(text, text, max_size=2)},
    ),
    "message-create": (
        "post",
        "/api/chat/conversations/{conversation}/messages/",
        {"role": st.sampled_from(["user", "assistant", "system"]), "content": text},
    ),
    "message-update": ("patch", "/api/chat/messages/{message}/", {"content": text}),
    "search": (
        "post",
        "/api/chat/search",
        {"query": text, "k": st.integers(1, 100), "min_score": st.floats(-1, 1)},
    ),
    "context": (
        "post",
        "/api/chat/context",
        {"conversation_id": st.integers(1, 10), "query": text, "k": st.integers(0, 100)},
    ),
    "config-switch": (
        "put",
        "/api/admin/embedding/config",
        {"model": st.just("all-MiniLM-L6-v2") | text, "dimensions": st.integers(1, 4096)},
    ),
    "config-activate": (
        "post",
        "/api/admin/embedding/configs/{config}/activate",
        {"timeout_seconds": st.integers(1, 3600)},
    ),
    "reembed": ("post", "/api/admin/embedding/reembed", {"config_id": st.integers(1, 10), "source": text}),
}


@st.composite
def _body(draw: st.DrawFn, fields: dict[str, st.SearchStrategy]) -> object:
    """Mostly a valid body with one or two fields spoiled (so the request gets past the other checks);
    sometimes an unknown key, sometimes any JSON at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(any_json)
    body = draw(st.fixed_dictionaries(fields))
    for name in draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2, unique=True)):
        body[name] = draw(bad)
    if draw(st.integers(0, 9)) == 0:
        body[draw(text | nasty_text)] = draw(any_json)
    return body


def _encode(body: object, ascii_only: bool) -> bytes:
    # Without escaping, surrogates go out as their raw (invalid UTF-8) bytes, as a careless client would send.
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def _assert_clean(response) -> None:  # noqa: ANN001 - a test client response
    assert response.status_code < 500 or response.status_code == 503, response.content[:300]
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == ENVELOPE_KEYS
        assert isinstance(error["message"], str) and isinstance(error["type"], str)


@pytest.fixture
def ids(api_client, active_config) -> dict[str, int]:
    conversation = api_client.post("/api/chat/conversations/", {"title": "c"}, format="json").json()["id"]
    message = api_client.post(
        f"/api/chat/conversations/{conversation}/messages/", {"role": "user", "content": "m"}, format="json"
    ).json()["id"]
    return {"conversation": conversation, "message": message, "config": active_config.pk}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_no_body_gets_a_server_error(route, api_client, ids):
    method, template, fields = ROUTES[route]
    path = template.format(**ids)

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        body=_body(fields),
        ascii_only=st.booleans(),
        content_type=st.sampled_from(["application/json"] * 4 + ["text/plain"]),
    )
    def check(body, ascii_only, content_type):
        _assert_clean(
            api_client.generic(method.upper(), path, _encode(body, ascii_only), content_type=content_type)
        )

    check()


VALID = {
    "generate": {"text": "hello"},
    "openai": {"input": ["hello"], "model": "all-MiniLM-L6-v2"},
    "conversation-create": {"title": "t", "metadata": {"k": "v"}},
    "conversation-update": {"title": "t", "metadata": {"k": "v"}},
    "message-create": {"role": "user", "content": "hello"},
    "message-update": {"content": "hello"},
    "search": {"query": "hello"},
    "context": {"conversation_id": 1, "query": "hello"},
    "config-switch": {"model": "all-MiniLM-L6-v2"},
    "config-activate": {"timeout_seconds": 60},
    "reembed": {"config_id": 1, "source": "chat.message"},
}
SPOILERS = [
    *NASTY_TEXT,
    ["\x00"],
    {"k": "\x00"},
    {"\x00": 1},
    {"k": ["\ud800"]},
    2**70,
    -(2**63),
    1e308,
    [],
    {},
    True,
]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_field_of_a_valid_body_spoiled_in_turn(route, api_client, ids):
    """The same, exhaustively for a fixed list of bad values: each field of a valid body replaced by each."""
    method, template, _ = ROUTES[route]
    for field in VALID[route]:
        for spoiler in SPOILERS:
            body = _encode({**VALID[route], field: spoiler}, ascii_only=True)
            response = api_client.generic(
                method.upper(), template.format(**ids), body, content_type="application/json"
            )
            _assert_clean(response)


MALFORMED = [  # an empty body is a valid PATCH (no change) or an activation with defaults
    b"{",
    b"[" * 2000,
    b'{"a": NaN}',
    b'{"a": 1e400}',
    b"\xff\xfe",
    b'"\\ud800"',
    b"null",
    b"{}{}",
]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_malformed_bytes_get_a_clean_4xx(route, api_client, ids):
    method, template, _ = ROUTES[route]
    for raw in MALFORMED:
        response = api_client.generic(
            method.upper(), template.format(**ids), raw, content_type="application/json"
        )

        assert 400 <= response.status_code < 500, (raw[:20], response.status_code)
        _assert_clean(response)
