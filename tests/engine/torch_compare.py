"""Run one call on vizflow and on torch with the same float64 inputs; compare values and the
gradients of a fixed random weighting of the outputs (shared by the test_ops_*_torch files)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import vizflow_engine as vf


def _outs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t.numpy())


def compare(
    torch: Any,
    fn: Callable[..., Any],
    ref: Callable[..., Any],
    arrays: Sequence[np.ndarray],
    grad: bool = True,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> None:
    """fn(*vizflow tensors) against ref(*torch tensors): values, dtypes, and (when grad)
    the gradients of Σ w·out for every float input (torch's None counts as zeros)."""
    diff = [grad and a.dtype.kind == "f" for a in arrays]
    xs = [vf.tensor(a, requires_grad=d) for a, d in zip(arrays, diff, strict=True)]
    ts = [torch.tensor(a, requires_grad=d) for a, d in zip(arrays, diff, strict=True)]
    got, want = _outs(fn(*xs)), _outs(ref(*ts))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == tuple(w.shape), (g.shape, tuple(w.shape))
        assert str(g.dtype) == str(w.dtype).removeprefix("torch."), (g.dtype, w.dtype)
        np.testing.assert_allclose(_np(g), _np(w), rtol=rtol, atol=atol)
    if not any(diff):
        return
    rng = np.random.default_rng(3)
    weights = [rng.standard_normal(tuple(w.shape)) for w in want]
    pairs = [(g, w, c) for g, w, c in zip(got, want, weights, strict=True) if w.requires_grad]
    if not pairs:
        return
    loss = sum((g * vf.tensor(c)).sum() for g, _, c in pairs)
    tloss = sum((w * torch.tensor(c)).sum() for _, w, c in pairs)
    leaves = [x for x, d in zip(xs, diff, strict=True) if d]
    tleaves = [t for t, d in zip(ts, diff, strict=True) if d]
    grads = vf.grad(loss, leaves, allow_unused=True)
    tgrads = torch.autograd.grad(tloss, tleaves, allow_unused=True)
    for g, tg, x in zip(grads, tgrads, leaves, strict=True):
        a = np.zeros(x.shape) if g is None else g.numpy()
        b = np.zeros(x.shape) if tg is None else tg.numpy()
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def traced_matches_eager(fn: Callable[..., Any], arrays: Sequence[np.ndarray]) -> None:
    """fn's loss and input gradients inside @vf.function (traced, then compiled) as eagerly."""

    def step(*xs: Any) -> Any:
        loss = fn(*xs)
        loss.backward()
        return loss

    def run(f: Callable[..., Any]) -> tuple[np.ndarray, list[np.ndarray]]:
        xs = [vf.tensor(a, requires_grad=True) for a in arrays]
        loss = f(*xs)
        return loss.numpy(), [x.grad.numpy() for x in xs]

    want, want_grads = run(step)
    traced = vf.function(step)
    for _ in range(2):  # the first call traces, the second runs the compiled plan
        got, got_grads = run(traced)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        for g, w in zip(got_grads, want_grads, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
