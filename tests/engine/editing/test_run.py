"""Running and training from the editor's model: values on every node, run-to-a-node, states
(valid, executed, stale after an upstream change or training), inputs checked, loss falls."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from tests.engine.editing.graphs import mlp_document
from vizflow_engine.editing import (
    EditError,
    apply_step,
    from_graph,
    infer_all,
    node_states,
    run,
    train,
)
from vizflow_engine.editing.states import RunRecord


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    return {"x": x, "y": (x[:, 0] > 0).astype(np.int64)}


def test_run_gives_every_node_a_value_and_states_follow_edits() -> None:
    doc, ids = mlp_document()
    record = run(doc, data())
    assert record.values[ids["logits"]].shape == (32, 3)
    states = node_states(doc, infer_all(doc), record)
    assert set(states.values()) == {"executed"}
    apply_step(doc, [{"cmd": "set_param", "node": ids["b1"], "param": "init", "value": "ones"}])
    states = node_states(doc, infer_all(doc), record)
    assert states[ids["x"]] == "executed" and states[ids["h"]] == "executed"
    assert states[ids["b1"]] == states[ids["a"]] == states[ids["loss"]] == "stale"
    assert node_states(doc, infer_all(doc), RunRecord())[ids["h"]] == "valid"


def test_run_until_a_node_runs_only_what_it_needs() -> None:
    doc, ids = mlp_document()
    record = run(doc, {}, until=ids["r"])
    assert set(record.values) == {ids["x"], ids["w1"], ids["h"], ids["b1"], ids["a"], ids["r"]}
    assert record.values[ids["x"]].shape == (2, 4)  # random, named dims as 2


def test_inputs_must_fit_the_declared_shape() -> None:
    doc, _ = mlp_document()
    with pytest.raises(
        EditError, match=r"input 'x' is declared \('batch', 4\) but was given shape \(3, 5\)"
    ):
        run(doc, {"x": np.zeros((3, 5), np.float32)})


def test_training_lowers_the_loss_and_marks_values_stale() -> None:
    doc, ids = mlp_document()
    record = run(doc, data())
    seen: list[tuple[int, float]] = []
    losses = train(doc, ids["loss"], "adam", 0.05, 20, data(), lambda k, v: seen.append((k, v)))
    assert len(losses) == 20 and losses[-1] < 0.5 * losses[0]
    assert [k for k, _ in seen] == list(range(1, 21))
    assert node_states(doc, infer_all(doc), record)[ids["loss"]] == "stale"
    again = run(doc, data())
    assert float(again.values[ids["loss"]]) < losses[0]


def test_training_a_traced_model_updates_its_live_parameters() -> None:
    model = vf.nn.Linear(4, 3)
    g = vf.trace(
        lambda x, y: vf.nn.functional.cross_entropy(model(x), y),
        vf.spec(("batch", 4)),
        vf.spec(("batch",), "int64"),
    )
    doc = from_graph(g)
    before = model.weight.numpy().copy()
    loss = doc.by_name(g.outputs[0].name).id
    train(doc, loss, "sgd", 0.5, 5, data())
    assert not np.array_equal(model.weight.numpy(), before)


def test_training_refuses_a_non_scalar_loss_and_a_graph_without_variables() -> None:
    doc, ids = mlp_document()
    with pytest.raises(EditError, match="must be a scalar"):
        train(doc, ids["logits"], "sgd", 0.1, 1, {})
    with pytest.raises(EditError, match="optimizer must be one of"):
        train(doc, ids["loss"], "lbfgs", 0.1, 1, {})


def test_a_model_that_goes_nan_reports_nan_losses() -> None:
    doc, ids = mlp_document()
    losses = train(doc, ids["loss"], "sgd", 1e30, 3, data())
    assert not np.isfinite(losses[-1])
