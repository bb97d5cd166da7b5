"""normal_, uniform_ and clamp_: PyTorch's in-place methods, eager and in traced steps."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import function


def test_normal_and_uniform_fill_in_place_with_the_asked_distribution() -> None:
    vf.manual_seed(0)
    t = vf.zeros(20000)
    same = t
    assert t.normal_(2.0, 0.5) is same
    assert abs(t.numpy().mean() - 2.0) < 0.02 and abs(t.numpy().std() - 0.5) < 0.02
    u = vf.zeros(20000, dtype=np.float64)
    u.uniform_(-1.0, 3.0)
    assert u.dtype == np.float64
    assert -1.0 <= u.numpy().min() < -0.99 and 2.99 < u.numpy().max() < 3.0


def test_normal_in_a_traced_step_draws_anew_on_each_call() -> None:
    p = vf.zeros(4)

    @function
    def reset() -> vf.Tensor:
        p.normal_()
        return p * 1.0

    first, second = reset().numpy(), reset().numpy()
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(p.numpy(), second)


def test_clamp_in_place_matches_torch_values_and_gradient() -> None:
    torch = pytest.importorskip("torch")
    x0 = np.array([-2.0, 0.25, 0.5, 9.0])
    x = vf.tensor(x0, requires_grad=True)
    y = x * 2.0
    y.clamp_(0.0, 1.0)
    (y * vf.tensor([1.0, 2.0, 3.0, 4.0], dtype=np.float64)).sum().backward()
    tx = torch.tensor(x0, requires_grad=True)
    ty = tx * 2.0
    ty.clamp_(0.0, 1.0)
    (ty * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    assert x.grad is not None and tx.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
