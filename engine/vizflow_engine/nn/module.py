"""Module: a tree of layers holding Parameters and buffers; calls run in a name scope.

Calling a module runs `forward` inside a name scope named after the attribute the module
is stored under, so recorded nodes carry paths like "encoder/layer3/attn" and the graph
viewer can group them; a child called again within one call of the top-level module runs
in a numbered scope ("cell[1]", "cell[2]", …: one group per time step). State is saved
to .npz (never pickle).
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Self

import numpy as np

from .._state import get_state, set_state
from ..backend import CPU, Device, get_device, to_device
from ..checkpoint.state import IncompatibleKeys, load_file, load_state
from ..checkpoint.write import write_npz
from ..dispatch import _mine
from ..scope import CALL_COUNTS, instance_path
from ..tensor import Tensor
from .parameter import Parameter

Reporter = Callable[["Module"], object]
# (thread id, reporter) of each active report_calls; empty (the usual case), a Module call
# pays one global lookup for it
_reporters: list[tuple[int, Reporter]] = []


@contextmanager
def report_calls(reporter: Reporter) -> Iterator[None]:
    """While active, every Module called on this thread is passed to `reporter` before its
    forward runs (the innermost reporter of the thread only).

    Graph tracing uses it: the train/eval modes of the modules that ran shaped the graph, so
    a compiled function checks them on every call.
    """
    entry = (threading.get_ident(), reporter)
    _reporters.append(entry)
    try:
        yield
    finally:
        _reporters.remove(entry)


def _report(m: Module) -> None:
    """Tell this thread's innermost reporter, if any, that m is being called."""
    reporter = _mine(_reporters)
    if reporter is not None:
        reporter(m)


def _reported(call: Callable[..., Any]) -> Callable[..., Any]:
    """A subclass's own __call__, made to report the call first (it may skip Module's)."""

    @functools.wraps(call)
    def wrapper(self: Module, *args: Any, **kwargs: Any) -> Any:
        if _reporters:
            _report(self)
        return call(self, *args, **kwargs)

    return wrapper


class Module:
    """Base class of layers and models: parameters, buffers, children, train/eval, state."""

    training: bool
    _parameters: dict[str, Parameter]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module]
    _scope: str

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_modules"] = {}
        d["_scope"] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass defining __call__ gets it wrapped so that its calls are reported too."""
        super().__init_subclass__(**kwargs)
        call = cls.__dict__.get("__call__")
        if call is not None:
            cls.__call__ = _reported(call)  # type: ignore[method-assign]

    # ---- registration -----------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("call super().__init__() in the Module's __init__ first")
        params, bufs, mods = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            bufs.pop(name, None)
            mods.pop(name, None)
            params[name] = value
            value.name = name
        elif isinstance(value, Module):
            params.pop(name, None)
            bufs.pop(name, None)
            mods[name] = value
            value._set_scope(name)
            value._rename(name)
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} to parameter {name!r}; "
                    "wrap it in nn.Parameter or update it with .array"
                )
            del params[name]
        elif name in mods:
            del mods[name]
        elif name in bufs:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"buffer {name!r} must be a Tensor or None")
            bufs[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            store.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Add non-trainable state (e.g. running statistics) saved in state_dict."""
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)
        if tensor is not None:
            tensor.name = name

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter under `name` (None registers nothing, like an absent bias)."""
        if param is None:
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module) -> None:
        """Register a child module under `name`."""
        setattr(self, name, module)

    def _set_scope(self, name: str) -> None:
        """Set the name scope this module's calls run in (its attribute name in the parent)."""
        self.__dict__["_scope"] = name

    def _rename(self, prefix: str) -> None:
        """Name every parameter and buffer by its dotted path below `prefix`."""
        for n, p in self.named_parameters():
            p.name = f"{prefix}.{n}"
        for n, b in self.named_buffers():
            b.name = f"{prefix}.{n}"

    # ---- calling ----------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _reporters:
            _report(self)
        name = self._scope
        state = get_state()
        if not name:  # an unnamed (top-level) module: no scope to enter
            if not state[1] and not kwargs:
                self._remember_signature(args)
            if CALL_COUNTS.get() is not None:
                return self.forward(*args, **kwargs)
            counting = CALL_COUNTS.set({})  # its children's calls are numbered afresh
            try:
                return self.forward(*args, **kwargs)
            finally:
                CALL_COUNTS.reset(counting)
        prev = state[1]
        path = instance_path(f"{prev}/{name}" if prev else name, self)
        set_state((state[0], path, state[2], state[3], state[4]))
        try:
            return self.forward(*args, **kwargs)
        finally:
            s = get_state()
            set_state((s[0], prev, s[2], s[3], s[4]))

    def _remember_signature(self, args: tuple[Any, ...]) -> None:
        """Keep the input signature (not the values) of a top-level call on tensors, so the
        module can be drawn later by tracing on it, e.g. when displayed under %load_ext vizflow."""
        sig = []
        for a in args:
            if not isinstance(a, Tensor):
                return
            sig.append((a.array.shape, a.array.dtype))
        self.__dict__["_last_signature"] = tuple(sig)

    @property
    def last_signature(self) -> tuple[tuple[tuple[int, ...], Any], ...] | None:
        """(shape, dtype) of each input of the last top-level call, or None if never called."""
        sig: tuple[tuple[tuple[int, ...], Any], ...] | None = self.__dict__.get("_last_signature")
        return sig

    # ---- traversal --------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for self and every descendant, depth first."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            kids = [(f"{name}.{k}" if name else k, c) for k, c in m._modules.items()]
            stack.extend(reversed(kids))

    def modules(self) -> Iterator[Module]:
        """self and every descendant module."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) of the direct children."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """The direct child modules."""
        yield from self._modules.values()

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) of every parameter, each once."""
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mname, m in mods:
            for k, p in m._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mname}.{k}" if mname else k), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, each once (what optimisers take)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) of every registered buffer."""
        for mname, m in self.named_modules(prefix):
            for k, b in m._buffers.items():
                if b is not None:
                    yield (f"{mname}.{k}" if mname else k), b

    def buffers(self) -> Iterator[Tensor]:
        """Every registered buffer."""
        for _, b in self.named_buffers():
            yield b

    # ---- modes ------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch norm uses batch statistics) for the tree."""
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode (dropout off, batch norm uses running statistics)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze or unfreeze every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (or zero) every parameter's .grad."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = p.grad.detach().zero_()

    def apply(self, fn: Callable[[Module], object]) -> Self:
        """Call fn on every descendant module and then on self (PyTorch's order), e.g. to
        initialise weights; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, device: Any = None, dtype: Any = None) -> Self:
        """Move parameters and buffers to a device and/or cast floats (identity kept).

        As in PyTorch, .to(dtype) alone works too, and only a floating dtype is accepted.
        """
        from ..dtypes import as_dtype

        if device is not None and not isinstance(device, (str, Device)):
            device, dtype = None, device  # .to(vf.float64)
        dev = get_device(device) if device is not None else None
        dt = as_dtype(dtype) if dtype is not None else None
        if dt is not None and dt.kind != "f":
            raise TypeError(f"Module.to only casts to a floating dtype, not {dt}")
        for t in [*self.parameters(), *self.buffers()]:
            arr = t.array
            if dt is not None and arr.dtype.kind == "f":
                arr = arr.astype(dt)
            if dev is not None and dev is not t.device:
                arr = to_device(arr, dev)
                t.device = dev
            if arr is not t.array:
                t.array = arr
                t._bump_version()
        return self

    def float(self) -> Module:
        """Cast floating parameters and buffers to float32."""
        return self.to(dtype="float32")

    def double(self) -> Module:
        """Cast floating parameters and buffers to float64."""
        return self.to(dtype="float64")

    # ---- state ------------------------------------------------------------------------
    def _state_items(
        self, prefix: str = "", path: frozenset[int] = frozenset()
    ) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, tensor) of every parameter and buffer, module by module as PyTorch
        orders them; a tensor reachable under several names (a tied weight) under each."""
        if id(self) in path:  # a module inside itself: nothing new below
            return
        for k, p in self._parameters.items():
            yield prefix + k, p
        for k, b in self._buffers.items():
            if b is not None:
                yield prefix + k, b
        inner = path | {id(self)}
        for k, m in self._modules.items():
            yield from m._state_items(f"{prefix}{k}.", inner)

    def state_dict(self) -> OrderedDict[str, np.ndarray[Any, Any]]:
        """Dotted name -> numpy copy of every parameter and buffer; a tied weight is listed
        under each of its names (one shared copy), as in PyTorch."""
        out: OrderedDict[str, np.ndarray[Any, Any]] = OrderedDict()
        copies: dict[int, np.ndarray[Any, Any]] = {}
        for n, t in self._state_items():
            arr = copies.get(id(t))
            if arr is None:
                arr = copies[id(t)] = np.array(to_device(t.array, CPU))
            out[n] = arr
        return out

    def load_state_dict(self, state: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values into parameters and buffers in place, all or nothing.

        Every key, shape and dtype is checked before the first value is written; any problem
        raises one CheckpointError naming each parameter with its expected and found
        shape/dtype, and leaves the module unchanged. Values are cast to the parameter's
        dtype where numpy's same_kind rule allows (float64 into float32, as PyTorch); a tied
        weight loads from any one of its names. strict=False skips missing and unexpected
        keys (returned, as PyTorch does) but still refuses a non-mapping or a wrong shape.
        """
        return load_state(type(self).__name__, list(self._state_items()), state, strict)

    def save(self, path: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write state_dict to a compressed .npz file (one .npy per name, no pickle), replacing
        the file atomically."""
        write_npz(path, self.state_dict())

    def load(self, path: str | os.PathLike[str] | IO[bytes], strict: bool = True) -> Self:
        """Load values saved by save() or vf.save(state_dict), all or nothing; returns self.

        The file's headers are checked against the model (keys, shapes, dtypes, size caps)
        before any array is decompressed; see load_state_dict for the rules.
        """
        load_file(type(self).__name__, list(self._state_items()), path, strict)
        return self

    # ---- display ----------------------------------------------------------------------
    def extra_repr(self) -> str:
        """Layer settings shown in repr."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({k}): " + repr(m).replace("\n", "\n  ") for k, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class _ModuleSequence(Module):
    """Children kept in order under the names "0", "1", …: indexing, len, iteration, append."""

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, m: Module) -> Self:
        """Add a module at the end."""
        self.add_module(str(len(self._modules)), m)
        return self


class Sequential(_ModuleSequence):
    """Modules applied in order; children are named "0", "1", … (or by an OrderedDict)."""

    def __init__(self, *mods: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(mods) == 1 and isinstance(mods[0], OrderedDict):
            for k, m in mods[0].items():
                self.add_module(k, m)
        else:
            for i, mod in enumerate(mods):
                if not isinstance(mod, Module):
                    raise TypeError(f"Sequential takes Modules, not {type(mod).__name__}")
                self.add_module(str(i), mod)

    def forward(self, x: Any) -> Any:
        """Feed x through each module in turn."""
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules registered as children "0", "1", … (no forward of its own)."""

    def __init__(self, mods: Iterable[Module] = ()) -> None:
        super().__init__()
        for m in mods:
            self.append(m)

    def append(self, m: Module) -> Self:
        """Add a module at the end; it is named under the list's scope."""
        super().append(m)
        self._set_scope(self._scope)
        return self

    def _set_scope(self, name: str) -> None:
        """A list is not called itself, so its items' scopes carry its name: "layers/0"."""
        self.__dict__["_scope"] = name
        for k, m in self._modules.items():
            m._set_scope(f"{name}/{k}" if name else k)


__all__ = ["Module", "ModuleList", "Sequential", "report_calls"]
