"""GET /v1/models and /v1/models/{model}: the active model in OpenAI's list format."""


def test_models_lists_the_active_model_with_dimensions_and_max_tokens(active_config, key_client):
    response = key_client.get("/v1/models")

    assert response.status_code == 200
    assert response.json() == {
        "object": "list",
        "data": [
            {
                "id": "all-MiniLM-L6-v2",
                "object": "model",
                "created": int(active_config.created_at.timestamp()),
                "owned_by": "embedplatform",
                "dimensions": 384,
                "max_tokens": 256,
                "input_overflow": "truncate",
                "aliases": ["sentence-transformers/all-MiniLM-L6-v2"],
            }
        ],
    }
    assert key_client.get("/api/v1/models").json() == response.json()


def test_models_is_an_empty_list_without_an_active_config(db, key_client):
    assert key_client.get("/v1/models").json() == {"object": "list", "data": []}


def test_a_model_is_retrieved_by_name_or_alias(active_config, key_client):
    by_name = key_client.get("/v1/models/all-MiniLM-L6-v2")
    by_alias = key_client.get("/v1/models/sentence-transformers/all-MiniLM-L6-v2")

    assert by_name.status_code == by_alias.status_code == 200
    assert by_name.json()["id"] == by_alias.json()["id"] == "all-MiniLM-L6-v2"


def test_an_unknown_model_is_a_404_model_not_found(active_config, key_client):
    response = key_client.get("/v1/models/text-embedding-ada-002")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
