"""Graph data never becomes plan code: names, literals and params from a graph or a graph file
reach the compiled plan only as namespace objects; crafted ones run no code."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tokenize

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.backend import CPU
from vizflow_engine.graph import Graph, grad_graph, optimize, spec, trace
from vizflow_engine.graph.executor.source import Code, CodegenError, Hole, Name, Namespace
from vizflow_engine.graph.graph_ops import lookup
from vizflow_engine.registry import TensorSpec

from .models import cross_entropy, mlp, mlp_params

PWNED = False  # the payloads below set this (and write a sentinel file) if they ever run


def _payloads(sentinel: str) -> list[str]:
    """Strings that run code if pasted into source, formatted with str.format, or both."""
    code = f"import sys; sys.modules[{__name__!r}].PWNED = True; open({sentinel!r}, 'w').close()"
    quoteless = f"exec(bytes({list(code.encode())}).decode())"  # survives repr(): no quotes
    return [
        "{0.__doc__[11]}+str(" + quoteless + ")+{0.__doc__[11]}",  # format field makes a quote
        "'); " + code + " #",
        '"); ' + code + " #",
        "\n" + code + "\n",
        "{0.__class__}",
        "{0}{1}{}",
        "}{",
        quoteless,
    ]


def _sentinel(tmp_path) -> str:
    return str(tmp_path / "pwned")


def _assert_no_code_ran(sentinel: str) -> None:
    import os

    assert not PWNED, "a graph payload ran as code"
    assert not os.path.exists(sentinel), "a graph payload ran as code (sentinel written)"


def _exercise(g: Graph, feeds: list[np.ndarray]) -> str | None:
    """Compile, run and step g; the plan's source if it compiled. Errors from bad data are fine
    (the tests assert that no code ran), as long as they are ordinary exceptions."""
    try:
        plan = g.compile()
    except Exception:  # refusing the data is an acceptable outcome
        return None

    def chunks() -> None:  # the debugger's straight-through chunks of steps
        run = plan.start(*feeds, copy=False)
        for chunk in run.chunks((False,) * len(plan.instrs)):
            chunk(run.slots, [])

    for go in (lambda: plan.run(*feeds), lambda: plan.start(*feeds).finish(), chunks):
        with contextlib.suppress(Exception):  # so is failing at run time
            go()
    return getattr(plan, "source", None)


def _node(g: Graph, op: str, inputs: tuple, params: dict, shape: tuple, name: str = "n"):
    """A node added as a loader would: no shape inference, params taken as given."""
    dt = np.dtype("float64")
    return g.add_node(lookup(op), params, inputs, TensorSpec(shape, dt), CPU, name)


@pytest.mark.parametrize("where", ["axis", "keepdims", "literal", "axes", "names"])
def test_payloads_in_a_built_graph_run_no_code(tmp_path, where):
    sentinel = _sentinel(tmp_path)
    for text in _payloads(sentinel):
        g = Graph(text if where == "names" else "g")
        x = g.placeholder(text if where == "names" else "x", (2, 3), "float64")
        if where in ("axis", "keepdims"):
            params = {"axis": 1, "keepdims": False, where: text}
            s = _node(g, "sum", (x,), params, (2,), text)
            g.output(vf.exp(s))
        elif where == "literal":
            g.output(vf.exp(_node(g, "mul", (x, text), {}, (2, 3))))
        elif where == "axes":
            g.output(vf.exp(_node(g, "transpose", (x,), {"axes": (text, text)}, (3, 2))))
        else:
            g.output(vf.exp(vf.tanh(x).sum(axis=1, keepdims=True)))
        source = _exercise(g, [np.ones((2, 3))])
        _assert_no_code_ran(sentinel)
        if source is not None:
            assert text not in source


def test_names_reach_neither_the_source_nor_the_results():
    sentinel = "/tmp/vizflow-never-written"
    text = "); import os; os.system('touch " + sentinel + "') #"
    g = Graph(text)
    x = g.placeholder(text, (2, 3), "float64")
    w = g.variable("{0.__class__}" + text, np.full(3, 2.0))
    with vf.name_scope(text):
        y = vf.relu(x * w - 1.0).sum(axis=1)
    g.output(y)
    plan = g.compile()
    assert text not in plan.source and "{" not in plan.source and "'" not in plan.source
    feed = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(plan.run(feed)[0], np.maximum(feed * 2.0 - 1.0, 0).sum(1))
    _assert_no_code_ran(sentinel)


def test_odd_literals_are_objects_not_text():
    """A huge int, a string and non-finite floats: compiling never repr()s them."""
    g = Graph("literals")
    x = g.placeholder("x", (3,), "float64")
    g.output(_node(g, "mul", (x, 10**5000), {}, (3,), "huge"))
    g.output(vf.maximum(x, float("-inf")) + float("nan"))
    plan = g.compile()  # repr(10**5000) would raise: the int is never turned into text
    with pytest.raises((OverflowError, TypeError, ValueError)):
        plan.run(np.ones(3))
    h = Graph("finite")
    y = h.placeholder("y", (3,), "float64")
    h.output(vf.minimum(y, float("inf")) * float("-inf"))
    np.testing.assert_array_equal(h.compile().run(np.ones(3))[0], np.full(3, -np.inf))


def _json_graph(tmp_path, mutate) -> str:
    """A small saved graph (sum, transpose, a literal, names), changed by mutate(doc)."""
    g = Graph("g")
    x = g.placeholder("x", (2, 3), "float64")
    s = x.sum(axis=1, keepdims=True)
    t = vf.exp(s * 2.0).transpose(1, 0)
    g.output(vf.tanh(t))
    g.save(str(tmp_path / "g"))
    doc = json.loads((tmp_path / "g.json").read_text())
    mutate(doc)
    (tmp_path / "g.json").write_text(json.dumps(doc))
    return str(tmp_path / "g")


def _node_doc(doc: dict, op: str) -> dict:
    return next(n for n in doc["nodes"] if n["op"] == op)


def _rename(doc: dict, old: str, new: str) -> None:
    """Rename a value everywhere the document refers to it."""
    for v in doc["values"]:
        if v["name"] == old:
            v["name"] = new
    for n in doc["nodes"]:
        if n["name"] == old:
            n["name"] = new
        for i in n["inputs"]:
            if i.get("value") == old:
                i["value"] = new
    doc["outputs"] = [new if o == old else o for o in doc["outputs"]]


MUTATIONS = {
    "axis": lambda doc, p: _node_doc(doc, "sum")["params"].__setitem__("axis", p),
    "keepdims": lambda doc, p: _node_doc(doc, "sum")["params"].__setitem__("keepdims", p),
    "axes": lambda doc, p: _node_doc(doc, "transpose")["params"].__setitem__(
        "axes", {"tuple": [p, 0]}
    ),
    "literal": lambda doc, p: _node_doc(doc, "mul")["inputs"][1].__setitem__("literal", p),
    "graph name": lambda doc, p: doc.__setitem__("name", p),
    "input name": lambda doc, p: _rename(doc, "x", p),
    "node name": lambda doc, p: _rename(doc, _node_doc(doc, "exp")["name"], p),
    "shape": lambda doc, p: _node_doc(doc, "exp")["output"].__setitem__("shape", [p, 1]),
}


@pytest.mark.parametrize("where", list(MUTATIONS))
def test_a_crafted_graph_file_runs_no_code(tmp_path, where):
    """Graph.load then compile, run and step: either the loader refuses the file or the plan
    holds the payload as data; in both cases no code runs and no source holds the text."""
    sentinel = _sentinel(tmp_path)
    for k, text in enumerate(_payloads(sentinel)):
        d = tmp_path / str(k)
        d.mkdir()
        path = _json_graph(d, lambda doc, text=text: MUTATIONS[where](doc, text))
        try:
            g = Graph.load(path)
        except Exception:  # a loader that refuses the file is fine
            _assert_no_code_ran(sentinel)
            continue
        source = _exercise(g, [np.ones((2, 3))])
        _assert_no_code_ran(sentinel)
        if source is not None:
            assert text not in source


ALLOWED_WORDS = {
    "def", "return", "del", "pass", "run", "res", "_t", "F", "V", "C", "S", "asarray",
    "broadcast_to", "np_copyto", "out", "axis", "keepdims", "T", "transpose", "reshape",
    "copy", "array",
}  # fmt: skip


def _graphs() -> list[Graph]:
    """Graphs that exercise every kind of generated code: kernels with out=, reductions,
    views, fused programs, literals, in-place variable updates."""
    params = mlp_params((4, 5, 3))
    train = grad_graph(
        trace(
            lambda x, y: cross_entropy(mlp(params, x), y),
            spec((3, 4), "float64"),
            spec((3, 3), "float64"),
        )
    )
    v = Graph("views")
    a = v.placeholder("a", (2, 3, 4), "float64")
    b = a.transpose(1, 0, 2).reshape(3, 8).unsqueeze(0).squeeze(0)
    c = vf.exp(b.T).max(axis=0, keepdims=True).expand(5, 3)
    v.output(vf.relu(c - 0.25) * float("inf"), a.detach().sum(axis=(0, 2)))
    u = Graph("update")
    x = u.placeholder("x", (4,), "float64")
    w = u.variable("w", np.zeros(4))
    u.output(vf.tanh(w * 0.5 + x))
    u.assign(w, w * 0.9 + x)
    return [train, optimize(train)[0], v, optimize(v)[0], u, optimize(u)[0]]


@pytest.mark.parametrize("index", range(6))
def test_plan_source_holds_only_compiler_made_tokens(index):
    """No string literal, no float, no graph name: only generated names, ints and syntax."""
    g = _graphs()[index]
    plan = g.compile()
    for tok in tokenize.generate_tokens(io.StringIO(plan.source).readline):
        if tok.type == tokenize.NAME:
            assert tok.string in ALLOWED_WORDS or _generated(tok.string), tok
        elif tok.type == tokenize.NUMBER:
            assert tok.string.isdigit(), tok
        else:
            assert tok.type in (tokenize.OP, tokenize.NEWLINE, tokenize.NL, tokenize.INDENT,
                                tokenize.DEDENT, tokenize.ENDMARKER), tok  # fmt: skip
    names = {v.name for v in g.all_values()} | {g.name}
    words = {t.string for t in tokenize.generate_tokens(io.StringIO(plan.source).readline)}
    assert not (names - ALLOWED_WORDS - {w for w in names if _generated(w)}) & words


def _generated(word: str) -> bool:
    """A name the compiler numbers itself: s3, k7, c12, b0, i4, k7_2."""
    head, digits = word[:1], word[1:].replace("_", "")
    return head in "sikcb" and digits.isdigit()


def test_the_source_builder_refuses_anything_it_did_not_make():
    assert Code(Name("s", 3), " = ", "F", "[", 0, "]").render() == "s3 = F[0]"
    assert Code(Hole(0), ".T").render([Code("S", "[", 7, "]")]) == "S[7].T"
    for bad in ("import os", "{0}", "s3", "x", "'"):
        with pytest.raises(CodegenError):
            Code(bad)
    for prefix in ("x", "", "s; import os", "ss"):
        with pytest.raises(CodegenError):
            Name(prefix, 1)
    for k in (True, np.int64(1), -1, 1 << 40, 1.0, "1"):
        with pytest.raises(CodegenError):
            Name("s", k)
        with pytest.raises(CodegenError):
            Code(k)
    with pytest.raises(CodegenError):
        Namespace({"os": sys})
    ns = Namespace({})
    name = ns.bind("c", "); import os #")
    assert name.text == "c0" and ns.objects["c0"] == "); import os #"
