"""The model runtime: loads encoders and serves them. Knows nothing of Django or HTTP.

Heavy imports (torch, sentence_transformers, onnxruntime) happen lazily inside the
backend modules, so importing this package is cheap.
"""

from embeddings.runtime.encoder import Encoder
from embeddings.runtime.errors import DimensionMismatch, ModelLoadError, ModelUnavailable
from embeddings.runtime.holder import ModelHolder
from embeddings.runtime.spec import ModelSpec

__all__ = ["DimensionMismatch", "Encoder", "ModelHolder", "ModelLoadError", "ModelSpec", "ModelUnavailable"]
