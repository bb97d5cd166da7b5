"""In-place update ops: vf.optim's only way to write parameters and optimiser state.

`assign`, `sgd_update_`, `sgd_momentum_update_` and `adam_update_` are the only ops that write
into their inputs: their names end in "_" (except assign, which writes input 0), they are not
differentiable, and they return (an alias of) input 0. vf.optim routes every parameter and
optimiser-state write through them, so a tracer that intercepts dispatch sees each update.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..dispatch import dispatch
from ..registry import Param, TensorSpec, defop
from ..tensor import Tensor
from ._rules import same


def _assign_fwd(xp: Any, target: Any, value: Any) -> Any:
    xp.copyto(target, value, casting="same_kind")
    return target


def _assign_rule(specs: tuple[TensorSpec, ...]) -> TensorSpec:
    t, v = specs
    from ._rules import broadcast_shapes

    if broadcast_shapes(t.shape, v.shape) != tuple(t.shape):
        raise ValueError(f"cannot assign a value of shape {tuple(v.shape)} to {tuple(t.shape)}")
    return TensorSpec(tuple(t.shape), dtypes.as_dtype(t.dtype))


ASSIGN = defop(
    "assign",
    "neural",
    inputs=("target", "value"),
    forward=_assign_fwd,
    shape_rule=_assign_rule,
    vjp=None,
    formula="target ← value (in place)",
    grad_formula="not differentiable (a state update)",
    doc="Write value into target's memory (broadcast, cast); returns target. A state update.",
)


def _same_as_first(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    for s in specs[1:2]:
        if tuple(s.shape) != tuple(specs[0].shape):
            raise ValueError(
                f"gradient shape {tuple(s.shape)} differs from parameter shape "
                f"{tuple(specs[0].shape)}"
            )
    p = specs[0]
    # (param, grad, *state buffers, step, lr): the kernels write the buffers in place and
    # broadcast step and lr, so a buffer must be the param's twin and step/lr 0-d
    if dtypes.as_dtype(p.dtype).kind != "f":
        raise ValueError(f"the parameter must be floating, not {dtypes.as_dtype(p.dtype)}")
    for s in specs[2:-2]:
        if tuple(s.shape) != tuple(p.shape) or dtypes.as_dtype(s.dtype) != dtypes.as_dtype(p.dtype):
            raise ValueError(
                f"optimiser state {dtypes.as_dtype(s.dtype)}{list(s.shape)} differs from the "
                f"parameter {dtypes.as_dtype(p.dtype)}{list(p.shape)}"
            )
    for s in specs[max(2, len(specs) - 2) :]:
        if tuple(s.shape) != ():
            raise ValueError(f"step and lr must be 0-d, not of shape {tuple(s.shape)}")
    return same(specs[:1])


def _lr(lr: Any, p: Any) -> Any:
    """The 0-d learning-rate array in p's dtype (no device sync)."""
    return lr.astype(p.dtype) if hasattr(lr, "astype") else lr


def _sgd_fwd(xp: Any, p: Any, g: Any, lr: Any, weight_decay: float) -> Any:
    if weight_decay:
        g = g + p * weight_decay
    p -= g * _lr(lr, p)
    return p


SGD_UPDATE = defop(
    "sgd_update_",
    "neural",
    inputs=("param", "grad", "lr"),
    params=[Param("weight_decay", 0.0, "L2 penalty added to the gradient")],
    forward=_sgd_fwd,
    shape_rule=_same_as_first,
    vjp=None,
    formula="p ← p - lr (g + λ p)",
    grad_formula="not differentiable (a parameter update)",
    doc="Plain SGD step, in place on param.",
)


def _sgdm_fwd(
    xp: Any,
    p: Any,
    g: Any,
    buf: Any,
    step: Any,
    lr: Any,
    momentum: float,
    dampening: float,
    nesterov: bool,
    weight_decay: float,
) -> Any:
    if weight_decay:
        g = g + p * weight_decay
    later = (step != 0).astype(p.dtype)  # torch's first step: buffer = g, undamped
    buf *= later * momentum
    buf += g * (1.0 - later * dampening) if dampening else g
    step += 1
    d = g + buf * momentum if nesterov else buf
    p -= d * _lr(lr, p)
    return p


SGD_MOMENTUM_UPDATE = defop(
    "sgd_momentum_update_",
    "neural",
    inputs=("param", "grad", "buf", "step", "lr"),
    params=[
        Param("momentum", 0.9),
        Param("dampening", 0.0),
        Param("nesterov", False),
        Param("weight_decay", 0.0),
    ],
    forward=_sgdm_fwd,
    shape_rule=_same_as_first,
    vjp=None,
    formula="b ← μ b + (1-τ) g; p ← p - lr (g + μ b if nesterov else b); step ← step + 1",
    grad_formula="not differentiable (a parameter update)",
    doc="SGD with momentum, in place on param, buf and step (PyTorch's rule).",
)


def _adam_fwd(
    xp: Any,
    p: Any,
    g: Any,
    m: Any,
    v: Any,
    step: Any,
    lr: Any,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled: bool,
) -> Any:
    step += 1
    lr_ = _lr(lr, p)
    if weight_decay:
        if decoupled:
            p *= 1.0 - lr_ * weight_decay
        else:
            g = g + p * weight_decay
    m *= beta1
    m += g * (1.0 - beta1)
    v *= beta2
    v += g * g * (1.0 - beta2)
    bc1 = (1.0 - beta1**step).astype(p.dtype)
    bc2 = (1.0 - beta2**step).astype(p.dtype)
    denom = xp.sqrt(v)
    denom /= xp.sqrt(bc2)
    denom += eps
    p -= (lr_ / bc1) * m / denom
    return p


ADAM_UPDATE = defop(
    "adam_update_",
    "neural",
    inputs=("param", "grad", "m", "v", "step", "lr"),
    params=[
        Param("beta1", 0.9),
        Param("beta2", 0.999),
        Param("eps", 1e-8),
        Param("weight_decay", 0.0),
        Param("decoupled", False, "AdamW's decay"),
    ],
    forward=_adam_fwd,
    shape_rule=_same_as_first,
    vjp=None,
    formula="m ← β₁m + (1-β₁)g; v ← β₂v + (1-β₂)g²; p ← p - lr m̂ / (√v̂ + ε)",
    grad_formula="not differentiable (a parameter update)",
    doc="Adam / AdamW step, in place on param, m, v and step (PyTorch's rule).",
)


def assign(target: Any, value: Any) -> Any:
    """Write value into target in place (through dispatch, so tracers see it); returns target."""
    if isinstance(dispatch(ASSIGN, (target, value)), Tensor) and isinstance(target, Tensor):
        target._bump_version()  # eager; a traced write counts when its graph runs
    return target


__all__ = ["ADAM_UPDATE", "ASSIGN", "SGD_MOMENTUM_UPDATE", "SGD_UPDATE", "assign"]
