from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from embeddings.client.metrics import FleetMetricsCollector
from embeddings.vectors.metrics import JobMetricsCollector
from embedplatform.metrics.views import metrics_view

swagger_ui = SpectacularSwaggerView.as_view(url_name="schema")
if not settings.API_DOCS_PUBLIC:
    swagger_ui = staff_member_required(swagger_ui)  # a browser page: send people to the admin login

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v1/", include("embeddings.api.openai.urls", namespace="openai")),
    path("api/v1/", include("embeddings.api.openai.urls", namespace="api-openai")),
    path("api/", include("embeddings.api.urls")),
    path("api/chat/", include("chat.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="swagger-ui"),
    # Prometheus; not in the schema
    path("metrics", metrics_view(FleetMetricsCollector(), JobMetricsCollector()), name="metrics"),
]

handler400 = "embedplatform.api.handlers.bad_request"
handler404 = "embedplatform.api.handlers.not_found"
handler500 = "embedplatform.api.handlers.server_error"
