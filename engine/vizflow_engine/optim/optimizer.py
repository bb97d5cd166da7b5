"""Optimizer base: parameter groups, per-parameter state tensors, zero_grad, lr as a tensor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..creation import tensor, zeros
from ..graph.trace import before_each_call
from ..ops.updates import assign
from ..tensor import Tensor


class Optimizer:
    """Holds param_groups (dicts with "params" and hyper-parameters) and per-parameter state.

    Every group keeps its learning rate twice: group["lr"] (a float, what schedulers and users
    set) and group["lr_tensor"] (a 0-d float64 Tensor the update ops read). step() copies a
    changed float into the tensor with the `assign` op before updating; a step traced by
    vf.function has it copied before every compiled call instead (the graph reads the tensor).
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Tensor]] = {}
        items = list(params)
        if not items:
            raise ValueError("optimizer got an empty parameter list")
        groups = items if isinstance(items[0], dict) else [{"params": items}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (defaults fill the rest)."""
        g = dict(self.defaults)
        g.update(group)
        ps = g["params"]
        g["params"] = [ps] if isinstance(ps, Tensor) else list(ps)
        for p in g["params"]:
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise ValueError("optimizers take tensors with requires_grad=True")
        g["lr_tensor"] = tensor(float(g["lr"]), dtype="float64", device=g["params"][0].device)
        g["_lr_seen"] = float(g["lr"])
        self.param_groups.append(g)

    def _lr(self, group: dict[str, Any]) -> Tensor:
        """The group's lr tensor, holding group["lr"]: refreshed now (by an assign op when
        eager) and, when traced, before every call of the compiled step too."""
        if before_each_call(self._sync_lrs):
            self._sync_lrs()
        elif group["lr"] != group["_lr_seen"]:
            assign(group["lr_tensor"], float(group["lr"]))
            group["_lr_seen"] = float(group["lr"])
        lt: Tensor = group["lr_tensor"]
        return lt

    def _sync_lrs(self) -> None:
        """Copy every changed group["lr"] straight into its lr tensor's array (no op recorded,
        so it can run outside any trace, before a compiled step)."""
        for g in self.param_groups:
            lr = g["lr"]
            if lr != g["_lr_seen"]:
                g["lr_tensor"].data[...] = lr
                g["_lr_seen"] = float(lr)

    def _buffer(self, p: Tensor, name: str, dtype: Any = None) -> Tensor:
        """State tensor `name` of parameter p, created as zeros on first use."""
        st = self.state.get(p)
        if st is None:
            st = self.state[p] = {}
        b = st.get(name)
        if b is None:
            if dtype is None:
                b = zeros(p.shape, dtype=p.dtype, device=p.device)
            else:
                b = zeros((), dtype=dtype, device=p.device)
            st[name] = b
        return b

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every parameter's .grad (or zero it in place with set_to_none=False)."""
        for g in self.param_groups:
            for p in g["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = p.grad.detach().zero_()

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Hyper-parameters and numpy copies of the state, indexed by parameter position."""
        index = {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        state = {
            index[id(p)]: {k: np.array(v.numpy()) for k, v in s.items()}
            for p, s in self.state.items()
        }
        groups = [
            {k: v for k, v in g.items() if k not in ("params", "lr_tensor", "_lr_seen")}
            | {"params": [index[id(p)] for p in g["params"]]}
            for g in self.param_groups
        ]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, sd: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by state_dict (same parameter order)."""
        flat = [p for g in self.param_groups for p in g["params"]]
        for g, saved in zip(self.param_groups, sd["param_groups"], strict=True):
            g.update({k: v for k, v in saved.items() if k != "params"})
        for i, s in sd["state"].items():
            p = flat[int(i)]
            self.state[p] = {k: tensor(np.asarray(v), device=p.device) for k, v in s.items()}

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({hp})"
