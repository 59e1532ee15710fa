"""The Celery app. Workers own the embedding models; the web process only sends tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")

app = Celery("embedplatform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
