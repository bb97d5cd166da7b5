"""Traced/built graphs become payloads too; `%load_ext vizflow` displays them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import vizflow as vf
from tests.kernelext.ipython_shell import suite_shell
from vizflow_engine.graph import Graph
from vizflow_kernelext.protocol import validate_graph_payload, validate_message


def _built_graph() -> Graph:
    g = Graph("layer")
    x = g.placeholder("x", ("batch", 3))
    w = g.variable("w", np.ones((3, 2), dtype=np.float32))
    g.output((x @ w).relu())
    return g


def test_graph_payload_keeps_symbolic_dims_and_leaf_kinds() -> None:
    viewer = vf.show(_built_graph())
    validate_graph_payload(viewer.payload)
    nodes = {node["op"]: node for node in viewer.nodes}
    assert {"placeholder", "variable", "matmul", "relu"} <= set(nodes)
    assert nodes["placeholder"]["shape"] == ["batch", 3]
    assert nodes["relu"]["shape"] == ["batch", 2]  # the named dim carries through
    assert "bytes" not in nodes["matmul"].get("metrics", {})  # unknown batch: size unknown
    assert viewer.payload["outputs"] == [nodes["relu"]["id"]]
    assert viewer.payload["op_docs"]["matmul"]["formula"]


def test_variable_values_are_inspectable() -> None:
    viewer = vf.show(_built_graph())
    w_id = next(n["id"] for n in viewer.nodes if n["op"] == "variable")
    body, _ = viewer.inspect(w_id)
    assert body["value"]["min"] == 1.0 and body["value"]["shape"] == [3, 2]


def _compiled_sgd_step(model: vf.nn.Module) -> Any:
    """A compiled training step of model on a squared-output loss (SGD, lr 0.1)."""
    opt = vf.optim.SGD(model.parameters(), lr=0.1)

    @vf.function
    def step(x: vf.Tensor) -> vf.Tensor:
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return step


def test_a_compiled_steps_gradient_stores_are_drawn_as_their_assign_nodes() -> None:
    """p.grad stores are written, never read: no stray leaf; the assign shows the gradient."""
    model = vf.nn.Linear(3, 2)
    step = _compiled_sgd_step(model)

    x = vf.tensor(np.ones((4, 3), dtype=np.float32))
    step(x)
    viewer = vf.show(step.graph(x))
    names = [n["name"] for n in viewer.nodes]
    assert not [n for n in names if n.endswith(".grad")], names
    assign = next(n for n in viewer.nodes if n["name"] == "weight.grad ←")
    targets = {e["target"] for e in viewer.payload["edges"]}
    assert assign["id"] in targets and assign["has_value"]
    body, _ = viewer.inspect(assign["id"])
    assert model.weight.grad is not None
    assert body["value"]["shape"] == [2, 3]
    assert body["value"]["max"] == pytest.approx(float(model.weight.grad.numpy().max()))


def test_a_graph_shown_with_inputs_has_node_times_and_values_and_trains_nothing() -> None:
    model = vf.nn.Linear(3, 2)
    step = _compiled_sgd_step(model)

    x = vf.tensor(np.arange(12.0, dtype=np.float32).reshape(4, 3))
    g = step.graph(x)
    before = model.weight.numpy().copy()
    viewer = vf.show(g, inputs=x)
    validate_graph_payload(viewer.payload)
    np.testing.assert_array_equal(model.weight.numpy(), before)  # showing is not a step
    assert {"name": "time", "label": "Time", "unit": "µs"} in viewer.payload["metrics"]
    steps = ("forward", "backward", "update")
    ops = [n for n in viewer.nodes if n["phase"] in steps and n["op"] not in ("assign", "variable")]
    assert ops and all(n["metrics"]["time"] > 0 and n["has_value"] for n in ops)
    linear = next(n for n in viewer.nodes if n["op"] == "linear")
    body, _ = viewer.inspect(linear["id"])
    want = x.numpy() @ before.T + model.bias.numpy()
    assert body["value"]["shape"] == [4, 2]
    assert body["value"]["max"] == pytest.approx(float(want.max()), rel=1e-6)
    with pytest.raises(TypeError, match="takes 1 inputs"):
        vf.show(g, inputs=(x, x))


def test_compare_shows_two_graphs() -> None:
    x = vf.tensor([1.0, 2.0], requires_grad=True, name="x")
    viewer = vf.show((x * 2.0).sum(), compare=_built_graph())
    assert viewer.compare is not None and viewer.compare["title"] == "layer"


def test_a_compared_graph_keeps_its_own_name_and_title_heads_the_pair() -> None:
    before = _built_graph()
    after, _ = vf.optimize(before)
    viewer = vf.show(before, compare=after, title="before / after vf.optimize")
    assert viewer.title == "before / after vf.optimize"
    assert viewer.graph["title"] == "layer"  # not overwritten by title=
    assert viewer.compare is not None and viewer.compare["title"] == after.name
    bundle = viewer._repr_mimebundle_()
    data = bundle["application/vnd.vizflow.graph+json"]
    validate_message("GraphMimeBundle", data)
    assert data["title"] == "before / after vf.optimize"
    assert "before / after vf.optimize" in bundle["text/plain"]
    # One graph: title= names it, as before.
    single = vf.show(before, title="my layer")
    assert single.graph["title"] == "my layer" and single.title == "my layer"


def test_load_ext_displays_tensors_and_graphs_as_viewers() -> None:
    ip = suite_shell()
    ip.run_line_magic("load_ext", "vizflow")
    try:
        formatter = ip.display_formatter.ipython_display_formatter
        assert type(vf.tensor(1.0)) in formatter.type_printers
        assert Graph in formatter.type_printers
        assert vf.nn.Module in formatter.type_printers
    finally:
        ip.run_line_magic("unload_ext", "vizflow")
    assert vf.Tensor not in ip.display_formatter.ipython_display_formatter.type_printers


def test_show_explains_what_it_accepts() -> None:
    with pytest.raises(TypeError, match="pass a vizflow Tensor"):
        vf.show({"not": "a graph"})


def test_a_module_is_traced_on_example_inputs_with_its_scopes() -> None:
    model = vf.nn.Sequential(vf.nn.Linear(3, 4), vf.nn.ReLU(), vf.nn.Linear(4, 2))
    viewer = vf.show(model, inputs=vf.randn(5, 3))
    assert viewer.payload["title"] == "Sequential"
    scopes = {node["scope"] for node in viewer.nodes if node["phase"] == "forward"}
    assert scopes == {"0", "1", "2"}
    with pytest.raises(TypeError, match="needs example inputs"):
        vf.show(model)


def test_a_called_module_remembers_its_signature_and_displays_its_graph() -> None:
    from vizflow_kernelext.ipython import module_viewer

    model = vf.nn.Sequential(vf.nn.Linear(3, 4), vf.nn.ReLU())
    assert model.last_signature is None and module_viewer(model) is None
    model(vf.randn(5, 3))
    assert model.last_signature == (((5, 3), np.dtype("float32")),)
    assert model[0].last_signature is None  # only top-level calls are remembered
    viewer = module_viewer(model)
    assert isinstance(viewer, vf.GraphViewer)
    assert {n["op"] for n in viewer.nodes} >= {"placeholder", "linear", "relu"}
    assert next(n for n in viewer.nodes if n["op"] == "placeholder")["shape"] == [5, 3]
