"""Embedding configs: reads, writes (create, activate) and their admin."""
