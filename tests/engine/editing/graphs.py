"""The graphs the editor tests use: the ones people make (an MLP built by hand, a CNN, a
traced SGD training step, a 40-layer Sequential, a long flat chain), and a small helper to
build a document with commands."""

from __future__ import annotations

from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine.editing import Document, apply_step
from vizflow_engine.graph.ir import Graph


def pos(x: float = 0.0, y: float = 0.0) -> dict[str, float]:
    return {"x": x, "y": y}


def add(doc: Document, kind: str, op: str | None = None, **fields: Any) -> str:
    """Add a node with one command; return its id."""
    cmd: dict[str, Any] = {"cmd": "add_node", "kind": kind, "position": pos(), **fields}
    if op is not None:
        cmd["op"] = op
    return apply_step(doc, [cmd]).created["nodes"][0]


def wire(doc: Document, source: str, target: str, port: int) -> str:
    cmd = {"cmd": "connect", "source": source, "source_port": 0, "target": target,
           "target_port": port}  # fmt: skip
    return apply_step(doc, [cmd]).created["edges"][0]


def mlp_document() -> tuple[Document, dict[str, str]]:
    """x[batch,4] -> matmul w1[4,8] -> add b1 -> relu -> matmul w2[8,3] -> cross_entropy(y)."""
    doc = Document("mlp")
    ids = {
        "x": add(doc, "placeholder", name="x", params={"shape": ["batch", 4]}),
        "y": add(doc, "placeholder", name="y", params={"shape": ["batch"], "dtype": "int64"}),
        "w1": add(doc, "variable", name="w1", params={"shape": [4, 8], "init": "xavier_uniform"}),
        "b1": add(doc, "variable", name="b1", params={"shape": [8]}),
        "w2": add(doc, "variable", name="w2", params={"shape": [8, 3], "init": "xavier_uniform"}),
    }
    for name, op in [("h", "matmul"), ("a", "add"), ("r", "relu"), ("logits", "matmul"),
                     ("loss", "cross_entropy")]:  # fmt: skip
        ids[name] = add(doc, "op", op, name=name)
    for src, dst, port in [("x", "h", 0), ("w1", "h", 1), ("h", "a", 0), ("b1", "a", 1),
                           ("a", "r", 0), ("r", "logits", 0), ("w2", "logits", 1),
                           ("logits", "loss", 0), ("y", "loss", 1)]:  # fmt: skip
        wire(doc, ids[src], ids[dst], port)
    return doc, ids


def traced_mlp() -> Graph:
    model = vf.nn.Sequential(vf.nn.Linear(4, 8), vf.nn.ReLU(), vf.nn.Linear(8, 3))
    return vf.trace(lambda x: model(x), vf.spec(("batch", 4)))


def traced_cnn() -> Graph:
    model = vf.nn.Sequential(
        vf.nn.Conv2d(1, 4, 3, padding=1), vf.nn.ReLU(), vf.nn.MaxPool2d(2), vf.nn.Flatten(),
        vf.nn.Linear(4 * 4 * 4, 10),
    )  # fmt: skip
    return vf.trace(lambda x: model(x), vf.spec((2, 1, 8, 8)))


def traced_sgd_step() -> Graph:
    model = vf.nn.Sequential(vf.nn.Linear(4, 8), vf.nn.ReLU(), vf.nn.Linear(8, 3))
    opt = vf.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    @vf.function
    def step(x: Any, y: Any) -> Any:
        loss = vf.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step.graph(np.zeros((5, 4), np.float32), np.zeros(5, np.int64))


def deep_sequential(layers: int = 40) -> Graph:
    blocks: list[Any] = []
    for _ in range(layers):
        blocks += [vf.nn.Linear(8, 8), vf.nn.ReLU()]
    model = vf.nn.Sequential(*blocks)
    return vf.trace(lambda x: model(x), vf.spec(("batch", 8)))


def traced_rnn_loop(steps: int = 6) -> Graph:
    """An RNN cell applied in a Python loop: unrolled, its steps in numbered scopes."""
    cell = vf.nn.RNNCell(3, 5)

    def encode(seq: Any) -> Any:
        h = vf.zeros(2, 5)
        for t in range(steps):
            h = cell(seq[t], h)
        return h

    return vf.trace(encode, vf.spec((steps, 2, 3)))


def chain(n: int) -> Graph:
    g = Graph("chain")
    v = g.placeholder("x", (3,))
    for _ in range(n):
        v = vf.tanh(v)
    return g.output(v)


def comparable(g: Graph) -> dict[str, Any]:
    """A graph's JSON without what code cannot carry (source lines, forward_of links, the
    module classes owning its scopes: code rebuilds scopes as plain vf.name_scope blocks)."""
    doc = g.to_json()
    doc.pop("scope_types", None)
    for node in doc["nodes"]:
        node["source"] = None
        node["forward_of"] = None
    return doc
