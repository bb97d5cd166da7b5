"""Run a Document eagerly, node by node (every value kept for the nodes), and train it.

Inputs are arrays (from the kernel) or random values of a placeholder's declared shape (named
or unknown dims as 2; integer inputs in [0, 2)). Training minimises a scalar node with a
vf.optim optimiser; the variables' new values go back into the document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import optim
from ..autograd import no_grad
from ..creation import tensor
from ..dispatch import dispatch
from ..tensor import Tensor
from .convert import initial_value
from .errors import EditError
from .infer import NodeType, infer_all
from .model import Document
from .params import op_def
from .records import is_held
from .states import RunRecord, fingerprints

RANDOM_DIM = 2
OPTIMIZERS: dict[str, Callable[..., Any]] = {
    "sgd": optim.SGD,
    "adam": optim.Adam,
    "adamw": optim.AdamW,
    "rmsprop": optim.RMSprop,
}


def random_input(shape: tuple[Any, ...], dtype: Any, rng: np.random.Generator) -> Any:
    """Random values of a declared shape (named or unknown dims as RANDOM_DIM)."""
    dims = tuple(d if isinstance(d, int) else RANDOM_DIM for d in shape)
    dt = np.dtype(dtype)
    if dt.kind in "iub":
        return rng.integers(0, 2, dims).astype(dt)
    return rng.standard_normal(dims).astype(dt)


def _feed(doc: Document, ident: str, given: Mapping[str, Any], rng: np.random.Generator) -> Any:
    node = doc.nodes[ident]
    shape, dtype = node.params["shape"], node.params["dtype"]
    if node.name not in given:
        return random_input(shape, dtype, rng)
    arr = np.asarray(getattr(given[node.name], "array", given[node.name]))
    fits = arr.ndim == len(shape) and all(
        not isinstance(d, int) or d == n for d, n in zip(shape, arr.shape, strict=True)
    )
    if not fits:
        raise EditError(
            f"input {node.name!r} is declared {tuple(shape)} but was given shape {arr.shape}"
        )
    return arr.astype(dtype, copy=False)


def input_values(
    doc: Document, feeds: Mapping[str, Any], keep: set[str] | None = None, seed: int = 0
) -> dict[str, Any]:
    """Each placeholder's array by node id (`keep`: only those): the one fed by name, else
    random values of its declared shape, drawn in topological order (Run and Debug agree)."""
    rng = np.random.default_rng(seed)
    return {
        ident: _feed(doc, ident, feeds, rng)
        for ident in doc.topological()
        if doc.nodes[ident].kind == "placeholder" and (keep is None or ident in keep)
    }


def _leaf(doc: Document, ident: str, trainable: dict[str, Tensor]) -> Any:
    node = doc.nodes[ident]
    if ident in trainable:
        return trainable[ident]
    if node.kind == "constant" and not is_held(node):
        return tensor(np.asarray(node.params["value"], node.params["dtype"]))
    if node.kind == "variable" and ident not in doc.arrays:
        doc.set_array(ident, initial_value(node))
    held = doc.arrays[ident]
    return held if isinstance(held, Tensor) else tensor(held)


def forward(
    doc: Document,
    feeds: Mapping[str, Any],
    keep: set[str],
    types: dict[str, NodeType],
    trainable: dict[str, Tensor] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Each kept node's value (Tensors), computed in a topological order."""
    trainable = trainable or {}
    inputs = input_values(doc, feeds, keep, seed)
    into = doc.incoming()
    out: dict[str, Any] = {}
    for ident in doc.topological():
        if ident not in keep:
            continue
        node = doc.nodes[ident]
        if types[ident].error is not None:
            raise EditError(f"node {node.name!r}: {types[ident].error}")
        if node.kind == "placeholder":
            out[ident] = tensor(inputs[ident])
        elif node.kind != "op":
            out[ident] = _leaf(doc, ident, trainable)
        else:
            wired = into.get(ident, {})
            count = max([*wired, *node.literals], default=-1) + 1
            ins = tuple(
                out[wired[k].source] if k in wired else node.literals[k] for k in range(count)
            )
            try:
                out[ident] = dispatch(op_def(node.op), ins, dict(node.params))
            except Exception as exc:
                raise EditError(f"node {node.name!r} failed: {str(exc).splitlines()[0]}") from None
    return out


def run(doc: Document, feeds: Mapping[str, Any], until: str | None = None) -> RunRecord:
    """Run the document (or what `until` needs) and record every value with its fingerprint."""
    keep = doc.upstream(doc.node(until).id) if until is not None else set(doc.nodes)
    types = infer_all(doc)
    with no_grad():
        values = forward(doc, feeds, keep, types)
    prints = fingerprints(doc)
    arrays = [doc.arrays.get(i) for i in keep]
    host = {i: np.asarray(v.array if isinstance(v, Tensor) else v) for i, v in values.items()}
    return RunRecord(host, {i: prints[i] for i in host}, arrays)


def train(
    doc: Document,
    loss: str,
    optimizer: str,
    lr: float,
    steps: int,
    feeds: Mapping[str, Any],
    progress: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Train the variables `loss` depends on for `steps` steps on the same inputs; each step's
    loss goes to `progress`; the variables' new values go back into the document."""
    node = doc.node(loss)
    types = infer_all(doc)
    t = types[node.id]
    if t.error is None and t.shape != ():
        raise EditError(f"the loss {node.name!r} must be a scalar, not shape {t.shape}")
    if optimizer not in OPTIMIZERS:
        raise EditError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
    keep = doc.upstream(node.id)
    trainable: dict[str, Tensor] = {}
    for ident in keep:
        leaf = doc.nodes[ident]
        if leaf.kind == "variable" and leaf.params.get("requires_grad", True):
            held = _leaf(doc, ident, {})
            trainable[ident] = (
                held if held.requires_grad else tensor(held.array, requires_grad=True)
            )
    if not trainable:
        raise EditError(f"nothing to train: {node.name!r} depends on no trainable variable")
    opt = OPTIMIZERS[optimizer](list(trainable.values()), lr=lr)
    losses: list[float] = []
    for k in range(steps):
        value = forward(doc, feeds, keep, types, trainable)[node.id]
        opt.zero_grad()
        value.backward()
        opt.step()
        losses.append(float(value.item()))
        if progress is not None:
            progress(k + 1, losses[-1])
    for ident, param in trainable.items():
        doc.set_array(
            ident, param if isinstance(doc.arrays.get(ident), Tensor) else np.array(param.array)
        )
    return losses
