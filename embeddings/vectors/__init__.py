"""Stored vectors: the source registry and its signal receivers, web-side services, the worker's claim
and store, selectors (search, coverage) and the per-config HNSW indexes."""
