"""Celery task names. The web side sends tasks by name; only workers import the task functions."""

EMBED_SOURCES = "embeddings.embed_sources"
