"""A tiny what-if language for new values, parsed with `ast` and interpreted from a whitelist
(never eval/exec): `x * 0`, `x + 1e-3`, `-x`, `x[0] = 1`, `x[:, 2] = nan`, `0.5`.

Grammar: one statement, either an expression or `x[index] = expression`. An expression is a
number, `x` (the value now), `nan`, `inf`, `x[index]`, unary -/+, or a binary +, -, *, /, **
of expressions. An index is an int, a slice of ints, or a tuple of those.
"""

from __future__ import annotations

import ast
import operator
from typing import Any

import numpy as np

MAX_EXPRESSION_CHARS = 200
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_NAMES = {"nan": float("nan"), "inf": float("inf")}


class WhatIfError(ValueError):
    """An expression outside the what-if grammar (the message names the part refused)."""


def _refuse(node: ast.AST, what: str) -> WhatIfError:
    return WhatIfError(f"{what} is not allowed in a what-if expression (got {ast.dump(node)[:80]})")


def _index(node: ast.AST) -> Any:
    if isinstance(node, ast.Tuple):
        return tuple(_index(e) for e in node.elts)
    if isinstance(node, ast.Slice):
        parts = [None if p is None else _int(p) for p in (node.lower, node.upper, node.step)]
        return slice(*parts)
    return _int(node)


def _int(node: ast.AST) -> int:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_int(node.operand)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    raise _refuse(node, "an index other than an int or a slice of ints")


def _expr(node: ast.AST, x: Any) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        assert isinstance(node.value, int | float)
        # as float64, so 9 ** 9 ** 9 ** 9 overflows to inf at once instead of computing a
        # Python int of billions of digits (a hang)
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        if node.id == "x":
            return x
        if node.id in _NAMES:
            return _NAMES[node.id]
        raise _refuse(node, f"the name {node.id!r} (only x, nan, inf)")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _expr(node.operand, x)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_expr(node.left, x), _expr(node.right, x))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        return np.asarray(_expr(node.value, x))[_index(node.slice)]
    raise _refuse(node, type(node).__name__)


def apply_whatif(text: str, x: Any) -> Any:
    """The new value the expression `text` gives for the current value x (x is not changed)."""
    if not isinstance(text, str) or len(text) > MAX_EXPRESSION_CHARS:
        raise WhatIfError(
            f"a what-if expression is a string of at most {MAX_EXPRESSION_CHARS} chars"
        )
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        raise WhatIfError(f"cannot parse what-if expression {text!r}: {exc.msg}") from None
    if len(tree.body) != 1:
        raise WhatIfError("a what-if expression is exactly one statement")
    stmt = tree.body[0]
    base = np.array(x, copy=True)
    with np.errstate(all="ignore"):
        if isinstance(stmt, ast.Expr):
            return np.asarray(_expr(stmt.value, base), dtype=base.dtype)
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(t := stmt.targets[0], ast.Subscript)
            and isinstance(t.value, ast.Name)
            and t.value.id == "x"
        ):
            try:
                base[_index(t.slice)] = _expr(stmt.value, base)
            except (IndexError, ValueError) as exc:
                raise WhatIfError(f"what-if {text!r} does not fit the value: {exc}") from None
            return base
    raise _refuse(stmt, "a statement other than an expression or x[index] = expression")
