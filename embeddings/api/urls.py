from django.urls import include, path

from embeddings.api.views import ConfigView, GenerateView, HealthView

urlpatterns = [
    path("embedding/generate", GenerateView.as_view(), name="embedding-generate"),
    path("embedding/config", ConfigView.as_view(), name="embedding-config"),
    path("health", HealthView.as_view(), name="health"),
    path("admin/", include("embeddings.api.admin.urls")),
]
