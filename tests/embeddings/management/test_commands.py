import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from embeddings.models import EmbeddingConfig


def test_embedding_config_ensure_create_activate_list(db, capsys):
    call_command("embedding_config", "ensure")
    call_command("embedding_config", "create", "all-MiniLM-L6-v2-int8-onnx")
    created = EmbeddingConfig.objects.get(model="all-MiniLM-L6-v2-int8-onnx")
    call_command("embedding_config", "activate", str(created.pk))
    call_command("embedding_config", "list")

    output = capsys.readouterr().out
    assert "active embedding config: #" in output
    assert f"activated #{created.pk} all-MiniLM-L6-v2-int8-onnx onnx/float32 384d (active)" in output
    assert EmbeddingConfig.objects.get(is_active=True) == created


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
