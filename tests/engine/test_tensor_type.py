"""`vf.Tensor` covers traced values too, as `torch.Tensor` does inside compiled code."""

from __future__ import annotations

import numpy as np

import vizflow_engine as vf
from vizflow_engine import nn


def _as_tensor(x: object) -> vf.Tensor:
    """A PyTorch-style helper: pass tensors through, wrap anything else."""
    return x if isinstance(x, vf.Tensor) else vf.tensor(np.asarray(x, dtype=np.float32))


def test_eager_tensors_and_parameters_are_tensors_and_others_are_not():
    t = vf.Tensor([1.0, 2.0])
    assert isinstance(t, vf.Tensor) and type(t) is type(vf.ones(1))
    assert isinstance(nn.Parameter(t), vf.Tensor) and issubclass(nn.Parameter, vf.Tensor)
    assert not isinstance(2.0, vf.Tensor) and not isinstance(np.ones(2), vf.Tensor)
    assert not issubclass(np.ndarray, vf.Tensor)


def test_traced_values_are_tensors_so_isinstance_branches_compile():
    seen: list[bool] = []

    @vf.function
    def f(x: vf.Tensor) -> vf.Tensor:
        y = _as_tensor(x) * 2
        seen.extend([isinstance(x, vf.Tensor), isinstance(y, vf.Tensor), isinstance(3, vf.Tensor)])
        return _as_tensor(y) + _as_tensor([1.0, 1.0])

    np.testing.assert_allclose(f(vf.tensor(np.array([1.0, 2.0]))).numpy(), [3.0, 5.0])
    assert seen == [True, True, False]  # traced once, values seen as Tensors


def test_graph_builder_values_are_tensors():
    g = vf.Graph()
    x = g.placeholder("x", (2,), "float32")
    assert isinstance(x, vf.Tensor) and isinstance(x * 2, vf.Tensor)
