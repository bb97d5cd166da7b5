"""Inspector replies say where a value comes from (recorded by the run, or a leaf's current
value) and whether the tensor changed since the viewer was built."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow as vf
from vizflow_engine.graph import Graph
from vizflow_kernelext import GraphViewer
from vizflow_kernelext.protocol import validate_message


def _ask(viewer: GraphViewer, node_id: str) -> dict[str, Any]:
    """The InspectReply the browser would get, validated."""
    request = {"kind": "inspect", "request_id": 1, "node_id": node_id}
    reply, _ = viewer._answer_inspect(request, [])
    validate_message("InspectReply", reply)
    return reply


def _node(viewer: GraphViewer, op: str) -> str:
    return next(n["id"] for n in viewer.nodes if n["op"] == op)


def test_eager_leaves_are_current_and_ops_recorded() -> None:
    w = vf.tensor([1.0, -2.0], requires_grad=True, name="w")
    viewer = vf.show((w * 3.0).relu().sum())
    leaf, op = _ask(viewer, _node(viewer, "parameter")), _ask(viewer, _node(viewer, "mul"))
    assert leaf["value_source"] == "current" and op["value_source"] == "recorded"
    assert not leaf["changed_since_recorded"] and not op["changed_since_recorded"]


def test_a_parameter_updated_after_showing_is_flagged() -> None:
    model = vf.nn.Linear(3, 2)
    opt = vf.optim.SGD(model.parameters(), lr=0.5)
    loss = model(vf.randn(4, 3)).sum()
    loss.backward()
    viewer = vf.show(loss)
    weight = next(n["id"] for n in viewer.nodes if n["name"] == "weight")
    linear = _node(viewer, "linear")
    assert not _ask(viewer, weight)["changed_since_recorded"]
    opt.step()
    assert _ask(viewer, weight)["changed_since_recorded"]
    assert _ask(viewer, weight)["value_source"] == "current"
    assert not _ask(viewer, linear)["changed_since_recorded"]  # its output was not written


def test_a_graph_run_with_inputs_has_recorded_op_values_and_current_variables() -> None:
    g = Graph("layer")
    x = g.placeholder("x", (2, 3))
    g.output((x @ g.variable("w", np.ones((3, 2), dtype=np.float32))).relu())
    viewer = vf.show(g, inputs=vf.ones(2, 3))
    assert _ask(viewer, _node(viewer, "relu"))["value_source"] == "recorded"
    assert _ask(viewer, _node(viewer, "placeholder"))["value_source"] == "recorded"
    assert _ask(viewer, _node(viewer, "variable"))["value_source"] == "current"


def test_a_node_without_a_value_has_no_source() -> None:
    g = Graph("layer")
    g.output(g.placeholder("x", (2,)).relu())
    viewer = vf.show(g)
    reply = _ask(viewer, _node(viewer, "relu"))
    assert reply["value"] is None and reply["value_source"] is None


def test_height_is_auto_unless_given() -> None:
    x = vf.tensor([1.0], requires_grad=True)
    assert vf.show(x * 2.0).height == "auto"
    assert vf.show(x * 2.0, height="300px").height == "300px"


def test_any_in_place_write_after_showing_is_flagged_even_to_the_same_values() -> None:
    w = vf.tensor([1.0, -2.0], requires_grad=True, name="w")
    b = vf.tensor([0.5, 0.5], requires_grad=True, name="b")
    viewer = vf.show((w * b).sum())
    w_id = next(n["id"] for n in viewer.nodes if n["name"] == "w")
    b_id = next(n["id"] for n in viewer.nodes if n["name"] == "b")
    w.data.add_(0.0)  # the values stay, but a write happened (as torch's t._version says)
    b.data[0] = 0.5
    assert _ask(viewer, w_id)["changed_since_recorded"]
    assert _ask(viewer, b_id)["changed_since_recorded"]


def test_a_compiled_training_step_after_showing_is_flagged() -> None:
    model = vf.nn.Linear(3, 2)
    opt = vf.optim.Adam(model.parameters(), lr=0.1)

    @vf.function
    def step(x: vf.Tensor) -> vf.Tensor:
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss

    xb = vf.randn(4, 3)
    viewer = vf.show(model(xb).sum())
    weight = next(n["id"] for n in viewer.nodes if n["name"] == "weight")
    assert not _ask(viewer, weight)["changed_since_recorded"]
    step(xb)
    assert _ask(viewer, weight)["changed_since_recorded"]
