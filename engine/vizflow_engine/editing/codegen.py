"""Readable vizflow Python that rebuilds a Document's graph, built with `ast` (never text
templates): names stay string literals (ast.Constant), so no name or param becomes code.

The program builds a vf.Graph by hand: placeholders, variables (from their vf.nn.init
initialiser; a held array as zeros of its shape, or small constants written out), op nodes
through `g.apply(vf.get_op(op), inputs, params, name=...)`, scopes as `with vf.name_scope(...)`
and backward/update phases as `with vf.phase(...)`, then outputs and updates.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from typing import Any

import numpy as np

from .convert import sinks
from .errors import EditError
from .infer import infer_all
from .model import Document, NodeRec
from .records import is_held

INLINE_CONSTANT = 16
"""Constants of at most this many elements are written into the code; bigger ones as zeros."""
_WORD = re.compile(r"\W+")


def _attr(*path: str) -> ast.expr:
    expr: ast.expr = ast.Name(path[0], ast.Load())
    for part in path[1:]:
        expr = ast.Attribute(expr, part, ast.Load())
    return expr


def _call(func: ast.expr, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    return ast.Call(func, list(args), [ast.keyword(k, v) for k, v in kwargs.items()])


def literal(value: Any) -> ast.expr:
    """An engine value (param, literal input, shape) as an expression."""
    if value is None or isinstance(value, (bool, str)):
        return ast.Constant(value)
    if isinstance(value, (int, np.integer)):
        return ast.Constant(int(value))
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return ast.Constant(f) if math.isfinite(f) else _call(_attr("float"), ast.Constant(repr(f)))
    if isinstance(value, tuple):
        return ast.Tuple([literal(v) for v in value], ast.Load())
    if isinstance(value, list):
        return ast.List([literal(v) for v in value], ast.Load())
    if isinstance(value, np.dtype):
        return _call(_attr("np", "dtype"), ast.Constant(str(value)))
    if isinstance(value, slice):
        return _call(_attr("slice"), *(literal(v) for v in (value.start, value.stop, value.step)))
    if value is Ellipsis:
        return ast.Constant(...)
    if isinstance(value, np.ndarray) and value.size <= INLINE_CONSTANT:
        return _call(
            _attr("np", "array"), literal(value.tolist()), dtype=ast.Constant(str(value.dtype))
        )
    raise EditError(f"cannot write a {type(value).__name__} param as code")


class _Names:
    """Python variable names for node names: identifiers, unique, never keywords."""

    def __init__(self) -> None:
        self.used = {"g", "np", "vf"}
        self.of: dict[str, str] = {}

    def add(self, ident: str, name: str) -> str:
        base = _WORD.sub("_", name).strip("_") or "v"
        if base[0].isdigit():
            base = "v_" + base
        if keyword.iskeyword(base) or not base.isidentifier() or base.isascii() is False:
            base = "v_" + "".join(
                c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in base
            )
        candidate, k = base, 1
        while candidate in self.used:
            candidate, k = f"{base}_{k}", k + 1
        self.used.add(candidate)
        self.of[ident] = candidate
        return candidate


def _leaf_expr(doc: Document, node: NodeRec) -> ast.expr:
    p = node.params
    name = ast.Constant(node.name)
    if node.kind == "placeholder":
        return _call(
            _attr("g", "placeholder"),
            name,
            literal(tuple(p["shape"])),
            ast.Constant(str(p["dtype"])),
        )
    if node.kind == "constant":
        return _call(_attr("g", "constant"), _array_expr(doc, node), name)
    grad = ast.Constant(bool(p.get("requires_grad", True)))
    if is_held(node):
        return _call(_attr("g", "variable"), name, _array_expr(doc, node), grad)
    init = _call(
        _attr("vf", "zeros"), *(literal(d) for d in p["shape"]), dtype=ast.Constant(str(p["dtype"]))
    )
    value = _call(_attr("vf", "nn", "init", p["init"] + "_"), init)
    return _call(_attr("g", "variable"), name, value, grad)


def _array_expr(doc: Document, node: NodeRec) -> ast.expr:
    if not is_held(node):
        return _call(
            _attr("np", "asarray"),
            literal(node.params["value"]),
            dtype=ast.Constant(str(node.params["dtype"])),
        )
    held = doc.arrays[node.id]
    arr = np.asarray(getattr(held, "array", held))
    if arr.size <= INLINE_CONSTANT and arr.dtype.kind in "biuf":
        return _call(
            _attr("np", "array"), literal(arr.tolist()), dtype=ast.Constant(str(arr.dtype))
        )
    return _call(
        _attr("np", "zeros"), literal(tuple(arr.shape)), dtype=ast.Constant(str(arr.dtype))
    )


def _contexts(doc: Document, node: NodeRec) -> list[tuple[str, str]]:
    """The with-blocks a node is built in: its phase (when not forward), no_grad when made
    without recording gradients, then its scopes."""
    found = [("phase", node.phase)] if node.phase != "forward" else []
    found += [("no_grad", "")] if node.no_grad else []
    scope = doc.scope_of(node.group)
    return found + [("name_scope", part) for part in scope.split("/") if scope]


def to_code(doc: Document) -> str:
    """Python source that rebuilds the document's graph as `g` (EditError if it has errors)."""
    types = infer_all(doc)
    bad = next((i for i in doc.topological() if types[i].error is not None), None)
    if bad is not None:
        raise EditError(f"node {doc.nodes[bad].name!r}: {types[bad].error}")
    names = _Names()
    into = doc.incoming()
    module: list[ast.stmt] = [
        ast.Import([ast.alias("numpy", "np")]),
        ast.Import([ast.alias("vizflow", "vf")]),
        ast.Assign(
            [ast.Name("g", ast.Store())], _call(_attr("vf", "Graph"), ast.Constant(doc.name))
        ),
    ]
    stack: list[tuple[tuple[str, str], list[ast.stmt]]] = []
    for ident in doc.topological():
        node = doc.nodes[ident]
        want = _contexts(doc, node) if node.kind == "op" else []
        keep = 0
        while keep < min(len(stack), len(want)) and stack[keep][0] == want[keep]:
            keep += 1
        del stack[keep:]
        for ctx in want[keep:]:
            body: list[ast.stmt] = []
            args = [ast.Constant(ctx[1])] if ctx[1] else []
            block = ast.With([ast.withitem(_call(_attr("vf", ctx[0]), *args))], body)
            (stack[-1][1] if stack else module).append(block)
            stack.append((ctx, body))
        target = names.add(ident, node.name)
        if node.kind == "op":
            value = _op_expr(doc, node, into.get(ident, {}), names)
        else:
            value = _leaf_expr(doc, node)
        body = stack[-1][1] if stack else module
        body.append(ast.Assign([ast.Name(target, ast.Store())], value))
        if node.kind == "op" and node.requires_grad:
            flag = ast.Attribute(ast.Name(target, ast.Load()), "requires_grad", ast.Store())
            body.append(ast.Assign([flag], ast.Constant(True)))
    outputs = doc.outputs or sinks(doc)
    module.append(
        ast.Expr(_call(_attr("g", "output"), *(ast.Name(names.of[i], ast.Load()) for i in outputs)))
    )
    for var, val in doc.updates:
        module.append(
            ast.Expr(
                _call(
                    _attr("g", "assign"),
                    ast.Name(names.of[var], ast.Load()),
                    ast.Name(names.of[val], ast.Load()),
                )
            )
        )
    uses_np = any(
        isinstance(n, ast.Name) and n.id == "np" for n in ast.walk(ast.Module(module[2:], []))
    )
    tree = ast.Module(module if uses_np else module[1:], [])
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _op_expr(doc: Document, node: NodeRec, wired: dict[int, Any], names: _Names) -> ast.expr:
    count = max([*wired, *node.literals], default=-1) + 1
    ins = [
        ast.Name(names.of[wired[k].source], ast.Load()) if k in wired else literal(node.literals[k])
        for k in range(count)
    ]
    params = ast.Dict(
        [ast.Constant(k) for k in node.params], [literal(v) for v in node.params.values()]
    )
    return _call(
        _attr("g", "apply"),
        _call(_attr("vf", "get_op"), ast.Constant(node.op)),
        ast.Tuple(ins, ast.Load()),
        params,
        name=ast.Constant(node.name),
    )


__all__ = ["literal", "to_code"]
