"""ONNX models the tests share: a hand-built CNN (with an op vizflow lacks) and vizflow models."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from vizflow_engine import nn


def hand_cnn(opset: int = 18) -> onnx.ModelProto:
    """Conv, Relu, MaxPool, Flatten, Gemm, Softmax and Hardmax (no vizflow op: the fallback)."""
    rng = np.random.default_rng(0)
    weights = {
        "W": rng.standard_normal((4, 1, 3, 3)).astype(np.float32),
        "B": rng.standard_normal(4).astype(np.float32),
        "G": rng.standard_normal((10, 16)).astype(np.float32),
        "C": rng.standard_normal(10).astype(np.float32),
    }
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["conv"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
        helper.make_node("MaxPool", ["relu"], ["pool"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "G", "C"], ["logits"], transB=1, name="fc"),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1, name="softmax"),
        helper.make_node("Hardmax", ["logits"], ["onehot"], axis=-1, name="hardmax"),
        helper.make_node("Add", ["probs", "onehot"], ["y"], name="combine"),
    ]
    graph = helper.make_graph(
        nodes,
        "hand_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])],
        [numpy_helper.from_array(a, n) for n, a in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model, full_check=True)
    return model


def digits_mlp() -> nn.Module:
    """The digits MLP of the training tests (64 -> 256 -> 10)."""
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))


def digits_cnn() -> nn.Module:
    """The digits CNN of the training tests, in eval mode (batch norm uses running stats)."""
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(32 * 4, 10),
    )
    model.eval()
    return model


def run_reference(model: onnx.ModelProto, *feeds: Any) -> list[Any]:
    """onnx's ReferenceEvaluator on the model (the oracle)."""
    from onnx.reference import ReferenceEvaluator

    names = [i.name for i in model.graph.input]
    return list(ReferenceEvaluator(model).run(None, dict(zip(names, feeds, strict=True))))
