from django.urls import path

from embeddings.api.admin.views import (
    ActivationView,
    ConfigActivateView,
    ConfigSwitchView,
    ReembedJobActionView,
    ReembedJobView,
    ReembedView,
    WorkersView,
)
from embeddings.vectors.jobs import JOB_ACTIONS

urlpatterns = [
    path("embedding/config", ConfigSwitchView.as_view(), name="admin-embedding-config"),
    path(
        "embedding/configs/<int:config_id>/activate",
        ConfigActivateView.as_view(),
        name="admin-embedding-config-activate",
    ),
    path(
        "embedding/activations/<int:activation_id>",
        ActivationView.as_view(),
        name="admin-embedding-activation",
    ),
    path("embedding/workers", WorkersView.as_view(), name="admin-embedding-workers"),
    path("embedding/reembed", ReembedView.as_view(), name="admin-embedding-reembed"),
    path("embedding/reembed/<int:job_id>", ReembedJobView.as_view(), name="admin-embedding-reembed-job"),
    *(
        path(
            f"embedding/reembed/<int:job_id>/{action}",
            ReembedJobActionView.as_view(action=action),
            name=f"admin-embedding-reembed-job-{action}",
        )
        for action in JOB_ACTIONS
    ),
]
