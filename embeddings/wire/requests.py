"""Embed requests and replies as they travel through Redis between the web side and the workers.

A request is `<id> <number of inputs> <json>`: the prefix lets a worker take requests up to a batch size
without parsing them. A reply is a JSON header, a newline, then the vectors as little-endian float32 bytes.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embeddings.wire.replies import ReplyErrorCode


@dataclass(frozen=True)
class EmbedRequest:
    config_id: int
    inputs: list[Any]  # texts, or lists of token ids of the model's own tokenizer
    deadline: float  # unix time after which nobody waits for the answer
    inputs_are_token_ids: bool = False
    count_tokens: bool = False
    input_overflow: str = "truncate"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    sent_at: float = field(default_factory=time.time)

    def to_bytes(self) -> bytes:
        body = {
            "config_id": self.config_id,
            "inputs": self.inputs,
            "deadline": self.deadline,
            "token_ids": self.inputs_are_token_ids,
            "count_tokens": self.count_tokens,
            "overflow": self.input_overflow,
            "sent_at": self.sent_at,
        }
        return f"{self.id} {len(self.inputs)} ".encode() + json.dumps(body, ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> EmbedRequest:
        request_id, _, rest = data.partition(b" ")
        _, _, body = rest.partition(b" ")
        fields = json.loads(body)
        return cls(
            id=request_id.decode(),
            config_id=fields["config_id"],
            inputs=fields["inputs"],
            deadline=fields["deadline"],
            inputs_are_token_ids=fields["token_ids"],
            count_tokens=fields["count_tokens"],
            input_overflow=fields["overflow"],
            sent_at=fields["sent_at"],
        )


@dataclass(frozen=True)
class EmbedReply:
    config_id: int
    vectors: np.ndarray | None = None
    token_counts: list[int] | None = None
    error_code: ReplyErrorCode | None = None
    error_message: str = ""
    error_param: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage, for Server-Timing

    def to_bytes(self) -> bytes:
        header: dict[str, Any] = {"config_id": self.config_id, "timings": self.timings}
        payload = b""
        if self.error_code is not None:
            header["error"] = {
                "code": str(self.error_code),
                "message": self.error_message,
                "param": self.error_param,
            }
        else:
            vectors = np.ascontiguousarray(self.vectors, dtype="<f4")
            header["shape"] = list(vectors.shape)
            header["token_counts"] = self.token_counts
            payload = vectors.tobytes()
        return json.dumps(header).encode() + b"\n" + payload

    @classmethod
    def from_bytes(cls, data: bytes) -> EmbedReply:
        header_bytes, _, payload = data.partition(b"\n")
        header = json.loads(header_bytes)
        if "error" in header:
            error = header["error"]
            return cls(
                config_id=header["config_id"],
                error_code=ReplyErrorCode(error["code"]),
                error_message=error["message"],
                error_param=error["param"],
            )
        vectors = np.frombuffer(payload, dtype="<f4").reshape(header["shape"]).astype(np.float32)
        return cls(
            config_id=header["config_id"],
            vectors=vectors,
            token_counts=header["token_counts"],
            timings=header.get("timings", {}),
        )
