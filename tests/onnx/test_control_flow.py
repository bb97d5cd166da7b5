"""If and Loop: bodies become scopes of ordinary nodes, or the whole node falls back."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow as vf

from .models import run_reference

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

F32 = TensorProto.FLOAT


def _if_model() -> onnx.ModelProto:
    """y = If(sum(x) > 0, then: x * 2, else: -x), both branches reading x from outside."""
    then = helper.make_graph(
        [helper.make_node("Mul", ["x", "two"], ["t"])],
        "then",
        [],
        [helper.make_tensor_value_info("t", F32, [3])],
        [numpy_helper.from_array(np.array(2.0, np.float32), "two")],
    )
    other = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["e"])],
        "else",
        [],
        [helper.make_tensor_value_info("e", F32, [3])],
    )
    nodes = [
        helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
        helper.make_node("Greater", ["s", "zero"], ["c"]),
        helper.make_node("If", ["c"], ["y"], then_branch=then, else_branch=other, name="branch"),
    ]
    graph = helper.make_graph(
        nodes,
        "if",
        [helper.make_tensor_value_info("x", F32, [3])],
        [helper.make_tensor_value_info("y", F32, [3])],
        [numpy_helper.from_array(np.array(0.0, np.float32), "zero")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


W = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32) * 0.5


def _rnn_numpy(xs: np.ndarray, h0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The loop's meaning: the last h and every step's h stacked (shape inference's (5, 2, 4);
    onnx's ReferenceEvaluator concatenates scan outputs to (10, 4) instead)."""
    hs, h = [], h0
    for x in xs:
        h = np.tanh(h @ W + x)
        hs.append(h)
    return h, np.stack(hs)


def _rnn_loop(trips_known: bool, scan: bool = True) -> onnx.ModelProto:
    """h <- tanh(h @ W + x_t) over 5 steps: a Loop carrying h (and scanning out each h)."""
    body = helper.make_graph(
        [
            helper.make_node("Gather", ["xs", "i"], ["xt"], axis=0),
            helper.make_node("MatMul", ["h_in", "W"], ["hw"]),
            helper.make_node("Add", ["hw", "xt"], ["pre"]),
            helper.make_node("Tanh", ["pre"], ["h_out"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            *([helper.make_node("Identity", ["h_out"], ["h_scan"])] if scan else []),
        ],
        "cell",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("h_in", F32, [2, 4]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("h_out", F32, [2, 4]),
            *([helper.make_tensor_value_info("h_scan", F32, [2, 4])] if scan else []),
        ],
    )
    inputs = [helper.make_tensor_value_info("xs", F32, [5, 2, 4])]
    inputs += [helper.make_tensor_value_info("h0", F32, [2, 4])]
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(np.array(True), "T")]
    if trips_known:
        inits.append(numpy_helper.from_array(np.array(5, np.int64), "M"))
    else:
        inputs.append(helper.make_tensor_value_info("M", TensorProto.INT64, []))
    outs = ["h", "hs"] if scan else ["h"]
    graph = helper.make_graph(
        [helper.make_node("Loop", ["M", "T", "h0"], outs, body=body, name="rnn")],
        "rnn",
        inputs,
        [
            helper.make_tensor_value_info("h", F32, [2, 4]),
            *([helper.make_tensor_value_info("hs", F32, [5, 2, 4])] if scan else []),
        ],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def test_if_with_a_runtime_condition_draws_both_branches_and_picks() -> None:
    model = _if_model()
    g = vf.onnx.load(model.SerializeToString())
    scopes = {n.scope for n in g.nodes}
    assert {"branch/then", "branch/else"} <= scopes
    assert not any(n.op.name == "onnx_node" for n in g.nodes)
    for x in ([1.0, 2.0, -0.5], [-1.0, -2.0, 0.5]):
        a = np.array(x, np.float32)
        np.testing.assert_array_equal(g(a)[0], run_reference(model, a)[0])


def test_loop_with_a_known_trip_count_unrolls_one_scope_per_step() -> None:
    model = _rnn_loop(trips_known=True)
    g = vf.onnx.load(model.SerializeToString())
    steps = sorted({n.scope.split("/")[1] for n in g.nodes if n.scope.startswith("rnn/iter")})
    assert steps == [f"iter[{k}]" for k in range(5)]
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((5, 2, 4)).astype(np.float32)
    h0 = np.zeros((2, 4), np.float32)
    h, hs = g(xs, h0)
    np.testing.assert_allclose(h, run_reference(model, xs, h0)[0], rtol=1e-5, atol=1e-6)
    for got, want in zip((h, hs), _rnn_numpy(xs, h0), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_loop_with_a_runtime_trip_count_runs_whole_in_the_fallback() -> None:
    model = _rnn_loop(trips_known=False, scan=False)
    g = vf.onnx.load(model.SerializeToString())
    assert [n.params["op_type"] for n in g.nodes] == ["Loop"]
    xs = np.random.default_rng(2).standard_normal((5, 2, 4)).astype(np.float32)
    h0 = np.ones((2, 4), np.float32)
    m = np.array(5, np.int64)
    (h,) = g(xs, h0, m)
    np.testing.assert_allclose(h, run_reference(model, xs, h0, m)[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, _rnn_numpy(xs, h0)[0], rtol=1e-5, atol=1e-6)


def test_scan_over_a_known_length_unrolls_and_honours_directions() -> None:
    body = helper.make_graph(
        [
            helper.make_node("Add", ["acc_in", "row"], ["acc_out"]),
            helper.make_node("Identity", ["acc_out"], ["seen"]),
        ],
        "step",
        [
            helper.make_tensor_value_info("acc_in", F32, [2]),
            helper.make_tensor_value_info("row", F32, [2]),
        ],
        [
            helper.make_tensor_value_info("acc_out", F32, [2]),
            helper.make_tensor_value_info("seen", F32, [2]),
        ],
    )
    scan = helper.make_node(
        "Scan",
        ["init", "xs"],
        ["total", "partial"],
        body=body,
        num_scan_inputs=1,
        scan_input_directions=[1],  # from the last row to the first
        name="cumsum",
    )
    graph = helper.make_graph(
        [scan],
        "scan",
        [
            helper.make_tensor_value_info("init", F32, [2]),
            helper.make_tensor_value_info("xs", F32, [3, 2]),
        ],
        [
            helper.make_tensor_value_info("total", F32, [2]),
            helper.make_tensor_value_info("partial", F32, [3, 2]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    g = vf.onnx.load(model.SerializeToString())
    assert {n.scope.split("/")[1] for n in g.nodes if n.scope.startswith("cumsum/")} == {
        "iter[0]",
        "iter[1]",
        "iter[2]",
    }
    assert not any(n.op.name == "onnx_node" for n in g.nodes)
    init = np.array([1.0, -1.0], np.float32)
    xs = np.arange(6, dtype=np.float32).reshape(3, 2)
    total, partial = g(init, xs)
    np.testing.assert_array_equal(total, init + xs.sum(0))
    np.testing.assert_array_equal(partial, init + np.cumsum(xs[::-1], axis=0))
    # (onnx's ReferenceEvaluator implements only forward scan directions: numpy is the oracle)
