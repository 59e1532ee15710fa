"""Embedded PostgreSQL+pgvector and Redis for `make run` and `make test`.

Knows nothing of Django: it starts servers from the PyPI wheels on 127.0.0.1 and
returns URLs. Used by scripts/run.py and by the pytest session fixtures.
"""
