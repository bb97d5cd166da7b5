"""Optimizer base: parameter groups, per-parameter state tensors, zero_grad, lr as a tensor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from ..backend import CPU, to_device
from ..creation import tensor, zeros
from ..dispatch import dispatch
from ..graph.graph_ops import mutated_inputs
from ..graph.trace import before_each_call
from ..ops.updates import assign
from ..registry import OpDef
from ..tensor import Tensor
from .checkpoint import HyperparameterGuard, check_state_dict, state_kind

_INTERNAL = ("params", "lr_tensor", "_lr_seen")  # group entries state_dict leaves out


def _state_name(p: Tensor, name: str) -> str:
    """A state tensor's name: PyTorch's state key after its parameter's name, so a graph
    shows "0.weight.momentum_buffer" rather than an anonymous variable."""
    return f"{p.name}.{name}" if p.name else name


def apply_update(op: OpDef, inputs: tuple[Any, ...], params: dict[str, Any]) -> None:
    """Run an in-place update op; eagerly, count a write of each tensor it writes (a traced
    update counts when its compiled graph runs)."""
    if isinstance(dispatch(op, inputs, params), Tensor):
        for i in mutated_inputs(op):
            inputs[i]._bump_version()


class Optimizer:
    """Holds param_groups (dicts with "params" and hyper-parameters) and per-parameter state.

    Every group keeps its learning rate twice: group["lr"] (a float, what schedulers and users
    set) and group["lr_tensor"] (a 0-d float64 Tensor the update ops read). step() copies a
    changed float into the tensor with the `assign` op before updating; a step traced by
    vf.function has it copied before every compiled call instead (the graph reads the tensor).
    """

    _state_spec: ClassVar[dict[str, str] | None] = None
    """The state each parameter may hold, name -> "param" (the parameter's shape and dtype)
    or "step" (a 0-d int64 counter), checked by load_state_dict; None accepts either form
    under any name."""

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
        g["lr_tensor"].name = self._scalar_name("lr", len(self.param_groups))
        g["_lr_seen"] = float(g["lr"])
        self.param_groups.append(g)

    def _scalar_name(self, name: str, group: int) -> str:
        """An optimiser-wide scalar's name, as the graph viewer shows it: "sgd.lr" (the
        first group's), "sgd.param_groups.1.lr" (another group's)."""
        kind = type(self).__name__.lower()
        return f"{kind}.{name}" if group == 0 else f"{kind}.param_groups.{group}.{name}"

    def _lr(self, group: dict[str, Any]) -> Tensor:
        """The group's lr tensor, holding group["lr"]: refreshed now (by an assign op when
        eager) and, when traced, before every call of the compiled step too, after a check
        that the group's other hyper-parameters (baked into the graph) are unchanged."""
        if before_each_call(self._sync_lrs):
            before_each_call(HyperparameterGuard(self, group))
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
                g["lr_tensor"].array[...] = lr
                g["lr_tensor"]._bump_version()
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
            b.name = _state_name(p, name)
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
            {k: v for k, v in g.items() if k not in _INTERNAL}
            | {"params": [index[id(p)] for p in g["params"]]}
            for g in self.param_groups
        ]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Any) -> None:
        """Restore hyper-parameters and state saved by state_dict, all or nothing.

        Everything is checked first (groups, parameter counts, state names, shapes and
        dtypes, hyper-parameter types); a problem raises one CheckpointError and changes
        nothing. State is then copied into the existing state tensors in place, so a step
        already compiled by @vf.function (which holds those tensors) continues from the
        loaded state; a parameter without saved state gets its state reset (_reset_state).
        """
        groups, state = check_state_dict(self, state_dict)
        for g, hp in zip(self.param_groups, groups, strict=True):
            g.update(hp)
        for p in (p for g in self.param_groups for p in g["params"]):
            saved = state.get(p, {})
            own = self.state.get(p)
            if own is None and not saved:
                continue
            own = self.state.setdefault(p, {})
            for name, buf in own.items():
                if name in saved:
                    buf.device.xp.copyto(
                        buf.array, to_device(saved[name], buf.device), casting="same_kind"
                    )
                    buf._bump_version()
                else:
                    self._reset_state(p, name, buf)
            for name, arr in saved.items():
                if name not in own:
                    dtype = p.dtype if state_kind(self, name, arr) == "param" else "int64"
                    own[name] = tensor(np.array(to_device(arr, CPU)), dtype=dtype, device=p.device)
                    own[name].name = _state_name(p, name)

    def _reset_state(self, p: Tensor, name: str, buf: Tensor) -> None:
        """Make state tensor `name` of p fresh again, in place (zeros, as _buffer makes it);
        an optimizer whose fresh state is not zero overrides this."""
        buf.array[...] = 0
        buf._bump_version()

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({hp})"
