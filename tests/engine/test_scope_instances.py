"""Repeated module calls within one call of the top-level module run in numbered scopes
(one group per RNN time step), eagerly and traced, afresh on every top-level call."""

from __future__ import annotations

from typing import Any

import vizflow as vf
from vizflow import nn
from vizflow_engine.scope import numbered_scopes

STEPS = 7


class Loop(nn.Module):
    """An RNN written as a cell called in a Python loop, then a head called once."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.RNNCell(3, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, x: Any) -> Any:
        h = None
        for t in range(STEPS):
            h = self.cell(x[t], h)
        return self.head(h)


class TwoSequences(nn.Module):
    """A looping RNN module called twice, each call looping over its cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = Loop()

    def forward(self, x: Any) -> Any:
        return self.rnn(x) + self.rnn(x * 2.0)


class StackedCells(nn.Module):
    """Two LSTM cells per time step (num_layers=2 written out), over seven steps."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.LSTMCell(3, 4), nn.LSTMCell(4, 4)])

    def forward(self, x: Any) -> Any:
        states: list[Any] = [None, None]
        for t in range(STEPS):
            inp = x[t]
            for k, cell in enumerate(self.layers):
                states[k] = cell(inp, states[k])
                inp = states[k][0]
        return inp


def _eager_scopes(out: vf.Tensor) -> set[str]:
    """Scope of every recorded node of out's history."""
    seen: set[str] = set()
    stack = [out]
    done: set[int] = set()
    while stack:
        t = stack.pop()
        if t.node is None or id(t.node) in done:
            continue
        done.add(id(t.node))
        seen.add(t.node.scope or "")
        stack.extend(x for x in t.node.inputs if isinstance(x, vf.Tensor))
    return seen


def _shown(scopes: set[str]) -> set[str]:
    return set(numbered_scopes(scopes).values())


def _cells(prefix: str = "") -> set[str]:
    return {f"{prefix}cell[{k}]" for k in range(STEPS)}


def test_a_cell_called_in_a_loop_is_one_numbered_scope_per_step() -> None:
    x = vf.randn(STEPS, 2, 3)
    assert _shown(_eager_scopes(Loop()(x).sum())) == {"", "head"} | _cells()


def test_a_second_iteration_is_numbered_from_zero_again() -> None:
    model = Loop()
    x = vf.randn(STEPS, 2, 3)
    model(x).sum().backward()
    assert _shown(_eager_scopes(model(x).sum())) == {"", "head"} | _cells()


def test_traced_graphs_number_the_steps_too() -> None:
    model = Loop()
    x = vf.randn(STEPS, 2, 3)
    g = vf.trace(model, x)
    assert _shown({n.scope or "" for n in g.nodes}) == {"", "head"} | _cells()
    again = vf.trace(model, x)
    assert {n.scope for n in again.nodes} == {n.scope for n in g.nodes}


def test_numbering_nests() -> None:
    x = vf.randn(STEPS, 2, 3)
    want = {"", "rnn[0]/head", "rnn[1]/head"} | _cells("rnn[0]/") | _cells("rnn[1]/")
    assert _shown(_eager_scopes(TwoSequences()(x).sum())) == want


def test_stacked_cells_over_seven_steps() -> None:
    x = vf.randn(STEPS, 2, 3)
    shown = _shown(_eager_scopes(StackedCells()(x).sum()))
    assert {f"layers/{k}[{t}]" for k in (0, 1) for t in range(STEPS)} <= shown
    assert "layers/0" not in shown and "layers/1" not in shown


def test_a_module_called_once_keeps_its_plain_name() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    out = model(vf.randn(2, 3)).sum()
    assert _shown(_eager_scopes(out)) == {"", "0", "1", "2"}


def test_calls_outside_a_top_level_module_are_not_numbered() -> None:
    model = Loop()
    h = None
    x = vf.randn(STEPS, 2, 3)
    for t in range(STEPS):
        h = model.cell(x[t], h)
    assert _eager_scopes(h.sum()) - {""} == {"cell"}


def test_numbered_scopes_renames_only_first_instances() -> None:
    recorded = ["a/cell", "a/cell[1]", "a/cell/lin", "a/head", "b"]
    assert numbered_scopes(recorded) == {
        "a/cell": "a/cell[0]",
        "a/cell[1]": "a/cell[1]",
        "a/cell/lin": "a/cell[0]/lin",
        "a/head": "a/head",
        "b": "b",
    }
