"""Graph.value(name) uses an index that follows adds, renames, replacements and removals."""

from __future__ import annotations

import time

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph


def _chain(n: int) -> Graph:
    g = Graph("chain")
    x = g.placeholder("x", (4,), "float64")
    for _ in range(n):
        x = vf.exp(x)
    g.output(x)
    return g


def _scan(g: Graph, name: str) -> object:
    """The first value called name, by a plain scan (what value() must agree with)."""
    return next(v for v in g.all_values() if v.name == name)


def test_value_finds_every_kind():
    g = _chain(3)
    w = g.variable("w", np.ones(4))
    c = g.constant(np.ones(4), "c")
    assert g.value("x") is g.inputs[0]
    assert g.value("w") is w
    assert g.value("c") is c
    assert g.value("exp_2") is g.out[g.nodes[2]]
    with pytest.raises(KeyError, match="no value named 'nope'"):
        g.value("nope")


def test_value_follows_added_values():
    g = _chain(2)
    g.value("exp")  # builds the index
    y = vf.exp(g.outputs[0])
    v = g.variable("late", np.ones(4))
    assert g.value(y.name) is y
    assert g.value("late") is v


def test_value_follows_renames():
    g = _chain(3)
    v = g.value("exp_1")
    v.name = "renamed"
    assert g.value("renamed") is v
    with pytest.raises(KeyError):
        g.value("exp_1")
    g.inputs[0].name = "exp_1"  # an old name taken by another value
    assert g.value("exp_1") is g.inputs[0]


def test_value_follows_replaced_and_removed_values():
    g = _chain(3)
    old = g.value("exp_2")
    new = vf.exp(g.value("exp"))
    new.name = "exp_2_again"
    g.redirect(old, new)  # the node list is the same length; a hit is checked where it was
    assert g.value("exp") is _scan(g, "exp")
    del g.nodes[2]  # removed: the name is gone
    with pytest.raises(KeyError):
        g.value("exp_2")
    g.nodes = list(g.nodes)  # the list replaced by a copy
    assert g.value("exp_1") is _scan(g, "exp_1")


def test_value_replaced_at_same_position():
    g = Graph()
    a = g.placeholder("a", (2,))
    b = g.placeholder("b", (2,))
    assert g.value("b") is b
    g.inputs[1] = a  # same length, another value in b's place
    with pytest.raises(KeyError):
        g.value("b")
    assert g.value("a") is a


def test_value_is_not_a_scan_per_call():
    g = _chain(10_000)
    names = [g.out[n].name for n in g.nodes[-200:]]
    g.value(names[0])
    t0 = time.perf_counter()
    for name in names * 10:
        g.value(name)
    per_call = (time.perf_counter() - t0) / (len(names) * 10)
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} µs per lookup in a 10,000-node chain"
