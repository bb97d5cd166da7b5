"""Commands and their inverses: every command undone by its inverse gives back an equal
document, redo gives the same ids, a failing step changes nothing, hostile input is refused
with a reason."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.engine.editing.graphs import add, mlp_document, pos, wire
from vizflow_engine.editing import Document, EditError, apply_step, dumps


def snapshot(doc: Document) -> tuple[str, dict[str, bytes]]:
    text, arrays = dumps(doc)
    return text, {k: np.asarray(v).tobytes() for k, v in arrays.items()}


def roundtrip(doc: Document, commands: list[dict[str, Any]]) -> None:
    """Apply, undo (equal to before), redo (equal to after, same ids)."""
    before = snapshot(doc)
    step = apply_step(doc, commands)
    after = snapshot(doc)
    apply_step(doc, step.inverse)
    assert snapshot(doc) == before
    apply_step(doc, step.redo)
    assert snapshot(doc) == after


def test_add_connect_and_their_inverses() -> None:
    doc, ids = mlp_document()
    roundtrip(doc, [{"cmd": "add_node", "kind": "op", "op": "tanh", "position": pos(5, 5)}])
    roundtrip(doc, [{"cmd": "disconnect", "edge": next(iter(doc.edges))}])
    roundtrip(doc, [{"cmd": "connect", "source": ids["a"], "source_port": 0,
                     "target": ids["r"], "target_port": 0}])  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        {"cmd": "set_param", "node": "h", "param": "shape", "value": [4, 9]},
        {"cmd": "rename", "node": "h", "name": "hidden"},
        {"cmd": "move", "positions": {"h": {"x": 10, "y": -3.5}}},
        {"cmd": "delete", "nodes": ["h", "r"]},
        {"cmd": "group", "nodes": ["h", "a"], "name": "layer1"},
        {"cmd": "set_outputs", "outputs": ["loss", "logits"]},
        {
            "cmd": "add_layer",
            "layer": "Linear",
            "args": {"in_features": 8, "out_features": 2},
            "position": {"x": 0, "y": 0},
        },
    ],
)
def test_each_command_is_undone_exactly(command: dict[str, Any]) -> None:
    doc, ids = mlp_document()
    resolved = {k: ids.get(v, v) if isinstance(v, str) and k != "cmd" and k != "name" else v
                for k, v in command.items()}  # fmt: skip
    if command["cmd"] == "set_param":
        resolved["node"] = ids["w1"]
    if "nodes" in command:
        resolved["nodes"] = [ids[n] for n in command["nodes"]]
    if "positions" in command:
        resolved["positions"] = {ids[k]: v for k, v in command["positions"].items()}
    if "outputs" in command:
        resolved["outputs"] = [ids[n] for n in command["outputs"]]
    roundtrip(doc, [resolved])


def test_groups_nest_collapse_ungroup_and_undo() -> None:
    doc, ids = mlp_document()
    inner = apply_step(doc, [{"cmd": "group", "nodes": [ids["h"]], "name": "inner"}])
    gi = inner.created["groups"][0]
    outer = apply_step(doc, [{"cmd": "group", "nodes": [ids["a"]], "groups": [gi],
                              "name": "outer"}])  # fmt: skip
    go = outer.created["groups"][0]
    assert doc.groups[gi].parent == go and doc.scope_of(doc.nodes[ids["h"]].group) == "outer/inner"
    roundtrip(doc, [{"cmd": "set_collapsed", "group": gi, "collapsed": True}])
    roundtrip(doc, [{"cmd": "rename_group", "group": gi, "name": "renamed"}])
    roundtrip(doc, [{"cmd": "set_group_parent", "group": gi, "parent": None}])
    with pytest.raises(EditError, match="nested in itself"):
        apply_step(doc, [{"cmd": "set_group_parent", "group": go, "parent": go}])
    apply_step(doc, [{"cmd": "set_group_parent", "group": gi, "parent": go}])
    with pytest.raises(EditError, match="nested in itself"):
        apply_step(doc, [{"cmd": "set_group_parent", "group": go, "parent": gi}])
    roundtrip(doc, [{"cmd": "delete", "nodes": [], "groups": [go]}])  # ends deleted
    assert ids["h"] not in doc.nodes and gi not in doc.groups


def test_grouping_nodes_from_different_groups_is_undone_exactly() -> None:
    doc, ids = mlp_document()
    g1 = apply_step(doc, [{"cmd": "group", "nodes": [ids["h"]], "name": "a"}]).created["groups"][0]
    apply_step(doc, [{"cmd": "group", "nodes": [ids["r"]], "name": "b"}])
    roundtrip(doc, [{"cmd": "group", "nodes": [ids["h"], ids["r"], ids["x"]], "groups": [g1],
                     "name": "all"}])  # fmt: skip


def test_paste_keeps_inner_links_and_drops_outer_ones() -> None:
    doc, ids = mlp_document()
    step = apply_step(doc, [{"cmd": "group", "nodes": [ids["h"], ids["a"]], "name": "layer"}])
    gid = step.created["groups"][0]
    copied = apply_step(doc, [{"cmd": "delete", "nodes": [], "groups": [gid]}])
    fragment = copied.inverse[0]["fragment"]
    apply_step(doc, copied.inverse)  # put them back, then paste a copy
    pasted = apply_step(doc, [{"cmd": "paste", "fragment": fragment, "offset": pos(300, 0)}])
    new_nodes = pasted.created["nodes"]
    assert len(new_nodes) == 2 and len(pasted.created["groups"]) == 1
    inner = [e for e in doc.edges.values() if e.source in new_nodes and e.target in new_nodes]
    outer = [e for e in doc.edges.values() if (e.source in new_nodes) != (e.target in new_nodes)]
    assert len(inner) == 1 and outer == []
    names = {doc.nodes[i].name for i in new_nodes}
    assert names == {"h_1", "a_1"}
    roundtrip(doc, [{"cmd": "paste", "fragment": fragment, "offset": pos(0, 300)}])


def test_connect_to_a_taken_port_replaces_the_wire_and_undo_restores_it() -> None:
    doc, ids = mlp_document()
    before = snapshot(doc)
    step = apply_step(doc, [{"cmd": "connect", "source": ids["b1"], "source_port": 0,
                             "target": ids["r"], "target_port": 0}])  # fmt: skip
    assert [e.source for e in doc.edges.values() if e.target == ids["r"]] == [ids["b1"]]
    apply_step(doc, step.inverse)
    assert snapshot(doc) == before


def test_a_failing_step_changes_nothing_and_names_the_command() -> None:
    doc, ids = mlp_document()
    before, version = snapshot(doc), doc.version
    with pytest.raises(EditError, match=r"command 2 \(connect\): would make a cycle"):
        apply_step(doc, [
            {"cmd": "rename", "node": ids["h"], "name": "renamed"},
            {"cmd": "delete", "nodes": [ids["b1"]]},
            {"cmd": "connect", "source": ids["loss"], "source_port": 0, "target": ids["h"],
             "target_port": 0},
        ])  # fmt: skip
    assert snapshot(doc) == before and doc.version == version


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"cmd": "add_node", "kind": "op", "op": "__import__('os')", "position": pos()}, "unknown op"),
    (
        {"cmd": "add_node", "kind": "op", "op": "matmull", "position": pos()},
        "did you mean 'matmul'",
    ),
    ({"cmd": "add_node", "kind": "widget", "position": pos()}, "node kind"),
    (
        {"cmd": "add_node", "kind": "op", "op": "sum", "params": {"axis": "x"}, "position": pos()},
        "axis",
    ),
    (
        {"cmd": "add_node", "kind": "op", "op": "sum", "params": {"nope": 1}, "position": pos()},
        "no param 'nope'",
    ),
    (
        {
            "cmd": "add_node",
            "kind": "op",
            "op": "cast",
            "params": {"dtype": "object"},
            "position": pos(),
        },
        "dtype must be",
    ),
    (
        {
            "cmd": "add_node",
            "kind": "variable",
            "params": {"shape": [10**9, 10**9]},
            "position": pos(),
        },
        "elements",
    ),
    (
        {"cmd": "add_node", "kind": "placeholder", "params": {"shape": [-1]}, "position": pos()},
        "shape dims",
    ),
    (
        {"cmd": "add_node", "kind": "variable", "params": {"init": "eval"}, "position": pos()},
        "init must be",
    ),
    (
        {"cmd": "add_node", "kind": "constant", "params": {"value": "1+1"}, "position": pos()},
        "a constant's value",
    ),
    (
        {"cmd": "add_node", "kind": "op", "op": "tanh", "position": {"x": float("nan"), "y": 0}},
        "finite",
    ),
    (
        {"cmd": "add_node", "kind": "op", "op": "tanh", "id": "bad id!", "position": pos()},
        "is not 1-64",
    ),
    ({"cmd": "add_node", "kind": "op", "op": "tanh", "name": "", "position": pos()}, "non-empty"),
    ({"cmd": "group", "nodes": [], "name": "a/b"}, "'/'"),
    ({"cmd": "exec", "code": "print(1)"}, "unknown command"),
    ({"cmd": "paste", "fragment": {"nodes": "x"}}, "a fragment is"),
]


@pytest.mark.parametrize(("command", "message"), HOSTILE)
def test_hostile_commands_are_refused_with_a_reason(command: dict[str, Any], message: str) -> None:
    doc, _ = mlp_document()
    before = snapshot(doc)
    with pytest.raises(EditError, match=message.replace("(", r"\(").replace(")", r"\)")):
        apply_step(doc, [command])
    assert snapshot(doc) == before


@pytest.mark.parametrize(
    "name", ['it\'s "quoted"', "line\nbreak", "__import__('os').system('x')", "名前", "a" * 4096]
)
def test_any_name_is_data(name: str) -> None:
    doc = Document()
    ident = add(doc, "op", "tanh", name=name)
    assert doc.nodes[ident].name == name
    with pytest.raises(EditError, match="taken"):
        add(doc, "op", "tanh", name=name)


def test_client_ids_make_redo_stable_and_taken_ids_are_refused() -> None:
    doc = Document()
    step = apply_step(doc, [{"cmd": "add_node", "kind": "op", "op": "tanh", "position": pos(),
                             "id": "client-1"}])  # fmt: skip
    assert step.created["nodes"] == ["client-1"] and step.redo[0]["id"] == "client-1"
    with pytest.raises(EditError, match="already in use"):
        add(doc, "op", "tanh", id="client-1")


def test_variable_values_come_back_on_undo_of_delete_and_of_a_shape_change() -> None:
    doc, ids = mlp_document()
    doc.set_array(ids["w1"], np.arange(32, dtype=np.float32).reshape(4, 8))
    step = apply_step(doc, [{"cmd": "delete", "nodes": [ids["w1"]]}])
    apply_step(doc, step.inverse)
    assert np.array_equal(doc.arrays[ids["w1"]], np.arange(32).reshape(4, 8))
    step = apply_step(
        doc, [{"cmd": "set_param", "node": ids["w1"], "param": "shape", "value": [4, 2]}]
    )
    assert ids["w1"] not in doc.arrays
    apply_step(doc, step.inverse)
    assert np.array_equal(doc.arrays[ids["w1"]], np.arange(32).reshape(4, 8))


def test_unset_param_is_the_inverse_of_setting_an_absent_required_param() -> None:
    doc = Document()
    r = add(doc, "op", "reshape")
    step = apply_step(doc, [{"cmd": "set_param", "node": r, "param": "shape", "value": [2, -1]}])
    assert doc.nodes[r].params["shape"] == (2, -1)
    assert step.inverse == [{"cmd": "unset_param", "node": r, "param": "shape"}]
    apply_step(doc, step.inverse)
    assert "shape" not in doc.nodes[r].params


def test_wire_helper_checks_ports() -> None:
    doc, ids = mlp_document()
    with pytest.raises(EditError, match=r"ports 0\.\.1"):
        wire(doc, ids["x"], ids["h"], 2)
    with pytest.raises(EditError, match="no inputs"):
        wire(doc, ids["h"], ids["x"], 0)
