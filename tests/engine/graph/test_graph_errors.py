"""Audit regressions besides in-place ops: errors that say what to do, and -(-x) simplified."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.errors import ShapeError
from vizflow_engine.graph import PASSES, Graph, specialize, verify
from vizflow_engine.graph.serialize import arrays_of


def test_simplify_removes_double_negation():
    g = Graph()
    x = g.placeholder("x", (3, 4), "float64")
    minus_x = vf.neg(x)
    g.output(vf.exp(vf.neg(minus_x)), vf.neg(vf.neg(minus_x)))
    new = verify(PASSES["dce"](PASSES["simplify"](g)))
    assert [n.op.name for n in new.nodes] == ["exp", "neg"]
    xv = np.random.default_rng(0).standard_normal((3, 4))
    for a, b in zip(g(xv), new(xv), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def _mnist_like() -> Graph:
    g = Graph("mnist")
    x = g.placeholder("x", (None, 784))
    w = g.variable("W", np.full((784, 10), 0.01, np.float32))
    g.output(vf.relu(x @ w + g.constant(np.ones(10, np.float32), "b")))
    return g


def test_from_json_without_arrays_names_the_missing_values_and_the_fix():
    g = _mnist_like()
    with pytest.raises(ValueError, match=r"variable 'W'.*constant 'b'.*Graph\.load") as err:
        Graph.from_json(g.to_json())
    assert "KeyError" not in repr(err.value)
    back = Graph.from_json(g.to_json(), arrays_of(g))
    xv = np.ones((2, 784), np.float32)
    np.testing.assert_allclose(back(xv)[0], g(xv)[0])


def test_specialize_takes_a_dict_by_input_name():
    g = _mnist_like()
    by_name = specialize(g, {"x": (8, 784)})
    by_order = specialize(g, [(8, 784)])
    assert by_name.inputs[0].shape == by_order.inputs[0].shape == (8, 784)
    assert by_name.outputs[0].shape == (8, 10)
    assert specialize(g, {}).inputs[0].shape == (None, 784)  # inputs left out keep theirs


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        ({"y": (8, 784)}, r"no input named 'y'; its inputs are \['x'\]"),
        ({"x": (8,)}, "the input has 2 dims .* the shape given has 1"),
        ([(8, 785)], "dim 1 of the input is fixed at 784"),
        ([(8, 784), (1,)], r"takes inputs \[.x.\], got 2 shapes"),
        ({"x": (None, 784)}, "non-negative ints"),
    ],
)
def test_specialize_errors_say_what_is_wrong(shapes, message):
    with pytest.raises(ShapeError, match=message):
        specialize(_mnist_like(), shapes)
