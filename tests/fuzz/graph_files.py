"""A graph-file fuzzer: mutations of real saved graphs, and the judge of what loading did.

Seeds are real graphs (an MLP training step traced with vf.function and Adam, a conv net
stepped with SGD momentum, slices and an index tensor, a fused elementwise chain, symbolic
dims). Each case applies 1-3 random mutations; a mutation is `bad` when the file it makes is
certainly invalid (a negative dim, a dangling reference, an unknown op…) and `maybe` when it
may still be valid (a new name, another axis, a swapped reference). Loading must then either
raise GraphFormatError, or (never after a `bad` mutation) return a graph that re-saves to a
loadable file and that compiles and runs on small feeds raising nothing but a VizflowError,
and that never runs code: strings carry payloads that set a sentinel if executed.
"""

from __future__ import annotations

import builtins
import io
import json
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn
from vizflow_engine.errors import VizflowError
from vizflow_engine.graph import PASSES, Graph, GraphFormatError, optimize
from vizflow_engine.graph.serialize import arrays_of
from vizflow_engine.registry import all_ops

SENTINEL = "VF_FUZZ_CODE_RAN"
PAYLOADS = (
    f"__import__('builtins').__setattr__('{SENTINEL}', 1)",
    f"'); __import__('builtins').__setattr__('{SENTINEL}', 1) #",
    f'"); __import__("builtins").__setattr__("{SENTINEL}", 1) #',
    f"\n__import__('builtins').__setattr__('{SENTINEL}', 1)\n",
    "{0.__class__.__mro__[1].__subclasses__}",
    "{x}{0}{}{{}}{!r}",
    f"x}}; __import__('builtins').__setattr__('{SENTINEL}', 1); {{",
    "\\'; import os #",
    "s1 = s2; del S",
)
MAX_RUN_ELEMENTS = 200_000  # an accepted graph is run only if every value is this small


# ---- seeds: real graphs, saved -----------------------------------------------------------------


def _mlp_step() -> Graph:
    vf.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = vf.optim.Adam(model.parameters(), lr=1e-2)

    @vf.function
    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    x = vf.tensor(np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32))
    return step.graph(x, vf.tensor(np.array([0, 1, 2, 1, 0])))


def _conv_step() -> Graph:
    vf.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)
    )
    opt = vf.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    @vf.function
    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step.graph(vf.tensor(np.ones((2, 1, 4, 4), np.float32)), vf.tensor(np.array([0, 2])))


def _indexing() -> Graph:
    @vf.function
    def f(x: Any, i: Any) -> Any:
        a = (x[1:, i] * 2).sum(axis=0, keepdims=True)
        b = x[..., None, 0].mean() + x.reshape(-1, 2).transpose(1, 0)[0, :1].sum()
        c = x[np.array([True, False, True]), np.array([0, 3])].sum()  # constant index arrays
        return vf.concatenate([a.reshape(-1), vf.exp(b + c).reshape(1)], axis=0)

    return f.graph(vf.tensor(np.ones((3, 4), np.float32)), vf.tensor(np.array([0, 2])))


def _index_gradient() -> Graph:
    w = vf.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)

    @vf.function
    def f(i: Any) -> Any:
        loss = (w[i, 1:] * 2.0).sum() + w[..., -1].sum()
        loss.backward()
        return loss, w.grad

    return f.graph(vf.tensor(np.array([0, 2, 2])))


def _fused() -> Graph:
    g = Graph("fused")
    x = g.placeholder("x", ("batch", 3), "float64")
    y = vf.exp(vf.sin(x) * 2.0 + 1.0)
    g.output(vf.where(y > 1.5, y, vf.tanh(x)).sum(axis=1))
    return PASSES["fuse_elementwise"](optimize(g)[0])


SEED_GRAPHS: dict[str, Callable[[], Graph]] = {
    "mlp_adam_step": _mlp_step,
    "conv_sgd_step": _conv_step,
    "indexing": _indexing,
    "index_gradient": _index_gradient,
    "fused_symbolic": _fused,
}


@dataclass
class Seed:
    """A valid saved graph: its document (as JSON text) and its arrays."""

    name: str
    text: str
    arrays: dict[str, np.ndarray[Any, Any]]


def seeds() -> list[Seed]:
    """Every seed graph, saved as Graph.save would write it."""
    out = []
    for name, make in SEED_GRAPHS.items():
        g = make()
        out.append(Seed(name, json.dumps(g.to_json()), arrays_of(g)))
    return out


# ---- mutations -------------------------------------------------------------------------------


class Case:
    """One fuzz case: a document (or text) being mutated, its arrays, and what was done."""

    def __init__(self, seed: Seed, rng: random.Random) -> None:
        self.doc: Any = json.loads(seed.text)
        self.text: str | None = None  # set by text mutations (then doc is ignored)
        self.arrays: Any = dict(seed.arrays)  # a dict, or an .npz file (io.BytesIO)
        self.rng = rng
        self.done: list[str] = []
        self.bad = False

    # helpers over the document
    def nodes(self) -> list[dict[str, Any]]:
        return self.doc["nodes"] if isinstance(self.doc, dict) else []

    def values(self) -> list[dict[str, Any]]:
        return self.doc["values"] if isinstance(self.doc, dict) else []

    def names(self) -> list[str]:
        return [d["name"] for d in [*self.values(), *self.nodes()]]

    def typed(self) -> list[dict[str, Any]]:
        """Every {shape, dtype, device, requires_grad} object: leaves and node outputs."""
        return [*self.values(), *(n["output"] for n in self.nodes())]


Mutation = Callable[[Case], bool]  # applies itself; False if it found nothing to change
BAD: dict[str, Mutation] = {}
MAYBE: dict[str, Mutation] = {}


def bad(fn: Mutation) -> Mutation:
    """Register a mutation whose result is certainly invalid."""
    BAD[fn.__name__] = fn
    return fn


def maybe(fn: Mutation) -> Mutation:
    """Register a mutation whose result may be valid."""
    MAYBE[fn.__name__] = fn
    return fn


def _pick(c: Case, items: list[Any]) -> Any:
    return c.rng.choice(items) if items else None


@bad
def dim_negative(c: Case) -> bool:
    t = _pick(c, [t for t in c.typed() if t["shape"]])
    if t is None:
        return False
    t["shape"][c.rng.randrange(len(t["shape"]))] = -c.rng.choice([1, 2, 7, 2**40])
    return True


@bad
def dim_not_an_int(c: Case) -> bool:
    t = _pick(c, [t for t in c.typed() if t["shape"]])
    if t is None:
        return False
    t["shape"][c.rng.randrange(len(t["shape"]))] = c.rng.choice(
        [True, False, 2.5, 1e300, [2], {"tuple": [2]}, "", "x" * 100]
    )
    return True


@bad
def dim_huge(c: Case) -> bool:
    t = _pick(c, c.typed())
    if t is None:
        return False
    t["shape"] = c.rng.choice([[2**41], [2**21, 2**21], [2**14] * 3, [1] * 65, [10**30]])
    return True


@bad
def shape_retype(c: Case) -> bool:
    t = _pick(c, c.typed())
    if t is None:
        return False
    t["shape"] = c.rng.choice(["2x3", 6, None, {"tuple": [2, 3]}, True])
    return True


@bad
def dangling_reference(c: Case) -> bool:
    n = _pick(c, [n for n in c.nodes() if any("value" in i for i in n["inputs"])])
    if n is None:
        return False
    i = c.rng.choice([i for i in n["inputs"] if "value" in i])
    names = set(c.names())  # a renamed value may already carry a payload as its name
    i["value"] = c.rng.choice([x for x in ["ghost", *PAYLOADS, "x" * 999] if x not in names])
    return True


@bad
def later_reference(c: Case) -> bool:
    nodes = c.nodes()
    cands = [k for k, n in enumerate(nodes[:-1]) if any("value" in i for i in n["inputs"])]
    if not cands:
        return False
    k = c.rng.choice(cands)
    i = c.rng.choice([i for i in nodes[k]["inputs"] if "value" in i])
    i["value"] = nodes[c.rng.randrange(k, len(nodes))]["name"]  # itself or a later node
    return True


@bad
def cycle(c: Case) -> bool:
    nodes = c.nodes()
    pairs = [
        (a, b)
        for a in range(len(nodes))
        for b in range(a + 1, min(len(nodes), a + 4))
        if any("value" in i for i in nodes[a]["inputs"])
    ]
    if not pairs:
        return False
    a, b = c.rng.choice(pairs)
    next(i for i in nodes[a]["inputs"] if "value" in i)["value"] = nodes[b]["name"]
    if nodes[b]["inputs"]:
        nodes[b]["inputs"][0] = {"value": nodes[a]["name"]}
    return True


@bad
def duplicate_name(c: Case) -> bool:
    names = c.names()
    items = [*c.values(), *c.nodes()]
    if len(items) < 2:
        return False
    a = c.rng.randrange(len(items))
    items[a]["name"] = c.rng.choice([n for k, n in enumerate(names) if k != a])
    return True


@bad
def duplicate_entry(c: Case) -> bool:
    part = c.rng.choice(["values", "nodes"])
    items = c.doc[part]
    if not items:
        return False
    k = c.rng.randrange(len(items))
    items.insert(c.rng.randrange(k, len(items)) + 1, json.loads(json.dumps(items[k])))
    return True


@bad
def unknown_op(c: Case) -> bool:
    n = _pick(c, c.nodes())
    if n is None:
        return False
    op = n["op"]
    known = {o.name for o in all_ops()}  # "exp2"[:-1] is "exp": a real op, not a bad file
    names = [op + "x", op[:-1] or "z", op.upper(), "", "eval", *PAYLOADS]
    n["op"] = c.rng.choice([name for name in names if name not in known])
    return True


@bad
def unknown_param(c: Case) -> bool:
    n = _pick(c, c.nodes())
    if n is None:
        return False
    n["params"][c.rng.choice(["bogus", "__class__", "axis_", *PAYLOADS])] = c.rng.choice(
        [1, "x", None, {"tuple": []}]
    )
    return True


@bad
def wrong_arity(c: Case) -> bool:
    """One input more or fewer than a non-variadic op takes."""
    ops = {op.name: op for op in all_ops()}
    n = _pick(c, [n for n in c.nodes() if n["op"] in ops and not ops[n["op"]].variadic])
    if n is None:
        return False
    want = len(ops[n["op"]].inputs)
    count = want + (1 if want == 0 or c.rng.random() < 0.5 else -1)
    extra = [*n["inputs"], {"literal": 1.0}] * (count + 1)
    n["inputs"] = extra[:count]
    return True


@bad
def update_not_a_variable(c: Case) -> bool:
    targets = [d["name"] for d in c.values() if d["kind"] != "variable"]
    targets += [n["name"] for n in c.nodes()]
    if not targets:
        return False
    if c.doc["updates"]:
        c.doc["updates"][c.rng.randrange(len(c.doc["updates"]))][0] = c.rng.choice(targets)
    else:
        c.doc["updates"].append([c.rng.choice(targets), c.rng.choice(targets)])
    return True


@bad
def deep_nesting(c: Case) -> bool:
    deep: Any = c.rng.choice([0, "x", None])
    for _ in range(c.rng.choice([60, 200, 3000])):
        deep = c.rng.choice([[deep], {"tuple": [deep]}, {"dict": {"a": deep}}])
    n = _pick(c, c.nodes())
    if n is None or c.rng.random() < 0.3:
        c.text = '{"format": "vizflow.graph", "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
    elif c.rng.random() < 0.5:
        n["params"]["axis"] = deep
    else:
        n["inputs"].append({"literal": deep})
    return True


@bad
def not_an_object(c: Case) -> bool:
    c.doc = c.rng.choice([[c.doc], 1, "graph", None, True, [], 1.5])
    return True


@bad
def missing_field(c: Case) -> bool:
    where = c.rng.choice(["top", "node", "value", "output"])
    if where == "top":
        obj: Any = c.doc
        keys = ["format", "version", "name", "values", "nodes", "outputs", "updates"]
    elif where == "node":
        obj = _pick(c, c.nodes())
        keys = ["name", "op", "params", "inputs", "output", "scope", "phase", "forward_of"]
        keys.append("source")
    elif where == "value":
        obj = _pick(c, c.values())
        keys = ["name", "kind", "shape", "dtype", "device", "requires_grad"]
        if obj is not None and obj["kind"] != "input":
            keys.append("array")
    else:
        n = _pick(c, c.nodes())
        obj = None if n is None else n["output"]
        keys = ["shape", "dtype", "device", "requires_grad"]
    if obj is None:
        return False
    del obj[c.rng.choice(keys)]
    return True


@bad
def unknown_field(c: Case) -> bool:
    obj = _pick(c, [c.doc, *c.nodes(), *c.values(), *(n["output"] for n in c.nodes())])
    obj[c.rng.choice(["extra", "__proto__", "Name", *PAYLOADS])] = 1
    return True


@bad
def code_where_no_string_goes(c: Case) -> bool:
    """A code or format-field payload in a field whose kind holds no free text."""
    payload = c.rng.choice(PAYLOADS)
    t = _pick(c, c.typed())
    kind_params = ("axis", "keepdims", "shape", "dtype", "stride", "groups", "index", "axes")
    ns = [n for n in c.nodes() if any(k in n["params"] for k in kind_params)]
    choice = c.rng.randrange(5)
    if choice == 0 and t is not None:
        t["dtype"] = payload
    elif choice == 1 and t is not None:
        t["device"] = payload
    elif choice == 2 and ns:
        n = c.rng.choice(ns)
        n["params"][c.rng.choice([k for k in kind_params if k in n["params"]])] = payload
    elif choice == 3 and c.nodes():
        c.rng.choice(c.nodes())["inputs"].append({"literal": payload})
    elif ns:
        n = c.rng.choice(ns)
        k = c.rng.choice([k for k in kind_params if k in n["params"]])
        n["params"][k] = {"tuple": [payload]}
    else:
        return False
    return True


@bad
def bad_param_value(c: Case) -> bool:
    ns = [n for n in c.nodes() if n["params"] and n["op"] != "fused"]
    n = _pick(c, ns)
    if n is None:
        return False
    k = c.rng.choice(sorted(n["params"]))
    v = n["params"][k]
    if isinstance(v, bool):
        n["params"][k] = c.rng.choice([0, 1, "true", None])
    elif isinstance(v, int):
        n["params"][k] = c.rng.choice([2**70, -(2**70), True, 1.5, "1", [v]])
    elif isinstance(v, float):
        n["params"][k] = c.rng.choice(["0.5", [v], True, {"float": "1.0"}])
    elif isinstance(v, dict) and "tuple" in v:
        n["params"][k] = c.rng.choice([v["tuple"], {"tuple": v["tuple"] + [2**70]}])
        if n["params"][k] == v["tuple"] and not v["tuple"]:
            n["params"][k] = "()"
    elif isinstance(v, dict) and "dtype" in v:
        n["params"][k] = c.rng.choice([{"dtype": "object"}, {"dtype": "<U3"}, "float32"])
    else:
        return False
    return True


@bad
def bad_version(c: Case) -> bool:
    key = c.rng.choice(["format", "version"])
    c.doc[key] = c.rng.choice([2, "1", 1.0, None, "vizflow.graph2", True])
    return True


@maybe
def text_insert(c: Case) -> bool:
    """A character inserted anywhere in the text (inside a free-text string it stays valid)."""
    text = json.dumps(c.doc)
    at = c.rng.randrange(len(text))
    c.text = text[:at] + c.rng.choice(["\x00", "}", "NaN", '"', "\\", "\ud800", "{0}"]) + text[at:]
    return True


@bad
def broken_text(c: Case) -> bool:
    text = json.dumps(c.doc)
    choice = c.rng.randrange(3)
    if choice == 0:
        c.text = text[: c.rng.randrange(len(text))]
    elif choice == 1:
        c.text = text.replace('"version": 1', '"version": 1, "version": 1', 1)
    else:
        c.text = text.replace('"format"', '"format": NaN, "f"', 1)
    return True


@bad
def arrays_break(c: Case) -> bool:
    if not isinstance(c.arrays, dict):
        return False
    keys = sorted(c.arrays)
    choice = c.rng.randrange(5)
    if choice == 0 or not keys:
        c.arrays["unexpected"] = np.zeros(2)
    elif choice == 1:
        del c.arrays[c.rng.choice(keys)]
    elif choice == 2:
        k = c.rng.choice(keys)
        c.arrays[k] = np.zeros((*c.arrays[k].shape, 2), c.arrays[k].dtype)
    elif choice == 3:
        k = c.rng.choice(keys)
        a = c.arrays[k]
        c.arrays[k] = a.astype(np.complex64 if a.dtype != np.complex64 else np.float32)
    else:
        k = c.rng.choice(keys)
        c.arrays[k] = np.array([{"x": 1}] * max(1, c.arrays[k].size), dtype=object).reshape(
            c.arrays[k].shape
        )
    return True


def _npz(arrays: dict[str, Any], rng: random.Random) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if rng.random() < 0.5 else np.savez)(buf, **arrays)
    return buf.getvalue()


@bad
def npz_truncated_or_huge(c: Case) -> bool:
    """The side-car as a file: cut short, or one array's header claiming a huge shape."""
    if not isinstance(c.arrays, dict) or not c.arrays:
        return False
    data = _npz(c.arrays, c.rng)
    if c.rng.random() < 0.5:
        c.arrays = io.BytesIO(data[: c.rng.randrange(len(data))])
        return True
    key = c.rng.choice(sorted(c.arrays))
    header = repr({"descr": "<f8", "fortran_order": False, "shape": (2**20, 2**20)}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, a in c.arrays.items():
            if k == key:
                zf.writestr(k + ".npy", npy)
            else:
                with zf.open(k + ".npy", "w") as f:
                    np.lib.format.write_array(f, np.asarray(a))
    c.arrays = io.BytesIO(buf.getvalue())
    return True


# ---- mutations that may leave the file valid ---------------------------------------------------


@maybe
def npz_flipped_byte(c: Case) -> bool:
    """The side-car as a file with one byte changed (CRCs catch most; a timestamp is free)."""
    if not isinstance(c.arrays, dict) or not c.arrays:
        return False
    data = bytearray(_npz(c.arrays, c.rng))
    data[c.rng.randrange(len(data))] ^= 1 << c.rng.randrange(8)
    c.arrays = io.BytesIO(bytes(data))
    return True


@maybe
def rename_consistently(c: Case) -> bool:
    """A node or value renamed everywhere, often to a code payload: a valid file."""
    names = c.names()
    if not names:
        return False
    old = c.rng.choice(names)
    new = c.rng.choice([*PAYLOADS, "renamed", "a/b", "名前", "\u202e", "x" * 900])
    if new in json.dumps(c.doc) or json.dumps(new)[1:-1] in json.dumps(c.doc):
        return False  # the new name must be new everywhere (a dangling reference may hold it)
    for d in [*c.values(), *c.nodes()]:
        if d["name"] == old:
            d["name"] = new
        if d.get("forward_of") == old:
            d["forward_of"] = new
        for i in d.get("inputs", ()):
            if i.get("value") == old:
                i["value"] = new
    c.doc["outputs"] = [new if o == old else o for o in c.doc["outputs"]]
    c.doc["updates"] = [[new if x == old else x for x in u] for u in c.doc["updates"]]
    return True


@maybe
def free_text_payload(c: Case) -> bool:
    """A payload in the graph name, a scope or a source location (free text: valid)."""
    payload = c.rng.choice(PAYLOADS)
    n = _pick(c, c.nodes())
    choice = c.rng.randrange(3)
    if choice == 0 or n is None:
        c.doc["name"] = payload
    elif choice == 1:
        n["scope"] = payload
    else:
        n["source"] = {"file": payload, "line": 1, "function": payload, "cell_id": payload}
    return True


@maybe
def swap_reference(c: Case) -> bool:
    nodes = c.nodes()
    cands = [k for k, n in enumerate(nodes) if any("value" in i for i in n["inputs"])]
    if not cands:
        return False
    k = c.rng.choice(cands)
    earlier = [d["name"] for d in c.values()] + [n["name"] for n in nodes[:k]]
    c.rng.choice([i for i in nodes[k]["inputs"] if "value" in i])["value"] = c.rng.choice(earlier)
    return True


@maybe
def other_param_value(c: Case) -> bool:
    n = _pick(c, [n for n in c.nodes() if n["params"]])
    if n is None:
        return False
    k = c.rng.choice(sorted(n["params"]))
    v = n["params"][k]
    if isinstance(v, bool):
        n["params"][k] = not v
    elif isinstance(v, int) or v is None:
        n["params"][k] = c.rng.choice([None, -1, 0, 1, 2, 3, -3, 10**6])
    elif isinstance(v, float):
        n["params"][k] = c.rng.choice([0.0, -1.0, 1e30, {"float": "nan"}, {"float": "-inf"}])
    elif isinstance(v, dict) and "tuple" in v and v["tuple"]:
        items = list(v["tuple"])
        j = c.rng.randrange(len(items))
        if isinstance(items[j], int) and not isinstance(items[j], bool):
            items[j] = c.rng.choice([-1, 0, 1, 2, 5, 2**31])
        else:
            items.pop(j)
        n["params"][k] = {"tuple": items}
    elif isinstance(v, dict) and "dtype" in v:
        n["params"][k] = {"dtype": c.rng.choice(["bool", "int64", "float16", "uint8", "float64"])}
    else:
        del n["params"][k]
    return True


@maybe
def other_literal(c: Case) -> bool:
    ins = [i for n in c.nodes() for i in n["inputs"] if "literal" in i]
    i = _pick(c, ins)
    if i is None:
        return False
    i["literal"] = c.rng.choice([0, 1, -1, 0.5, True, None, 2**62, {"float": "inf"}, 1e308])
    return True


@maybe
def other_dims(c: Case) -> bool:
    t = _pick(c, [t for t in c.typed() if t["shape"]])
    if t is None:
        return False
    k = c.rng.randrange(len(t["shape"]))
    t["shape"][k] = c.rng.choice([0, 1, 2, 3, 5, None, "batch", "n"])
    return True


@maybe
def other_dtype(c: Case) -> bool:
    t = _pick(c, c.typed())
    if t is None:
        return False
    t["dtype"] = c.rng.choice(["bool", "int32", "int64", "float16", "float32", "float64", "uint8"])
    return True


@maybe
def other_flags(c: Case) -> bool:
    n = _pick(c, c.nodes())
    t = _pick(c, c.typed())
    if n is None or t is None:
        return False
    if c.rng.random() < 0.5:
        t["requires_grad"] = not t["requires_grad"]
    else:
        n["phase"] = c.rng.choice(["forward", "backward", "update"])
    return True


@maybe
def other_device(c: Case) -> bool:
    t = _pick(c, c.typed())
    if t is None:
        return False
    t["device"] = c.rng.choice(["cpu", "cuda", "cuda:0", "cuda:7"])
    return True


@maybe
def drop_node(c: Case) -> bool:
    nodes = c.nodes()
    if not nodes:
        return False
    nodes.pop(c.rng.randrange(len(nodes)))
    return True


@maybe
def drop_output_or_update(c: Case) -> bool:
    key = c.rng.choice(["outputs", "updates"])
    if not c.doc[key]:
        return False
    c.doc[key].pop(c.rng.randrange(len(c.doc[key])))
    return True


@maybe
def tamper_program(c: Case) -> bool:
    """A fused node's program: another op, input reference, literal or param in one step."""
    n = _pick(c, [n for n in c.nodes() if n["op"] == "fused"])
    if n is None:
        return False
    step = c.rng.choice(n["params"]["program"]["tuple"])["tuple"]
    choice = c.rng.randrange(4)
    if choice == 0:
        step[0] = c.rng.choice(["sin", "exp", "add", "where", "sum", "fused", "assign", *PAYLOADS])
    elif choice == 1:
        step[2] = {"tuple": [c.rng.choice([
            {"tuple": ["in", c.rng.choice([0, 1, 5, -1])]},
            {"tuple": ["tmp", c.rng.choice([0, 3, -1])]},
            {"tuple": ["out", 0]}, {"tuple": [{"array": "k"}, 0]}, 2.0, None, "in", [1],
        ]) for _ in step[2]["tuple"]]}  # fmt: skip
    elif choice == 2:
        step[1] = {"tuple": [{"tuple": [c.rng.choice(["axis", "dtype", "x"]), 1]}]}
    else:
        step[1] = c.rng.choice([[], {"tuple": [1]}, {"dict": {}}, None])
    return True


@maybe
def change_op(c: Case) -> bool:
    n = _pick(c, c.nodes())
    if n is None:
        return False
    n["op"] = c.rng.choice(["add", "mul", "exp", "relu", "sum", "neg", "matmul", "getitem", "cast"])
    return True


# ---- the judge -------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of outcomes, and the first few cases that were neither clear nor valid."""

    tried: int = 0
    rejected: int = 0
    accepted: int = 0
    ran: int = 0
    other: int = 0
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"tried {self.tried} / rejected clearly {self.rejected} / accepted valid "
            f"{self.accepted} (ran {self.ran}) / other {self.other}"
        )


def mutate(seed: Seed, rng: random.Random) -> Case:
    """A case: 1-3 mutations of the seed, the last one bad with probability 0.7."""
    c = Case(seed, rng)
    # maybe-mutations first, then at most one bad one (so no later change can undo it)
    steps = [MAYBE] * rng.choice([0, 0, 1, 2]) + ([BAD] if rng.random() < 0.7 else [MAYBE])
    for table in steps:
        if c.text is not None or not isinstance(c.doc, dict):
            break
        name = rng.choice(sorted(table))
        try:
            applied = table[name](c)
        except (KeyError, TypeError, IndexError, AttributeError, ValueError, RecursionError):
            c.done.append(name + "(partly: an earlier mutation removed what it needs)")
            break  # half applied: the case may or may not be valid
        if applied:
            c.done.append(name)
            c.bad = c.bad or table is BAD
    return c


def _feeds(g: Graph) -> list[np.ndarray[Any, Any]] | None:
    """Small feeds for g's inputs (zeros: valid class indices too), or None if g is too big."""
    feeds = []
    for v in g.inputs:
        shape = tuple(2 if not isinstance(d, int) else d for d in v.shape)
        feeds.append(np.zeros(shape, v.dtype))
    sizes = [np.prod([d if isinstance(d, int) else 2 for d in v.shape]) for v in g.all_values()]
    return feeds if max(sizes, default=0) <= MAX_RUN_ELEMENTS else None


def judge(c: Case, tally: Tally) -> None:
    """Load the case and record the outcome; anything but the two allowed ones is `other`."""
    tally.tried += 1
    what = "+".join(c.done) or "none"
    try:
        outcome = _run(c)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if getattr(builtins, SENTINEL, None):
        delattr(builtins, SENTINEL)
        outcome = "CODE RAN"
    if outcome == "rejected":
        tally.rejected += 1
        return
    if outcome in ("accepted", "ran") and not c.bad:
        tally.accepted += 1
        tally.ran += outcome == "ran"
        return
    if outcome in ("accepted", "ran"):
        outcome = "an invalid file was accepted"
    tally.other += 1
    if len(tally.examples) < 10:
        tally.examples.append(f"{what}: {outcome[:300]}")


def _run(c: Case) -> str:
    """'rejected', 'accepted' or 'ran' (raises whatever else happens)."""
    try:
        g = Graph.from_json(c.text if c.text is not None else c.doc, c.arrays)
    except GraphFormatError as exc:
        if (
            not exc.path.startswith("$")
            or not exc.reason
            or "\n" in str(exc)
            or len(str(exc)) > 1000
        ):
            return f"unclear GraphFormatError: {str(exc)[:200]!r}"
        return "rejected"
    again = Graph.from_json(json.dumps(g.to_json()), arrays_of(g))  # still a valid file
    if json.dumps(again.to_json()) != json.dumps(g.to_json()):
        return "the loaded graph does not re-save to the same file"
    feeds = _feeds(g)
    if feeds is None:
        return "accepted"
    try:
        g.compile().run(*feeds)
    except VizflowError:
        return "accepted"
    return "ran"


def fuzz(n: int, seed: int = 0, budget_s: float | None = None) -> Tally:
    """Run n cases (fewer if budget_s seconds pass first) from a fixed seed."""
    import time

    rng = random.Random(seed)
    pool = seeds()
    tally = Tally()
    start = time.perf_counter()
    for _ in range(n):
        judge(mutate(rng.choice(pool), rng), tally)
        if budget_s is not None and time.perf_counter() - start > budget_s:
            break
    return tally
