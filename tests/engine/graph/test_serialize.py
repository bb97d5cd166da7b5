"""File format round trip, schema, loading without code, networkx/dot/text views, from_tensor."""

from __future__ import annotations

import json

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph, GraphError, grad_graph, schema, spec, trace, verify

from .models import cross_entropy, mlp, mlp_params


def _graph():
    params = mlp_params((4, 5, 3))

    def f(x, y):
        h = mlp(params, x)
        z = h[:, 1:] * np.float64(2.0) + vf.where(h > 0, h, float("-inf")).max(
            axis=1, keepdims=True
        )
        return cross_entropy(h, y) + z.sum() * 0.0

    return grad_graph(trace(f, spec((3, 4), "float64"), spec((3, 3), "float64")))


def test_round_trip_is_lossless(tmp_path):
    g = _graph()
    doc = g.to_json()
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(doc, schema())
    text = json.dumps(doc)
    g.save(str(tmp_path / "g"))
    g2 = Graph.load(str(tmp_path / "g"))
    verify(g2)
    assert json.dumps(g2.to_json()) == text
    assert str(g2) == str(g)
    for a, b in zip(g.nodes, g2.nodes, strict=True):
        assert (a.name, a.scope, a.phase, a.source) == (b.name, b.scope, b.phase, b.source)
        assert (a.forward_of is None) == (b.forward_of is None)
    r = np.random.default_rng(0)
    feeds = [r.standard_normal((3, 4)), np.eye(3)]
    for a, b in zip(g.compile().run(*feeds), g2.compile().run(*feeds), strict=True):
        np.testing.assert_array_equal(a, b)


def test_loading_refuses_pickles_and_other_versions(tmp_path):
    g = _graph()
    g.save(str(tmp_path / "g"))
    obj = np.array([{"evil": 1}], dtype=object)
    np.save(tmp_path / "bad.npy", obj, allow_pickle=True)
    np.savez(
        tmp_path / "p.npz",
        **{k: obj for k in np.load(tmp_path / "g.npz", allow_pickle=False).files},
    )
    doc = json.loads((tmp_path / "g.json").read_text())
    with pytest.raises(ValueError, match="pickle"):
        Graph.from_json(doc, str(tmp_path / "p.npz"))
    doc["version"] = 99
    with pytest.raises(ValueError, match="version 99"):
        Graph.from_json(doc, str(tmp_path / "g.npz"))


def test_text_networkx_and_dot_views():
    g = _graph()
    text = str(g)
    assert text.startswith("{ lambda ") and "matmul" in text and "# layer0" in text
    assert "backward" in text
    G = g.to_networkx()
    import networkx as nx

    assert nx.is_directed_acyclic_graph(G)
    assert G.number_of_nodes() == len(g.nodes) + len(g.inputs) + len(g.variables) + len(g.constants)
    dot = g.to_dot()
    assert dot.startswith("digraph") and "cluster_" in dot and '"layer0"' in dot


def test_verifier_names_the_node_for_dangling_inputs_and_bad_types():
    g = Graph()
    x = g.placeholder("x", (2, 3))
    y = vf.exp(x)
    g.output(y)
    other = Graph().placeholder("z", (2, 3))
    g.nodes[0].inputs = (other,)
    with pytest.raises(GraphError, match=r"node .exp.*another graph"):
        verify(g)
    g2 = Graph()
    a = g2.placeholder("a", (2, 3))
    b = vf.exp(a)
    c = vf.sin(b)
    g2.output(c)
    g2.nodes.reverse()  # sin before exp: its input is not computed yet
    with pytest.raises(GraphError, match=r"node .sin.*dangling input or a cycle"):
        verify(g2)
    g3 = Graph()
    p = g3.placeholder("p", (2, 3))
    q = vf.exp(p)
    g3.output(q)
    q.shape = (3, 2)
    with pytest.raises(GraphError, match="node 'exp': output shape"):
        verify(g3)


def test_from_tensor_gives_the_same_tools_for_eager_history():
    params = mlp_params((4, 5, 3))
    x = vf.tensor(np.random.default_rng(0).standard_normal((2, 4)))
    loss = mlp(params, x).sum()
    g = verify(Graph.from_tensor(loss))
    assert [n.op.name for n in g.nodes][:2] == ["matmul", "add"]
    assert {n.scope for n in g.nodes} == {"", "layer0", "layer1"}
    assert len(g.variables) == 4 and g.variables[0].tensor is params[0]
    np.testing.assert_allclose(g.compile().run()[0], loss.numpy())
    gg = verify(grad_graph(g))
    loss.backward()
    np.testing.assert_allclose(gg.compile().run()[1], params[0].grad.numpy())
