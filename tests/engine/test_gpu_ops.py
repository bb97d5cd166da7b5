"""Every registered op on the GPU (cupy): forward and gradients equal the CPU's.

The CPU results are themselves checked against numpy references and finite differences
(test_ops.py), so agreement here carries those checks to the cupy backend. Marked `gpu`:
skipped where no CUDA device and cupy are present.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vizflow_engine as vf

from .op_samples import SAMPLES, Case

pytestmark = pytest.mark.gpu
OPS = [op.name for op in vf.all_ops() if op.name in SAMPLES]
GPU = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def _needs_gpu() -> None:
    if not vf.cuda_available():
        pytest.skip("no CUDA device with cupy here")


def _inputs(case: Case, device: str, grad_ok: set[int]) -> tuple[tuple[Any, ...], list[int]]:
    ins: list[Any] = []
    leaves: list[int] = []
    for i, x in enumerate(case.inputs):
        if isinstance(x, np.ndarray):
            wants = x.dtype.kind == "f" and i in grad_ok
            ins.append(vf.tensor(x, device=device, requires_grad=wants))
            if wants:
                leaves.append(i)
        else:
            ins.append(x)
    return tuple(ins), leaves


def _apply(name: str, case: Case, device: str) -> tuple[Any, list[Any], tuple[Any, ...]]:
    op = vf.get_op(name)
    diff = set(range(len(case.inputs))) if op.variadic else set(op.differentiable_inputs)
    ins, leaves = _inputs(case, device, diff)
    out = vf.dispatch(op, ins, case.params, device=device)
    return out, [ins[i] for i in leaves], ins


@pytest.mark.parametrize("name", OPS)
@GPU
@given(data=st.data())
def test_gpu_forward_and_grad_equal_cpu(name: str, data: st.DataObject) -> None:
    case = data.draw(SAMPLES[name].cases)
    cpu_out, cpu_leaves, _ = _apply(name, case, "cpu")
    gpu_out, gpu_leaves, _ = _apply(name, case, "cuda")
    want = case.params.get("device", "cuda") if name == "to_device" else "cuda"
    assert str(gpu_out.device).startswith(str(want))
    assert gpu_out.shape == cpu_out.shape and gpu_out.dtype == cpu_out.dtype
    if SAMPLES[name].random:
        return
    np.testing.assert_allclose(gpu_out.cpu().numpy(), cpu_out.numpy(), rtol=1e-6, atol=1e-9)
    if not cpu_leaves or not cpu_out.requires_grad:
        return
    w = np.random.default_rng(0).uniform(-1, 1, cpu_out.shape)
    cpu_grads = vf.grad((cpu_out * vf.tensor(w)).sum(), cpu_leaves, allow_unused=True)
    gpu_w = vf.tensor(w, device=gpu_out.device)
    gpu_grads = vf.grad((gpu_out * gpu_w).sum(), gpu_leaves, allow_unused=True)
    for c, g in zip(cpu_grads, gpu_grads, strict=True):
        assert (c is None) == (g is None)
        if c is not None:
            np.testing.assert_allclose(g.cpu().numpy(), c.numpy(), rtol=1e-6, atol=1e-9)
