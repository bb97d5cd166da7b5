"""Exporting vizflow models: checked ONNX files that onnx's evaluator and vizflow agree on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vizflow as vf
from vizflow_engine import nn

from .models import digits_cnn, digits_mlp, run_reference

onnx = pytest.importorskip("onnx")


def _digits(n: int, flatten: bool) -> np.ndarray:
    x, _ = vf.data.load_digits(flatten=flatten)
    return np.asarray(x.numpy()[:n])


def _dims(value_info: Any) -> list[Any]:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def test_digits_mlp_exports_with_a_symbolic_batch(tmp_path: Path) -> None:
    vf.manual_seed(0)
    model = digits_mlp()
    path = tmp_path / "mlp.onnx"
    vf.onnx.save(model, path, vf.spec(("batch", 64)))
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert _dims(proto.graph.input[0]) == ["batch", 64]
    assert _dims(proto.graph.output[0]) == ["batch", 10]
    assert len(proto.graph.initializer) == 4  # the two weights and biases
    for batch in (1, 7):
        x = _digits(batch, True)
        with vf.no_grad():
            want = model(vf.tensor(x)).numpy()
        np.testing.assert_allclose(run_reference(proto, x)[0], want, rtol=1e-5, atol=1e-5)


def test_digits_cnn_exports_and_round_trips(tmp_path: Path) -> None:
    vf.manual_seed(0)
    model = digits_cnn()
    x = _digits(5, False)
    path = tmp_path / "cnn.onnx"
    proto = vf.onnx.save(model, path, x)
    assert {n.op_type for n in proto.graph.node} >= {"Conv", "MaxPool", "Relu", "Gemm"}
    with vf.no_grad():
        want = model(vf.tensor(x)).numpy()
    np.testing.assert_allclose(run_reference(proto, x)[0], want, rtol=1e-4, atol=1e-5)
    back = vf.onnx.load(path)
    assert not any(n.op.name == "onnx_node" for n in back.nodes)
    np.testing.assert_allclose(back(x)[0], want, rtol=1e-4, atol=1e-5)
    dbg = vf.debug(back, x)
    ev = dbg.run_to(back.nodes[0].name)
    assert ev is not None and ev.op == "conv2d"
    assert dbg.resume(block=True) is None
    np.testing.assert_allclose(dbg.outputs[0], want, rtol=1e-4, atol=1e-5)


def test_a_function_graph_with_many_ops_round_trips() -> None:
    @vf.function
    def f(x: Any, y: Any) -> Any:
        h = vf.where(x > 0, x.exp(), -x).sqrt() + x[:, 1:].sum(axis=1, keepdims=True)
        z = vf.concatenate([h, y.abs().log1p()], 1).transpose(0, 1)
        m = z.max(axis=0) - z.min(axis=0) + (z * 2).argmax(axis=0).astype("float32")
        return vf.clamp(m.unsqueeze(0), -5.0, 5.0) * vf.stack([m, m], 0).mean(axis=0)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((3, 2)).astype(np.float32)
    want = f(vf.tensor(x), vf.tensor(y)).numpy()
    proto = vf.onnx.to_model(f, x, y)
    np.testing.assert_allclose(run_reference(proto, x, y)[0], want, rtol=1e-5, atol=1e-6)
    back = vf.onnx.load(proto.SerializeToString())
    np.testing.assert_allclose(back(x, y)[0], want, rtol=1e-5, atol=1e-6)


def test_a_40_layer_sequential_exports() -> None:
    vf.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(40):
        layers += [nn.Linear(8, 8), nn.ReLU()]
    model = nn.Sequential(*layers)
    x = np.random.default_rng(0).standard_normal((2, 8)).astype(np.float32)
    proto = vf.onnx.to_model(model, x)
    assert len(proto.graph.initializer) == 80
    with vf.no_grad():
        want = model(vf.tensor(x)).numpy()
    np.testing.assert_allclose(run_reference(proto, x)[0], want, rtol=1e-4, atol=1e-6)


def test_a_traced_training_step_exports_its_forward_part() -> None:
    vf.manual_seed(0)
    model = digits_mlp()
    opt = vf.optim.SGD(model.parameters(), lr=0.1)

    @vf.function
    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = vf.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    x, y = _digits(8, True), np.arange(8, dtype=np.int64)
    g = vf.trace(step, x, y)
    with pytest.raises(vf.onnx.OnnxExportError, match="cross_entropy"):
        vf.onnx.to_model(g)  # a loss has no ONNX op: the error names it


def test_nan_values_survive_export() -> None:
    g = vf.Graph("nan")
    x = g.placeholder("x", (3,))
    g.output((x.log() * 0.0).exp())
    proto = vf.onnx.to_model(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = run_reference(proto, np.array([-1.0, 0.0, 2.0], np.float32))[0]
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 1.0


def test_opset_out_of_range_is_refused() -> None:
    g = vf.Graph()
    g.output(g.placeholder("x", (2,)).exp())
    with pytest.raises(ValueError, match="opset"):
        vf.onnx.to_model(g, opset=9)
