"""to_code: readable Python built with ast; run in a fresh process it rebuilds an equal graph
(MLP, CNN, traced training step, 40-layer Sequential, an editor-built MLP); names are data."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.engine.editing.graphs import (
    chain,
    comparable,
    deep_sequential,
    mlp_document,
    traced_cnn,
    traced_mlp,
    traced_rnn_loop,
    traced_sgd_step,
)
from vizflow_engine.editing import Document, EditError, from_graph, to_code, to_graph
from vizflow_engine.graph.ir import Graph

DUMP = """
import json, sys
d = g.to_json()
for n in d["nodes"]:
    n["source"] = None
    n["forward_of"] = None
json.dump(d, sys.stdout)
"""


def rebuilt(source: str) -> dict[str, object]:
    """The graph the code builds, run in a fresh Python process, as comparable JSON."""
    out = subprocess.run(
        [sys.executable, "-"],
        input=source + DUMP,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize(
    "make", [traced_mlp, traced_cnn, traced_sgd_step, deep_sequential, traced_rnn_loop]
)
def test_code_rebuilds_an_equal_graph_in_a_fresh_process(make: object) -> None:
    g: Graph = make()  # type: ignore[operator]
    source = to_code(from_graph(g))
    assert rebuilt(source) == comparable(g)


def test_editor_built_mlp_round_trips_with_scopes() -> None:
    doc, ids = mlp_document()
    from vizflow_engine.editing import apply_step

    apply_step(doc, [{"cmd": "group", "nodes": [ids["h"], ids["a"]], "name": "layer1"}])
    source = to_code(doc)
    assert "with vf.name_scope('layer1'):" in source
    g, _ = to_graph(doc)
    assert rebuilt(source)["nodes"] == comparable(g)["nodes"]


def test_traced_step_code_reads_in_phases() -> None:
    source = to_code(from_graph(traced_sgd_step()))
    assert "with vf.phase('backward'), " not in source  # one context per block
    assert "with vf.phase('backward'):" in source and "with vf.phase('update'):" in source
    assert "vf.no_grad()" in source


def test_hostile_names_stay_string_literals() -> None:
    doc = Document()
    from tests.engine.editing.graphs import add, wire

    evil = "__import__('os').system('echo pwned')"
    x = add(doc, "placeholder", name=evil, params={"shape": [2]})
    t = add(doc, "op", "tanh", name="a\nb'\"c")
    wire(doc, x, t, 0)
    source = to_code(doc)
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    assert not any(isinstance(c.func, ast.Name) and c.func.id == "__import__" for c in calls)
    consts = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)}
    assert evil in consts and "a\nb'\"c" in consts
    assert rebuilt(source)["values"][0]["name"] == evil  # type: ignore[index]


def test_code_of_a_document_with_errors_names_the_node() -> None:
    doc = Document()
    from tests.engine.editing.graphs import add

    add(doc, "op", "matmul", name="mm")
    with pytest.raises(EditError, match="node 'mm': matmul: input 'a' is not connected"):
        to_code(doc)


def test_code_of_a_10000_op_chain_builds_it() -> None:
    g = chain(10_000)
    source = to_code(from_graph(g))
    assert source.count("\n") > 10_000
    assert rebuilt(source) == comparable(g)
