import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from embeddings.client import fleet
from embeddings.models import ConfigActivation, EmbeddingConfig


def test_embedding_config_ensure_create_activate_list(db, capsys, monkeypatch):
    monkeypatch.setattr(fleet, "worker_list", lambda: [])  # no worker: the activation waits for one
    call_command("embedding_config", "ensure")
    first = EmbeddingConfig.objects.get(is_active=True)
    call_command("embedding_config", "create", "all-MiniLM-L6-v2-int8-onnx")
    created = EmbeddingConfig.objects.get(model="all-MiniLM-L6-v2-int8-onnx")
    call_command("embedding_config", "activate", str(created.pk))
    call_command("embedding_config", "list")

    output = capsys.readouterr().out
    activation = ConfigActivation.objects.get(config=created)
    assert "active embedding config: #" in output
    assert (
        f"activation #{activation.pk} of #{created.pk} all-MiniLM-L6-v2-int8-onnx onnx/int8 384d requested: "
        "every live worker loads it, then it becomes active" in output
    )
    assert EmbeddingConfig.objects.get(is_active=True) == first  # serves until every worker has the new one


@pytest.mark.worker
def test_activate_wait_follows_the_activation_to_the_flip(served_config, capsys):
    call_command("embedding_config", "create", "paraphrase-MiniLM-L3-v2-onnx", "--activate", "--wait")

    output = capsys.readouterr().out.splitlines()
    created = EmbeddingConfig.objects.get(model="paraphrase-MiniLM-L3-v2-onnx")
    assert output[0] == f"created {EmbeddingConfig.objects.get(pk=created.pk)}".replace(" (active)", "")
    assert any(line.startswith("activation #") and "test-worker@" in line for line in output[1:-1])
    assert output[-1] == f"activated #{created.pk} paraphrase-MiniLM-L3-v2-onnx onnx/float32 384d (active)"
    assert EmbeddingConfig.objects.get(is_active=True) == created


def test_an_activation_that_fails_is_a_command_error(db, monkeypatch):
    monkeypatch.setattr(fleet, "worker_list", lambda: [])
    call_command("embedding_config", "ensure")
    created = EmbeddingConfig.objects.create(
        model="paraphrase-MiniLM-L3-v2-onnx", backend="onnx", dimensions=384, max_seq_length=128
    )
    with override_settings(EMBEDDINGS={"ACTIVATION_TIMEOUT_SECONDS": 1}):
        expected = r"activation #\d+ failed: no live worker loaded the model within 1 s"
        with pytest.raises(CommandError, match=expected):
            call_command("embedding_config", "activate", str(created.pk), "--wait")


def test_embedding_config_errors_are_command_errors(db):
    with pytest.raises(CommandError, match="produces 384-dimensional vectors, not 10"):
        call_command("embedding_config", "create", "all-MiniLM-L6-v2", "--dimensions", "10")
    with pytest.raises(CommandError, match="no embedding config with id 999"):
        call_command("embedding_config", "activate", "999")


def test_demo_superuser_is_created_once_and_its_password_reprinted(db, tmp_path, capsys):
    password_file = tmp_path / "admin-password"
    call_command("create_demo_superuser", "--password-file", str(password_file))
    call_command("create_demo_superuser", "--password-file", str(password_file))

    lines = capsys.readouterr().out.strip().splitlines()
    password = password_file.read_text()
    assert lines == [f"admin login: username 'admin', password '{password}'"] * 2
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
