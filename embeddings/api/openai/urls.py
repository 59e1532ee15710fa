from django.urls import path

from embeddings.api.openai.views import EmbeddingsView, ModelDetailView, ModelListView

app_name = "openai"

urlpatterns = [
    path("embeddings", EmbeddingsView.as_view(), name="embeddings"),
    path("models", ModelListView.as_view(), name="models"),
    path("models/<path:model>", ModelDetailView.as_view(), name="model"),
]
