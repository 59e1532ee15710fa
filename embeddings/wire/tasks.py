"""Celery task names. The web side sends tasks by name; only workers import the task functions."""

EMBED_SOURCES = "embeddings.embed_sources"  # bulk: backfills, re-embedding; at most the worker's bulk slots
EMBED_LIVE = "embeddings.embed_live"  # texts just written: a queue of their own, ahead of bulk work
REEMBED_JOB_PLAN = "embeddings.reembed_job_plan"  # a job's texts requested, then it runs
