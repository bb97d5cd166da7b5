"""Creation functions given a traced input's named dim (vf.zeros(x.shape[0], 3) with x traced
on vf.spec(("batch", 3))): the graph keeps the name, and compiled runs equal eager ones at
every batch size, values, shape and dtype (random draws included, so Dropout traces on a
named batch); sizes that cannot be are refused with reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow as vf

MAKERS: dict[str, tuple[Callable[[Any], Any], tuple[Any, ...]]] = {
    # name: (fn of x, the output shape the graph names), x traced on (batch, seq, 3)
    "zeros": (lambda x: vf.zeros(x.shape[0], 3), ("batch", 3)),
    "ones tuple": (lambda x: vf.ones((2, x.shape[0], 4), dtype="float64"), (2, "batch", 4)),
    "full int32": (lambda x: vf.full((x.shape[1], 2), 7, dtype="int32"), ("seq", 2)),
    "full bool": (lambda x: vf.full((x.shape[0],), True), ("batch",)),
    "full -0.0": (lambda x: vf.full((x.shape[0], 1), -0.0), ("batch", 1)),
    "empty": (lambda x: vf.empty(x.shape[0], x.shape[1]), ("batch", "seq")),
    "zeros of x.shape": (lambda x: vf.zeros(x.shape), ("batch", "seq", 3)),
    "two names twice": (
        lambda x: vf.ones(x.shape[1], x.shape[0], x.shape[1]),
        ("seq", "batch", "seq"),
    ),
    "new_zeros": (lambda x: x.new_zeros(x.shape[0], 5), ("batch", 5)),
    "new_full": (lambda x: x.new_full((x.shape[0],), 2.5), ("batch",)),
    "arange": (lambda x: vf.arange(x.shape[1]), ("seq",)),
    "arange float": (lambda x: vf.arange(0, x.shape[0], dtype="float32"), ("batch",)),
}
SPEC = ("batch", "seq", 3)


def _x(batch: int, seq: int) -> np.ndarray:
    """An input whose values must not matter (NaN and Inf among them)."""
    x = np.random.default_rng(batch * 10 + seq).standard_normal((batch, seq, 3)).astype(np.float32)
    x.flat[::7] = np.nan
    x.flat[1::11] = np.inf
    return x


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_compiled_equals_eager_at_every_size(name: str) -> None:
    make, named = MAKERS[name]
    graph = vf.function(make).graph(vf.spec(SPEC))
    assert graph.outputs[0].shape == named
    plan = graph.compile()
    for batch, seq in ((1, 4), (6, 2), (3, 0)):
        x = _x(batch, seq)
        eager = make(vf.tensor(x))
        (compiled,) = plan.run(x)
        assert compiled.shape == eager.shape and compiled.dtype == eager.dtype
        np.testing.assert_array_equal(compiled, eager.numpy())
        np.testing.assert_array_equal(np.signbit(compiled), np.signbit(eager.numpy()))


def test_a_model_with_positions_and_a_mask_runs_every_batch_as_eagerly() -> None:
    layer = vf.nn.Linear(3, 2)
    table = vf.tensor(np.linspace(-1, 1, 16, dtype=np.float32).reshape(8, 2))

    def forward(x: Any) -> Any:
        pos = table[vf.arange(x.shape[1])]  # a position embedding: (seq, 2)
        keep = vf.ones(x.shape[0], x.shape[1], 1)  # a mask sized by the call
        return ((layer(x) + pos) * keep).sum(axis=1)

    plan = vf.function(forward).graph(vf.spec(("batch", "seq", 3))).compile()
    for batch, seq in ((2, 5), (4, 8), (1, 1)):
        x = np.random.default_rng(seq).standard_normal((batch, seq, 3)).astype(np.float32)
        (compiled,) = plan.run(x)
        np.testing.assert_allclose(compiled, forward(vf.tensor(x)).numpy(), rtol=1e-6)


SAMPLERS: dict[str, tuple[Callable[[Any], Any], tuple[Any, ...]]] = {
    "rand": (lambda x: vf.rand(x.shape[0], 2), ("batch", 2)),
    "randn float64": (lambda x: vf.randn((2, x.shape[1]), dtype="float64"), (2, "seq")),
    "rand_like": (lambda x: vf.rand_like(x), SPEC),
    "randn_like of a result": (lambda x: vf.randn_like(x.sum(axis=2)), ("batch", "seq")),
    "dropout": (lambda x: vf.nn.functional.dropout(vf.where(vf.isfinite(x), x, 0.0), 0.5), SPEC),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_samples_at_a_run_time_size_are_the_eager_draws(name: str) -> None:
    make, named = SAMPLERS[name]
    graph = vf.function(make).graph(vf.spec(SPEC))
    assert graph.outputs[0].shape == named
    plan = graph.compile()
    for batch, seq in ((2, 3), (5, 1)):
        x = _x(batch, seq)
        vf.manual_seed(11)
        (compiled,) = plan.run(x)
        vf.manual_seed(11)
        eager = make(vf.tensor(x)).numpy()
        assert compiled.shape == eager.shape and compiled.dtype == eager.dtype
        np.testing.assert_array_equal(compiled, eager)


def test_a_model_with_dropout_traces_on_a_named_batch() -> None:
    model = vf.nn.Sequential(vf.nn.Linear(3, 8), vf.nn.ReLU(), vf.nn.Dropout(0.25))
    plan = vf.function(model).graph(vf.spec(("batch", 3))).compile()
    for batch in (1, 6):
        x = np.random.default_rng(batch).standard_normal((batch, 3)).astype(np.float32)
        vf.manual_seed(3)
        (compiled,) = plan.run(x)
        vf.manual_seed(3)
        np.testing.assert_allclose(compiled, model(vf.tensor(x)).numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda x: vf.zeros(x.shape[0], -1), ValueError, "zeros: negative dim -1"),
        (
            lambda x: vf.ones(x.shape[0], 1.5),
            TypeError,
            r"ones: a dim must be an integer, not float",
        ),
        (lambda x: vf.full((x.shape[0], 2.0), 1.0), TypeError, "not float"),
        (lambda x: vf.zeros(x.shape[2]), TypeError, "a dim of None .* name it in the spec"),
        (lambda x: vf.zeros("time", 3), ValueError, "'time' is not a dim of any input"),
        (lambda x: vf.arange(1, x.shape[0]), ValueError, r"arange\(1, 'batch', 1\).* arange\(n\)"),
        (lambda x: vf.arange(0, x.shape[0], 2), ValueError, "another start or step"),
        (lambda x: vf.zeros(x.shape[0], requires_grad=True), TypeError, "requires_grad=True"),
        (lambda x: vf.randn(x.shape[0], requires_grad=True), TypeError, "requires_grad=True"),
        (lambda x: vf.rand_like(x, requires_grad=True), TypeError, "rand_like: requires_grad"),
        (lambda x: vf.rand(x.shape[0], x.shape[2]), TypeError, "rand: a dim of None"),
    ],
)
def test_sizes_that_cannot_be_are_refused(make: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        vf.function(make).graph(vf.spec(("batch", 3, None)))


def test_a_name_outside_a_traced_function_is_refused() -> None:
    with pytest.raises(TypeError, match="only a traced function's inputs give sizes"):
        vf.zeros("batch", 3)


# ---- one node per creation call ----------------------------------------------------------

ONE_NODE_OPS = {
    **{name: "full_dims" for name in MAKERS if not name.startswith("arange")},
    "arange": "arange_dim",
    "arange float": "arange_dim",
    "rand": "rand_like",
    "randn float64": "randn_like",
    "rand_like": "rand_like",
}


@pytest.mark.parametrize("name", sorted(ONE_NODE_OPS))
def test_a_creation_call_is_one_node_reading_the_input(name: str) -> None:
    make, _ = {**MAKERS, **SAMPLERS}[name]
    graph = vf.function(make).graph(vf.spec(SPEC))
    assert [n.op.name for n in graph.nodes] == [ONE_NODE_OPS[name]], str(graph)
    (node,) = graph.nodes
    assert node.inputs == (graph.inputs[0],)


def test_the_node_names_the_dims_it_takes_from_the_input() -> None:
    graph = vf.function(lambda x: vf.full((2, x.shape[1], x.shape[0]), -0.0)).graph(vf.spec(SPEC))
    (node,) = graph.nodes
    assert node.params == {"dims": (2, (1,), (0,)), "fill_value": -0.0, "dtype": np.float32}
    assert graph.outputs[0].shape == (2, "seq", "batch")
    graph = vf.function(lambda x: vf.arange(x.shape[1])).graph(vf.spec(SPEC))
    assert graph.nodes[0].params == {"axis": 1, "dtype": np.int64}


LIKES: dict[str, Callable[[Any], Any]] = {
    "zeros_like of a result": lambda x: vf.zeros_like(x.sum(axis=2)),
    "ones_like int32": lambda x: vf.ones_like(x, dtype="int32"),
    "full_like -0.0": lambda x: vf.full_like(x, -0.0),
    "full_like bool": lambda x: vf.full_like(x[:, :, 0], True, dtype="bool"),
}


@pytest.mark.parametrize("name", sorted(LIKES))
@pytest.mark.parametrize("spec", [SPEC, ("batch", None, 3)], ids=["named", "unnamed"])
def test_like_of_a_run_time_shape_is_one_node(name: str, spec: tuple[Any, ...]) -> None:
    make = LIKES[name]
    graph = vf.function(make).graph(vf.spec(spec))
    assert graph.nodes[-1].op.name == "full_dims" and graph.nodes[-1].params["dims"] is None
    assert [n.op.name for n in graph.nodes].count("full_dims") == 1
    plan = graph.compile()
    for batch, seq in ((1, 4), (6, 2), (3, 0)):
        x = _x(batch, seq)
        eager = make(vf.tensor(x)).numpy()
        (compiled,) = plan.run(x)
        assert compiled.shape == eager.shape and compiled.dtype == eager.dtype
        np.testing.assert_array_equal(compiled, eager)
        np.testing.assert_array_equal(np.signbit(compiled), np.signbit(eager))


def test_names_from_two_inputs_make_the_joint_shape() -> None:
    def f(x: Any, y: Any) -> Any:
        return vf.full((x.shape[0], 2, y.shape[0]), -0.0), vf.rand(y.shape[0], x.shape[0])

    graph = vf.function(f).graph(vf.spec(("batch", 3)), vf.spec(("time",)))
    assert graph.outputs[0].shape == ("batch", 2, "time")
    assert graph.outputs[1].shape == ("time", "batch")
    plan = graph.compile()
    for batch, time in ((2, 5), (4, 1), (0, 3)):
        x, y = np.ones((batch, 3), np.float32), np.ones(time, np.float32)
        vf.manual_seed(5)
        compiled = plan.run(x, y)
        vf.manual_seed(5)
        eager = [t.numpy() for t in f(vf.tensor(x), vf.tensor(y))]
        for c, e in zip(compiled, eager, strict=True):
            assert c.shape == e.shape and c.dtype == e.dtype
            np.testing.assert_array_equal(c, e)
            np.testing.assert_array_equal(np.signbit(c), np.signbit(e))


# ---- no gradient through the shape input --------------------------------------------------


def test_no_gradient_flows_to_the_input_whose_shape_is_read() -> None:
    x = vf.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    for made in (vf.full_dims(x, 2.0, ((1,), 4)), vf.arange_dim(x, 0, dtype="float64")):
        assert not made.requires_grad
    (vf.full_dims(x, 3.0) * x).sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 3.0))


def test_a_graph_gradient_passes_the_shape_input_by() -> None:
    from vizflow_engine.graph import specialize

    def f(x: Any) -> Any:
        return (x * vf.ones(x.shape[0], 3) + vf.zeros_like(x)).sum()

    traced = specialize(vf.function(f).graph(vf.spec(("batch", 3))), {"x": (4, 3)})
    grads = vf.grad_graph(traced, wrt=["x"])
    assert "full_dims" in [n.op.name for n in grads.nodes]
    x = np.random.default_rng(0).standard_normal((4, 3))
    (_, dx) = grads.compile().run(x.astype(np.float32))
    np.testing.assert_array_equal(dx, np.ones((4, 3), np.float32))


# ---- graph files and the editor's code ----------------------------------------------------


def _model(x: Any) -> Any:
    pos = vf.arange(x.shape[1], dtype="float32")
    return (
        vf.zeros(x.shape[0], x.shape[1]) + pos + vf.randn(x.shape[0], 1) + vf.ones_like(x[:, :, 0])
    )


def test_graph_files_keep_the_ops_and_run_the_same(tmp_path: Any) -> None:
    graph = vf.function(_model).graph(vf.spec(SPEC))
    assert [n.op.name for n in graph.nodes].count("getitem") == 1  # x[:, :, 0] only
    graph.save(str(tmp_path / "g"))
    back = vf.Graph.load(str(tmp_path / "g"))
    assert str(back) == str(graph)
    for batch, seq in ((2, 3), (5, 0)):
        x = _x(batch, seq)
        vf.manual_seed(2)
        (want,) = graph.compile().run(x)
        vf.manual_seed(2)
        (got,) = back.compile().run(x)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("dims", "path", "match"),
    [
        ({"tuple": [{"tuple": [3]}, 2]}, "dims.tuple[0].tuple[0]", r"a dim of a rank-3 input"),
        ({"tuple": [-1]}, "dims.tuple[0]", r"a size \(>= 0\) or \(k,\)"),
        ({"tuple": [{"tuple": [0, 1]}]}, "dims.tuple[0]", r"must be \(k,\), one axis"),
        ({"tuple": ["batch"]}, "dims.tuple[0]", "not str 'batch'"),
        ({"tuple": [True]}, "dims.tuple[0]", "not bool True"),
        ([0], "dims", "must be dims"),
        ({"tuple": [2**40, 2]}, "dims", "elements"),
    ],
)
def test_a_graph_file_with_bad_dims_is_refused(dims: Any, path: str, match: str) -> None:
    doc = vf.function(lambda x: vf.zeros(x.shape[0], 3)).graph(vf.spec(SPEC)).to_json()
    assert doc["nodes"][0]["op"] == "full_dims"
    doc["nodes"][0]["params"]["dims"] = dims
    with pytest.raises(vf.GraphFormatError, match=match) as info:
        vf.Graph.from_json(doc)
    assert info.value.path == f"$.nodes[0].params.{path}"


def test_the_editors_code_is_one_readable_line_per_call_and_rebuilds_the_graph() -> None:
    from vizflow_engine.editing import from_graph, to_code

    graph = vf.function(_model).graph(vf.spec(SPEC))
    code = to_code(from_graph(graph))
    assert (
        "full_dims = g.apply(vf.get_op('full_dims'), (x,), {'dims': ((0,), (1,)), "
        "'fill_value': 0, 'dtype': np.dtype('float32')}, name='full_dims')"
    ) in code
    assert (
        "g.apply(vf.get_op('arange_dim'), (x,), {'axis': 1, 'dtype': np.dtype('float32')}" in code
    )
    assert len([line for line in code.splitlines() if "g.apply" in line]) == len(graph.nodes)
    scope: dict[str, Any] = {}
    exec(compile(code, "<to_code>", "exec"), scope)  # the code the editor wrote, run as written
    rebuilt = scope["g"]
    assert str(rebuilt) == str(graph)


def test_the_editor_reads_dims_typed_as_json() -> None:
    from vizflow_engine.editing import EditError
    from vizflow_engine.editing.params import op_param

    op = vf.get_op("full_dims")
    assert op_param(op, "dims", [[0], 3]) == ((0,), 3)
    with pytest.raises(EditError, match=r"must be \(k,\)"):
        op_param(op, "dims", [[0, 1]])
    with pytest.raises(EditError, match="a size"):
        op_param(op, "dims", [-2])


def test_onnx_export_reads_the_dims_when_the_model_runs() -> None:
    onnx = pytest.importorskip("onnx")
    from onnx.reference import ReferenceEvaluator

    def f(x: Any) -> Any:
        return (
            vf.full((x.shape[0], 2, x.shape[1]), -0.0),
            vf.arange(x.shape[1], dtype="float32"),
            vf.ones_like(x, dtype="int32"),
            vf.zeros(x.shape[0], 0),
        )

    model = vf.onnx.to_model(vf.function(f).graph(vf.spec(("batch", "seq"))))
    onnx.checker.check_model(model, full_check=True)
    run = ReferenceEvaluator(model)
    for batch, seq in ((2, 3), (5, 0)):
        x = np.ones((batch, seq), np.float32)
        got = run.run(None, {model.graph.input[0].name: x})
        for a, want in zip(got, (t.numpy() for t in f(vf.tensor(x))), strict=True):
            assert a.shape == want.shape and a.dtype == want.dtype
            np.testing.assert_array_equal(a, want)
            np.testing.assert_array_equal(np.signbit(a), np.signbit(want))


def test_writes_into_created_tensors_stay_apart_through_the_passes() -> None:
    from vizflow_engine.graph.passes import PASSES

    def f(x: Any) -> Any:
        z = vf.zeros(x.shape[0], 2)
        z[:, 0] = x[:, 0]
        w = vf.zeros(x.shape[0], 2)
        w += 1
        m = vf.arange(x.shape[0])
        m[0] = 7
        return z + w, m + vf.arange(x.shape[0])

    graph = vf.function(f).graph(vf.spec(("batch", 3)))
    for name in ("fold_constants", "simplify", "cse", "dce", "fuse_elementwise"):
        graph = PASSES[name](graph)
    plan = graph.compile()
    for batch in (1, 4):
        x = np.arange(batch * 3, dtype=np.float32).reshape(batch, 3)
        for got, want in zip(plan.run(x), f(vf.tensor(x)), strict=True):
            np.testing.assert_array_equal(got, want.numpy())
