"""Importing ONNX models: a hand-built CNN with a fallback node, stepped in the debugger."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow as vf
from vizflow_engine.graph.errors import GraphFormatError

from .models import hand_cnn, run_reference

pytest.importorskip("onnx")


def _x(batch: int = 3) -> np.ndarray:
    return np.random.default_rng(1).standard_normal((batch, 1, 4, 4)).astype(np.float32)


def test_hand_built_cnn_loads_typed_and_matches_the_reference() -> None:
    model = hand_cnn()
    g = vf.onnx.load(model.SerializeToString())
    assert [v.shape for v in g.inputs] == [("batch", 1, 4, 4)]
    assert {v.name for v in g.variables} == {"W", "B", "G", "C"}
    assert g.outputs[0].shape == ("batch", 10)
    ops = [n.op.name for n in g.nodes]
    assert {"conv2d", "relu", "max_pool2d", "matmul", "exp"} <= set(ops)
    fallback = [n for n in g.nodes if n.op.name == "onnx_node"]
    assert len(fallback) == 1 and fallback[0].params["op_type"] == "Hardmax"
    for batch in (1, 3):
        x = _x(batch)
        np.testing.assert_allclose(g(x)[0], run_reference(model, x)[0], rtol=1e-5, atol=1e-6)


def test_multi_node_conversions_are_grouped_under_the_onnx_node_name() -> None:
    g = vf.onnx.load(hand_cnn().SerializeToString())
    softmax = [n for n in g.nodes if n.scope == "softmax"]
    assert len(softmax) > 2 and {"exp", "sum"} <= {n.op.name for n in softmax}
    assert g.value("probs").node in softmax  # the ONNX output names the last node's value


def test_step_through_every_node_including_the_fallback() -> None:
    model = hand_cnn()
    x = _x()
    g = vf.graph.specialize(vf.onnx.load(model.SerializeToString()), [x.shape])
    assert g.value("onehot").shape == (3, 10)  # the fallback's named dim bound on specialising
    dbg = vf.debug(g, x)
    seen = []
    while dbg.state != "finished":
        ev = dbg.step()
        assert ev is not None
        seen.append(ev.op)
        if ev.op == "onnx_node":
            onehot = dbg.value(ev.name)
            assert onehot.shape == (3, 10) and (onehot.sum(axis=1) == 1).all()
    assert seen == [n.op.name for n in g.nodes]
    np.testing.assert_allclose(dbg.outputs[0], run_reference(model, x)[0], rtol=1e-5, atol=1e-6)


def test_a_graph_with_a_fallback_node_saves_and_loads_as_a_graph_file(tmp_path: object) -> None:
    g = vf.onnx.load(hand_cnn().SerializeToString())
    path = str(tmp_path) + "/cnn"
    g.save(path)
    back = vf.Graph.load(path)
    x = _x()
    np.testing.assert_array_equal(back(x)[0], g(x)[0])
    arrays = dict(np.load(path + ".npz"))
    key = next(k for k in arrays if k.endswith("/model"))
    arrays[key] = arrays[key].astype(np.float32)  # the model's bytes as floats
    floats = str(tmp_path) + "/floats.npz"
    np.savez(floats, **arrays)
    with pytest.raises(GraphFormatError, match="must be an array of uint8"):
        vf.Graph.from_json(g.to_json(), floats)
    bad = {
        "op_type": ("Hard max; import os", "must be an ONNX op type"),
        "out_shape": ({"tuple": ["batch", -3]}, "must be a dim"),
        "in_shapes": ({"tuple": []}, "one per input"),
    }
    for param, (value, reason) in bad.items():
        doc = g.to_json()
        node = next(n for n in doc["nodes"] if n["op"] == "onnx_node")
        node["params"][param] = value
        with pytest.raises(GraphFormatError, match=reason):
            vf.Graph.from_json(doc, path + ".npz")


def test_old_opsets_are_converted_up() -> None:
    model = hand_cnn(opset=11)
    g = vf.onnx.load(model.SerializeToString())
    x = _x()
    np.testing.assert_allclose(g(x)[0], run_reference(model, x)[0], rtol=1e-5, atol=1e-6)
    assert not any(n.op.name == "onnx_node" and n.params["op_type"] == "Softmax" for n in g.nodes)


def test_a_10000_node_chain_loads_and_runs() -> None:
    import onnx
    from onnx import TensorProto, helper

    n = 10_000
    nodes = [
        helper.make_node("Add" if i % 2 else "Mul", [f"h{i}", "c"], [f"h{i + 1}"]) for i in range(n)
    ]
    graph = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("h0", TensorProto.FLOAT, ["n"])],
        [helper.make_tensor_value_info(f"h{n}", TensorProto.FLOAT, ["n"])],
        [onnx.numpy_helper.from_array(np.array(1.0, np.float32), "c")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    g = vf.onnx.load(model.SerializeToString())
    assert len(g.nodes) == n
    x = np.arange(4, dtype=np.float32)
    np.testing.assert_allclose(g(x)[0], x + n // 2)
    assert len(vf.onnx.to_model(g).graph.node) == n


def test_the_viewer_payload_summarises_the_fallback_node() -> None:
    from vizflow_kernelext.show import build

    g = vf.onnx.load(hand_cnn().SerializeToString())
    node = next(n for n in build(g).payload["nodes"] if n.get("op") == "onnx_node")
    assert node["category"] == "foreign" and node["name"] == "onehot"
    params = node["params"]
    assert params["op_type"] == "Hardmax" and params["out_shape"] == ["batch", 10]
    assert params["model"].startswith("array of ") and params["model"].endswith(" uint8")


def test_a_fallback_node_with_an_omitted_output_gives_the_right_one() -> None:
    import onnx
    from onnx import TensorProto, helper

    rng = np.random.default_rng(3)
    w = onnx.numpy_helper.from_array(rng.standard_normal((1, 4, 3)).astype(np.float32), "W")
    r = onnx.numpy_helper.from_array(rng.standard_normal((1, 4, 4)).astype(np.float32), "R")
    node = helper.make_node("RNN", ["x", "W", "R"], ["", "h"], hidden_size=4)  # no Y, only Y_h
    graph = helper.make_graph(
        [node],
        "rnn_last_state",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 2, 3])],
        [helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, 2, 4])],
        [w, r],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    onnx.checker.check_model(model, full_check=True)
    g = vf.onnx.load(model.SerializeToString())
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    want = run_reference(model, x)[0]
    np.testing.assert_array_equal(g(x)[0], want)
    again = vf.onnx.to_model(g)  # written back as the original node
    assert [n.op_type for n in again.graph.node] == ["RNN"]
    np.testing.assert_array_equal(run_reference(again, x)[0], want)


def test_torch_style_node_names_become_nested_groups() -> None:
    model = hand_cnn()
    for node in model.graph.node:
        if node.op_type == "Softmax":
            node.name = "/head/softmax/Softmax"  # how torch.onnx names a module's nodes
    g = vf.onnx.load(model.SerializeToString())
    assert {n.scope for n in g.nodes if n.op.name == "exp"} == {"head/softmax/Softmax"}


def test_the_debugger_finds_where_an_imported_model_goes_nan() -> None:
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Sub", ["r", "x"], ["d"], name="sub"),  # >= 0, and > 0 where x < 0
        helper.make_node("Neg", ["d"], ["n"], name="neg"),
        helper.make_node("Sqrt", ["n"], ["s"], name="sqrt"),  # NaN where x < 0
        helper.make_node("Add", ["s", "x"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes,
        "goes_nan",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    g = vf.onnx.load(model.SerializeToString())
    dbg = vf.debug(g, np.array([1.0, -2.0, 3.0, 4.0], np.float32))
    with np.errstate(invalid="ignore"):
        ev = dbg.run_to_nan()
    assert ev is not None and ev.name == "s" and ev.op == "sqrt"
