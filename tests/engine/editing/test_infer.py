"""Live shape inference and wiring probes: named dims carry, errors name op, shapes and rule
(broadcasting explained), probes say why a port does not fit; iterative on long chains."""

from __future__ import annotations

from tests.engine.editing.graphs import add, chain, mlp_document, wire
from vizflow_engine.editing import Document, apply_step, from_graph, infer_all, probe


def test_named_dims_carry_through_the_mlp() -> None:
    doc, ids = mlp_document()
    types = infer_all(doc)
    assert types[ids["h"]].shape == ("batch", 8)
    assert types[ids["logits"]].shape == ("batch", 3)
    assert types[ids["loss"]].shape == () and types[ids["loss"]].error is None


def test_a_wrong_wiring_shows_on_the_node_with_shapes_and_reason() -> None:
    doc, ids = mlp_document()
    wire(doc, ids["w2"], ids["h"], 1)  # (batch, 4) @ (8, 3)
    t = infer_all(doc)[ids["h"]]
    assert t.rule == "shape"
    assert t.error is not None and t.error.startswith("matmul: (batch, 4) @ (8, 3) — ")
    assert t.error == "matmul: (batch, 4) @ (8, 3) — inner dims differ: needs 4 == 8"
    after = infer_all(doc)[ids["a"]]
    assert after.rule == "upstream" and after.error == "add: input 'x' ('h') has an error"


def test_broadcast_errors_explain_the_rule() -> None:
    doc = Document()
    a = add(doc, "placeholder", params={"shape": ["batch", 3]})
    b = add(doc, "variable", params={"shape": [4]})
    s = add(doc, "op", "add")
    wire(doc, a, s, 0)
    wire(doc, b, s, 1)
    t = infer_all(doc)[s]
    assert t.rule == "broadcast"
    assert "None" not in (t.error or "None")
    assert "(batch, 3), (4,)" in (t.error or "") and "compares dims from the right" in (
        t.error or ""
    )


def test_missing_inputs_and_params_are_errors_with_what_to_do() -> None:
    doc = Document()
    r = add(doc, "op", "reshape")
    t = infer_all(doc)[r]
    assert t.rule == "missing_input" and "'x'" in (t.error or "")
    x = add(doc, "placeholder", params={"shape": [2, 3]})
    wire(doc, x, r, 0)
    assert infer_all(doc)[r].error == "reshape: set param 'shape'"
    apply_step(doc, [{"cmd": "set_param", "node": r, "param": "shape", "value": [7]}])
    assert "cannot reshape" in (infer_all(doc)[r].error or "")


def test_probe_lists_fitting_ports_and_says_why_others_do_not() -> None:
    doc, ids = mlp_document()
    targets = {(t.node, t.port): t for t in probe(doc, ids["w2"], infer_all(doc))}
    bad = targets[(ids["h"], 1)]
    assert not bad.ok and bad.reason is not None and "matmul: (batch, 4) @ (8, 3)" in bad.reason
    assert targets[(ids["logits"], 1)].ok
    cyc = probe(doc, ids["loss"], infer_all(doc))
    assert all(not t.ok and "cycle" in (t.reason or "") for t in cyc if t.node == ids["h"])


def test_variadic_ops_show_a_free_port() -> None:
    doc = Document()
    c = add(doc, "op", "concatenate")
    x = add(doc, "placeholder", params={"shape": [2, 3]})
    wire(doc, x, c, 0)
    wire(doc, x, c, 1)
    assert infer_all(doc)[c].shape == (4, 3)
    assert {t.port for t in probe(doc, x, infer_all(doc)) if t.node == c} == {0, 1, 2}


def test_inference_on_a_10000_op_chain_is_iterative() -> None:
    doc = from_graph(chain(10_000))
    types = infer_all(doc)
    assert len(types) == 10_001 and all(t.error is None for t in types.values())
