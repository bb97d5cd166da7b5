"""NaN/Inf marks: each node whose value is known says whether it produced a NaN/Inf or
passed one on; and no non-finite number ever reaches JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

import vizflow as vf
from vizflow_engine.graph import Graph
from vizflow_kernelext.payload.compact import decode, encode
from vizflow_kernelext.protocol import validate_graph_payload, validate_message
from vizflow_kernelext.wire_text import wire_safe


def _marks(payload: dict[str, Any]) -> dict[str, str | None]:
    """op -> its nonfinite mark (None when absent)."""
    return {n["op"]: n.get("nonfinite") for n in payload["nodes"]}


def test_eager_marks_the_producer_and_the_passers() -> None:
    x = vf.tensor([0.0, 1.0], requires_grad=True, name="x")
    out = (vf.log(x) * 2.0).exp().sum()  # log(0) = -inf is made here; exp(-inf) = 0
    payload = vf.show(out).payload
    validate_graph_payload(payload)
    marks = _marks(payload)
    assert marks["parameter"] is None
    assert marks["log"] == "produced"
    assert marks["mul"] == "passed"
    assert marks["exp"] is None and marks["sum"] is None  # the infinity was absorbed


def test_a_nan_scalar_loss_is_marked_even_though_its_count_is_one() -> None:
    x = vf.tensor([float("nan"), 1.0], requires_grad=True, name="x")
    payload = vf.show((x * 2.0).sum()).payload
    marks = _marks(payload)
    assert marks["parameter"] == "produced" and marks["sum"] == "passed"


def test_a_graph_shown_with_inputs_marks_nodes_from_the_run() -> None:
    g = Graph("g")
    x = g.placeholder("x", (2,))
    g.output((x.sqrt() + 1.0).relu())
    payload = vf.show(g, inputs=vf.tensor([-1.0, 4.0])).payload  # sqrt(-1) is NaN
    validate_graph_payload(payload)
    marks = _marks(payload)
    assert marks["placeholder"] is None
    assert marks["sqrt"] == "produced"
    assert marks["add"] == "passed" and marks["relu"] == "passed"
    fed_nan = vf.show(g, inputs=vf.tensor([float("nan"), 4.0])).payload
    assert _marks(fed_nan)["placeholder"] == "produced" and _marks(fed_nan)["sqrt"] == "passed"


def test_without_values_there_are_no_marks() -> None:
    g = Graph("g")
    g.output(g.placeholder("x", (2,)).sqrt())
    assert all("nonfinite" not in n for n in vf.show(g).payload["nodes"])


def test_a_nan_metric_travels_as_text_and_decodes_to_nan() -> None:
    x = vf.tensor([float("nan")], requires_grad=True, name="x")
    out = (x * x).sum()
    out.backward()  # x.grad = 2x is NaN: grad_norm is NaN
    viewer = vf.show(out)
    json.dumps(viewer.graph, allow_nan=False)  # raises on a bare NaN
    column = viewer.graph["nodes"]["metrics"]["grad_norm"]
    assert "NaN" in column
    validate_message("CompactGraph", viewer.graph)
    leaf = next(n for n in decode(viewer.graph)["nodes"] if n["op"] == "parameter")
    assert math.isnan(leaf["metrics"]["grad_norm"])


def test_compact_metrics_keep_infinities() -> None:
    payload = vf.show(vf.tensor([1.0], requires_grad=True, name="x") * 2.0).payload
    payload["nodes"][0]["metrics"]["bytes"] = math.inf
    payload["nodes"][1]["metrics"]["bytes"] = -math.inf
    compact = encode(payload)
    json.dumps(compact, allow_nan=False)
    assert decode(compact)["nodes"][0]["metrics"]["bytes"] == math.inf
    assert decode(compact)["nodes"][1]["metrics"]["bytes"] == -math.inf


def test_non_finite_params_and_stray_floats_become_text() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True, name="x")
    payload = vf.show(vf.clamp(x, min=-math.inf, max=math.nan)).payload
    json.dumps(payload, allow_nan=False)
    clamp = next(n for n in payload["nodes"] if n["op"] == "clamp")
    assert set(clamp["params"].values()) >= {"-Infinity", "NaN"}
    message = {"a": [1.0, math.inf], "b": {"c": -math.inf, "d": math.nan}, "e": "ok"}
    assert wire_safe(message) == {
        "a": [1.0, "Infinity"],
        "b": {"c": "-Infinity", "d": "NaN"},
        "e": "ok",
    }
    finite = {"a": [1.0, np.float32(2).item()]}
    assert wire_safe(finite) is finite
