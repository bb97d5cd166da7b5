"""vf.nn.functional: layer and loss functions (primitives from ops.neural, composites here).

Composites are written with registered ops, so their gradients (and second order) are free;
they are listed in the registry's COMPOSITES for the editor's palette.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from .. import functional as _F
from ..autograd import no_grad
from ..creation import arange, ones, rand_like
from ..errors import ShapeError
from ..functional import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh
from ..node import capture_location
from ..ops import neural as _N
from ..ops.neural import conv_transpose2d, max_pool2d
from ..registry import composite

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Any, reduction: str) -> Any:
    """Apply a loss reduction: 'mean', 'sum' or 'none'."""
    if reduction == "mean":
        return _F.mean(loss)
    if reduction == "sum":
        return _F.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, not {reduction!r}")


def _same_known(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Whether two shapes agree: same rank, equal dims where both are known (ints).

    A traced dim may be None or a name ("batch"): unknown until run time, so it agrees.
    """
    if len(a) != len(b):
        return False
    return all(
        i == j or not isinstance(i, int) or not isinstance(j, int)
        for i, j in zip(a, b, strict=True)
    )


def _where() -> str | None:
    """The user's source line, for errors raised here rather than by a kernel."""
    loc = capture_location()
    return str(loc) if loc else None


def _check_classes(t: Any, n: Any, op: str, what: str, ignore_index: int | None) -> None:
    """Refuse out-of-range indices in t when its values are at hand (not while tracing)."""
    a = _N.concrete_array(t)
    if a is None or not isinstance(n, int):
        return
    try:
        _N.check_indices(a, n, op, what, ignore_index)
    except IndexError as exc:
        where = _where()
        raise IndexError(f"{exc}\n  at {where}" if where else str(exc)) from None


def linear(x: Any, weight: Any, bias: Any = None) -> Any:
    """x @ weight.T + bias (one fused op with a bias)."""
    if bias is None:
        return _F.matmul(x, _F.swapaxes(weight, 0, 1))
    return _N.linear(x, weight, bias)


def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Any:
    """2-D convolution (N, C, H, W) -> (N, O, Ho, Wo), bias added per output channel.

    padding: ints, or 'valid' (none) or 'same' (output size = input size; stride 1 only).
    """
    y = _N.conv2d(x, weight, stride, padding, dilation, groups)
    if bias is not None:
        y = y + _F.reshape(bias, (1, -1, 1, 1))
    return y


@composite(
    "avg_pool2d",
    "neural",
    "z = mean of each kh×kw window (zeros padded, counted)",
    params=("kernel_size", "stride", "padding"),
)
def avg_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Any:
    """2-D average pooling, as a depthwise conv2d with weights 1/(kh·kw)."""
    kh, kw = _N._pair(kernel_size)
    c = x.shape[1]
    w = ones((c, 1, kh, kw), dtype=x.dtype, device=x.device) * (1.0 / (kh * kw))
    return _N.conv2d(x, w, stride if stride is not None else (kh, kw), padding, 1, c)


@composite("dropout", "neural", "z = x · [u ≥ p] / (1 - p), u ~ U(0, 1)", params=("p", "training"))
def dropout(x: Any, p: float = 0.5, training: bool = True) -> Any:
    """Zero each element with probability p (mask from the seeded generator), rescale by 1/(1-p)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], not {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = _F.cast(_F.ge(rand_like(x), p), x.dtype)
    return x * (keep * (1.0 / (1.0 - p)))


def _stat_shape(x: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Reduction axes and broadcast shape of per-channel statistics for (N, C, ...) input."""
    axes = (0, *range(2, x.ndim))
    return axes, (1, x.shape[1]) + (1,) * (x.ndim - 2)


@composite(
    "batch_norm",
    "neural",
    "z = (x - μ) / √(σ² + ε) · γ + β; μ, σ² per channel (batch or running)",
    params=("training", "momentum", "eps"),
)
def batch_norm(
    x: Any,
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Any:
    """Batch normalisation over all dims but 1; in training, running stats are updated by assign."""
    axes, shape = _stat_shape(x)
    if training:
        mean = _F.mean(x, axes, True)
        d = x - mean
        var = _F.mean(d * d, axes, True)
        if running_mean is not None:
            n = x.size // x.shape[1]
            with no_grad():
                _N.assign(
                    running_mean,
                    running_mean * (1.0 - momentum) + _F.reshape(mean, (-1,)) * momentum,
                )
                _N.assign(
                    running_var,
                    running_var * (1.0 - momentum)
                    + _F.reshape(var, (-1,)) * (momentum * n / max(n - 1, 1)),
                )
        y = d / _F.sqrt(var + eps)
    else:
        y = (x - _F.reshape(running_mean, shape)) / _F.sqrt(_F.reshape(running_var, shape) + eps)
    if weight is not None:
        y = y * _F.reshape(weight, shape)
    if bias is not None:
        y = y + _F.reshape(bias, shape)
    return y


@composite(
    "layer_norm",
    "neural",
    "z = (x - μ) / √(σ² + ε) · γ + β over the last dims",
    params=("normalized_shape", "eps"),
)
def layer_norm(
    x: Any,
    normalized_shape: Sequence[int] | int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Any:
    """Normalise over the trailing `normalized_shape` dims, then scale and shift.

    normalized_shape must equal x's last dims (and weight's/bias's shape), as in PyTorch:
    otherwise a typo would silently normalise over the wrong dims.
    """
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    tail = tuple(x.shape)[x.ndim - len(ns) :] if len(ns) <= x.ndim else None
    if tail is None or not _same_known(tail, ns):
        raise ShapeError(
            "layer_norm",
            [tuple(x.shape)],
            f"normalized_shape {ns} must match the input's last {len(ns)} dim(s)",
            _where(),
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and not _same_known(tuple(p.shape), ns):
            raise ShapeError(
                "layer_norm",
                [tuple(x.shape), tuple(p.shape)],
                f"{name} shape {tuple(p.shape)} must equal normalized_shape {ns}",
                _where(),
            )
    axes = tuple(range(x.ndim - len(ns), x.ndim))
    mean = _F.mean(x, axes, True)
    d = x - mean
    y = d / _F.sqrt(_F.mean(d * d, axes, True) + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


@composite(
    "embedding",
    "neural",
    "z = weight[idx] (gradient scatter-added into rows)",
    params=("padding_idx",),
)
def embedding(idx: Any, weight: Any, padding_idx: int | None = None) -> Any:
    """Rows of weight picked by integer indices; the padding_idx row gets no gradient.

    Indices must lie in [0, num_embeddings) (numpy would wrap a negative one round to the
    last rows); a negative padding_idx counts from the end, as in PyTorch.
    """
    n = weight.shape[0]
    if padding_idx is not None and isinstance(n, int):
        if not -n <= padding_idx < n:
            raise IndexError(f"embedding: padding_idx {padding_idx} is out of range [-{n}, {n})")
        padding_idx %= n
    _check_classes(idx, n, "embedding", "index", None)
    out = _F.getitem(weight, idx)
    if padding_idx is not None:
        keep = _F.cast(_F.ne(idx, padding_idx), out.dtype)
        out = out * _F.unsqueeze(keep, -1)
    return out


def one_hot(t: Any, num_classes: int) -> Any:
    """Integer classes (...) as float one-hot vectors (..., num_classes)."""
    return _F.cast(_F.eq(_F.unsqueeze(t, -1), arange(num_classes, device=t.device)), "float32")


@composite(
    "nll_loss",
    "neural",
    "ℓₙ = -logpₙ,tₙ; mean over n with tₙ ≠ ignore_index",
    params=("reduction", "ignore_index"),
)
def nll_loss(logp: Any, target: Any, reduction: str = "mean", ignore_index: int = -100) -> Any:
    """Negative log-likelihood of class indices given log-probabilities (N, C).

    A target outside [0, C) (other than ignore_index) is an IndexError, as in PyTorch.
    """
    c = logp.shape[1]
    _check_classes(target, c, "nll_loss", "class index", ignore_index)
    hit = _F.cast(_F.eq(_F.unsqueeze(target, 1), arange(c, device=logp.device)), logp.dtype)
    loss = -_F.sum(logp * hit, 1)
    valid = _F.cast(_F.ne(target, ignore_index), logp.dtype)
    loss = loss * valid
    if reduction == "mean":
        return _F.sum(loss) / _F.maximum(_F.sum(valid), 1.0)
    return _reduce(loss, reduction)


def cross_entropy(
    x: Any,
    target: Any,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    ignore_index: int = -100,
) -> Any:
    """Softmax cross-entropy: class indices (fused primitive) or class probabilities."""
    tdt = getattr(target, "dtype", None)  # a Tensor, or a symbolic value while tracing
    if x.ndim > 2:  # (N, C, d1, …): move classes last and flatten
        perm = (0, *range(2, x.ndim), 1)
        x = _F.reshape(_F.permute(x, perm), (-1, x.shape[1]))
        target = (
            _F.reshape(target, (-1,))
            if tdt is not None and tdt.kind in "iu"
            else _F.reshape(_F.permute(target, perm), (-1, x.shape[1]))
        )
    if tdt is not None and tdt.kind in "iu":
        return _N.cross_entropy_indices(x, target, reduction, label_smoothing, ignore_index)
    c = x.shape[1]
    q = target * (1.0 - label_smoothing) + label_smoothing / c if label_smoothing else target
    return _reduce(-_F.sum(q * log_softmax(x, 1), 1), reduction)


@composite("mse_loss", "neural", "ℓ = mean (x - y)²", params=("reduction",))
def mse_loss(x: Any, y: Any, reduction: str = "mean") -> Any:
    """Mean squared error; warns (as PyTorch does) when x and y differ in shape.

    Differing shapes broadcast, e.g. (N, 1) against (N,) gives an (N, N) loss: almost
    always a mistake, yet legal, so it is a UserWarning rather than an error.
    """
    xs, ys = getattr(x, "shape", None), getattr(y, "shape", None)
    if xs is not None and ys is not None and not _same_known(tuple(xs), tuple(ys)):
        warnings.warn(
            f"mse_loss: target shape {tuple(ys)} differs from input shape {tuple(xs)}; they "
            "broadcast, which is likely to give a wrong loss. Make the shapes equal.",
            UserWarning,
            stacklevel=2,
        )
    d = x - y
    return _reduce(d * d, reduction)


@composite(
    "binary_cross_entropy_with_logits",
    "neural",
    "ℓ = max(x, 0) - x y + ln(1 + e^-|x|) (weighted by pos_weight on y)",
    params=("reduction",),
)
def binary_cross_entropy_with_logits(
    x: Any, y: Any, reduction: str = "mean", pos_weight: Any = None
) -> Any:
    """Sigmoid + binary cross-entropy in one stable expression."""
    soft = _F.log1p(_F.exp(-_F.abs(x)))
    if pos_weight is None:
        loss = _F.relu(x) - x * y + soft
    else:  # -(pw·y·log σ(x) + (1-y)·log(1-σ(x)))
        log_sig = -(_F.relu(-x) + soft)
        log_one_minus = -(_F.relu(x) + soft)
        loss = -(y * pos_weight * log_sig + (1.0 - y) * log_one_minus)
    return _reduce(loss, reduction)


__all__ = [
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy_with_logits",
    "conv2d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "embedding",
    "gelu",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]
