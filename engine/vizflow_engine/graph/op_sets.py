"""Which ops the executor and passes treat specially: numpy ufuncs (out= capable), reductions
with out=, boolean results, and the elementwise ops fusion may merge. One table, read by
the memory plan, the kernels and the fusion pass."""

from __future__ import annotations

UFUNC_NAMES = {
    "add": "add",
    "sub": "subtract",
    "mul": "multiply",
    "div": "true_divide",
    "neg": "negative",
    "exp": "exp",
    "log": "log",
    "log1p": "log1p",
    "sqrt": "sqrt",
    "square": "square",
    "reciprocal": "reciprocal",
    "sin": "sin",
    "cos": "cos",
    "tanh": "tanh",
    "abs": "absolute",
    "sign": "sign",
    "maximum": "maximum",
    "minimum": "minimum",
    "pow": "power",
    "eq": "equal",
    "ne": "not_equal",
    "lt": "less",
    "le": "less_equal",
    "gt": "greater",
    "ge": "greater_equal",
    "logical_and": "logical_and",
    "logical_or": "logical_or",
    "logical_xor": "logical_xor",
    "logical_not": "logical_not",
    "relu": "maximum",
    "matmul": "matmul",
    "isfinite": "isfinite",
    "isnan": "isnan",
}
REDUCE_OUT = frozenset({"sum", "max", "min"})
BOOL_OUT = frozenset(
    {
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "logical_and",
        "logical_or",
        "logical_xor",
        "logical_not",
        "isfinite",
        "isnan",
    }
)

FUSIBLE = frozenset(
    {
        "add",
        "sub",
        "mul",
        "div",
        "neg",
        "exp",
        "log",
        "log1p",
        "sqrt",
        "square",
        "reciprocal",
        "sin",
        "cos",
        "tanh",
        "relu",
        "abs",
        "maximum",
        "minimum",
    }
)
