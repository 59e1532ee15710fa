"""The vectors' admin in a real browser, on the real worker: a config's coverage, "Build vectors" with its
confirmation, the job's live progress to completed, "Purge vectors" with the rows it deletes, and an
activation that builds first ("Activate when built") then flips."""

import re

import pytest
from playwright.sync_api import Page, expect

from chat.models import Message
from embeddings.configs.services import config_create
from embeddings.models import EmbeddingConfig, StoredVector
from tests.chat.factories import ConversationFactory

pytestmark = pytest.mark.worker

CORPUS = 300


@pytest.fixture
def corpus(db):
    conversation = ConversationFactory()
    return Message.objects.bulk_create(  # (bulk: no vectors requested, so every text is missing)
        Message(conversation=conversation, role="user", content=f"note {n} on sourdough")
        for n in range(CORPUS)
    )


def config_row(page: Page, model: str):
    return page.locator("#result_list tr", has_text=model)


def test_an_admin_builds_a_configs_vectors_watches_the_job_and_purges_them(
    served_config, corpus, live_server, admin_login: Page
):
    page = admin_login
    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    page.goto(f"{live_server.url}/admin/embeddings/embeddingconfig/")
    row = config_row(page, "paraphrase-MiniLM-L3-v2-onnx")
    expect(row.locator(".coverage")).to_have_text(
        f"chat.message: 0 fresh, 0 stale, {CORPUS} missing of {CORPUS}"
    )

    row.get_by_role("link", name="Build vectors").click()
    expect(page.locator("#build-confirm")).to_contain_text(f"chat.message: {CORPUS} texts, 0 fresh")
    page.click("#confirm-build")

    expect(page).to_have_url(re.compile(r"/admin/embeddings/reembedjob/\d+/change/"))
    expect(page.locator("#job-state")).to_have_attribute("data-state", "completed", timeout=120_000)
    expect(page.locator("#job-counts")).to_have_text(f"{CORPUS} / {CORPUS}")
    expect(page.locator("#job-actions form[data-action=pause]")).to_be_hidden()  # nothing to pause any more

    page.goto(f"{live_server.url}/admin/embeddings/embeddingconfig/")
    row = config_row(page, "paraphrase-MiniLM-L3-v2-onnx")
    expect(row.locator(".coverage")).to_have_text(
        f"chat.message: {CORPUS} fresh, 0 stale, 0 missing of {CORPUS}"
    )
    row.get_by_role("link", name="Purge vectors").click()
    expect(page.locator("#purge-confirm")).to_contain_text(
        f"{CORPUS} stored vector rows of config {paraphrase.pk}"
    )
    page.click("#confirm-purge")
    expect(page.locator(".messagelist")).to_contain_text(
        f"Deleted {CORPUS} stored vectors of config {paraphrase.pk}"
    )
    assert not StoredVector.objects.filter(config=paraphrase).exists()


def test_an_admin_activates_when_built_and_the_config_flips_once_its_vectors_are_in(
    served_config, corpus, live_server, admin_login: Page
):
    page = admin_login
    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    page.goto(f"{live_server.url}/admin/embeddings/embeddingconfig/{paraphrase.pk}/activate/")
    expect(page.locator("#activation-coverage")).to_contain_text(f"{CORPUS} texts, 0 with a fresh vector")
    expect(page.locator("#confirm-activation-now")).to_be_visible()
    page.click("#confirm-activation")  # "when built", the default

    expect(page).to_have_url(re.compile(r"/admin/embeddings/configactivation/\d+/change/"))
    expect(page.locator("#activation-state")).to_have_attribute("data-state", "active", timeout=120_000)
    expect(page.locator("#activation-jobs")).to_contain_text(f"{CORPUS} / {CORPUS} completed")
    assert EmbeddingConfig.objects.active().pk == paraphrase.pk
    assert StoredVector.objects.filter(config=paraphrase, state="embedded").count() == CORPUS
