"""The eager Tensor: a slotted wrapper over a numpy/cupy array with autograd bookkeeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .backend import CPU, Device, get_device, to_device
from .ops._names import axis_arg, reduction_args, torch_alias

if TYPE_CHECKING:
    from . import functional as _F
    from .autograd import backward as _backward
    from .dispatch import binary as _binary
    from .dispatch import unary as _unary
    from .node import Node
    from .ops import elementwise as _O
    from .ops.reduction import MaxMin

Hook = Callable[["Tensor"], "Tensor | None"]


class ElementCount(int):
    """Tensor.size: numpy's element count (an int) that PyTorch's size() calls also work on.

    `x.size` is the number of elements, as in numpy (arithmetic and comparisons are int's);
    `x.size()` is the shape tuple and `x.size(d)` the length of dim d, as in PyTorch.
    """

    shape: tuple[int, ...]

    def __new__(cls, n: int, shape: tuple[int, ...] = ()) -> ElementCount:
        self = super().__new__(cls, n)
        self.shape = tuple(shape)
        return self

    @overload
    def __call__(self, dim: None = None) -> tuple[int, ...]: ...
    @overload
    def __call__(self, dim: int) -> int: ...
    def __call__(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape (no argument) or the length of dim `dim` (negative counts from the end)."""
        if dim is None:
            return self.shape
        n = len(self.shape)
        if not -n <= dim < n:
            raise IndexError(f"dim {dim} is out of range for a {n}-d tensor")
        return self.shape[dim]


class RemovableHandle:
    """What register_hook returns: handle.remove() takes the hook off, as in PyTorch.

    Calling the handle removes it too (register_hook used to return a remover function), and
    `with t.register_hook(fn):` keeps the hook for the block only.
    """

    __slots__ = ("_fn", "_hooks")

    def __init__(self, hooks: list[Hook], fn: Hook) -> None:
        self._hooks = hooks
        self._fn = fn

    def remove(self) -> None:
        """Take the hook off (again is a no-op)."""
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    __call__ = remove

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Tensor:
    """An n-d array on a device that records the ops made from it for reverse-mode autodiff."""

    __slots__ = (
        "__weakref__",
        "_hooks",
        "_name",
        "_retain",
        "_writes",
        "array",
        "device",
        "grad",
        "node",
        "requires_grad",
    )
    __array_priority__ = 1000
    __array_ufunc__ = None  # numpy defers binary operators to Tensor's reflected methods

    array: Any
    device: Device
    grad: Tensor | None
    _name: str | None
    node: Node | None
    requires_grad: bool
    _hooks: list[Hook] | None
    _retain: bool
    _writes: int  # in-place writes so far; set on the first one (creation stays one store less)

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        name: str | None = None,
        device: Device | str | None = None,
    ) -> None:
        from .creation import _to_array

        dev = get_device(device) if device is not None else None
        arr, dev = _to_array(data, None, dev)
        self.array = arr
        self.device = dev
        self.node = None
        self.grad = None
        self._name = name
        self._hooks = None
        self._retain = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_()

    # ---- properties -------------------------------------------------------------------
    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's values have had (PyTorch's `t._version`)."""
        return getattr(self, "_writes", 0)

    def _bump_version(self) -> None:
        """Count one in-place write of this tensor's values."""
        self._writes = getattr(self, "_writes", 0) + 1

    @property
    def name(self) -> str | None:
        """The tensor's name (shown in the viewer; parameters get their module path)."""
        return self._name

    @name.setter
    def name(self, value: str | None) -> None:
        """Name the tensor and the node that made it, so a graph shows the name too."""
        self._name = value
        if self.node is not None:
            self.node.name = value

    @property
    def data(self) -> Tensor:
        """This tensor's values outside autograd, sharing its storage (PyTorch's `.data`): reads
        see its current values and in-place methods (`p.data.add_(g, alpha=-lr)`) update it."""
        return _storage_alias(self)

    @data.setter
    def data(self, value: Any) -> None:
        """Give this tensor new values (`p.data = t`, as PyTorch): shape and dtype may change;
        identity, name, `requires_grad` and recorded history stay."""
        from .creation import _to_array

        if _active_tracer() is not None:
            raise RuntimeError(
                "assigning .data inside a traced function is not compiled; use "
                "t.data.copy_(value) (same shape) or return the new value"
            )
        arr = value.array if isinstance(value, Tensor) else value
        self.array, _ = _to_array(arr, None, self.device)
        self._bump_version()

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape as a tuple of ints."""
        return self.array.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        """The numpy dtype of the elements."""
        return self.array.dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self.array.ndim

    @property
    def size(self) -> ElementCount:
        """Number of elements (numpy's meaning); size() / size(d) give the shape as in PyTorch."""
        data = self.array
        return ElementCount(data.size, data.shape)

    def numel(self) -> int:
        """Number of elements (torch's name)."""
        return self.array.size

    def dim(self) -> int:
        """Number of dimensions (torch's name)."""
        return self.array.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded differentiable op."""
        return self.node is None or not self.requires_grad

    @property
    def T(self) -> Tensor:
        """All dimensions reversed."""
        return _F.permute(self, tuple(range(self.array.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (batched matrix transpose)."""
        return _F.swapaxes(self, -2, -1)

    # ---- conversion -------------------------------------------------------------------
    def numpy(self) -> np.ndarray[Any, Any]:
        """The values as a numpy array (copied from the GPU if needed; shares memory on CPU)."""
        return np.asarray(to_device(self.array, CPU))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def item(self) -> Any:
        """The single value as a Python number."""
        if self.array.size != 1:
            raise ValueError(f"item() needs a tensor with one element, not shape {self.shape}")
        return self.array.item()

    def tolist(self) -> Any:
        """Nested Python lists of the values."""
        return self.numpy().tolist()

    def to(self, target: Any = None, dtype: Any = None) -> Tensor:
        """A copy on another device and/or with another dtype (self when nothing changes)."""
        from .dtypes import as_dtype

        out = self
        if target is not None:
            if isinstance(target, (Device, str)) and str(target).split(":")[0] in ("cpu", "cuda"):
                dev = get_device(target)
                if dev is not out.device:
                    out = _F.to_device(out, dev)
            else:
                dtype = target
        if dtype is not None and as_dtype(dtype) != out.dtype:
            out = _F.cast(out, as_dtype(dtype))
        return out

    def cpu(self) -> Tensor:
        """This tensor on the CPU."""
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Tensor:
        """This tensor on CUDA device `index` (needs cupy and a GPU)."""
        return self.to(f"cuda:{index}")

    def astype(self, dtype: Any) -> Tensor:
        """A copy cast to `dtype` (differentiable between float dtypes)."""
        return self.to(dtype=dtype)

    def type_as(self, other: Tensor) -> Tensor:
        """Cast to other's dtype."""
        return self.to(dtype=other.dtype)

    # ---- autograd ---------------------------------------------------------------------
    def detach(self) -> Tensor:
        """A tensor sharing the data, cut from the graph (while tracing, the tracer's stand-in:
        a stop-gradient of this tensor's graph value that reads it on every call)."""
        tracer = _active_tracer()
        if tracer is not None:
            return tracer.detach(self)
        return _make(self.array, self.device, None, False)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark this leaf as needing a gradient (float dtypes only); returns self."""
        if requires_grad and self.array.dtype.kind != "f":
            raise TypeError(f"only floating tensors can require gradients, not {self.dtype}")
        if not requires_grad and self.node is not None and self.requires_grad:
            raise RuntimeError("requires_grad_(False) on a non-leaf; use .detach() instead")
        self.requires_grad = requires_grad
        return self

    def backward(
        self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's .grad (see autograd.backward)."""
        _backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def register_hook(self, fn: Hook) -> RemovableHandle:
        """Call fn(grad) when this tensor's gradient is computed; a returned tensor replaces it.

        Returns a handle whose remove() takes the hook off (PyTorch's RemovableHandle).
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def retain_grad(self) -> None:
        """Keep .grad on this non-leaf tensor after backward."""
        self._retain = True

    # ---- python protocol ----------------------------------------------------------------
    def __repr__(self) -> str:
        arr = self.numpy()
        body = np.array2string(
            arr, separator=", ", prefix="tensor(", threshold=200, edgeitems=3, precision=4
        )
        extras = []
        if (
            arr.dtype not in (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))
            or arr.size == 0
        ):
            extras.append(f"dtype={arr.dtype}")
        if self.device is not CPU:
            extras.append(f"device='{self.device}'")
        if self.name:
            extras.append(f"name={self.name!r}")
        if self.node is not None and self.requires_grad:
            extras.append(f"grad_fn=<{self.node.op.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self.array.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.array.size} elements is "
                "ambiguous; use .any() or .all()"
            )
        return bool(self.array.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors with one element can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__

    # ---- operators --------------------------------------------------------------------
    def __add__(self, o: Any) -> Tensor:
        return _binary(_O.ADD, self, o)

    def __radd__(self, o: Any) -> Tensor:
        return _binary(_O.ADD, o, self)

    def __sub__(self, o: Any) -> Tensor:
        return _binary(_O.SUB, self, o)

    def __rsub__(self, o: Any) -> Tensor:
        return _binary(_O.SUB, o, self)

    def __mul__(self, o: Any) -> Tensor:
        return _binary(_O.MUL, self, o)

    def __rmul__(self, o: Any) -> Tensor:
        return _binary(_O.MUL, o, self)

    def __truediv__(self, o: Any) -> Tensor:
        return _binary(_O.DIV, self, o)

    def __rtruediv__(self, o: Any) -> Tensor:
        return _binary(_O.DIV, o, self)

    def __pow__(self, o: Any) -> Tensor:
        return _F.pow(self, o)

    def __rpow__(self, o: Any) -> Tensor:
        return _F.pow(o, self)

    def __matmul__(self, o: Any) -> Tensor:
        return _F.matmul(self, o)

    def __rmatmul__(self, o: Any) -> Tensor:
        return _F.matmul(o, self)

    def __neg__(self) -> Tensor:
        return _unary(_O.NEG, self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _F.abs(self)

    def __eq__(self, o: Any) -> Tensor:  # type: ignore[override]
        return _F.eq(self, o)

    def __ne__(self, o: Any) -> Tensor:  # type: ignore[override]
        return _F.ne(self, o)

    def __lt__(self, o: Any) -> Tensor:
        return _F.lt(self, o)

    def __le__(self, o: Any) -> Tensor:
        return _F.le(self, o)

    def __gt__(self, o: Any) -> Tensor:
        return _F.gt(self, o)

    def __ge__(self, o: Any) -> Tensor:
        return _F.ge(self, o)

    # &, |, ^, ~ are bitwise on integers and logical on bools, as in PyTorch
    def __and__(self, o: Any) -> Tensor:
        return _F.bitwise_and(self, o)

    def __rand__(self, o: Any) -> Tensor:
        return _F.bitwise_and(o, self)

    def __or__(self, o: Any) -> Tensor:
        return _F.bitwise_or(self, o)

    def __ror__(self, o: Any) -> Tensor:
        return _F.bitwise_or(o, self)

    def __xor__(self, o: Any) -> Tensor:
        return _F.bitwise_xor(self, o)

    def __rxor__(self, o: Any) -> Tensor:
        return _F.bitwise_xor(o, self)

    def __invert__(self) -> Tensor:
        return _F.bitwise_not(self)

    def __floordiv__(self, o: Any) -> Tensor:
        return _F.floor_divide(self, o)

    def __rfloordiv__(self, o: Any) -> Tensor:
        return _F.floor_divide(o, self)

    def __mod__(self, o: Any) -> Tensor:
        return _F.remainder(self, o)

    def __rmod__(self, o: Any) -> Tensor:
        return _F.remainder(o, self)

    def __lshift__(self, o: Any) -> Tensor:
        return _F.bitwise_left_shift(self, o)

    def __rlshift__(self, o: Any) -> Tensor:
        return _F.bitwise_left_shift(o, self)

    def __rshift__(self, o: Any) -> Tensor:
        return _F.bitwise_right_shift(self, o)

    def __rrshift__(self, o: Any) -> Tensor:
        return _F.bitwise_right_shift(o, self)

    def __getitem__(self, index: Any) -> Tensor:
        return _F.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _F.setitem(self, index, value)

    def _inplace(self, fn: Callable[[Tensor], Tensor]) -> Tensor:
        """Make self hold fn(old self) (an in-place op): rebind data and node, keep identity.

        fn sees an alias of the old value, so the recorded node does not point at itself; ops
        recorded since self's last version that read self (the operand of `y += y` or
        `y += y * 2`) are pointed at that alias too. Ops recorded before it keep pointing at
        self (now the new value), as in torch without version counters: backward through them
        afterwards raises.
        """
        old = _make(self.array, self.device, self.node, self.requires_grad)
        result = fn(old)
        if result.requires_grad and self.requires_grad and self.node is None:
            raise RuntimeError(
                "in-place op on a leaf tensor that requires grad; wrap it in "
                "vf.no_grad() (e.g. for a parameter update)"
            )
        if result.shape != self.shape:
            raise ValueError(f"in-place op would change shape {self.shape} to {result.shape}")
        if result.requires_grad:
            if self.node is not None and result.__class__ is Tensor and result.node is not None:
                _unalias(result.node, self, old, self.node.seq)
            self.array, self.node, self.requires_grad = result.array, result.node, True
        else:
            self.array = result.array.astype(self.array.dtype, copy=False)
            if self.requires_grad and (tracer := _active_tracer()) is not None:
                tracer.leaf_written(self)  # a parameter update while tracing
        if _active_tracer() is None:  # a traced write lands (and counts) when its graph runs
            self._bump_version()
        return self

    def __iadd__(self, o: Any) -> Tensor:
        return self._inplace(lambda t: t + o)

    def __isub__(self, o: Any) -> Tensor:
        return self._inplace(lambda t: t - o)

    def __imul__(self, o: Any) -> Tensor:
        return self._inplace(lambda t: t * o)

    def __itruediv__(self, o: Any) -> Tensor:
        return self._inplace(lambda t: t / o)

    def add_(self, o: Any, alpha: float = 1.0) -> Tensor:
        """In place: self += alpha * o."""
        return self._inplace(lambda t: t + (o * alpha if alpha != 1.0 else o))

    def sub_(self, o: Any, alpha: float = 1.0) -> Tensor:
        """In place: self -= alpha * o."""
        return self._inplace(lambda t: t - (o * alpha if alpha != 1.0 else o))

    def mul_(self, o: Any) -> Tensor:
        """In place: self *= o."""
        return self._inplace(lambda t: t * o)

    def div_(self, o: Any) -> Tensor:
        """In place: self /= o."""
        return self._inplace(lambda t: t / o)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """In place: clip values to [min, max]."""
        return self._inplace(lambda t: t.clamp(min, max))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """In place: fill with draws from N(mean, std**2) (not recorded; while tracing, a
        graph write drawn anew on each call)."""
        from .creation import randn

        return self.copy_(randn(self.shape, dtype=self.dtype, device=self.device) * std + mean)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """In place: fill with draws from U[a, b) (not recorded; while tracing, a graph write
        drawn anew on each call)."""
        from .creation import rand

        return self.copy_(rand(self.shape, dtype=self.dtype, device=self.device) * (b - a) + a)

    def zero_(self) -> Tensor:
        """In place: fill with zeros (not recorded; while tracing, a graph write)."""
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """In place: fill with `value` (not recorded; while tracing, a graph write)."""
        tracer = _active_tracer()
        if tracer is not None:
            tracer.overwrite(self, value)
            return self
        self.array = self.device.xp.full_like(self.array, value)
        self._bump_version()
        return self

    def copy_(self, src: Any) -> Tensor:
        """In place: copy src's values (broadcast, cast to self's dtype; not recorded; while
        tracing, a graph write)."""
        tracer = _active_tracer()
        if tracer is not None:
            tracer.overwrite(self, src)
            return self
        xp = self.device.xp
        arr = src.array if isinstance(src, Tensor) else src
        arr = to_device(arr, self.device) if isinstance(src, Tensor) else xp.asarray(arr)
        self.array = xp.broadcast_to(xp.asarray(arr, dtype=self.array.dtype), self.shape).copy()
        self._bump_version()
        return self

    # ---- op methods -------------------------------------------------------------------
    def exp(self) -> Tensor:
        """e**x elementwise."""
        return _unary(_O.EXP, self)

    def log(self) -> Tensor:
        """Natural log elementwise."""
        return _unary(_O.LOG, self)

    def log1p(self) -> Tensor:
        """log(1 + x) elementwise."""
        return _F.log1p(self)

    def sqrt(self) -> Tensor:
        """Square root elementwise."""
        return _F.sqrt(self)

    def square(self) -> Tensor:
        """x*x elementwise."""
        return _F.square(self)

    def reciprocal(self) -> Tensor:
        """1/x elementwise."""
        return _F.reciprocal(self)

    def sin(self) -> Tensor:
        """Sine elementwise."""
        return _F.sin(self)

    def cos(self) -> Tensor:
        """Cosine elementwise."""
        return _F.cos(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent elementwise."""
        return _F.tanh(self)

    def sigmoid(self) -> Tensor:
        """Logistic sigmoid elementwise."""
        return _F.sigmoid(self)

    def relu(self) -> Tensor:
        """max(x, 0) elementwise."""
        return _unary(_O.RELU, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x if x > 0 else slope*x."""
        return _F.leaky_relu(self, negative_slope)

    def gelu(self, approximate: str = "none") -> Tensor:
        """Gaussian error linear unit (exact erf or tanh approximation)."""
        return _F.gelu(self, approximate)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        """log(1 + e**(beta x)) / beta, computed stably (x above the threshold)."""
        return _F.softplus(self, beta, threshold)

    def erf(self) -> Tensor:
        """Gauss error function elementwise."""
        return _F.erf(self)

    def abs(self) -> Tensor:
        """|x| elementwise."""
        return _F.abs(self)

    def sign(self) -> Tensor:
        """-1, 0 or 1 elementwise."""
        return _F.sign(self)

    def neg(self) -> Tensor:
        """-x elementwise."""
        return _unary(_O.NEG, self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Clip values to [min, max]."""
        return _F.clamp(self, min, max)

    clip = clamp

    def pow(self, exponent: Any) -> Tensor:
        """x ** exponent elementwise."""
        return _F.pow(self, exponent)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum."""
        return _F.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise minimum."""
        return _F.minimum(self, other)

    # Reductions take numpy's axis=/keepdims= and PyTorch's dim=/keepdim= alike.
    def sum(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        dtype: Any = None,
    ) -> Tensor:
        """Sum over axis (int, tuple or None for all), in dtype when given."""
        return _F.sum(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Mean over axis."""
        return _F.mean(self, *reduction_args(axis, keepdims, dim, keepdim))

    def var(
        self,
        axis: Any = None,
        keepdims: bool = False,
        correction: int = 1,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        unbiased: bool | None = None,
    ) -> Tensor:
        """Variance over axis (correction=1: unbiased, like torch; unbiased=False is 0)."""
        axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
        return _F.var(self, axis, keepdims, _correction(correction, unbiased))

    def std(
        self,
        axis: Any = None,
        keepdims: bool = False,
        correction: int = 1,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
        unbiased: bool | None = None,
    ) -> Tensor:
        """Standard deviation over axis (correction and unbiased as in var)."""
        axis, keepdims = reduction_args(axis, keepdims, dim, keepdim)
        return _F.std(self, axis, keepdims, _correction(correction, unbiased))

    @overload
    def max(self, dim: int, keepdim: bool = False) -> MaxMin: ...
    @overload
    def max(
        self,
        dim: Any = None,
        keepdim: bool | None = None,
        *,
        axis: Any = None,
        keepdims: bool = False,
    ) -> Tensor: ...
    def max(
        self,
        dim: Any = None,
        keepdim: bool | None = None,
        *,
        axis: Any = None,
        keepdims: bool = False,
    ) -> Tensor | MaxMin:
        """Maximum as torch's x.max(): over everything; `x.max(1)` / `x.max(dim=1)` a named
        tuple (values, indices); `x.max(other)` elementwise; numpy's axis= the values alone."""
        return _F.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    @overload
    def min(self, dim: int, keepdim: bool = False) -> MaxMin: ...
    @overload
    def min(
        self,
        dim: Any = None,
        keepdim: bool | None = None,
        *,
        axis: Any = None,
        keepdims: bool = False,
    ) -> Tensor: ...
    def min(
        self,
        dim: Any = None,
        keepdim: bool | None = None,
        *,
        axis: Any = None,
        keepdims: bool = False,
    ) -> Tensor | MaxMin:
        """Minimum, called as max is: a named tuple (values, indices) for an int dim."""
        return _F.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def prod(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Product over axis."""
        return _F.prod(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def logsumexp(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """log(sum(exp(x))) over axis, computed stably."""
        return _F.logsumexp(self, *reduction_args(axis, keepdims, dim, keepdim))

    def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """exp(x) / sum(exp(x)) along axis (dim= is PyTorch's name for it)."""
        return _F.softmax(self, axis_arg(axis, dim, -1))

    def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor:
        """x - logsumexp(x) along axis (dim= is PyTorch's name for it)."""
        return _F.log_softmax(self, axis_arg(axis, dim, -1))

    def argmax(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Index of the maximum (int64, not differentiable)."""
        return _F.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(
        self,
        axis: int | None = None,
        keepdims: bool = False,
        *,
        dim: int | None = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """Index of the minimum (int64, not differentiable)."""
        return _F.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def all(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """True where every element along axis is nonzero (not differentiable)."""
        return _F.all(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def any(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        dim: Any = None,
        keepdim: bool | None = None,
    ) -> Tensor:
        """True where some element along axis is nonzero (not differentiable)."""
        return _F.any(self, axis, keepdims, dim=dim, keepdim=keepdim)

    # ---- comparison, logic and selection (the methods behind PyTorch's x.eq(y) habits) ----
    def eq(self, other: Any) -> Tensor:
        """self == other elementwise (bool)."""
        return _F.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        """self != other elementwise (bool)."""
        return _F.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        """self < other elementwise (bool)."""
        return _F.lt(self, other)

    def le(self, other: Any) -> Tensor:
        """self <= other elementwise (bool)."""
        return _F.le(self, other)

    def gt(self, other: Any) -> Tensor:
        """self > other elementwise (bool)."""
        return _F.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        """self >= other elementwise (bool)."""
        return _F.ge(self, other)

    def logical_and(self, other: Any) -> Tensor:
        """self AND other elementwise (bool)."""
        return _F.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        """self OR other elementwise (bool)."""
        return _F.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        """self XOR other elementwise (bool)."""
        return _F.logical_xor(self, other)

    def logical_not(self) -> Tensor:
        """NOT self elementwise (bool)."""
        return _F.logical_not(self)

    def isnan(self) -> Tensor:
        """True where self is NaN."""
        return _F.isnan(self)

    def isfinite(self) -> Tensor:
        """True where self is neither NaN nor ±inf."""
        return _F.isfinite(self)

    def where(self, condition: Any, other: Any) -> Tensor:
        """self where condition holds, else other (PyTorch's x.where(cond, y))."""
        return _F.where(condition, self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """value where mask holds, else self, in self's dtype (a where(), so gradients flow)."""
        if isinstance(value, (bool, int, float)):
            value = np.dtype(self.dtype).type(value)
        return _F.where(mask, value, self)

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the last two dims (from diagonal down), zeros elsewhere."""
        from .ops.triangular import tril

        return tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the last two dims (from diagonal up), zeros elsewhere."""
        from .ops.triangular import triu

        return triu(self, diagonal)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """(values, indices) of the k largest (or smallest) along dim, as PyTorch's topk."""
        from .ops.topk import topk

        return topk(self, k, dim, largest, sorted)

    def index_put(self, indices: Any, values: Any) -> Tensor:
        """A copy with values written at indices (PyTorch's out-of-place index_put)."""
        return _F.index_put(self, indices, values)

    def add(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self + alpha * other."""
        return _F.add(self, other * alpha if alpha != 1.0 else other)

    def sub(self, other: Any, alpha: float = 1.0) -> Tensor:
        """self - alpha * other."""
        return _F.sub(self, other * alpha if alpha != 1.0 else other)

    def mul(self, other: Any) -> Tensor:
        """self * other elementwise."""
        return _F.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self / other elementwise: true division, or rounding_mode 'trunc' / 'floor'."""
        return _F.div(self, other, rounding_mode=rounding_mode)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product (batched, 1-D cases as numpy)."""
        return _F.matmul(self, other)

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one dim may be -1)."""
        return _F.reshape(self, _shape_arg(shape))

    view = reshape

    def view_as(self, other: Any) -> Tensor:
        """The same elements in other's shape (PyTorch's x.view_as(y))."""
        return _F.reshape(self, tuple(other.shape))

    def contiguous(self) -> Tensor:
        """self: an op's result array is already usable as it is (PyTorch's x.contiguous())."""
        return self

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """Zeros of size, with self's dtype and device unless given (PyTorch's new_zeros)."""
        from .creation import zeros

        return zeros(_shape_arg(size), **self._new_like(dtype, device))

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """Ones of size, with self's dtype and device unless given (PyTorch's new_ones)."""
        from .creation import ones

        return ones(_shape_arg(size), **self._new_like(dtype, device))

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """fill_value over size, with self's dtype and device unless given (PyTorch's new_full)."""
        from .creation import full

        return full(_shape_arg((size,)), fill_value, **self._new_like(dtype, device))

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """A tensor of data, with self's dtype and device unless given (PyTorch's new_tensor)."""
        from .creation import tensor

        return tensor(data, **self._new_like(dtype, device))

    def _new_like(self, dtype: Any, device: Any) -> dict[str, Any]:
        """The dtype and device keywords of a new_* tensor: self's, unless given."""
        return {
            "dtype": self.dtype if dtype is None else dtype,
            "device": self.device if device is None else device,
        }

    def transpose(self, *axes: Any, dim0: int | None = None, dim1: int | None = None) -> Tensor:
        """Two axes swapped (torch: transpose(0, 1)); no args reverses all; more = permutation."""
        return _F.transpose(self, *axes, dim0=dim0, dim1=dim1)

    def t(self) -> Tensor:
        """A matrix transposed; 0-d and 1-d tensors are returned as they are (as torch's t())."""
        if self.ndim > 2:
            raise ValueError(
                f"t() expects a tensor with at most 2 dims, not {self.ndim}; "
                "use .mT or .transpose(d0, d1)"
            )
        return _F.swapaxes(self, 0, 1) if self.ndim == 2 else self

    def permute(self, *dims: Any) -> Tensor:
        """Dimensions reordered."""
        return _F.permute(self, _shape_arg(dims))

    def swapaxes(
        self,
        a: int | None = None,
        b: int | None = None,
        *,
        dim0: int | None = None,
        dim1: int | None = None,
    ) -> Tensor:
        """Axes a and b swapped (dim0=, dim1= are PyTorch's names for them)."""
        return _F.swapaxes(self, a, b, dim0=dim0, dim1=dim1)

    swapdims = swapaxes

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to shape (-1 keeps a dim)."""
        return _F.expand(self, _shape_arg(shape))

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Broadcast to shape."""
        return _F.expand(self, tuple(shape))

    def squeeze(self, axis: Any = None, *, dim: Any = None) -> Tensor:
        """Size-1 dims removed (all, or the given ones; dim= is PyTorch's name for axis)."""
        return _F.squeeze(self, axis, dim=dim)

    def unsqueeze(self, axis: int | None = None, *, dim: int | None = None) -> Tensor:
        """A size-1 dim inserted at axis (dim= is PyTorch's name for it)."""
        return _F.unsqueeze(self, axis, dim=dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Dims start_dim..end_dim merged into one."""
        return _F.flatten(self, start_dim, end_dim)

    def split(
        self, split_size_or_sections: Any, axis: int = 0, *, dim: int | None = None
    ) -> list[Tensor]:
        """Pieces along axis (torch semantics: a size or a list of sizes; dim= for axis)."""
        return _F.split(self, split_size_or_sections, axis, dim=dim)

    def clone(self) -> Tensor:
        """A copy (differentiable)."""
        return _F.clone(self)

    # ---- issue 13's methods: math, rounding, bitwise, shape, reductions, checks ----------
    def log2(self) -> Tensor:
        """Base-2 logarithm elementwise."""
        return _F.log2(self)

    def log10(self) -> Tensor:
        """Base-10 logarithm elementwise."""
        return _F.log10(self)

    def exp2(self) -> Tensor:
        """2**x elementwise."""
        return _F.exp2(self)

    def expm1(self) -> Tensor:
        """e**x - 1 elementwise."""
        return _F.expm1(self)

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x) elementwise."""
        return _F.rsqrt(self)

    def tan(self) -> Tensor:
        """Tangent elementwise."""
        return _F.tan(self)

    def asin(self) -> Tensor:
        """Inverse sine elementwise."""
        return _F.asin(self)

    def acos(self) -> Tensor:
        """Inverse cosine elementwise."""
        return _F.acos(self)

    def atan(self) -> Tensor:
        """Inverse tangent elementwise."""
        return _F.atan(self)

    def atan2(self, other: Any) -> Tensor:
        """Angle of (other, self) elementwise."""
        return _F.atan2(self, other)

    def sinh(self) -> Tensor:
        """Hyperbolic sine elementwise."""
        return _F.sinh(self)

    def cosh(self) -> Tensor:
        """Hyperbolic cosine elementwise."""
        return _F.cosh(self)

    def asinh(self) -> Tensor:
        """Inverse hyperbolic sine elementwise."""
        return _F.asinh(self)

    def acosh(self) -> Tensor:
        """Inverse hyperbolic cosine elementwise."""
        return _F.acosh(self)

    def atanh(self) -> Tensor:
        """Inverse hyperbolic tangent elementwise."""
        return _F.atanh(self)

    def erfinv(self) -> Tensor:
        """Inverse error function elementwise."""
        return _F.erfinv(self)

    def floor(self) -> Tensor:
        """Round down elementwise."""
        return _F.floor(self)

    def ceil(self) -> Tensor:
        """Round up elementwise."""
        return _F.ceil(self)

    def trunc(self) -> Tensor:
        """Round toward zero elementwise."""
        return _F.trunc(self)

    def round(self, decimals: int = 0) -> Tensor:
        """Round to decimals places, halves to even."""
        return _F.round(self, decimals)

    def frac(self) -> Tensor:
        """Fractional part (x - trunc(x))."""
        return _F.frac(self)

    def floor_(self) -> Tensor:
        """In place: round down."""
        return self._inplace(lambda t: t.floor())

    def ceil_(self) -> Tensor:
        """In place: round up."""
        return self._inplace(lambda t: t.ceil())

    def trunc_(self) -> Tensor:
        """In place: round toward zero."""
        return self._inplace(lambda t: t.trunc())

    def round_(self, decimals: int = 0) -> Tensor:
        """In place: round to decimals places."""
        return self._inplace(lambda t: t.round(decimals))

    def copysign(self, other: Any) -> Tensor:
        """|self| with other's sign."""
        return _F.copysign(self, other)

    def hypot(self, other: Any) -> Tensor:
        """sqrt(self² + other²)."""
        return _F.hypot(self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """self + weight * (end - self)."""
        return _F.lerp(self, end, weight)

    def logaddexp(self, other: Any) -> Tensor:
        """log(e**self + e**other) without overflow."""
        return _F.logaddexp(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        """self // other."""
        return _F.floor_divide(self, other)

    def remainder(self, other: Any) -> Tensor:
        """self % other (the divisor's sign)."""
        return _F.remainder(self, other)

    def fmod(self, other: Any) -> Tensor:
        """C's fmod (the dividend's sign)."""
        return _F.fmod(self, other)

    def bitwise_and(self, other: Any) -> Tensor:
        """self & other."""
        return _F.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        """self | other."""
        return _F.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        """self ^ other."""
        return _F.bitwise_xor(self, other)

    def bitwise_not(self) -> Tensor:
        """~self."""
        return _F.bitwise_not(self)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """self << other."""
        return _F.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """self >> other."""
        return _F.bitwise_right_shift(self, other)

    def isinf(self) -> Tensor:
        """True where ±inf."""
        return _F.isinf(self)

    def isclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        """Elementwise closeness to other."""
        return _F.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        """Whether every element is close to other."""
        return _F.allclose(self, other, rtol, atol, equal_nan)

    def flip(self, *dims: Any) -> Tensor:
        """Elements reversed along dims."""
        return _F.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self) -> Tensor:
        """Dim 1 reversed."""
        return _F.fliplr(self)

    def flipud(self) -> Tensor:
        """Dim 0 reversed."""
        return _F.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Elements shifted along dims, wrapping around."""
        return _F.roll(self, shifts, dims)

    def repeat(self, *sizes: Any) -> Tensor:
        """Tiled sizes[i] times along dim i."""
        return _F.repeat(self, *sizes)

    def tile(self, *dims: Any) -> Tensor:
        """Tiled dims[i] times along dim i (dims padded with leading 1s)."""
        return _F.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)

    def repeat_interleave(self, repeats: Any, dim: int | None = None) -> Tensor:
        """Each element repeated next to itself along dim."""
        return _F.repeat_interleave(self, repeats, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most `chunks` equal pieces along dim."""
        return _F.chunk(self, chunks, dim)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Dim split into sizes."""
        return _F.unflatten(self, dim, sizes)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """Sliding windows of size every step along dimension, as a new last dim."""
        return _F.unfold(self, dimension, size, step)

    def diag(self, diagonal: int = 0) -> Tensor:
        """A 1-d tensor as a diagonal matrix, or a matrix's diagonal."""
        return _F.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The offset diagonal over dim1 and dim2, as a new last dim."""
        return _F.diagonal(self, offset, dim1, dim2)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Dims source moved to destination."""
        return _F.movedim(self, source, destination)

    moveaxis = movedim

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """length elements of dim from start."""
        return _F.narrow(self, dim, start, length)

    def expand_as(self, other: Any) -> Tensor:
        """Broadcast to other's shape."""
        return _F.expand_as(self, other)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Maximum over dim (ties share the gradient)."""
        return _F.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """Minimum over dim (ties share the gradient)."""
        return _F.amin(self, dim, keepdim)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        """(min, max) over dim."""
        return _F.aminmax(self, dim=dim, keepdim=keepdim)

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        """The vector p-norm over dim (torch.norm)."""
        return _F.norm(self, p, dim, keepdim, dtype)

    # issue 13 (D2): scans, sorting, gather/scatter and masks
    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running sums along dim."""
        return _F.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running products along dim."""
        return _F.cumprod(self, dim, dtype=dtype)

    def cummax(self, dim: int) -> Any:
        """(running maximum, its index) along dim."""
        return _F.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        """(running minimum, its index) along dim."""
        return _F.cummin(self, dim)

    def logcumsumexp(self, dim: int) -> Tensor:
        """log of running sums of exp along dim."""
        return _F.logcumsumexp(self, dim)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """(sorted values, their indices) along dim."""
        return _F.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        """Indices that sort dim."""
        return _F.argsort(self, dim, descending, stable)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """(k-th smallest value, its index) along dim."""
        return _F.kthvalue(self, k, dim, keepdim)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The lower median (of all, or (values, indices) along dim)."""
        return _F.median(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """(most frequent value, its index) along dim."""
        return _F.mode(self, dim, keepdim)

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False
    ) -> Any:
        """The distinct values, sorted (eager only)."""
        return _F.unique(self, sorted, return_inverse, return_counts)

    def gather(self, dim: int, index: Any) -> Tensor:
        """Values along dim at index."""
        return _F.gather(self, dim, index)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> Tensor:  # fmt: skip
        """A copy with src (or value) written along dim at index."""
        return _F.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        """A copy with src added along dim at index."""
        return _F.scatter_add(self, dim, index, src)

    def scatter_reduce(
        self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        """A copy with src reduced in along dim at index."""
        return _F.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def index_select(self, dim: int, index: Any) -> Tensor:
        """Entries at a 1-d index along dim."""
        return _F.index_select(self, dim, index)

    def masked_select(self, mask: Any) -> Tensor:
        """The values where mask is true, as a 1-d tensor."""
        return _F.masked_select(self, mask)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero entries."""
        return _F.nonzero(self, as_tuple=as_tuple)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        """Values at indices along dim."""
        return _F.take_along_dim(self, indices, dim)

    def float(self) -> Tensor:
        """Cast to float32."""
        return self.to(dtype="float32")

    def double(self) -> Tensor:
        """Cast to float64."""
        return self.to(dtype="float64")

    def half(self) -> Tensor:
        """Cast to float16 (storage)."""
        return self.to(dtype="float16")

    def long(self) -> Tensor:
        """Cast to int64."""
        return self.to(dtype="int64")

    def bool(self) -> Tensor:
        """Cast to bool."""
        return self.to(dtype="bool")


def _to_int32(self: Tensor) -> Tensor:
    """Cast to int32 (PyTorch's Tensor.int)."""
    return self.to(dtype="int32")


# set after the class: a method named int in its body would shadow the builtin in annotations
Tensor.int = _to_int32  # type: ignore[attr-defined]


def _correction(correction: int, unbiased: bool | None) -> int:
    """var/std's correction, from PyTorch's older unbiased= flag when that is given."""
    flag = None if unbiased is None else int(unbiased)
    return int(torch_alias(correction, flag, 1, "correction", "unbiased"))


def _shape_arg(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Accept f(2, 3) and f((2, 3)) alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _unalias(node: Node, t: Tensor, old: Tensor, floor: int) -> None:
    """Make the nodes recorded after seq `floor` (t's current version) that read t read `old`
    instead, walking back from `node`: they saw the value t holds before an in-place op."""
    stack = [node]
    done: set[int] = set()
    while stack:
        n = stack.pop()
        ins = n.inputs
        reads_t = False
        for x in ins:
            if x is t:
                reads_t = True
            elif x.__class__ is Tensor:
                xn = x.node
                if xn is not None and xn.seq > floor:
                    k = id(xn)
                    if k not in done:
                        done.add(k)
                        stack.append(xn)
        if reads_t:
            n.inputs = tuple([old if x is t else x for x in ins])


class StorageAlias(Tensor):
    """What `t.data` returns: a Tensor outside autograd whose array is always its owner's;
    in-place methods update the owner as under `vf.no_grad()` (an optimiser's write)."""

    __slots__ = ("owner",)

    owner: Tensor

    @property
    def array(self) -> Any:
        """The owner's current array (read through, so a later update of the owner shows)."""
        return self.owner.array

    @array.setter
    def array(self, value: Any) -> None:
        self.owner.array = value

    @property
    def _version(self) -> int:
        """The owner's write count: a write through `t.data` is a write of t."""
        return self.owner._version

    def _bump_version(self) -> None:
        self.owner._bump_version()

    def _inplace(self, fn: Callable[[Tensor], Tensor]) -> Tensor:
        """An in-place op on `t.data`: the owner takes fn(its value) without recording it."""
        from .autograd import no_grad

        with no_grad():
            self.owner._inplace(fn)
        return self

    def fill_(self, value: Any) -> Tensor:
        """In place: fill the owner with `value` (not recorded)."""
        self.owner.fill_(value)
        return self

    def copy_(self, src: Any) -> Tensor:
        """In place: copy src's values into the owner (not recorded)."""
        self.owner.copy_(src)
        return self


def _storage_alias(t: Tensor) -> StorageAlias:
    """A StorageAlias of t (of t's owner when t is itself one)."""
    owner = t.owner if isinstance(t, StorageAlias) else t
    a = _new(StorageAlias)
    a.owner = owner
    a.device = owner.device
    a.node = None
    a.requires_grad = False
    a.grad = None
    a._name = None
    a._hooks = None
    a._retain = False
    return a


def _no_tracer() -> None:
    """No trace runs in this thread (until graph tracing installs its lookup)."""
    return None


_active_tracer: Callable[[], Any] = _no_tracer
"""This thread's running tracer or None; vizflow_engine.graph.trace installs its lookup."""

_new = object.__new__


def _make(data: Any, device: Device, node: Node | None, requires_grad: bool) -> Tensor:
    """Wrap an array as a Tensor without checks (the dispatch fast path)."""
    t = _new(Tensor)
    t.array = data
    t.device = device
    t.node = node
    t.requires_grad = requires_grad
    t.grad = None
    t._name = None
    t._hooks = None
    t._retain = False
    return t
