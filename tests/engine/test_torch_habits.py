"""PyTorch habits carry over: dim=/keepdim=, x.size(), max(dim=), comparison methods,
backward with array-like seeds, hook handles, randint's forms, scheduler state_dicts.

Each test fails if its habit stops working; numpy's names keep working beside them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import optim
from vizflow_engine.nn import Parameter

A = np.arange(24, dtype=np.float64).reshape(2, 3, 4) % 7 - 3.0


def _x() -> vf.Tensor:
    return vf.tensor(A, requires_grad=True)


# ---- 1. dim= / keepdim= ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "ref"),
    [
        ("sum", np.sum),
        ("mean", np.mean),
        ("prod", np.prod),
        ("logsumexp", lambda a, axis, keepdims: np.log(np.exp(a).sum(axis, keepdims=keepdims))),
        ("var", lambda a, axis, keepdims: np.var(a, axis, ddof=1, keepdims=keepdims)),
        ("std", lambda a, axis, keepdims: np.std(a, axis, ddof=1, keepdims=keepdims)),
        ("argmax", np.argmax),
        ("argmin", np.argmin),
        ("all", np.all),
        ("any", np.any),
    ],
)
def test_reduction_methods_take_dim_and_keepdim(method: str, ref: Any) -> None:
    x = _x()
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            got = getattr(x, method)(dim=dim, keepdim=keepdim)
            want = ref(A, axis=dim, keepdims=keepdim)
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
            same = getattr(x, method)(axis=dim, keepdims=keepdim)  # numpy's names still work
            np.testing.assert_array_equal(got.numpy(), same.numpy())


def test_reduction_functions_take_dim_and_keepdim() -> None:
    x = vf.tensor(A)
    np.testing.assert_allclose(vf.sum(x, dim=1, keepdim=True).numpy(), A.sum(1, keepdims=True))
    np.testing.assert_allclose(vf.prod(x, dim=(0, 2)).numpy(), A.prod((0, 2)))
    assert vf.argmax(x, dim=2).tolist() == A.argmax(2).tolist()
    assert vf.argmin(x, dim=0, keepdim=True).shape == (1, 3, 4)
    assert vf.all(x > -10, dim=1).shape == (2, 4)
    assert vf.any(x > 2, dim=-1, keepdim=True).shape == (2, 3, 1)
    assert vf.count(x, dim=1).item() == 3.0


def test_dim_and_axis_together_is_a_type_error() -> None:
    x = vf.tensor(A)
    with pytest.raises(TypeError, match="axis= or dim="):
        x.sum(axis=0, dim=1)
    with pytest.raises(TypeError, match="keepdims= or keepdim="):
        x.mean(dim=0, keepdims=True, keepdim=True)
    with pytest.raises(TypeError, match="axis= or dim="):
        vf.cat([x, x], 1, dim=0)


def test_softmax_methods_take_dim() -> None:
    x = _x()
    e = np.exp(A - A.max(1, keepdims=True))
    np.testing.assert_allclose(x.softmax(dim=1).numpy(), e / e.sum(1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(x.log_softmax(dim=1).numpy(), x.softmax(1).log().numpy(), atol=1e-6)
    np.testing.assert_allclose(x.softmax(dim=-1).numpy(), x.softmax().numpy())


def test_var_and_std_take_unbiased() -> None:
    x = vf.tensor(A)
    np.testing.assert_allclose(x.var(dim=1, unbiased=False).numpy(), A.var(1), rtol=1e-6)
    np.testing.assert_allclose(x.std(dim=1, unbiased=True).numpy(), A.std(1, ddof=1), rtol=1e-6)


def test_joining_and_splitting_take_dim() -> None:
    a, b = vf.tensor(A), vf.tensor(A + 1)
    assert vf.cat([a, b], dim=1).shape == (2, 6, 4)
    assert vf.concatenate([a, b], dim=-1).shape == (2, 3, 8)
    assert vf.cat([a, b]).shape == (4, 3, 4)
    np.testing.assert_array_equal(vf.stack([a, b], dim=1).numpy(), np.stack([A, A + 1], 1))
    parts = vf.split(a, 2, dim=2)
    assert [p.shape for p in parts] == [(2, 3, 2), (2, 3, 2)]
    assert [p.shape for p in a.split([1, 2], dim=1)] == [(2, 1, 4), (2, 2, 4)]


def test_shape_methods_take_dim() -> None:
    x = _x()
    assert x.unsqueeze(dim=0).shape == (1, 2, 3, 4)
    assert vf.unsqueeze(x, dim=-1).shape == (2, 3, 4, 1)
    assert x.unsqueeze(dim=1).squeeze(dim=1).shape == (2, 3, 4)
    assert vf.squeeze(vf.zeros(1, 3, 1), dim=(0, 2)).shape == (3,)
    assert x.flatten(start_dim=1).shape == (2, 12) and x.flatten(end_dim=1).shape == (6, 4)
    assert x.transpose(dim0=0, dim1=2).shape == (4, 3, 2)
    assert vf.transpose(x, dim0=1, dim1=2).shape == (2, 4, 3)
    assert x.swapaxes(dim0=0, dim1=1).shape == (3, 2, 4)
    assert x.swapdims(0, 2).shape == (4, 3, 2)
    assert vf.swapaxes(x, dim0=-1, dim1=0).shape == (4, 3, 2)
    assert vf.permute(x, dims=(2, 0, 1)).shape == (4, 2, 3)
    with pytest.raises(TypeError, match="unsqueeze needs"):
        x.unsqueeze()
    with pytest.raises(TypeError, match="two of them"):
        x.swapaxes(dim0=1)


def test_dim_aliases_keep_gradients() -> None:
    x = _x()
    (x.sum(dim=1, keepdim=True) * x.mean(dim=0)).sum().backward()
    want = np.broadcast_to(A.mean(0).sum(0), A.shape) + A.sum(1, keepdims=True).sum(0) / 2
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), want)


def test_dim_aliases_trace_into_graphs() -> None:
    def f(x: Any) -> Any:
        values, idx = x.max(dim=1)
        return x.sum(dim=1, keepdim=True).squeeze(dim=1) + values, idx

    out, idx = vf.function(f)(vf.tensor(A))
    np.testing.assert_allclose(out.numpy(), A.sum(1) + A.max(1))
    assert idx.tolist() == A.argmax(1).tolist()


# ---- 2. size() and t() ----------------------------------------------------------------------


def test_size_is_numpys_count_and_torchs_call() -> None:
    x = vf.tensor(A)
    assert x.size == 24
    assert x.size * 2 == 48 and x.size // 4 == 6 and x.size > 10 and int(x.size) == 24
    assert x.size() == (2, 3, 4)
    assert x.size(0) == 2 and x.size(-1) == 4
    assert np.zeros(x.size).shape == (24,) and json.dumps(x.size) == "24"
    with pytest.raises(IndexError, match="out of range for a 3-d tensor"):
        x.size(3)
    assert vf.tensor(1.0).size() == () and vf.tensor(1.0).size == 1
    assert isinstance(x.size, int)  # last: mypy would narrow x.size to a plain int after it


def test_t_transposes_matrices_only() -> None:
    m = vf.tensor(A[0])
    np.testing.assert_array_equal(m.t().numpy(), A[0].T)
    v = vf.tensor([1.0, 2.0])
    assert v.t() is v
    with pytest.raises(ValueError, match="at most 2 dims"):
        vf.tensor(A).t()


# ---- 3. max/min(dim=) -----------------------------------------------------------------------


def test_max_min_with_dim_return_values_and_indices() -> None:
    x = _x()
    res = x.max(dim=1)
    values, indices = res
    assert res.values is values and res.indices is indices
    np.testing.assert_array_equal(values.numpy(), A.max(1))
    assert indices.tolist() == A.argmax(1).tolist() and indices.dtype == np.int64
    lo = x.min(dim=-1, keepdim=True)
    np.testing.assert_array_equal(lo.values.numpy(), A.min(-1, keepdims=True))
    assert lo.indices.shape == (2, 3, 1)
    fn = vf.max(x, dim=0)
    assert fn.indices.tolist() == A.argmax(0).tolist()
    values.sum().backward()  # values stay differentiable
    assert x.grad is not None and x.grad.shape == A.shape


def test_max_min_with_axis_return_values_as_numpy() -> None:
    x = vf.tensor(A)
    for got in (x.max(axis=1), vf.max(x, axis=1), x.max((0, 1))):
        assert isinstance(got, vf.Tensor)
        np.testing.assert_array_equal(got.numpy(), A.max(1) if got.ndim == 2 else A.max((0, 1)))
    assert isinstance(x.min(axis=0), vf.Tensor) and x.max().item() == A.max()


def test_max_min_with_a_positional_dim_return_pairs_as_torch() -> None:
    torch = pytest.importorskip("torch")
    x, t = vf.tensor(A), torch.tensor(A)
    for ours, theirs in ((x.max(1), t.max(1)), (x.min(-1, True), t.min(-1, True))):
        values, indices = ours  # unpacks as torch's pair, not as rows
        np.testing.assert_array_equal(values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(indices.numpy(), theirs.indices.numpy())
    v, i = vf.max(x, 0)
    np.testing.assert_array_equal(v.numpy(), A.max(0))
    assert i.tolist() == torch.max(t, 0).indices.tolist()
    other = vf.tensor(np.full(A.shape, 0.5))
    np.testing.assert_array_equal(x.max(other).numpy(), np.maximum(A, 0.5))


# ---- 4. comparison, logic and where methods ----------------------------------------------------


def test_comparison_and_logic_methods() -> None:
    x = vf.tensor([1.0, 2.0, 3.0])
    y = vf.tensor([3.0, 2.0, 1.0])
    assert x.eq(y).tolist() == [False, True, False]
    assert x.ne(2.0).tolist() == [True, False, True]
    assert x.lt(y).tolist() == [True, False, False] and x.le(y).tolist() == [True, True, False]
    assert x.gt(y).tolist() == [False, False, True] and x.ge(y).tolist() == [False, True, True]
    p, q = x.gt(1.5), x.lt(2.5)
    assert p.logical_and(q).tolist() == [False, True, False]
    assert p.logical_or(q).tolist() == [True, True, True]
    assert p.logical_xor(q).tolist() == [True, False, True]
    assert p.logical_not().tolist() == [True, False, False]
    z = vf.tensor([1.0, float("nan"), float("inf")])
    assert z.isnan().tolist() == [False, True, False]
    assert z.isfinite().tolist() == [True, False, False]


def test_where_method_is_torchs() -> None:
    x = vf.tensor([1.0, -2.0, 3.0], requires_grad=True)
    out = x.where(x > 0, 0.0)  # x where the condition holds, else the other
    assert out.tolist() == [1.0, 0.0, 3.0]
    out.sum().backward()
    assert x.grad is not None and x.grad.tolist() == [1.0, 0.0, 1.0]


def test_index_put_method_writes_a_copy() -> None:
    x = vf.zeros(4)
    out = x.index_put((vf.tensor([0, 2]),), vf.tensor([1.0, 2.0]))
    assert out.tolist() == [1.0, 0.0, 2.0, 0.0] and x.tolist() == [0.0] * 4


def test_arithmetic_methods() -> None:
    x = vf.tensor([1.0, 2.0])
    assert x.add(1.0).tolist() == [2.0, 3.0] and x.add(x, alpha=2.0).tolist() == [3.0, 6.0]
    assert x.sub(x, alpha=0.5).tolist() == [0.5, 1.0]
    assert x.mul(x).tolist() == [1.0, 4.0] and x.div(2.0).tolist() == [0.5, 1.0]


# ---- 5. backward / grad seeds ---------------------------------------------------------------


@pytest.mark.parametrize(
    "seed",
    [[1.0, 2.0, 3.0], (1, 2, 3), np.array([1.0, 2.0, 3.0]), vf.tensor([1.0, 2.0, 3.0])],
    ids=["list", "tuple-of-ints", "ndarray", "tensor"],
)
def test_backward_takes_array_like_seeds(seed: Any) -> None:
    x = vf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2.0).backward(seed)
    assert x.grad is not None and x.grad.tolist() == [2.0, 4.0, 6.0]
    assert x.grad.dtype == np.float32


def test_backward_takes_a_python_number_for_a_scalar() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward(2.0)
    assert x.grad is not None and x.grad.tolist() == [4.0, 8.0]
    x.grad = None
    vf.backward((x * x).sum(), 3)
    assert x.grad.tolist() == [6.0, 12.0]


def test_seeds_of_shape_one_outputs() -> None:
    x = vf.tensor([2.0], requires_grad=True)
    (x * 3.0).backward([0.5])  # the whole gradient of a shape-(1,) output
    assert x.grad is not None and x.grad.tolist() == [1.5]
    (g,) = vf.grad((x * 3.0).sum(), x, grad_outputs=[2.0])  # one seed of a 0-d output
    assert g is not None and g.tolist() == [6.0]


def test_grad_takes_seeds_per_output() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    y, z = x * 2.0, (x * x).sum()
    (g,) = vf.grad([y, z], x, grad_outputs=[[1.0, 1.0], 0.5], retain_graph=True)
    assert g is not None and g.tolist() == [3.0, 4.0]
    (g,) = vf.grad(y, x, grad_outputs=[np.array([1.0, 0.0])], retain_graph=True)
    assert g is not None and g.tolist() == [2.0, 0.0]
    (g,) = vf.grad(y, x, grad_outputs=[[1.0, 0.0]])
    assert g is not None and g.tolist() == [2.0, 0.0]
    with pytest.raises(ValueError, match="1 gradients given for 2 outputs"):
        vf.grad([y, z], x, grad_outputs=[np.ones(2)])
    with pytest.raises(ValueError, match="does not match output shape"):
        (x * 2.0).backward([1.0, 2.0, 3.0])


def test_backward_seed_with_create_graph() -> None:
    x = vf.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    (g,) = vf.grad(x * x, x, grad_outputs=[1.0, 1.0], create_graph=True)
    assert g is not None and g.dtype == np.float64
    (gg,) = vf.grad(g.sum(), x)
    assert gg is not None and gg.tolist() == [2.0, 2.0]


# ---- 6. hook handles ------------------------------------------------------------------------


def test_register_hook_returns_a_removable_handle() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 10.0)
    (x * 1.0).sum().backward()
    assert x.grad is not None and x.grad.tolist() == [10.0, 10.0]
    handle.remove()
    handle.remove()  # twice is harmless
    x.grad = None
    (x * 1.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    x.grad = None
    with x.register_hook(lambda g: g * 3.0):
        (x * 1.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert not x._hooks


# ---- 7. grad w.r.t. a tensor without requires_grad ----------------------------------------------


def test_grad_of_input_without_requires_grad_says_so() -> None:
    w = vf.tensor([1.0, 2.0], requires_grad=True)
    c = vf.tensor([3.0, 4.0])
    y = (w * c).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        vf.grad(y, [w, c], retain_graph=True)
    assert vf.grad(y, [w, c], allow_unused=True)[1] is None


# ---- 8. randint's forms ---------------------------------------------------------------------


def test_randint_takes_torch_and_numpy_forms() -> None:
    vf.manual_seed(0)
    for t, hi in (
        (vf.randint(5, (3, 2)), 5),  # torch: randint(high, size)
        (vf.randint(5, size=(3, 2)), 5),
        (vf.randint(2, 9, (3, 2)), 9),  # randint(low, high, size)
        (vf.randint(2, 9, size=[3, 2]), 9),
    ):
        assert t.shape == (3, 2) and t.dtype == np.int64
        assert t.numpy().min() >= (0 if hi == 5 else 2) and t.numpy().max() < hi
    assert vf.randint(0, 3, size=4).shape == (4,)  # numpy: an int size
    assert vf.randint(3).shape == ()
    with pytest.raises(TypeError, match="size twice"):
        vf.randint(5, (3,), size=(2,))


# ---- 9. scheduler state_dict ----------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
        lambda opt: optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6, eta_min=0.1),
    ],
    ids=["step", "cosine"],
)
def test_scheduler_state_dict_resumes_the_schedule(make: Any) -> None:
    opt = optim.SGD([Parameter(vf.zeros(2))], lr=1.0)
    sched = make(opt)
    for _ in range(3):
        sched.step()
    saved = json.loads(json.dumps(sched.state_dict()))  # plain data
    assert saved["last_epoch"] == 3 and "optimizer" not in saved
    rest = []
    for _ in range(3):
        sched.step()
        rest.append(sched.get_last_lr())

    opt2 = optim.SGD([Parameter(vf.zeros(2))], lr=1.0)
    sched2 = make(opt2)
    sched2.load_state_dict(saved)
    assert sched2.state_dict() == saved
    again = []
    for _ in range(3):
        sched2.step()
        again.append(sched2.get_last_lr())
    assert again == rest
    with pytest.raises(KeyError, match="no state named"):
        sched2.load_state_dict({"bogus": 1})


def test_clamp_takes_tensor_bounds_and_passes_them_gradients() -> None:
    x = vf.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    lo = vf.tensor([-1.0, 1.0, -1.0], requires_grad=True)
    hi = vf.tensor(2.0, requires_grad=True)
    y = vf.clamp(x, lo, hi)
    np.testing.assert_allclose(y.numpy(), [-1.0, 1.0, 2.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(lo.grad.numpy(), [1.0, 1.0, 0.0])
    np.testing.assert_allclose(hi.grad.numpy(), 1.0)
    np.testing.assert_allclose(x.clamp(max=hi).numpy(), [-2.0, 0.5, 2.0])


def test_traced_values_answer_size_calls_like_tensors() -> None:
    g = vf.Graph()
    x = g.placeholder("x", (8, 3, 4))
    assert x.size == 96 and x.size() == (8, 3, 4) and x.size(-1) == 4
    y = x.reshape(x.size(0), -1)
    assert y.shape == (8, 12)


def test_traced_values_with_unknown_dims_answer_known_size_calls() -> None:
    from vizflow_engine.graph import TraceError

    g = vf.trace(lambda x: x * x.size(1), vf.spec(("batch", 3)))
    assert "3" in str(g)  # the known dim became a constant
    g2 = vf.trace(lambda x: x.reshape(-1, x.size(1) * x.size(2)), vf.spec((None, 3, 2)))
    assert g2.outputs[0].shape[1] == 6
    with pytest.raises(TraceError, match="dim 0 of x"):
        vf.trace(lambda x: x.reshape(x.size(0), -1), vf.spec(("batch", 3)))
    with pytest.raises(TraceError, match="size of x is unknown"):
        vf.trace(lambda x: x * int(x.size), vf.spec(("batch", 3)))
    assert vf.Graph().placeholder("y", ("n", 2)).size() == ("n", 2)


def test_in_place_updates_in_a_long_traced_loop_stay_linear_and_correct() -> None:
    def f(x: vf.Tensor) -> vf.Tensor:
        y = x * 1
        for _ in range(300):
            y += 1
        return y

    g = vf.trace(f, vf.spec((4,)))
    assert len(g.nodes) == 301
    np.testing.assert_allclose(vf.function(f)(vf.tensor(np.zeros(4))).numpy(), 300.0)
