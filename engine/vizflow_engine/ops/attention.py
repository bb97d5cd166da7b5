"""F.scaled_dot_product_attention: softmax(q kᵀ · scale + mask) v, PyTorch's arguments."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functional as F
from ..registry import composite
from .conv_nd import _known


@composite(
    "scaled_dot_product_attention",
    "neural",
    "z = softmax(q kᵀ · scale + mask) v (bool mask: False → -inf; is_causal: j ≤ i)",
    params=("dropout_p", "is_causal", "scale"),
)
def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Any:
    """Attention of query (…, L, E) over key (…, S, E) and value (…, S, Ev); attn_mask a bool
    (True = take part) or float (added) tensor broadcast to (…, L, S)."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention(enable_gqa=True) is not supported")
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: pass attn_mask or is_causal, not both")
    e = _known(tuple(query.shape)[-1:], "scaled_dot_product_attention", "the embedding size")[0]
    s = 1.0 / math.sqrt(e) if scale is None else float(scale)
    scores = F.matmul(query, F.swapaxes(key, -2, -1)) * s
    if is_causal:
        l_, s_ = _known(tuple(scores.shape)[-2:], "scaled_dot_product_attention", "L and S")
        scores = F.where(np.tri(l_, s_, dtype=bool), scores, -np.inf)
    elif attn_mask is not None:
        if attn_mask.dtype == np.bool_:
            scores = F.where(attn_mask, scores, -np.inf)
        else:
            scores = scores + attn_mask
    weights = F.softmax(scores, -1)
    if dropout_p > 0.0:
        from ..nn.functional import dropout

        weights = dropout(weights, dropout_p, True)
    return F.matmul(weights, value)


__all__ = ["scaled_dot_product_attention"]
