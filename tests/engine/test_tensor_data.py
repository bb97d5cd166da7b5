"""`t.data` as in PyTorch: a Tensor outside autograd sharing t's storage, eager and traced."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn

torch = pytest.importorskip("torch")


def _pair(values: list[float]) -> tuple[vf.Tensor, object]:
    """The same leaf that requires grad in vizflow and in torch (float64)."""
    p = vf.tensor(np.array(values), requires_grad=True)
    q = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    return p, q


def test_data_is_a_tensor_outside_autograd_that_reads_through():
    p, _ = _pair([1.0, 2.0, 3.0])
    d = p.data
    assert isinstance(d, vf.Tensor) and not d.requires_grad and d.grad is None
    assert not (d * 2).requires_grad  # ops on .data are not recorded
    with vf.no_grad():
        p.mul_(2.0)
    assert d.tolist() == [2.0, 4.0, 6.0]  # a later update of p shows through
    assert p.data.data.tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize(
    "write",
    [
        lambda d, g: d.add_(g, alpha=-0.1),
        lambda d, g: d.sub_(g * 0.5),
        lambda d, g: d.mul_(3.0),
        lambda d, g: d.div_(2.0),
        lambda d, g: d.copy_(g * 4.0),
        lambda d, g: d.zero_(),
        lambda d, g: d.fill_(7.0),
        lambda d, g: d.clamp_(-1.5, 1.5),
    ],
)
def test_in_place_methods_on_data_update_the_tensor_as_torch(write):
    p, q = _pair([1.0, -2.0, 3.0])
    gp = vf.tensor(np.array([0.5, 1.0, -2.0]))
    gq = torch.tensor([0.5, 1.0, -2.0], dtype=torch.float64)
    write(p.data, gp)
    write(q.data, gq)
    np.testing.assert_allclose(p.numpy(), q.detach().numpy())
    assert p.requires_grad and p.node is None  # still the same trainable leaf


def test_random_fills_and_item_writes_through_data():
    p = nn.Parameter(vf.zeros(4, 3))
    vf.manual_seed(0)
    p.data.normal_(0.0, 0.02)
    assert p.std().item() > 0 and abs(p.mean().item()) < 0.05
    p.data.uniform_(-1.0, 1.0)
    assert p.min().item() >= -1.0 and p.max().item() < 1.0
    p.data[0] = 5.0
    assert p[0].tolist() == [5.0, 5.0, 5.0]


def test_assigning_data_replaces_values_and_keeps_the_leaf():
    p = nn.Parameter(vf.zeros(2, 2))
    p.data = vf.ones(3)
    assert p.shape == (3,) and p.tolist() == [1.0, 1.0, 1.0] and p.requires_grad


def _manual_sgd_losses(make, steps: int = 3) -> tuple[list[float], np.ndarray]:
    """Train a tiny regression with the classic `p.data.add_(p.grad, alpha=-lr)` loop."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    w0 = rng.normal(size=(3, 1))
    lib, w = make(w0)
    xs, ys = lib.tensor(x), lib.tensor(y)
    losses = []
    for _ in range(steps):
        loss = ((xs @ w - ys) ** 2).mean()
        loss.backward()
        w.data.add_(w.grad, alpha=-0.1)
        w.grad.zero_()
        losses.append(loss.item())
    return losses, w.detach().numpy()


def test_classic_manual_sgd_loop_matches_torch():
    ours = _manual_sgd_losses(lambda w0: (vf, vf.tensor(w0, requires_grad=True)))
    theirs = _manual_sgd_losses(lambda w0: (torch, torch.tensor(w0, requires_grad=True)))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)


def test_data_updates_compile_as_they_run_eagerly():
    rng = np.random.default_rng(1)
    x, y, w0 = rng.normal(size=(8, 3)), rng.normal(size=(8, 1)), rng.normal(size=(3, 1))

    def run(compiled: bool) -> tuple[list[float], np.ndarray]:
        w = vf.tensor(w0, requires_grad=True)

        def step(xb: vf.Tensor, yb: vf.Tensor) -> vf.Tensor:
            loss = ((xb @ w - yb) ** 2).mean()
            loss.backward()
            w.data.add_(w.grad, alpha=-0.1)
            w.grad = None
            return loss

        fn = vf.function(step) if compiled else step
        losses = [float(fn(vf.tensor(x), vf.tensor(y))) for _ in range(3)]
        return losses, w.numpy()

    eager, compiled = run(False), run(True)
    np.testing.assert_allclose(compiled[0], eager[0], rtol=1e-12)
    np.testing.assert_allclose(compiled[1], eager[1], rtol=1e-12)


def test_reading_data_in_a_traced_step_stops_the_gradient():
    w = vf.tensor(np.array([1.0, 2.0]), requires_grad=True)

    @vf.function
    def grad_of(x: vf.Tensor) -> vf.Tensor:
        (w * w.data * x).sum().backward()
        g = w.grad
        w.grad = None
        return g

    np.testing.assert_allclose(grad_of(vf.ones(2)).numpy(), [1.0, 2.0])  # d/dw (w * c) = c


def test_data_of_a_traced_value_is_its_value_without_gradient():
    w = vf.tensor(np.array([3.0, 4.0]), requires_grad=True)

    @vf.function
    def grad_of(x: vf.Tensor) -> vf.Tensor:
        y = w * x
        (y * y.data).sum().backward()  # d/dw (w x * c) = x c with c = w x held fixed
        g = w.grad
        w.grad = None
        return g

    np.testing.assert_allclose(grad_of(vf.tensor(np.array([2.0, 1.0]))).numpy(), [12.0, 4.0])
