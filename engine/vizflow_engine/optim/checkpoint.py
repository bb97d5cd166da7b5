"""Checks of an optimizer state_dict before anything is loaded, and the guard of traced steps.

check_state_dict validates a whole state_dict against an optimizer (group count, parameter
count per group, hyper-parameter types, state names, shapes and dtypes) and returns what to
write, or raises one CheckpointError listing every problem. HyperparameterGuard runs before
each call of a compiled step: a hyper-parameter other than lr is baked into the traced
graph, so a changed one (by load_state_dict or by hand) is refused instead of ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import CheckpointError
from ..tensor import Tensor

if TYPE_CHECKING:
    from .optimizer import Optimizer

_NOT_HYPER = ("params", "lr_tensor", "_lr_seen")  # never loaded from a file
_LIVE = ("params", "lr", "lr_tensor", "_lr_seen", "initial_lr")  # read afresh on every call
_MAX_LISTED = 20


def state_kind(opt: Optimizer, name: str, arr: Any) -> str | None:
    """ "param" (the parameter's shape and dtype) or "step" (a 0-d int64 counter) for state
    `name`; None when the optimizer declares its state names and this is not one."""
    spec: dict[str, str] | None = type(opt)._state_spec
    if spec is not None:
        return spec.get(name)
    return "step" if np.ndim(arr) == 0 and np.dtype(arr.dtype).kind in "iu" else "param"


def _plain(v: Any, depth: int = 0) -> bool:
    """A hyper-parameter value that is plain data: a number, bool, str, None, or a short
    list/tuple of them."""
    if v is None or isinstance(v, (bool, int, str)):
        return True
    if isinstance(v, float):
        return not math.isnan(v)
    if isinstance(v, (list, tuple)) and depth < 2 and len(v) <= 64:
        return all(_plain(x, depth + 1) for x in v)
    return False


def _check_hyper(k: Any, v: Any, default: Any) -> str | None:
    """Why hyper-parameter k = v cannot load (its type differs from the default's), or None."""
    if not isinstance(k, str) or k in _NOT_HYPER:
        return f"{k!r} is not a hyper-parameter"
    if not _plain(v):
        return f"{k!r} = {type(v).__name__} is not plain data"
    number = (int, float)
    if k == "lr" and (isinstance(v, bool) or not isinstance(v, number) or not v >= 0):
        return f"'lr' = {v!r} is not a non-negative number"
    if isinstance(default, bool):
        return None if isinstance(v, bool) else f"{k!r} = {v!r} is not True or False"
    if isinstance(default, number) and (isinstance(v, bool) or not isinstance(v, number)):
        return f"{k!r} = {v!r} is not a number"
    if isinstance(default, tuple) and (not isinstance(v, (list, tuple)) or len(v) != len(default)):
        return f"{k!r} = {v!r} is not a sequence of {len(default)} values"
    return None


def _groups(
    opt: Optimizer, saved: Any, problems: list[str]
) -> tuple[list[dict[str, Any]], dict[Any, Tensor]]:
    """Each group's hyper-parameters to load, and saved parameter id -> parameter."""
    hps: list[dict[str, Any]] = []
    by_id: dict[Any, Tensor] = {}
    if not isinstance(saved, (list, tuple)) or len(saved) != len(opt.param_groups):
        n = len(saved) if isinstance(saved, (list, tuple)) else type(saved).__name__
        problems.append(f"param_groups: {n} saved, {len(opt.param_groups)} in this optimizer")
        return hps, by_id
    for i, (g, s) in enumerate(zip(opt.param_groups, saved, strict=True)):
        if not isinstance(s, Mapping) or not isinstance(s.get("params"), (list, tuple)):
            problems.append(f"param_groups[{i}] is not a mapping with a 'params' list")
            continue
        ids = s["params"]
        if len(ids) != len(g["params"]):
            problems.append(
                f"param_groups[{i}] has {len(ids)} parameters saved, {len(g['params'])} here"
            )
            continue
        for pid, p in zip(ids, g["params"], strict=True):
            if isinstance(pid, bool) or not isinstance(pid, int) or pid in by_id:
                problems.append(f"param_groups[{i}]: parameter id {pid!r} is not a new int")
                continue
            by_id[pid] = p
        hp: dict[str, Any] = {}
        for k, v in s.items():
            if k == "params":
                continue
            why = _check_hyper(k, v, opt.defaults.get(k))
            if why is not None:
                problems.append(f"param_groups[{i}]: {why}")
            else:
                hp[k] = tuple(v) if isinstance(opt.defaults.get(k), tuple) else v
        hps.append(hp)
    return hps, by_id


def _array(v: Any) -> Any:
    """A state value as an array (Tensors unwrapped), or None when it is not numbers."""
    if isinstance(v, Tensor):
        v = v.array
    elif not isinstance(v, np.ndarray) and not hasattr(v, "__cuda_array_interface__"):
        try:
            v = np.asarray(v)
        except (ValueError, TypeError):
            return None
    return v if np.dtype(v.dtype).kind in "biufc" else None


def _param_state(
    opt: Optimizer, where: str, p: Tensor, saved: Any, problems: list[str]
) -> dict[str, Any]:
    """One parameter's saved state, each array checked against what the optimizer holds."""
    if not isinstance(saved, Mapping):
        problems.append(f"{where} is {type(saved).__name__}, not a mapping of name -> array")
        return {}
    out: dict[str, Any] = {}
    for name, v in saved.items():
        arr = _array(v)
        if not isinstance(name, str) or arr is None:
            problems.append(f"{where}[{name!r}] is not an array of numbers")
            continue
        kind = state_kind(opt, name, arr)
        if kind is None:
            known = sorted(type(opt)._state_spec or ())
            problems.append(
                f"{where}[{name!r}]: {type(opt).__name__} keeps no such state (it keeps "
                f"{known}); was this saved by another optimizer?"
            )
            continue
        shape, dtype = (tuple(p.shape), p.dtype) if kind == "param" else ((), np.dtype("int64"))
        if tuple(arr.shape) != shape or not np.can_cast(arr.dtype, dtype, "same_kind"):
            problems.append(
                f"{where}[{name!r}]: shape {tuple(arr.shape)} {arr.dtype} saved, "
                f"shape {shape} {np.dtype(dtype)} expected"
            )
            continue
        out[name] = arr
    return out


def check_state_dict(
    opt: Optimizer, sd: Any
) -> tuple[list[dict[str, Any]], dict[Tensor, dict[str, Any]]]:
    """(hyper-parameters per group, parameter -> state arrays) to load; one CheckpointError
    listing every problem otherwise."""
    name = type(opt).__name__
    if not isinstance(sd, Mapping) or set(sd) != {"state", "param_groups"}:
        keys = sorted(map(str, sd)) if isinstance(sd, Mapping) else type(sd).__name__
        raise CheckpointError(
            f"{name}.load_state_dict takes the mapping with keys 'state' and 'param_groups' "
            f"that state_dict() returns; got {keys}"
        )
    problems: list[str] = []
    hps, by_id = _groups(opt, sd["param_groups"], problems)
    state: dict[Tensor, dict[str, Any]] = {}
    saved = sd["state"]
    if not isinstance(saved, Mapping):
        problems.append(f"state is {type(saved).__name__}, not a mapping of parameter id -> state")
        saved = {}
    for pid, s in saved.items():
        p = by_id.get(pid)
        if p is None:
            if not problems:  # ids are only meaningful once the groups are right
                problems.append(f"state[{pid!r}]: no param_group lists parameter id {pid!r}")
            continue
        state[p] = _param_state(opt, f"state[{pid!r}]", p, s, problems)
    if problems:
        listed = problems[:_MAX_LISTED]
        more = len(problems) - len(listed)
        raise CheckpointError(
            f"cannot load this state into {name}; nothing was changed:\n  "
            + "\n  ".join(listed)
            + (f"\n  … and {more} more" if more else "")
        )
    return hps, state


def _baked(group: dict[str, Any]) -> dict[str, Any]:
    """The hyper-parameters a traced step bakes into its graph (all but lr and params)."""
    return {k: v for k, v in group.items() if k not in _LIVE and _plain(v)}


class HyperparameterGuard:
    """Runs before each call of a compiled step: refuses to run when a group's baked-in
    hyper-parameter differs from the value it was traced with (the graph would ignore it)."""

    def __init__(self, opt: Optimizer, group: dict[str, Any]) -> None:
        self.name = type(opt).__name__
        self.index = next(i for i, g in enumerate(opt.param_groups) if g is group)
        self.group = group
        self.traced = _baked(group)

    def __call__(self) -> None:
        now = _baked(self.group)
        if now != self.traced:
            k = min(k for k in now.keys() | self.traced.keys() if now.get(k) != self.traced.get(k))
            raise ValueError(
                f"{self.name} param_groups[{self.index}]: {k} is {now.get(k)!r} but this "
                f"compiled step was traced with {self.traced.get(k)!r} (a compiled graph keeps "
                "every hyper-parameter but lr); make a new @vf.function after changing it"
            )


__all__ = ["HyperparameterGuard", "check_state_dict", "state_kind"]
