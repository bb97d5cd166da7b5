"""A traced training step's update: optimiser state named after what it is, drawn in the
update phase, and every update node linked to the variable it writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import vizflow as vf
import vizflow.nn.functional as F
from vizflow import nn
from vizflow_kernelext.payload.compact import decode, encode
from vizflow_kernelext.protocol import validate_graph_payload, validate_message

PARAMS = ("0.weight", "0.bias", "2.weight", "2.bias")


def _step_graph(make_opt: Callable[[Any], Any]) -> dict[str, Any]:
    """The shown graph of tutorial 02's step on a 2-layer MLP."""
    vf.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = make_opt(model.parameters())

    @vf.function
    def train_step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    xb, yb = vf.randn(5, 4), vf.tensor([0, 1, 2, 0, 1])
    train_step(xb, yb)
    payload: dict[str, Any] = vf.show(train_step.graph(xb, yb)).payload
    validate_graph_payload(payload)
    return payload


def _sgd(params: Any) -> Any:
    return vf.optim.SGD(params, lr=0.1, momentum=0.9)


def _adam(params: Any) -> Any:
    return vf.optim.Adam(params, lr=0.01)


@pytest.mark.parametrize(
    ("make_opt", "state", "scalar"),
    [(_sgd, ("momentum_buffer", "step"), "sgd.lr"), (_adam, ("exp_avg", "exp_avg_sq"), "adam.lr")],
)
def test_optimiser_state_is_named_and_in_the_update_phase(
    make_opt: Callable[[Any], Any], state: tuple[str, ...], scalar: str
) -> None:
    payload = _step_graph(make_opt)
    variables = {n["name"]: n for n in payload["nodes"] if n["op"] == "variable"}
    assert not [name for name in variables if name.startswith("var")]
    want = {f"{p}.{s}" for p in PARAMS for s in state} | {scalar}
    assert want <= set(variables)
    assert all(variables[name]["phase"] == "update" for name in want)
    assert all(variables[p]["phase"] == "input" for p in PARAMS)  # read by the forward pass


@pytest.mark.parametrize("make_opt", [_sgd, _adam])
def test_each_update_node_links_the_variable_it_writes(make_opt: Callable[[Any], Any]) -> None:
    payload = _step_graph(make_opt)
    by_id = {n["id"]: n for n in payload["nodes"]}
    updates = [n for n in payload["nodes"] if n["phase"] == "update" and n["op"] != "variable"]
    assert updates and all("updates" in n for n in updates)
    written = {by_id[n["updates"]]["name"] for n in updates if not n["name"].endswith(".grad ←")}
    assert written == set(PARAMS)  # one optimiser update per parameter
    grads = {n["name"]: by_id[n["updates"]]["name"] for n in updates if n["op"] == "assign"}
    assert grads == {f"{p}.grad ←": p for p in PARAMS}  # a .grad is placed by its parameter
    compact = encode(payload)
    validate_message("CompactGraph", compact)
    assert decode(compact) == payload
