"""Autograd engine behaviour: accumulation, broadcasting, hooks, freeing, higher order, modes."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf


def test_backward_accumulates_into_leaf_grad() -> None:
    x = vf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1, 2, 3]) + 3)


def test_shared_subexpression_gets_summed_gradient() -> None:
    x = vf.tensor(2.0, requires_grad=True)
    y = x * x
    z = y + y * x  # x^2 + x^3
    z.backward()
    assert x.grad.item() == pytest.approx(2 * 2 + 3 * 4)


def test_broadcast_gradient_is_summed_to_input_shape() -> None:
    a = vf.tensor(np.ones((3, 1)), requires_grad=True)
    b = vf.tensor(np.ones((4,)), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(a.grad.numpy(), np.full((3, 1), 4.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full((4,), 3.0))


def test_grad_function_leaves_leaf_grad_alone() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    (gx,) = vf.grad((x.exp()).sum(), x)
    assert x.grad is None
    np.testing.assert_allclose(gx.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_grad_unused_input() -> None:
    x = vf.tensor(1.0, requires_grad=True)
    y = vf.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        vf.grad(x * 2.0, [x, y])
    assert vf.grad(x * 2.0, [x, y], allow_unused=True)[1] is None


def test_second_order_and_backward_nodes() -> None:
    x = vf.tensor(1.5, dtype="float64", requires_grad=True)
    y = x**3
    (g,) = vf.grad(y, x, create_graph=True)
    assert g.item() == pytest.approx(3 * 1.5**2)
    assert g.node is not None and g.node.phase == "backward"
    assert g.node.forward_of is y.node
    (gg,) = vf.grad(g, x)
    assert gg.item() == pytest.approx(6 * 1.5)


def test_graph_is_freed_unless_retained() -> None:
    x = vf.tensor([1.0], requires_grad=True)
    y = (x * 2.0).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 4.0
    with pytest.raises(vf.GraphFreedError, match="retain_graph"):
        y.backward()


def test_no_grad_and_enable_grad() -> None:
    x = vf.tensor([1.0], requires_grad=True)
    with vf.no_grad():
        y = x * 2.0
        assert not vf.is_grad_enabled()
        with vf.enable_grad():
            z = x * 2.0
    assert not y.requires_grad and y.node is None
    assert z.requires_grad and z.node is not None

    @vf.no_grad()
    def f(t: vf.Tensor) -> vf.Tensor:
        return t * 3.0

    assert not f(x).requires_grad


def test_hooks_see_and_replace_gradient() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    remove = x.register_hook(lambda g: g * 10.0)
    y.sum().backward()
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    remove()
    x.grad = None
    (x * 2.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_retain_grad_on_intermediate() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])


def test_backward_needs_scalar_or_gradient() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="one element"):
        (x * 2.0).backward()
    (x * 2.0).backward(vf.tensor([1.0, 0.5]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 1.0])


def test_int_and_bool_results_are_not_differentiable() -> None:
    x = vf.tensor([1.0, -2.0], requires_grad=True)
    assert not (x > 0).requires_grad
    assert not x.argmax().requires_grad
    with pytest.raises(TypeError, match="floating"):
        vf.tensor([1, 2]).requires_grad_()


def test_nodes_record_scope_source_and_phase() -> None:
    x = vf.tensor([1.0], requires_grad=True)
    with vf.name_scope("encoder"), vf.name_scope("layer3"):
        y = x * 2.0
    assert y.node.scope == "encoder/layer3"
    assert y.node.phase == "forward"
    src = y.node.source
    assert src is not None and src.file == __file__ and src.function.startswith("test_nodes")
    with vf.phase("update"):
        z = x + 1.0
    assert z.node.phase == "update"


def test_record_tape_collects_every_op_in_order() -> None:
    x = vf.tensor([1.0, 2.0])
    with vf.record_tape() as tape:
        y = (x * 2.0).exp()
        z = y.sum()
    assert [t.node.op.name for t in tape] == ["mul", "exp", "sum"]
    assert tape[-1] is z and not z.requires_grad


def test_inplace_update_under_no_grad_keeps_identity() -> None:
    w = vf.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with vf.no_grad():
        w -= w.grad * 0.5
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])
    assert w.requires_grad and w.node is None
    with pytest.raises(RuntimeError, match="leaf"):
        w += 1.0


def test_setitem_records_when_grad_flows() -> None:
    x = vf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = vf.tensor(5.0, requires_grad=True)
    y = x * 1.0
    y[1] = v * 2.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, 1.0])
    assert v.grad.item() == 2.0
    c = vf.zeros(3)
    c[0] = 7.0
    assert c.tolist() == [7.0, 0.0, 0.0]


def test_dispatch_interception_for_symbolic_inputs() -> None:
    class Sym:
        def __init__(self, name: str) -> None:
            self.name = name

    seen = []

    def handler(op: vf.OpDef, inputs: tuple[object, ...], params: dict[str, object]) -> str:
        seen.append((op.name, params))
        return "symbolic-result"

    vf.register_symbolic_type(Sym, handler)
    assert vf.tensor([1.0]) + Sym("a") == "symbolic-result"
    assert vf.exp(Sym("b")) == "symbolic-result"
    assert [s[0] for s in seen] == ["add", "exp"]

    with vf.intercept(lambda op, ins, params: f"traced {op.name}"):
        assert vf.randn(2, 2) == "traced randn"
        assert vf.tensor([1.0]) * 2.0 == "traced mul"
    assert isinstance(vf.randn(2), vf.Tensor)


def test_source_is_the_exact_user_line_and_notebook_cell() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    here = sys._getframe().f_lineno
    y = x * 2.0
    # fmt: off
    z = (y
         + x).tanh()
    # fmt: on
    assert y.node.source.line == here + 1
    assert z.node.source.line == here + 4  # tanh is called on the continuation line
    assert z.node.inputs[0].node.source.line in (here + 3, here + 4)
    cell = "/tmp/ipykernel_4242/1234567890.py"
    code = compile("a = 1\nb = 2\nout = x * 3.0\nout = out.exp()\n", cell, "exec")
    ns: dict[str, object] = {"x": x}
    exec(code, ns)
    src = ns["out"].node.source  # type: ignore[attr-defined]
    assert (src.line, src.cell_id, src.file) == (4, "1234567890", cell)
    assert ns["out"].node.inputs[0].node.source.line == 3  # type: ignore[attr-defined]
    with vf.no_grad(), vf.record_tape() as tape:
        w = x * 1.0  # recorded on a tape even without grad
    assert tape[0] is w and w.node.source.line == sys._getframe().f_lineno - 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_operator_fast_paths_match_dispatch() -> None:
    from vizflow_engine.dispatch import dispatch
    from vizflow_engine.ops import elementwise as O

    f32 = vf.tensor([[1.5, -2.0], [0.5, 3.0]], requires_grad=True)
    f64 = vf.tensor([1.0, 2.0], dtype="float64")
    i64 = vf.tensor([[1, 2], [3, 4]])
    b = vf.tensor([True, False])
    cases = [
        (f32, f32),
        (f32, 2.0),
        (2, f32),
        (i64, 0.5),
        (i64, i64),
        (f64, 1),
        (f32, i64),
        (b, b),
        (f32[0], f64),
        (True, i64),
        (f32, vf.tensor(2.0)),
    ]
    for op, fn in (
        (O.ADD, lambda a, c: a + c),
        (O.SUB, lambda a, c: a - c),
        (O.MUL, lambda a, c: a * c),
        (O.DIV, lambda a, c: a / c),
    ):
        for a, c in cases:
            try:
                ref = dispatch(op, (a, c))
            except Exception as exc:  # the fast path must fail the same way
                with pytest.raises(type(exc)):
                    fn(a, c)
                continue
            got = fn(a, c)
            assert got.dtype == ref.dtype and got.shape == ref.shape, (op.name, a, c)
            np.testing.assert_array_equal(got.numpy(), ref.numpy())
            assert got.requires_grad == ref.requires_grad
            assert (got.node is None) == (ref.node is None)
    for name in ("exp", "log", "tanh", "sqrt", "relu", "neg", "abs", "sign", "square"):
        for t in (f32, i64, f64):
            ref = dispatch(getattr(O, name.upper()), (t,))
            got = getattr(t, name)()
            assert got.dtype == ref.dtype
            np.testing.assert_array_equal(got.numpy(), ref.numpy())
    with pytest.raises(vf.ShapeError):
        f32 + vf.tensor([1.0, 2.0, 3.0])
    with vf.no_grad():
        assert (f32 * 2.0).node is None and not (f32 * 2.0).requires_grad
    y = f32 * 2.0
    assert y.node.op is O.MUL and y.node.inputs[0] is f32 and y.node.inputs[1] == 2.0
    z = 2.0 - f32
    assert z.node.op is O.SUB and z.node.inputs == (2.0, f32) and z.node.scope == ""


def test_backward_refuses_an_input_modified_in_place_after_use() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    z = y * 3.0
    y *= 2.0
    with pytest.raises(RuntimeError, match="modified in place"):
        (z + y).sum().backward()


def test_backward_through_branches_and_chains() -> None:
    x = vf.tensor([0.5, -1.0, 2.0], requires_grad=True)
    a = x.tanh()
    b = a * x
    c = (a + 1.0).exp()
    d = b.tanh() - c * 0.5 + b
    for _ in range(5):
        d = d * 0.9 + a
    d.sum().backward()
    eps = 1e-3
    xd = x.numpy().astype(np.float64)

    def f(v: np.ndarray) -> float:
        a = np.tanh(v)
        b = a * v
        d = np.tanh(b) - np.exp(a + 1.0) * 0.5 + b
        for _ in range(5):
            d = d * 0.9 + a
        return float(d.sum())

    num = [(f(xd + eps * e) - f(xd - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(x.grad.numpy(), num, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("uses", [1, 7, 8, 64, 256, 257, 600])
@pytest.mark.parametrize("shape", [(), (3,), (64, 80)])
def test_a_leaf_used_many_times_gets_every_part(uses: int, shape: tuple[int, ...]) -> None:
    # small leaves collect their parts and sum them at the end (in batches of 256); large
    # ones (64x80 float64 is 40 KiB) add each part at once: both must give the exact total
    rng = np.random.default_rng(0)
    w = vf.tensor(rng.standard_normal(shape), requires_grad=True)
    cs = [rng.standard_normal(shape) for _ in range(uses)]
    y = w * cs[0]
    for c in cs[1:]:
        y = y + w * c
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.sum(cs, axis=0), rtol=1e-12, atol=1e-12)
    assert w.grad.numpy().flags.writeable and w.grad.shape == shape


def test_many_parts_with_create_graph_stay_differentiable() -> None:
    x = vf.tensor([0.5, -1.0], requires_grad=True)
    y = x * x
    for _ in range(20):
        y = y + x * x
    (gx,) = vf.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(gx.numpy(), 42 * x.numpy())
    (ggx,) = vf.grad(gx.sum(), x)
    np.testing.assert_allclose(ggx.numpy(), [42.0, 42.0])


@pytest.mark.parametrize("uses", [9, 256, 300])
def test_leaf_parts_from_fast_nodes_and_transposed_views_sum_exactly(uses: int) -> None:
    # fast nodes (both inputs need grad, one shape) hand back parts as they are; a permute's
    # part is a transposed view that cannot be stacked by its bytes: both must be summed
    rng = np.random.default_rng(1)
    w = vf.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    cs = [vf.tensor(rng.standard_normal((3, 4)), requires_grad=True) for _ in range(uses)]
    ts = [vf.tensor(rng.standard_normal((4, 3))) for _ in range(uses)]
    y = w * cs[0]
    for i in range(1, uses):
        y = y + (w * cs[i] if i % 3 else (w.T * ts[i]).T)
    y.sum().backward()
    want = sum(c.numpy() if i % 3 or i == 0 else ts[i].numpy().T for i, c in enumerate(cs))
    np.testing.assert_allclose(w.grad.numpy(), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cs[1].grad.numpy(), w.numpy(), rtol=0, atol=0)


def test_only_unbroadcast_ops_of_grad_inputs_skip_backward_checks() -> None:
    a = vf.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = vf.tensor(np.ones((2, 3)), requires_grad=True)
    row = vf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    const = vf.tensor(np.ones((2, 3)))
    flat = vf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    lifted = vf.tensor([[1.0, 2.0, 3.0]], requires_grad=True)  # same size, one more dim
    assert (a * b).node._fast and a.tanh().node._fast and (2.0 - a).node._fast is False
    assert not (a * row).node._fast and not (a * const).node._fast
    assert not (flat * lifted).node._fast
    loss = (a * row).sum() + (row - a).sum() + (flat * lifted).sum() + (a * const * b).sum()
    loss.backward()
    assert row.grad.shape == (3,) and flat.grad.shape == (3,) and lifted.grad.shape == (1, 3)
    np.testing.assert_allclose(row.grad.numpy(), a.numpy().sum(0) + 2.0)  # + 1 per row of a
    np.testing.assert_allclose(flat.grad.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(a.grad.numpy(), np.tile(row.numpy(), (2, 1)))  # row - 1 + b


def test_a_node_built_with_a_line_reports_that_line() -> None:
    from vizflow_engine.node import Node
    from vizflow_engine.ops.elementwise import ADD

    code = compile("x = 1\ny = 2\n", "some_model.py", "exec")
    node = Node(ADD, {}, (), code=code, line=2)
    assert (node.source.file, node.source.line) == ("some_model.py", 2)
    assert node.source.line == 2  # asked twice: the cached form gives the same line


def test_grad_mode_and_scope_are_per_thread() -> None:
    import threading

    x = vf.tensor([1.0, 2.0], requires_grad=True)
    inside, entered = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def other() -> None:
        entered.wait()  # the main thread is inside no_grad() and a name scope now
        y = x * 3.0
        seen["node"] = y.node
        inside.set()

    t = threading.Thread(target=other)
    t.start()
    with vf.no_grad(), vf.name_scope("main"):
        entered.set()
        inside.wait()
        z = x * 2.0
    t.join()
    assert z.node is None  # no_grad holds here
    node = seen["node"]
    assert node is not None and node.scope == ""  # ...and not in the other thread


def test_naming_a_tensor_names_the_node_that_made_it() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True, name="x")
    h = (x * 2.0).tanh()
    assert h.node.name is None and h.name is None
    h.name = "hidden"
    assert h.name == "hidden" and h.node.name == "hidden"
    assert x.name == "x" and x.node is None  # a leaf has no node to name


def test_a_leaf_that_stops_requiring_grad_after_the_forward_gets_no_grad() -> None:
    for shape in ((3,), (1,)):  # a fast node (one shape) and a broadcasting one
        a = vf.tensor(np.ones(3), requires_grad=True)
        b = vf.tensor(np.full(shape, 2.0), requires_grad=True)
        y = a * b
        b.requires_grad = False
        y.sum().backward()
        assert b.grad is None, shape
        np.testing.assert_allclose(a.grad.numpy(), [2.0, 2.0, 2.0])
