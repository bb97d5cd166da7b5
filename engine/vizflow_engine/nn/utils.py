"""vf.nn.utils: gradient clipping (PyTorch's clip_grad_norm_ and clip_grad_value_).

Both replace each parameter's .grad with the clipped tensor (computed by ordinary ops under
no_grad, so a step traced by vf.function clips in its graph too) rather than writing into the
old gradient's memory: a reference kept to the old .grad keeps the unclipped values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .. import functional as _F
from ..autograd import no_grad
from ..creation import tensor
from ..tensor import Tensor


def _with_grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """The parameters (one tensor or many) that hold a gradient."""
    ps = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in ps if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Any:
    """Scale all gradients together so that their joint norm is at most max_norm.

    The norm is taken over every gradient as if concatenated into one vector (norm_type may
    be inf); the scale is min(1, max_norm / (norm + 1e-6)), as PyTorch's. Returns the norm
    before clipping as a 0-d tensor. foreach is accepted for PyTorch's signature and ignored.
    """
    ps = _with_grads(parameters)
    if not ps:
        return tensor(0.0)
    norm_type = float(norm_type)
    with no_grad():
        grads: list[Any] = [p.grad for p in ps]
        if norm_type == math.inf:
            total = _F.max(_F.stack([_F.max(_F.abs(g)) for g in grads]))
        else:
            parts = [
                _F.sum(g * g) if norm_type == 2.0 else _F.sum(_F.abs(g) ** norm_type) for g in grads
            ]
            s = _F.sum(_F.stack(parts))
            total = _F.sqrt(s) if norm_type == 2.0 else s ** (1.0 / norm_type)
        if error_if_nonfinite and isinstance(total, Tensor) and not math.isfinite(total.item()):
            raise RuntimeError(
                f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                f"{total.item()}; pass error_if_nonfinite=False to clip anyway"
            )
        scale = _F.minimum(max_norm / (total + 1e-6), 1.0)
        for p, g in zip(ps, grads, strict=True):
            p.grad = g * _F.cast(scale, g.dtype)
    return total


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element to [-clip_value, clip_value] (foreach is ignored)."""
    v = float(clip_value)
    with no_grad():
        for p in _with_grads(parameters):
            p.grad = _F.clamp(p.grad, -v, v)


__all__ = ["clip_grad_norm_", "clip_grad_value_"]


from .._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
