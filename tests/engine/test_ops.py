"""Registry-driven op tests: every registered op is complete, matches numpy, and its VJP
matches central finite differences (first and second order) on hypothesis-drawn shapes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vizflow_engine as vf
from vizflow_engine.registry import CATEGORIES, Param, TensorSpec

from .op_samples import SAMPLES, Case

OPS = [op.name for op in vf.all_ops()]
TESTED = [n for n in OPS if n in SAMPLES]  # a missing entry fails test_every_op_has_a_sample_entry
DIFF_OPS = [n for n in TESTED if vf.get_op(n).differentiable]
SECOND = [n for n in DIFF_OPS if SAMPLES[n].second_order]
NN_MODULES = ("vizflow_engine.ops.neural", "vizflow_engine.ops.updates")  # own sample tables
CORE_OPS = [op.name for op in vf.all_ops() if op.forward.__module__ not in NN_MODULES]
FAST = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_every_op_is_complete() -> None:
    for op in vf.all_ops():
        assert op.category in CATEGORIES, op.name
        assert callable(op.forward) and callable(op.shape_rule), op.name
        assert op.formula and op.grad_formula and op.doc, op.name
        assert all(isinstance(p, Param) for p in op.params), op.name
        if op.differentiable:
            assert callable(op.vjp), op.name
            assert op.differentiable_inputs or op.variadic, op.name
        else:
            assert op.vjp is None and not op.differentiable_inputs, op.name
            assert "differentiable" in op.grad_formula or "no inputs" in op.grad_formula, op.name


def test_every_op_has_a_sample_entry() -> None:
    missing = sorted(set(OPS) - set(SAMPLES))
    assert not missing, f"add entries to tests/engine/op_samples.py for: {missing}"


def test_composites_are_listed_with_docs() -> None:
    comps = vf.all_composites()
    assert {"sigmoid", "softplus", "gelu", "var", "std", "logsumexp", "softmax"} <= {
        c.name for c in comps
    }
    for c in comps:
        assert callable(c.fn) and c.formula and c.doc and c.category in CATEGORIES, c.name


def test_every_op_has_a_function_form() -> None:
    for name in CORE_OPS:
        assert callable(getattr(vf, name, None)), f"vf.{name} missing"


def _to_vf(x: Any) -> Any:
    return vf.tensor(x) if isinstance(x, np.ndarray) else x


def _spec(x: Any) -> TensorSpec:
    if isinstance(x, vf.Tensor):
        return TensorSpec(x.shape, x.dtype)
    return TensorSpec((), type(x))


def _run(name: str, case: Case, inputs: tuple[Any, ...] | None = None) -> vf.Tensor:
    op = vf.get_op(name)
    ins = tuple(_to_vf(x) for x in case.inputs) if inputs is None else inputs
    return vf.dispatch(op, ins, case.params)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", TESTED)
@FAST
@given(data=st.data())
def test_forward_matches_numpy_and_shape_rule(name: str, data: st.DataObject) -> None:
    sample = SAMPLES[name]
    case = data.draw(sample.cases)
    op = vf.get_op(name)
    ins = tuple(_to_vf(x) for x in case.inputs)
    out = _run(name, case, ins)
    spec = op.infer(tuple(_spec(x) for x in ins), **case.params)
    assert tuple(spec.shape) == out.shape, (spec, out.shape)
    assert np.dtype(spec.dtype) == out.dtype, (spec, out.dtype)
    if sample.random:
        vals = out.numpy()
        if name == "randint":
            assert vals.size == 0 or (
                vals.min() >= case.params["low"] and vals.max() < case.params["high"]
            )
        elif name in ("rand", "rand_like"):
            assert vals.size == 0 or (vals.min() >= 0 and vals.max() < 1)
        else:
            assert np.all(np.isfinite(vals))
        return
    assert sample.ref is not None
    ref = np.asarray(sample.ref(*case.inputs, **case.params))
    np.testing.assert_allclose(out.numpy(), ref, rtol=sample.rtol, atol=1e-12)


def _diff_inputs(name: str, case: Case) -> tuple[tuple[Any, ...], list[int]]:
    op = vf.get_op(name)
    diff = set(range(len(case.inputs))) if op.variadic else set(op.differentiable_inputs)
    ins: list[Any] = []
    idx: list[int] = []
    for i, x in enumerate(case.inputs):
        if isinstance(x, np.ndarray) and x.dtype.kind == "f" and i in diff:
            ins.append(vf.tensor(x, requires_grad=True))
            idx.append(i)
        else:
            ins.append(_to_vf(x))
    return tuple(ins), idx


def _loss(name: str, case: Case, ins: tuple[Any, ...], w: np.ndarray) -> vf.Tensor:
    out = _run(name, case, ins)
    return (out * vf.tensor(w)).sum()


def _numeric_grad(f: Any, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + eps
        hi = f()
        flat[j] = old - eps
        lo = f()
        flat[j] = old
        gflat[j] = (hi - lo) / (2 * eps)
    return g


@pytest.mark.parametrize("name", DIFF_OPS)
@FAST
@given(data=st.data())
def test_vjp_matches_finite_differences(name: str, data: st.DataObject) -> None:
    case = data.draw(SAMPLES[name].cases)
    ins, idx = _diff_inputs(name, case)
    out = _run(name, case, ins)
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, out.shape)
    leaves = [ins[i] for i in idx]
    if not leaves:
        return
    if not out.requires_grad:  # e.g. an empty selection: no path to the inputs
        assert out.size == 0 or all(x.size == 0 for x in leaves)
        return
    grads = vf.grad((out * vf.tensor(w)).sum(), leaves, allow_unused=True)
    for leaf, g in zip(leaves, grads, strict=True):
        arr = leaf.data

        def f() -> float:
            with vf.no_grad():
                return float(_loss(name, case, ins, w).item())

        num = _numeric_grad(f, arr)
        got = np.zeros_like(arr) if g is None else g.numpy()
        assert got.shape == arr.shape
        np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SECOND)
@SLOW
@given(data=st.data())
def test_second_order_matches_finite_differences(name: str, data: st.DataObject) -> None:
    case = data.draw(SAMPLES[name].cases)
    ins, idx = _diff_inputs(name, case)
    leaves = [ins[i] for i in idx]
    out = _run(name, case, ins)
    if not leaves or not out.requires_grad:
        return
    rng = np.random.default_rng(1)
    w = rng.uniform(-1, 1, out.shape)
    us = [rng.uniform(-1, 1, x.shape) for x in leaves]

    def h(create_graph: bool) -> vf.Tensor | float:
        gs = vf.grad(
            _loss(name, case, ins, w), leaves, create_graph=create_graph, allow_unused=True
        )
        total: Any = 0.0
        for g, u in zip(gs, us, strict=True):
            if g is not None:
                total = total + (g * vf.tensor(u)).sum()
        return total

    hv = h(True)
    if isinstance(hv, vf.Tensor) and hv.requires_grad:
        hgrads = vf.grad(hv, leaves, allow_unused=True)
    else:
        hgrads = tuple(None for _ in leaves)
    for leaf, g in zip(leaves, hgrads, strict=True):

        def f() -> float:
            v = h(False)
            return float(v.item()) if isinstance(v, vf.Tensor) else float(v)

        num = _numeric_grad(f, leaf.data, eps=1e-5)
        got = np.zeros_like(leaf.data) if g is None else g.numpy()
        np.testing.assert_allclose(got, num, rtol=1e-4, atol=1e-5)


def test_backward_nodes_are_marked_when_create_graph() -> None:
    x = vf.tensor(np.linspace(0.1, 1, 4), requires_grad=True)
    y = (x.sin() * x).sum()
    (g,) = vf.grad(y, x, create_graph=True)
    seen = set()
    stack = [g]
    while stack:
        t = stack.pop()
        if t.node is None or id(t) in seen:
            continue
        seen.add(id(t))
        if t.node.phase == "backward":
            assert t.node.forward_of is not None and t.node.forward_of.phase == "forward"
        stack.extend(i for i in t.node.inputs if isinstance(i, vf.Tensor))
    assert g.node is not None and g.node.phase == "backward"


@pytest.mark.parametrize(
    "x, axis",
    [
        (np.array([[0.0, 2.0, 3.0], [1.5, -2.0, 0.5]]), 1),  # one zero in a row
        (np.array([[0.0, 2.0, 0.0], [1.5, -2.0, 0.5]]), 1),  # two zeros: all zero
        (np.array([[0.0, 2.0], [0.0, 3.0], [4.0, 1.0]]), 0),
        (np.array([[0.0, 2.0], [1.0, 3.0]]), None),
    ],
)
def test_prod_gradient_is_exact_where_the_input_has_zeros(x: np.ndarray, axis: Any) -> None:
    """prod is linear in each element, so central differences are exact even at zeros."""
    w = np.random.default_rng(0).standard_normal(np.prod(x, axis=axis).shape)
    t = vf.tensor(x.copy(), requires_grad=True)
    (vf.prod(t, axis) * vf.tensor(w)).sum().backward()
    assert t.grad is not None
    numeric = _numeric_grad(lambda: float((np.prod(x, axis=axis) * w).sum()), x)
    np.testing.assert_allclose(t.grad.numpy(), numeric, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(
    "subscripts, shapes",
    [
        ("ii->", [(3, 3)]),
        ("ii->i", [(3, 3)]),
        ("iij,jk->ik", [(2, 2, 3), (3, 4)]),
        ("iji->j", [(2, 3, 2)]),
        ("ii,i->", [(3, 3), (3,)]),
        ("iii->i", [(2, 2, 2)]),
        ("bii->b", [(2, 3, 3)]),
    ],
)
def test_einsum_gradient_with_a_repeated_index(subscripts: str, shapes: list[Any]) -> None:
    """A repeated index reads a diagonal; its gradient lands on that diagonal only."""
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(s) for s in shapes]
    w = rng.standard_normal(np.einsum(subscripts, *xs).shape)
    ts = [vf.tensor(x.copy(), requires_grad=True) for x in xs]
    (vf.einsum(subscripts, *ts) * vf.tensor(w)).sum().backward()
    for x, t in zip(xs, ts, strict=True):
        assert t.grad is not None
        numeric = _numeric_grad(lambda: float((np.einsum(subscripts, *xs) * w).sum()), x)
        np.testing.assert_allclose(t.grad.numpy(), numeric, rtol=1e-7, atol=1e-9)
