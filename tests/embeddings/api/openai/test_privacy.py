"""Request texts never reach the logs, whatever the request's fate."""

import logging

SECRET_TEXT = "the patient's diagnosis is confidential-7f3a9c"


def test_input_text_is_absent_from_every_log_record(served_config, key_client, caplog):
    caplog.set_level(logging.DEBUG)
    for logger_name in ("django", "django.request", "celery", "embeddings", "apikeys", "embedplatform"):
        caplog.set_level(logging.DEBUG, logger=logger_name)

    ok = key_client.post(
        "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": [SECRET_TEXT]}, format="json"
    )
    wrong_model = key_client.post("/v1/embeddings", {"model": "nope", "input": SECRET_TEXT}, format="json")
    too_many = key_client.post(
        "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": [SECRET_TEXT] * 2049}, format="json"
    )
    bad_shape = key_client.post(
        "/v1/embeddings", {"model": "all-MiniLM-L6-v2", "input": [SECRET_TEXT, 3]}, format="json"
    )

    assert [ok.status_code, wrong_model.status_code, too_many.status_code, bad_shape.status_code] == [
        200,
        404,
        400,
        400,
    ]
    logging.getLogger("embeddings.api").debug("capture check")  # the capture sees this path's loggers
    assert any(record.getMessage() == "capture check" for record in caplog.records)
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'exc_text', '')}"
        for record in caplog.records
    )
    assert "confidential-7f3a9c" not in logged
    for response in (wrong_model, too_many, bad_shape):
        assert "confidential-7f3a9c" not in response.content.decode()
