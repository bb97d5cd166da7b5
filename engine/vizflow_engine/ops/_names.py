"""PyTorch's argument names accepted beside numpy's: dim for axis, keepdim for keepdims.

So habits carry over: `x.sum(dim=1, keepdim=True)` and `x.sum(axis=1, keepdims=True)` are
the same call. The numpy name is the canonical one (it is what ops record as params).
"""

from __future__ import annotations

from typing import Any


def torch_alias(value: Any, alias: Any, default: Any, name: str, alias_name: str) -> Any:
    """`alias` (the PyTorch-named argument) when given, else `value` (the numpy-named one).

    Passing both, with `value` not at its default, is a TypeError naming the two.
    """
    if alias is None:
        return value
    if value is not default and value != default:
        raise TypeError(f"pass {name}= or {alias_name}=, not both (they are the same argument)")
    return alias


def axis_arg(axis: Any, dim: Any, default: Any = None) -> Any:
    """The axis argument of a call that may name it `dim` (PyTorch) instead."""
    return torch_alias(axis, dim, default, "axis", "dim")


def keepdims_arg(keepdims: bool, keepdim: bool | None) -> bool:
    """The keepdims argument of a call that may name it `keepdim` (PyTorch) instead."""
    return bool(torch_alias(keepdims, keepdim, False, "keepdims", "keepdim"))


def reduction_args(axis: Any, keepdims: bool, dim: Any, keepdim: bool | None) -> tuple[Any, bool]:
    """(axis, keepdims) of a reduction called with numpy's names or PyTorch's dim=/keepdim=."""
    if dim is None and keepdim is None:
        return axis, keepdims
    return axis_arg(axis, dim), keepdims_arg(keepdims, keepdim)
