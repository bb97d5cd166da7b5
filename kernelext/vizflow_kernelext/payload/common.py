"""Pieces every GraphPayload builder shares: params as JSON, op docs, source locations."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vizflow_engine.registry import COMPOSITES, get_op

_PARAM_SCALARS = (str, int, float, bool, type(None))


@dataclass
class BuiltGraph:
    """A GraphPayload plus the live values behind its nodes (for the inspector), and the
    ids of the nodes whose value is a leaf's current one rather than recorded by the run."""

    payload: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    current: set[str] = field(default_factory=set)


def json_number(value: float) -> float | str:
    """A float as JSON can carry it: itself when finite, else "NaN", "Infinity" or
    "-Infinity" (the protocol's NonFiniteNumber; JSON has no such numbers)."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def jsonable_param(value: Any) -> Any:
    """Params become JSON scalars or lists (a non-finite float as its NonFiniteNumber
    string); an array of more than 16 numbers is summarised; anything else is its repr."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray) and value.size > 16:  # e.g. an onnx_node's model bytes
        return f"array of {value.size} {value.dtype}"
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, _PARAM_SCALARS):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, _PARAM_SCALARS) for v in value):
        return [json_number(v) if isinstance(v, float) else v for v in value]
    return repr(value)


def holds_nonfinite(value: Any) -> bool:
    """Whether a value (a Tensor, a numpy or cupy array, a scalar) holds a NaN or an
    infinity; integer and boolean values never do."""
    if callable(getattr(value, "numpy", None)):
        value = value.numpy()
    elif not isinstance(value, np.ndarray) and callable(getattr(value, "get", None)):
        value = value.get()  # a cupy array, copied to the host
    data = np.asarray(value)
    return data.dtype.kind in "fc" and not bool(np.isfinite(data).all())


def nonfinite_mark(bad: bool, inputs_bad: Iterable[bool]) -> str | None:
    """GraphNode.nonfinite: "produced" when the node's value holds NaN/Inf and none of its
    inputs' values does, "passed" when one did, None when its value is finite."""
    if not bad:
        return None
    return "passed" if any(inputs_bad) else "produced"


def op_doc(op_name: str) -> dict[str, str] | None:
    """The registry's formula and doc of an op (or composite), for the inspector."""
    try:
        op = get_op(op_name)
    except KeyError:
        comp = COMPOSITES.get(op_name)
        if comp is None:
            return None
        return {
            "category": comp.category,
            "formula": comp.formula,
            "grad_formula": "",
            "doc": comp.doc,
        }
    return {
        "category": op.category,
        "formula": op.formula,
        "grad_formula": op.grad_formula,
        "doc": op.doc,
    }


def source_of(node: Any) -> dict[str, Any] | None:
    """The protocol's SourceLocation of a node, or None when unknown."""
    src = getattr(node, "source", None)
    if src is None:
        return None
    file = str(src.file)
    location = {
        "file": file,
        "line": int(src.line),
        "cell": _notebook_cell(file) or getattr(src, "cell_id", None),
        "function": getattr(src, "function", None),
    }
    return {k: v for k, v in location.items() if v is not None}


class SourceLocations:
    """`source_of` for the nodes of one payload, each distinct location built once (the
    10,000 ops of a loop share one line); nodes at one location share its dict."""

    def __init__(self) -> None:
        self._built: dict[Any, dict[str, Any] | None] = {}

    def __call__(self, node: Any) -> dict[str, Any] | None:
        src = getattr(node, "source", None)
        if src is None:
            return None
        try:
            return self._built[src]
        except KeyError:
            built = self._built[src] = source_of(node)
            return built
        except TypeError:  # an unhashable location: built each time
            return source_of(node)


def _notebook_cell(filename: str) -> str | None:
    """`In[N]` for code run in this IPython kernel's cell N (the notebook shows N)."""
    shell = _get_ipython()
    filename_map = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if not isinstance(filename_map, dict):
        return None
    number = filename_map.get(filename)
    return None if number is None else f"In[{number}]"


def _get_ipython() -> Any:
    """The running IPython shell, or None (IPython missing, or not in a kernel)."""
    try:
        from IPython.core.getipython import get_ipython
    except ImportError:
        return None
    return get_ipython()


_DTYPE_TEXT: dict[Any, str] = {}


def dtype_text(dtype: Any) -> str:
    """A dtype's name as the payload carries it ("float32"); remembered per dtype, since
    numpy's str(dtype) costs microseconds and a 10,000-node graph asks 20,000 times."""
    text = _DTYPE_TEXT.get(dtype)
    if text is None:
        text = _DTYPE_TEXT[dtype] = str(dtype)
    return text


def op_docs_for(nodes: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The op_docs table for the ops these payload nodes use."""
    return {n["op"]: doc for n in nodes if (doc := op_doc(n["op"])) is not None}


_DROPPABLE: dict[str, Any] = {
    "forward_of": None,
    "nonfinite": None,
    "updates": None,
    "params": {},
    "source": None,
    "has_value": False,
    "has_grad": False,
}


def compact_node(node: dict[str, Any]) -> dict[str, Any]:
    """Drop optional fields at their default (and unmeasured metrics): 10k-node graphs stay
    small on the wire; the viewer reads a missing field as its default."""
    metrics = {k: v for k, v in node.get("metrics", {}).items() if v is not None}
    out = {k: v for k, v in node.items() if k != "metrics" and _DROPPABLE.get(k, 0) != v}
    if metrics:
        out["metrics"] = metrics
    return out


def op_fields(
    node: Any,
    name: str,
    shape: list[Any],
    dtype: Any,
    device: Any,
    forward_of: str | None,
    sources: SourceLocations,
) -> dict[str, Any]:
    """The payload fields of an op node, shared by eager histories and traced graphs
    (`sources`: the payload's source locations, built once each)."""
    return {
        "op": node.op.name,
        "name": name,
        "category": node.op.category,
        "shape": shape,
        "dtype": dtype_text(dtype),
        "device": str(device),
        "scope": node.scope or "",
        "phase": node.phase,
        "forward_of": forward_of,
        "params": {k: jsonable_param(v) for k, v in node.params.items()},
        "source": sources(node),
    }
