"""Loading a Module's state all or nothing: every key, shape and dtype is checked first.

Values are cast to each parameter's dtype when numpy's "same_kind" rule allows it (float64
into float32, as PyTorch's load_state_dict does, or int into float); anything else (float
into an int buffer, complex into float) is refused. A weight tied under several names (one
tensor) is satisfied by any one of them; when several are given they must hold equal values.
Any problem raises one CheckpointError listing every problem, and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Any, NamedTuple

import numpy as np

from ..backend import to_device
from ..errors import CheckpointError
from ..tensor import Tensor
from .npz import NpzReader
from .tree import ArrayRef, read_tree

_MAX_LISTED = 20  # problems spelled out in one error message


class IncompatibleKeys(NamedTuple):
    """What load_state_dict(strict=False) skipped, as PyTorch returns it."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class _Plan(NamedTuple):
    """The checked outcome: (name, tensor) to write, and what strict=False skips."""

    writes: list[tuple[str, Tensor]]
    missing: list[str]
    unexpected: list[str]


def _describe(shape: tuple[int, ...], dtype: Any) -> str:
    return f"shape {tuple(shape)} {np.dtype(dtype)}"


def _missing(names: list[str], t: Tensor) -> str:
    """'missing 'w' (shape (2, 3) float32, tied to 'v')'."""
    tied = "".join(f", tied to {n!r}" for n in names[1:])
    return f"missing {names[0]!r} ({_describe(t.array.shape, t.array.dtype)}{tied})"


def check_state(
    owner: str,
    own: list[tuple[str, Tensor]],
    found: Mapping[str, tuple[tuple[int, ...], np.dtype[Any]]],
    strict: bool,
) -> _Plan:
    """Check found (name -> (shape, dtype)) against own (every name of every tensor);
    raise one CheckpointError listing every problem."""
    by_name = dict(own)
    names_of: dict[int, list[str]] = {}
    for n, tensor in own:
        names_of.setdefault(id(tensor), []).append(n)
    problems: list[str] = []
    writes: list[tuple[str, Tensor]] = []
    for k, (shape, dtype) in found.items():
        t = by_name.get(k)
        if t is None:
            continue
        want_shape, want_dtype = tuple(t.array.shape), np.dtype(t.array.dtype)
        if tuple(shape) != want_shape or not np.can_cast(dtype, want_dtype, "same_kind"):
            problems.append(
                f"{k!r}: {_describe(shape, dtype)} in the checkpoint, "
                f"{_describe(want_shape, want_dtype)} in the model"
            )
        else:
            writes.append((k, t))
    unexpected = [k for k in found if k not in by_name]
    missing = [names for names in names_of.values() if not any(n in found for n in names)]
    if strict:
        problems += [_missing(names, by_name[names[0]]) for names in missing]
        problems += [
            f"unexpected {k!r} ({_describe(*found[k])}): the model has no such parameter or buffer"
            for k in unexpected
        ]
    if problems:
        listed = problems[:_MAX_LISTED]
        more = len(problems) - len(listed)
        raise CheckpointError(
            f"cannot load this state into {owner}; nothing was changed:\n  "
            + "\n  ".join(listed)
            + (f"\n  … and {more} more" if more else "")
            + ("\n(strict=False skips missing and unexpected keys)" if strict else "")
        )
    return _Plan(writes, [n for names in missing for n in names], unexpected)


def _as_found(k: Any, v: Any) -> tuple[Any, str | None]:
    """A state value as an array with .shape and .dtype, or (None, the reason it is not)."""
    if not isinstance(k, str):
        return None, f"key {k!r}: state dict keys are parameter names (str)"
    if isinstance(v, Tensor):
        v = v.array
    elif not isinstance(v, np.ndarray) and not hasattr(v, "__cuda_array_interface__"):
        try:
            v = np.asarray(v)
        except (ValueError, TypeError) as exc:
            return None, f"{k!r}: not an array ({exc})"
    if np.dtype(v.dtype).kind not in "biufc":
        return None, f"{k!r}: {type(v).__name__} of dtype {v.dtype} is not an array of numbers"
    return v, None


def _check_tied(owner: str, writes: list[tuple[str, Tensor]], values: Mapping[str, Any]) -> None:
    """Names of one tensor given together must carry equal values."""
    first: dict[int, str] = {}
    for k, t in writes:
        other = first.setdefault(id(t), k)
        if other != k:
            a, b = to_device(values[other], t.device), to_device(values[k], t.device)
            if not bool(t.device.xp.array_equal(a, b)):
                raise CheckpointError(
                    f"cannot load this state into {owner}; nothing was changed: {other!r} "
                    f"and {k!r} name one tied tensor of the model but hold different values"
                )


def _write(writes: list[tuple[str, Tensor]], values: Mapping[str, Any]) -> None:
    """Copy each value into its tensor's array in place (each tied tensor once)."""
    done: set[int] = set()
    for k, t in writes:
        if id(t) in done:
            continue
        done.add(id(t))
        t.device.xp.copyto(t.array, to_device(values[k], t.device), casting="same_kind")
        t._bump_version()


def load_state(
    owner: str, own: list[tuple[str, Tensor]], state: Any, strict: bool
) -> IncompatibleKeys:
    """Module.load_state_dict: check everything, then write; on error nothing changes."""
    if not isinstance(state, Mapping):
        raise CheckpointError(
            f"load_state_dict takes a mapping of name -> array (a state_dict), not "
            f"{type(state).__name__}"
        )
    values: dict[str, Any] = {}
    bad: list[str] = []
    for k, v in state.items():
        arr, why = _as_found(k, v)
        if why is not None:
            bad.append(why)
        else:
            values[k] = arr
    if bad:
        raise CheckpointError(
            f"cannot load this state into {owner}; nothing was changed:\n  " + "\n  ".join(bad)
        )
    plan = check_state(owner, own, {k: (v.shape, v.dtype) for k, v in values.items()}, strict)
    _check_tied(owner, plan.writes, values)
    _write(plan.writes, values)
    return IncompatibleKeys(plan.missing, plan.unexpected)


def load_file(
    owner: str, own: list[tuple[str, Tensor]], f: str | os.PathLike[str] | IO[bytes], strict: bool
) -> IncompatibleKeys:
    """Module.load: headers and structure checked against the model before any array is
    decompressed; then only the arrays to load are read, and written."""
    with NpzReader(f) as reader:
        tree = read_tree(reader)
        if not isinstance(tree, dict) or not all(
            isinstance(k, str) and isinstance(v, ArrayRef) for k, v in tree.items()
        ):
            raise CheckpointError(
                f"{reader.name}: not a state dict (a flat mapping of name -> array); if it "
                "holds several objects, read it with vf.load and pass the model's part to "
                "load_state_dict"
            )
        found = {k: (r.header.shape, r.header.dtype) for k, r in tree.items()}
        try:
            plan = check_state(owner, own, found, strict)
        except CheckpointError as exc:
            raise CheckpointError(f"{reader.name}: {exc}") from None
        values = {k: reader.read(tree[k].header.key) for k, _ in plan.writes}
    _check_tied(owner, plan.writes, values)
    _write(plan.writes, values)
    return IncompatibleKeys(plan.missing, plan.unexpected)


__all__ = ["IncompatibleKeys", "check_state", "load_file", "load_state"]
