"""Attention and Transformer layers with PyTorch's parameter names, defaults and masks.

MultiheadAttention keeps the packed in_proj_weight (3E, E) / in_proj_bias (3E) and an
out_proj Linear, so state dicts interchange with torch.nn's; the encoder and decoder
stacks hold deep copies of a layer under layers.0, layers.1, … as PyTorch's do.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import functional as _F
from ..creation import tensor, zeros
from ..dtypes import get_default_dtype
from . import functional as F
from . import init
from .layers import Dropout, LayerNorm, Linear
from .module import Module, ModuleList
from .parameter import Parameter


def _additive(mask: Any, dtype: Any) -> Any:
    """A bool mask (True = not attended) as 0 / -inf, a float mask as it is."""
    if mask.dtype.kind == "b":
        return _F.where(mask, float("-inf"), 0.0)
    return _F.cast(mask, dtype) if mask.dtype != dtype else mask


def _each(f: Callable[[Any], Any], q: Any, k: Any, v: Any) -> tuple[Any, Any, Any]:
    """f of query, key and value; once when they are one tensor, so self-attention stays
    recognisable (one packed projection)."""
    if q is k and k is v:
        t = f(q)
        return t, t, t
    return f(q), f(k), f(v)


def _causal(n: int, device: Any, dtype: Any) -> Any:
    """n × n float mask with -inf above the diagonal (position i sees positions ≤ i)."""
    return tensor(np.triu(np.full((n, n), -np.inf), 1), dtype=dtype, device=device)


class MultiheadAttention(Module):
    """Scaled dot-product attention over num_heads heads, PyTorch's nn.MultiheadAttention.

    Inputs are (L, N, E) ((N, L, E) with batch_first) or unbatched (L, E); attn_mask is
    (L, S) or (N·num_heads, L, S), bool (True = masked) or float (added to the scores);
    key_padding_mask is (N, S), bool or float. Returns (output, weights), weights averaged
    over heads (N, L, S) unless average_attn_weights=False, or None if not need_weights.
    is_causal without an attn_mask masks the future itself (PyTorch asks for the mask too).
    Separate key/value sizes (kdim, vdim), add_bias_kv and add_zero_attn are not supported.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
    ) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} must divide by num_heads {num_heads}")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv/add_zero_attn unsupported")
        if kdim not in (None, embed_dim) or vdim not in (None, embed_dim):
            raise NotImplementedError(
                f"MultiheadAttention: kdim/vdim ({kdim}, {vdim}) must equal embed_dim {embed_dim}"
            )
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, float(dropout)
        self.head_dim, self.batch_first = embed_dim // num_heads, batch_first
        self.kdim = self.vdim = embed_dim
        self.in_proj_weight = Parameter(zeros(3 * embed_dim, embed_dim))
        init.xavier_uniform_(self.in_proj_weight)
        self.in_proj_bias: Parameter | None = None
        if bias:
            self.in_proj_bias = Parameter(zeros(3 * embed_dim))
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if self.out_proj.bias is not None:
            init.zeros_(self.out_proj.bias)

    def _project(self, query: Any, key: Any, value: Any) -> tuple[Any, Any, Any]:
        """q, k, v from the packed projection (one matmul when all three are one tensor)."""
        w, b, e = self.in_proj_weight, self.in_proj_bias, self.embed_dim
        if query is key and key is value:
            q, k, v = _F.split(F.linear(query, w, b), e, -1)
            return q, k, v
        ws = _F.split(w, e, 0)
        bs = _F.split(b, e, 0) if b is not None else (None, None, None)
        return (
            F.linear(query, ws[0], bs[0]),
            F.linear(key, ws[1], bs[1]),
            F.linear(value, ws[2], bs[2]),
        )

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Any, Any]:
        """(attention output like query, attention weights or None)."""
        batched = query.ndim == 3
        if batched and self.batch_first:
            query, key, value = _each(lambda t: _F.transpose(t, 0, 1), query, key, value)
        elif not batched:
            query, key, value = _each(lambda t: _F.unsqueeze(t, 1), query, key, value)
            if key_padding_mask is not None:
                key_padding_mask = _F.unsqueeze(key_padding_mask, 0)
        tgt_len, n, e = query.shape
        src_len, h, d = key.shape[0], self.num_heads, self.head_dim
        if e != self.embed_dim:
            raise ValueError(
                f"MultiheadAttention: query has {e} features, expected {self.embed_dim}"
            )
        q, k, v = self._project(query, key, value)

        def heads(t: Any, length: int) -> Any:  # (len, N, E) -> (N·h, len, d)
            return _F.transpose(_F.reshape(t, (length, n * h, d)), 0, 1)

        q, k, v = heads(q, tgt_len), heads(k, src_len), heads(v, src_len)
        scores = _F.matmul(q * (1.0 / math.sqrt(d)), _F.transpose(k, 1, 2))
        if attn_mask is None and is_causal:
            attn_mask = _causal(tgt_len, q.device, q.dtype)
        if attn_mask is not None:
            scores = scores + _additive(attn_mask, q.dtype)
        if key_padding_mask is not None:
            kpm = _additive(key_padding_mask, q.dtype)  # (N, S) -> (N·h, 1, S)
            kpm = _F.reshape(
                _F.expand(_F.reshape(kpm, (n, 1, 1, src_len)), (n, h, 1, src_len)),
                (n * h, 1, src_len),
            )
            scores = scores + kpm
        weights = _F.softmax(scores, -1)
        if self.dropout and self.training:
            weights = F.dropout(weights, self.dropout, True)
        out = _F.matmul(weights, v)  # (N·h, L, d)
        out = _F.reshape(_F.transpose(out, 0, 1), (tgt_len, n, e))
        out = self.out_proj(out)
        if batched and self.batch_first:
            out = _F.transpose(out, 0, 1)
        elif not batched:
            out = _F.squeeze(out, 1)
        if not need_weights:
            return out, None
        w = _F.reshape(weights, (n, h, tgt_len, src_len))
        if average_attn_weights:
            w = _F.mean(w, 1)
        return out, (w if batched else _F.squeeze(w, 0))

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


def _activation(activation: str | Callable[[Any], Any]) -> Callable[[Any], Any]:
    """'relu' / 'gelu' as functions, a callable (or Module) as it is."""
    if activation == "relu":
        return _F.relu
    if activation == "gelu":
        return _F.gelu
    if callable(activation):
        return activation
    raise ValueError(f"activation must be 'relu', 'gelu' or a callable, not {activation!r}")


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each residual with LayerNorm (post- or pre-norm)."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Any], Any] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)

    def _sa_block(self, x: Any, mask: Any, kpm: Any, is_causal: bool) -> Any:
        x = self.self_attn(
            x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False, is_causal=is_causal
        )[0]
        return self.dropout1(x)

    def _ff_block(self, x: Any) -> Any:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self,
        src: Any,
        src_mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool = False,
    ) -> Any:
        """The layer's output, shaped like src."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's memory and a feed-forward block."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Any], Any] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first
        )
        self.multihead_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def _sa_block(self, x: Any, mask: Any, kpm: Any, is_causal: bool) -> Any:
        x = self.self_attn(
            x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False, is_causal=is_causal
        )[0]
        return self.dropout1(x)

    def _mha_block(self, x: Any, mem: Any, mask: Any, kpm: Any, is_causal: bool) -> Any:
        x = self.multihead_attn(
            x,
            mem,
            mem,
            attn_mask=mask,
            key_padding_mask=kpm,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout2(x)

    def _ff_block(self, x: Any) -> Any:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Any:
        """The layer's output, shaped like tgt."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(
            x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        )
        return self.norm3(x + self._ff_block(x))


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer applied in turn, then an optional norm."""

    def __init__(
        self,
        encoder_layer: TransformerEncoderLayer,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = ModuleList(copy.deepcopy(encoder_layer) for _ in range(num_layers))
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        src: Any,
        mask: Any = None,
        src_key_padding_mask: Any = None,
        is_causal: bool | None = None,
    ) -> Any:
        """src through every layer (and the norm)."""
        x = src
        for layer in self.layers:
            x = layer(
                x,
                src_mask=mask,
                src_key_padding_mask=src_key_padding_mask,
                is_causal=bool(is_causal),
            )
        return self.norm(x) if self.norm is not None else x


class TransformerDecoder(Module):
    """num_layers deep copies of decoder_layer applied in turn, then an optional norm."""

    def __init__(
        self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None
    ) -> None:
        super().__init__()
        self.layers = ModuleList(copy.deepcopy(decoder_layer) for _ in range(num_layers))
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Any:
        """tgt through every layer, each attending to memory (and the norm)."""
        x = tgt
        for layer in self.layers:
            x = layer(
                x,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=bool(tgt_is_causal),
                memory_is_causal=memory_is_causal,
            )
        return self.norm(x) if self.norm is not None else x


class Transformer(Module):
    """Encoder-decoder Transformer (Vaswani et al.), PyTorch's nn.Transformer: every weight
    matrix xavier-uniform initialised, final LayerNorms on both stacks."""

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Any], Any] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        args = (
            d_model,
            nhead,
            dim_feedforward,
            dropout,
            activation,
            layer_norm_eps,
            batch_first,
            norm_first,
            bias,
        )
        self.encoder = custom_encoder or TransformerEncoder(
            TransformerEncoderLayer(*args), num_encoder_layers, LayerNorm(d_model, layer_norm_eps)
        )
        self.decoder = custom_decoder or TransformerDecoder(
            TransformerDecoderLayer(*args), num_decoder_layers, LayerNorm(d_model, layer_norm_eps)
        )
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(
        self,
        src: Any,
        tgt: Any,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Any:
        """The decoder's output for tgt, attending to the encoded src."""
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Any:
        """The causal mask: sz × sz floats, -inf above the diagonal and 0 elsewhere."""
        return _causal(sz, device, dtype if dtype is not None else get_default_dtype())


__all__ = [
    "MultiheadAttention",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]
