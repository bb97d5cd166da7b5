"""Property: for any sequence of edits, each step's inverse gives back an equal document and
its redo the same document again (ids included); a refused step changes nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.editing.graphs import mlp_document
from tests.engine.editing.test_commands import snapshot
from vizflow_engine.editing import Document, EditError, apply_step
from vizflow_engine.editing.records import edge_record, node_record

OPS = ["tanh", "relu", "add", "matmul", "sum", "reshape", "concatenate"]
KINDS = [
    "add_node", "connect", "disconnect", "set_param", "rename", "delete", "move", "group",
    "ungroup", "set_group_parent", "set_collapsed", "paste", "set_outputs", "add_layer",
]  # fmt: skip


def command(doc: Document, data: st.DataObject) -> dict[str, Any]:
    """A random command over what the document holds now (some will be refused)."""
    nodes = sorted(doc.nodes) or ["none"]
    groups = sorted(doc.groups) or ["none"]
    pick = lambda xs: data.draw(st.sampled_from(xs))  # noqa: E731
    kind = pick(KINDS)
    xy = {"x": data.draw(st.integers(-500, 500)), "y": data.draw(st.integers(-500, 500))}
    if kind == "add_node":
        leaf = data.draw(st.booleans())
        if leaf:
            return {"cmd": kind, "kind": "variable", "params": {"shape": [2, 2]}, "position": xy}
        return {"cmd": kind, "kind": "op", "op": pick(OPS), "position": xy}
    if kind == "connect":
        return {"cmd": kind, "source": pick(nodes), "source_port": 0, "target": pick(nodes),
                "target_port": data.draw(st.integers(0, 2))}  # fmt: skip
    if kind == "disconnect":
        return {"cmd": kind, "edge": pick(sorted(doc.edges) or ["none"])}
    if kind == "set_param":
        return {"cmd": kind, "node": pick(nodes), "param": pick(["shape", "axis", "init"]),
                "value": pick([[2, 2], 0, None, "normal", [4, 8]])}  # fmt: skip
    if kind == "rename":
        return {"cmd": kind, "node": pick(nodes), "name": pick(["a", "b", "h", "x\n'\""])}
    if kind == "delete":
        some = data.draw(st.lists(st.sampled_from(nodes), max_size=3, unique=True))
        return {
            "cmd": kind,
            "nodes": some,
            "groups": data.draw(st.lists(st.sampled_from(groups), max_size=1)),
        }
    if kind == "move":
        return {"cmd": kind, "positions": {pick(nodes): xy}}
    if kind == "group":
        some = data.draw(st.lists(st.sampled_from(nodes), max_size=3, unique=True))
        return {"cmd": kind, "nodes": some, "name": pick(["blk", "layer"])}
    if kind in ("ungroup", "set_collapsed"):
        return {"cmd": kind, "group": pick(groups), "collapsed": data.draw(st.booleans())}
    if kind == "set_group_parent":
        return {"cmd": kind, "group": pick(groups), "parent": pick([*groups, None])}
    if kind == "paste":
        chosen = set(data.draw(st.lists(st.sampled_from(nodes), max_size=3, unique=True)))
        fragment = {
            "nodes": [node_record(doc, doc.nodes[i]) for i in chosen if i in doc.nodes],
            "edges": [
                edge_record(e)
                for e in doc.edges.values()
                if e.source in chosen and e.target in chosen
            ],
            "groups": [],
        }
        return {"cmd": kind, "fragment": fragment, "offset": xy}
    if kind == "set_outputs":
        return {"cmd": kind, "outputs": data.draw(st.lists(st.sampled_from(nodes), max_size=2))}
    return {
        "cmd": kind,
        "layer": pick(["Linear", "ReLU"]),
        "args": pick([{}, {"in_features": 8, "out_features": 2}]),
        "position": xy,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edit_sequences_undo_and_redo_exactly(data: st.DataObject) -> None:
    doc, _ = mlp_document()
    for _ in range(data.draw(st.integers(1, 12))):
        batch = [command(doc, data) for _ in range(data.draw(st.integers(1, 3)))]
        before = snapshot(doc)
        try:
            step = apply_step(doc, batch)
        except EditError:
            assert snapshot(doc) == before
            continue
        after = snapshot(doc)
        apply_step(doc, step.inverse)
        assert snapshot(doc) == before
        apply_step(doc, step.redo)
        assert snapshot(doc) == after
