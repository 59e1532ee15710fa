"""The admin in a real browser: log in, activate another config, watch it reach active, see the workers."""

import re

import pytest
from playwright.sync_api import Page, expect

from embeddings.configs.services import config_create
from embeddings.models import EmbeddingConfig

pytestmark = pytest.mark.worker


def test_an_admin_activates_a_config_and_watches_every_worker_load_it(
    served_config, live_server, admin_login: Page
):
    page = admin_login
    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")

    page.goto(f"{live_server.url}/admin/embeddings/embeddingconfig/")
    row = page.locator("#result_list tr", has_text="paraphrase-MiniLM-L3-v2-onnx")
    expect(
        page.locator("#result_list tr", has_text="all-MiniLM-L6-v2 ").locator(".config-active")
    ).to_be_visible()
    row.get_by_role("link", name="Activate").click()

    confirm = page.locator("#activation-confirm")
    expect(confirm).to_contain_text("Model: all-MiniLM-L6-v2 → paraphrase-MiniLM-L3-v2-onnx")
    expect(confirm).to_contain_text("Dimensions: 384 → 384")
    expect(confirm).to_contain_text(f"Stored vectors of the current config {served_config.pk}: 0 embedded")
    page.click("#confirm-activation")

    expect(page).to_have_url(re.compile(r"/admin/embeddings/configactivation/\d+/change/"))
    expect(page.locator("#activation-state")).to_have_attribute("data-state", "active", timeout=90_000)
    expect(page.locator("#activation-workers")).to_contain_text("ready")
    assert EmbeddingConfig.objects.active().pk == paraphrase.pk

    page.goto(f"{live_server.url}/admin/embeddings/configactivation/workers/")
    expect(page.locator("#workers")).to_contain_text(str(paraphrase.pk))
