from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v1/", include("embeddings.api.openai.urls", namespace="openai")),
    path("api/v1/", include("embeddings.api.openai.urls", namespace="api-openai")),
    path("api/", include("embeddings.api.urls")),
    path("api/chat/", include("chat.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "embedplatform.api.handlers.not_found"
handler500 = "embedplatform.api.handlers.server_error"
