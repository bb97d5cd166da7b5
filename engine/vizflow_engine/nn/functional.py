"""vf.nn.functional: layer and loss functions (primitives from ops.neural, composites here).

Composites are written with registered ops, so their gradients (and second order) are free;
they are listed in the registry's COMPOSITES for the editor's palette.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import functional as _F
from .. import limits as _limits
from ..autograd import no_grad
from ..creation import arange, ones, rand_like, tensor
from ..dtypes import int64
from ..errors import ShapeError
from ..functional import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh
from ..node import capture_location
from ..ops import neural as _N
from ..ops.activations import (  # issue 13's activations: F.silu, F.elu, …
    celu,
    elu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
)
from ..ops.attention import scaled_dot_product_attention
from ..ops.conv_nd import (
    check_fits,
    conv1d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from ..ops.pooling import (
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
)
from ..ops.resize import interpolate
from ..ops.updates import assign
from ..registry import composite

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Any, reduction: str) -> Any:
    """Apply a loss reduction: 'mean', 'sum' or 'none'."""
    if not isinstance(reduction, str):  # e.g. a weight tensor passed where PyTorch puts it
        raise TypeError(f"reduction must be one of {_REDUCTIONS}, not a {type(reduction).__name__}")
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
    check_fits("conv2d", x, weight, padding, dilation)
    y = _N.conv2d(x, weight, stride, padding, dilation, groups)
    if bias is not None:
        y = y + _F.reshape(bias, (1, -1, 1, 1))
    return y


def _window_cells(n: int, o: int, k: int, s: int, p: int, include_pad: bool) -> np.ndarray:
    """Cells of each of o windows along one dim that count: inside the input and, when
    include_pad, inside its padding (never the extra cells a ceil_mode window runs past)."""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    if not include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, n)
    return end - start


@composite(
    "avg_pool2d",
    "neural",
    "z = Σ window / (cells counted, or divisor_override)",
    params=(
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ),
)
def avg_pool2d(
    x: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Any:
    """2-D average pooling as PyTorch's: a depthwise conv2d of ones, divided per window.

    The divisor is the window's size, less the cells past the padding (ceil_mode) and, when
    not count_include_pad, the padding itself; divisor_override replaces it.
    """
    geo = _N.pool_geometry(kernel_size, stride, padding, 1, ceil_mode)
    _N.check_pool_padding(geo)
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    (kh, kw), (ph, pw) = geo.k, geo.p
    n, c, h, w = x.shape
    if c == 0:  # nothing to average, and conv2d cannot split zero channels into groups
        return _F.reshape(x, (n, c, *geo.out_size(h, w)))
    if ceil_mode:  # conv2d pads evenly: the cells a last window runs past go at the end here
        eh, ew = geo.end_pad(h, w)
        x = _F.pad(x, ((0, 0), (0, 0), (0, eh - ph), (0, ew - pw)))
    total = _N.conv2d(x, ones((c, 1, kh, kw), dtype=x.dtype, device=x.device), geo.s, geo.p, 1, c)
    if divisor_override is not None:
        return total * (1.0 / divisor_override)
    if count_include_pad and not ceil_mode:
        return total * (1.0 / (kh * kw))
    ho, wo = geo.out_size(h, w)
    cells = np.outer(
        _window_cells(h, ho, kh, geo.s[0], ph, count_include_pad),
        _window_cells(w, wo, kw, geo.s[1], pw, count_include_pad),
    )
    return total * tensor(1.0 / cells, dtype=x.dtype, device=x.device)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each cell of a dim of n padded by (before, after) cells, the input cell it copies."""
    limit = {"reflect": n - 1, "circular": n}.get(mode)  # reflect does not repeat the edge
    if n == 0 or (limit is not None and max(before, after) > limit):
        raise ValueError(
            f"pad: mode={mode!r} cannot pad ({before}, {after}) a dim of size {n}"
            + ("" if limit is None else f" (at most {limit} per side)")
        )
    i = np.arange(-before, n + after)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n


def pad(x: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Any:
    """PyTorch's F.pad: pad is (before, after) pairs for the last dim, then the one before, ...

    mode 'constant' fills with value; 'reflect' mirrors without repeating the edge,
    'replicate' repeats the edge, 'circular' wraps round; a negative padding crops (not
    with 'circular', where PyTorch wraps the cropped input). The last three
    pad the last 1-3 dims of a batched or unbatched input, like PyTorch, and gather their
    cells with an index per dim, so the gradient (a scatter-add) comes from getitem.
    vf.pad is the numpy spelling (pad widths per dim, first dim first).
    """
    if len(pad) % 2:
        raise ValueError(f"pad: needs (before, after) pairs, got {len(pad)} numbers")
    pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)]
    nd = x.ndim
    if len(pairs) > nd:
        raise ValueError(f"pad: {len(pairs)} (before, after) pairs for a {nd}-d input")
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, not {mode!r}")
    dims = range(nd - 1, nd - 1 - len(pairs), -1)
    if mode == "constant":
        crop = [slice(None)] * nd
        widths = [(0, 0)] * nd
        for d, (a, b) in zip(dims, pairs, strict=True):
            crop[d] = slice(max(-a, 0), x.shape[d] - max(-b, 0))
            widths[d] = (max(a, 0), max(b, 0))
        if any(a < 0 or b < 0 for a, b in pairs):
            x = _F.getitem(x, tuple(crop))
        return _F.pad(x, tuple(widths), 0.0 if value is None else value)
    if value:
        raise ValueError(f"pad: mode={mode!r} takes no fill value (got {value})")
    if not 1 <= len(pairs) <= 3 or nd not in (len(pairs) + 1, len(pairs) + 2):
        raise ValueError(
            f"pad: mode={mode!r} pads the last 1-3 dims of an input with one or two more "
            f"(channels, batch): {len(pairs)} pair(s) do not fit a {nd}-d input"
        )
    if mode == "circular" and any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError(f"pad: mode='circular' takes no negative padding (cropping), got {pad}")
    for d, (a, b) in zip(dims, pairs, strict=True):
        x = _F.getitem(x, (slice(None),) * d + (_source_index(x.shape[d], a, b, mode),))
    return x


@composite("dropout", "neural", "z = x · [u ≥ p] / (1 - p), u ~ U(0, 1)", params=("p", "training"))
def dropout(x: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """Zero each element with probability p (mask from the seeded generator), rescale by 1/(1-p);
    inplace writes the result into x (as PyTorch)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], not {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x._inplace(lambda t: t * 0.0) if inplace else x * 0.0
    keep = _F.cast(_F.ge(rand_like(x), p), x.dtype) * (1.0 / (1.0 - p))
    return x._inplace(lambda t: t * keep) if inplace else x * keep


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
    channels = (x.shape[1],)
    stats = (("running_mean", running_mean), ("running_var", running_var))
    for name, p in (*stats, ("weight", weight), ("bias", bias)):
        if p is not None and not _same_known(tuple(p.shape), channels):
            raise ShapeError(
                "batch_norm",
                [tuple(x.shape), tuple(p.shape)],
                f"the input has {x.shape[1]} channels (dim 1) but {name} has shape "
                f"{tuple(p.shape)}; build the layer with num_features={x.shape[1]}",
                _where(),
            )
    if training:
        mean = _F.mean(x, axes, True)
        d = x - mean
        var = _F.mean(d * d, axes, True)
        if running_mean is not None:
            n = x.size // x.shape[1]
            with no_grad():
                assign(
                    running_mean,
                    running_mean * (1.0 - momentum) + _F.reshape(mean, (-1,)) * momentum,
                )
                assign(
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


def one_hot(t: Any, num_classes: int = -1) -> Any:
    """Integer classes (...) as int64 one-hot vectors (..., num_classes), as PyTorch's.

    num_classes=-1 takes the largest class + 1, which needs t's values (not while tracing).
    """
    tdt = getattr(t, "dtype", None)
    if tdt is not None and tdt.kind not in "iu":
        raise TypeError(f"one_hot needs integer classes, not {tdt}")
    if num_classes != -1:
        num_classes = _limits.dim(num_classes, "one_hot")
    if num_classes < 0:
        a = _N.concrete_array(t)
        if a is None or a.size == 0:
            raise ValueError("one_hot: num_classes=-1 needs t's values and at least one of them")
        num_classes = int(a.max()) + 1
    _check_classes(t, num_classes, "one_hot", "class", None)
    _limits.check_size("one_hot", (*t.shape, num_classes), int64)  # before arange allocates
    return _F.cast(_F.eq(_F.unsqueeze(t, -1), arange(num_classes, device=t.device)), "int64")


def normalize(x: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Any:
    """x divided by its p-norm along dim, floored at eps (PyTorch's F.normalize).

    The divisor is max(Σ|x|^p, eps^p)^(1/p), equal to max(‖x‖_p, eps): the floor sits under
    the root so a zero vector gets gradient 1/eps, as in PyTorch, rather than 0·∞ = nan
    (for p >= 1; below 1 a zero entry's gradient is nan). p=±inf divides by max/min |x|,
    p=0 by the count of nonzeros, p<0 by (Σ|x|^p)^(1/p), each floored at eps, as PyTorch.
    """
    if p == math.inf:
        return x / _F.maximum(_F.max(_F.abs(x), axis=dim, keepdims=True), eps)
    if p > 0:
        total = _F.sum(_F.abs(x) ** p, dim, True)
        return x / _F.maximum(total, eps**p) ** (1.0 / p)
    if p == -math.inf:
        norm = _F.min(_F.abs(x), axis=dim, keepdims=True)
    elif p == 0:
        norm = _F.sum(_F.cast(_F.ne(x, 0), x.dtype), dim, True)
    else:  # a zero entry's |x|^p is inf (so the norm is 0); it gets no gradient, as in PyTorch
        ax = _F.abs(x)
        zero = _F.eq(ax, 0)
        terms = _F.where(zero, math.inf, _F.where(zero, 1.0, ax) ** p)
        norm = _F.sum(terms, dim, True) ** (1.0 / p)
    return x / _F.clamp(norm, eps)


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's rule for its deprecated size_average/reduce arguments (they win if given)."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _class_weight(weight: Any, op: str) -> Any:
    """weight as given (None or a tensor); a string there is reduction passed by position."""
    if isinstance(weight, str):
        raise TypeError(
            f"{op}: the third argument is weight, as in PyTorch; pass reduction={weight!r} by name"
        )
    return weight


def _classes_last(x: Any, target: Any, probs: bool) -> tuple[Any, Any, tuple[Any, ...]]:
    """(N, C, d1, …) scores and targets as (N·d1·…, C) rows, and the shape of a 'none' loss.

    An unbatched (C,) input becomes one row (its 'none' loss is 0-d), as in PyTorch.
    """
    if x.ndim == 1:
        return _F.unsqueeze(x, 0), _F.unsqueeze(target, 0), ()
    if x.ndim == 2:
        return x, target, (x.shape[0],)
    c = x.shape[1]
    perm = (0, *range(2, x.ndim), 1)
    rows = _F.reshape(_F.permute(x, perm), (-1, c))
    if probs:
        return rows, _F.reshape(_F.permute(target, perm), (-1, c)), (x.shape[0], *x.shape[2:])
    return rows, _F.reshape(target, (-1,)), tuple(target.shape)


def _check_index_target(x: Any, target: Any, op: str) -> None:
    """Class-index targets have the input's shape without the class dim (ShapeError if not)."""
    want = (x.shape[0], *x.shape[2:]) if x.ndim >= 2 else ()
    if not _same_known(tuple(target.shape), tuple(want)):
        raise ShapeError(
            op,
            [tuple(x.shape), tuple(target.shape)],
            f"a class-index target must have shape {tuple(want)}",
        )


def _weighted_nll(
    logp: Any, target: Any, weight: Any, reduction: str, ignore_index: int, smoothing: float
) -> Any:
    """NLL of (N, C) log-probabilities, class-weighted; a mean divides by the targets' total
    weight (nan when it is 0), and label smoothing adds ε/C·Σ_c w_c(-logp_c), as PyTorch's."""
    c = logp.shape[1]
    hit = _F.cast(_F.eq(_F.unsqueeze(target, 1), arange(c, device=logp.device)), logp.dtype)
    valid = _F.cast(_F.ne(target, ignore_index), logp.dtype)
    w_t = valid if weight is None else _F.sum(hit * weight, 1) * valid
    loss = -_F.sum(logp * hit, 1) * w_t
    if smoothing:
        per_class = logp if weight is None else logp * weight
        loss = loss * (1.0 - smoothing) + (-_F.sum(per_class, 1) * valid) * (smoothing / c)
    if reduction == "mean":  # no weight counted: 0/0 is nan, as in PyTorch (gradient zeros)
        total = _F.sum(w_t)
        none = _F.eq(total, 0)
        return _F.where(none, float("nan"), _F.sum(loss) / _F.where(none, 1.0, total))
    return _reduce(loss, reduction)


@composite(
    "nll_loss",
    "neural",
    "ℓₙ = -w_tₙ logpₙ,tₙ; mean: Σ ℓₙ / Σ w_tₙ over tₙ ≠ ignore_index",
    params=("weight", "ignore_index", "reduction"),
)
def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Any:
    """Negative log-likelihood of class indices given log-probabilities (N, C[, d1, …]) or (C,).

    weight scales each class. A target outside [0, C) (other than ignore_index) is an
    IndexError, as in PyTorch; a mean over no counted target is nan, as in PyTorch.
    """
    weight = _class_weight(weight, "nll_loss")
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_index_target(input, target, "nll_loss")
    c = input.shape[1] if input.ndim >= 2 else input.shape[0]
    _check_classes(target, c, "nll_loss", "class index", ignore_index)
    x, t, shape = _classes_last(input, target, False)
    loss = _weighted_nll(x, t, weight, reduction, ignore_index, 0.0)
    return _F.reshape(loss, shape) if reduction == "none" else loss


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Any:
    """Softmax cross-entropy of logits (N, C[, d1, …]) or (C,) with class indices or class
    probabilities (the input's shape); weight scales each class, label_smoothing mixes in
    the uniform distribution. Unweighted class indices run as one fused primitive."""
    weight = _class_weight(weight, "cross_entropy")
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], not {label_smoothing}")
    tdt = getattr(target, "dtype", None)  # a Tensor, or a symbolic value while tracing
    indices = tdt is not None and tdt.kind in "iu"
    if indices:
        _check_index_target(input, target, "cross_entropy")
    elif not _same_known(tuple(target.shape), tuple(input.shape)):
        raise ShapeError(
            "cross_entropy",
            [tuple(input.shape), tuple(target.shape)],
            "a class-probability (float) target must have the input's shape",
        )
    x, t, shape = _classes_last(input, target, not indices)
    if indices and weight is None:
        loss = _N.cross_entropy_indices(x, t, reduction, label_smoothing, ignore_index)
    elif indices:
        _check_classes(t, x.shape[1], "cross_entropy", "class index", ignore_index)
        loss = _weighted_nll(log_softmax(x, 1), t, weight, reduction, ignore_index, label_smoothing)
    else:  # class probabilities; a mean is over the rows
        c = x.shape[1]
        q = t * (1.0 - label_smoothing) + label_smoothing / c if label_smoothing else t
        logp = log_softmax(x, 1)
        loss = _reduce(-_F.sum(q * (logp if weight is None else logp * weight), 1), reduction)
    return _F.reshape(loss, shape) if reduction == "none" else loss


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
    "binary_cross_entropy",
    "neural",
    "ℓ = -w (y ln x + (1 - y) ln(1 - x)), logs floored at -100",
    params=("weight", "reduction"),
)
def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Any:
    """Binary cross-entropy of probabilities x in [0, 1] (logs floored at -100, as PyTorch's);
    the target must have the input's shape, weight scales each element's loss."""
    weight = _class_weight(weight, "binary_cross_entropy")
    reduction = legacy_reduction(size_average, reduce, reduction)
    xs, ys = tuple(input.shape), tuple(target.shape)
    if not _same_known(xs, ys):
        raise ValueError(f"Using a target size ({ys}) that is different to the input size ({xs})")
    x = _N.concrete_array(input)
    if x is not None and x.size and bool(((x < 0) | (x > 1)).any()):
        raise ValueError("binary_cross_entropy: all input values must be between 0 and 1")
    loss = _bce_terms(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


_BCE_EPS = float(np.float32(1e-12))  # PyTorch's clamp: 1e-12 as a float32


def _bce_terms(x: Any, y: Any) -> Any:
    """-(y ln x + (1-y) ln(1-x)), logs floored at -100; at x = 0 or 1 the input gradient is
    PyTorch's (x - y) / max(x (1 - x), 1e-12) instead of the logs' nan."""
    edge = _F.logical_or(_F.eq(x, 0.0), _F.eq(x, 1.0))
    xs = _F.where(edge, 0.5, x)
    inner = -(y * _F.maximum(_F.log(xs), -100.0) + (1.0 - y) * _F.maximum(_F.log(1.0 - xs), -100.0))
    xd = x.detach()
    at_edge = -(
        y * _F.maximum(_F.log(xd), -100.0) + (1.0 - y) * _F.maximum(_F.log(1.0 - xd), -100.0)
    )
    slope = ((xd - y) / _F.maximum(xd * (1.0 - xd), _BCE_EPS)).detach()
    return _F.where(edge, at_edge + (x * slope - xd * slope), inner)


@composite(
    "binary_cross_entropy_with_logits",
    "neural",
    "ℓ = w (max(x, 0) - x y + ln(1 + e^-|x|)) (pos_weight on the y term)",
    params=("reduction",),
)
def binary_cross_entropy_with_logits(
    x: Any, y: Any, reduction: str = "mean", pos_weight: Any = None, *, weight: Any = None
) -> Any:
    """Sigmoid + binary cross-entropy in one stable expression.

    y must have x's shape (PyTorch's rule: (N, 1) logits against (N,) targets would broadcast
    to an (N, N) loss). weight scales each element's loss, pos_weight the positive term
    (per class, along the last dim). reduction comes third (PyTorch puts weight there):
    pass weight by name.
    """
    xs, ys = getattr(x, "shape", None), getattr(y, "shape", None)
    if xs is not None and ys is not None and not _same_known(tuple(xs), tuple(ys)):
        raise ValueError(f"Target size ({tuple(ys)}) must be the same as input size ({tuple(xs)})")
    soft = _F.log1p(_F.exp(-_F.abs(x)))
    if pos_weight is None:
        loss = _F.relu(x) - x * y + soft
    else:  # -(pw·y·log σ(x) + (1-y)·log(1-σ(x)))
        log_sig = -(_F.relu(-x) + soft)
        log_one_minus = -(_F.relu(x) + soft)
        loss = -(y * pos_weight * log_sig + (1.0 - y) * log_one_minus)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


__all__ = [
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
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
    "normalize",
    "one_hot",
    "pad",
    "relu",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]

__all__ += [  # issue 13's activations
    "celu",
    "elu",
    "glu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "logsigmoid",
    "mish",
    "prelu",
    "relu6",
    "selu",
    "silu",
    "softmin",
    "softsign",
]

__all__ += [  # issue 13 (D2): convolutions, pooling, resizing, attention, losses
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool3d",
    "conv1d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose3d",
    "interpolate",
    "max_pool1d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "scaled_dot_product_attention",
]


from .._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
