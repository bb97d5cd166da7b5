"""print(graph): a jaxpr-like listing with types, scopes and phases."""

from __future__ import annotations

from typing import Any

import numpy as np

from .ir import Graph, Value

_SHORT = {
    "float32": "f32",
    "float64": "f64",
    "float16": "f16",
    "int64": "i64",
    "int32": "i32",
    "bool": "bool",
}


def typ(v: Value) -> str:
    """f32[4,?,batch]"""
    dims = ",".join("?" if d is None else str(d) for d in v.shape)
    return f"{_SHORT.get(str(v.dtype), str(v.dtype))}[{dims}]"


def _arg(x: Any) -> str:
    return x.name if isinstance(x, Value) else repr(x)


def _params(p: dict[str, Any]) -> str:
    if not p:
        return ""
    if "program" in p:
        return "[" + " ∘ ".join(s[0] for s in reversed(p["program"])) + "]"
    return (
        "["
        + " ".join(
            f"{k}={_show(v)}" if not isinstance(v, np.ndarray) else f"{k}=<array>"
            for k, v in p.items()
        )
        + "]"
    )


def to_text(g: Graph) -> str:
    """The listing: `{ lambda vars ; inputs . let lines in (outputs) }`."""
    head_vars = " ".join(f"{v.name}:{typ(v)}" for v in g.variables)
    head_in = " ".join(f"{v.name}:{typ(v)}" for v in g.inputs)
    lines = [f"{{ lambda {head_vars} ; {head_in} . let"]
    for c in g.constants:
        lines.append(f"    {c.name}:{typ(c)} = constant")
    for n in g.nodes:
        out = g.out[n]
        args = " ".join(_arg(x) for x in n.inputs)
        notes = [x for x in (n.scope, n.phase if n.phase != "forward" else "") if x]
        note = f"    # {' '.join(notes)}" if notes else ""
        args = f" {args}" if args else ""
        lines.append(f"    {out.name}:{typ(out)} = {n.op.name}{_params(n.params)}{args}{note}")
    outs = ", ".join(v.name for v in g.outputs)
    ups = "".join(f" ; {var.name} := {new.name}" for var, new in g.updates)
    lines.append(f"  in ({outs}){ups} }}")
    return "\n".join(lines)


def _show(v: Any) -> str:
    """A param as people write it (dtypes by name)."""
    if isinstance(v, np.dtype):
        return str(v)
    return repr(v)
