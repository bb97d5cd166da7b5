"""Unknown and named dims through op shape rules.

Shape rules only know ints and None. To carry a name like "batch" through an op (and to get
slicing and reshapes of unknown dims right), the rule also runs twice with every unknown dim
replaced by a large probe size: an output dim the rule leaves unknown but that equals a named
dim's probe in both runs is that dim. Dims the rule gives as numbers are kept as they are.
"""

from __future__ import annotations

from typing import Any

from ..ops._rules import UNKNOWN_DIM_PROBES
from ..registry import OpDef, TensorSpec

Dim = int | str | None

_PROBE_BASES = UNKNOWN_DIM_PROBES  # two size assignments of the unknown dims
_PROBE_STRIDE = 1_009


def concrete(shape: tuple[Dim, ...]) -> tuple[int | None, ...]:
    """A shape with named dims as None (what op shape rules understand)."""
    return tuple(d if isinstance(d, int) else None for d in shape)


def infer(op: OpDef, specs: tuple[TensorSpec, ...], params: dict[str, Any]) -> TensorSpec:
    """op's output spec for inputs whose shapes may hold names or None; names carry through.

    Errors of the plain rule (dims as None) propagate; the probes only refine its answer.
    """
    plain = op.infer(tuple(TensorSpec(concrete(s.shape), s.dtype) for s in specs), **params)
    keys = _unknown_keys(specs)
    if not keys:
        return plain
    runs = [_probe(op, specs, params, keys, base) for base in _PROBE_BASES]
    first, second = runs
    if first is None or second is None:
        return plain
    names = {k: k if isinstance(k, str) else None for k in keys}
    sizes = [{k: base + i * _PROBE_STRIDE for i, k in enumerate(keys)} for base in _PROBE_BASES]
    by_size = [{v: k for k, v in s.items()} for s in sizes]
    if not len(first) == len(second) == len(plain.shape):
        return plain
    shape: list[Dim] = []
    for d, a, b in zip(plain.shape, first, second, strict=True):
        key = by_size[0].get(a)
        named = d is None and key is not None and key == by_size[1].get(b)
        shape.append(names[key] if named else d)
    return TensorSpec(tuple(shape), plain.dtype)  # type: ignore[arg-type]  # named dims


def _unknown_keys(specs: tuple[TensorSpec, ...]) -> list[Any]:
    """One key per unknown dim: its name (shared by every input) or a unique anonymous key."""
    keys: list[Any] = []
    for i, s in enumerate(specs):
        for j, d in enumerate(s.shape):
            key: Any = d if isinstance(d, str) else (i, j) if d is None else None
            if key is not None and key not in keys:
                keys.append(key)
    return keys


def _probe(
    op: OpDef,
    specs: tuple[TensorSpec, ...],
    params: dict[str, Any],
    keys: list[Any],
    base: int,
) -> tuple[Any, ...] | None:
    """The rule's output shape with unknown dims set to probe sizes; None if the rule refuses."""
    size = {k: base + i * _PROBE_STRIDE for i, k in enumerate(keys)}
    probed = tuple(
        TensorSpec(
            tuple(
                size[d] if isinstance(d, str) else size[(i, j)] if d is None else d
                for j, d in enumerate(s.shape)
            ),
            s.dtype,
        )
        for i, s in enumerate(specs)
    )
    try:
        return tuple(op.infer(probed, **params).shape)
    except (ValueError, TypeError, IndexError, MemoryError, OverflowError):
        return None
