"""Creation functions: tensor(), zeros/ones/full/arange/linspace/eye, random, *_like."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes
from .backend import CPU, Device, device_of_array, get_device, to_device
from .dispatch import dispatch
from .limits import dim
from .ops import creation as _C
from .ops import elementwise as _E
from .registry import OpDef
from .tensor import Tensor, _make


def _to_array(data: Any, dtype: Any, dev: Device | None) -> tuple[Any, Device]:
    """Convert data (nested lists, scalars, numpy/cupy arrays, Tensors) to an array on dev."""
    if isinstance(data, Tensor):
        arr = data.array
        src = data.device
    else:
        src = device_of_array(data)
        if src is CPU:
            if isinstance(data, (np.ndarray, np.generic)):
                arr = np.asarray(data)
            else:
                arr = _from_python(data, dtype)
                if arr.dtype == np.float64 and dtype is None:
                    arr = arr.astype(dtypes.get_default_dtype())
        else:
            arr = data
    if dtype is not None:
        arr = arr.astype(dtypes.as_dtype(dtype), copy=False)
    elif arr.dtype.kind not in "fiub":
        raise TypeError(f"cannot make a tensor from dtype {arr.dtype}")
    if dev is None:
        dev = src
    if dev is not src:
        arr = to_device(arr, dev)
    if arr.__class__ is np.generic or isinstance(arr, np.generic):
        arr = np.asarray(arr)
    return arr, dev


_INT64 = (-(2**63), 2**63 - 1)


def _from_python(data: Any, dtype: Any) -> np.ndarray[Any, Any]:
    """numpy's array of Python data, except that ints become int64 as in PyTorch: an int
    beyond int64 is an OverflowError (numpy would make uint64 or object arrays), unless a
    float in the data or a float dtype asks for floating values."""
    arr = np.asarray(data)
    if dtype is not None and dtypes.as_dtype(dtype).kind in "uf":
        return arr
    # uint64, object, or float64 holding a value past int64 (numpy's way with [1, 2**63])
    suspect = arr.dtype.kind in "uO" or (
        arr.dtype == np.float64 and arr.size > 0 and float(np.abs(arr).max()) >= 2.0**63
    )
    if not suspect:
        return arr
    ints, floats = _python_numbers(data)
    big = next((v for v in ints if not _INT64[0] <= v <= _INT64[1]), None)
    if big is None:
        return arr
    if floats and dtype is None:
        return np.asarray(data, dtype=np.float64)
    what = str(big) if big.bit_length() <= 128 else f"of {big.bit_length()} bits"
    raise OverflowError(
        f"tensor(): the integer {what} is out of range for int64, the dtype of a tensor "
        f"of Python ints ({_INT64[0]} to {_INT64[1]}); pass it as a float (or dtype=float64)"
    )


def _python_numbers(data: Any) -> tuple[list[int], bool]:
    """The Python ints (bools aside) in nested lists/tuples, and whether a float is there."""
    ints: list[int] = []
    floats = False
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, int) and not isinstance(x, bool):
            ints.append(x)
        elif isinstance(x, float):
            floats = True
    return ints, floats


def tensor(
    data: Any,
    dtype: Any = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    name: str | None = None,
) -> Tensor:
    """A new leaf tensor from data; Python floats become float32, ints int64 (like torch)."""
    dev = get_device(device) if device is not None else None
    arr, d = _to_array(data, dtype, dev)
    if isinstance(data, Tensor) or (isinstance(arr, np.ndarray) and arr is data):
        arr = arr.copy()
    t = _make(arr, d, None, False)
    t.name = name
    if requires_grad:
        t.requires_grad_()
    return t


def as_tensor(data: Any, dtype: Any = None, device: Device | str | None = None) -> Tensor:
    """data as a Tensor, without copying when it already is one (or a matching array)."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    dev = get_device(device) if device is not None else None
    arr, d = _to_array(data, dtype, dev)
    return _make(arr, d, None, False)


def from_numpy(arr: np.ndarray[Any, Any]) -> Tensor:
    """A CPU tensor sharing memory with a numpy array (keeps its dtype)."""
    return _make(np.asarray(arr), CPU, None, False)


def _shape(shape: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """Dims given as f(2, 3) or f((2, 3)), checked to be integers (f((1.5, 3)) is a TypeError)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, np.ndarray)):
        shape = tuple(shape[0])
    return tuple(dim(s, op) for s in shape)


def _sizes(shape: tuple[Any, ...], op: str) -> tuple[int | str, ...]:
    """As _shape, but a named dim of a traced value (x.shape[0] when x's spec says "batch")
    stays its name, for `_run_time_sized` to build; None (an unknown dim with no name)
    cannot be told from other unknown dims and is refused."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, np.ndarray)):
        shape = tuple(shape[0])
    for d in shape:
        if d is None:
            raise TypeError(
                f"{op}: a dim of None is a size known only at run time that has no name, so it "
                f"cannot be told from other unknown dims (shape {tuple(shape)}); name it in the "
                "spec (vf.spec(('batch', 3))), or make the tensor from a value that has it "
                f"(vf.{op}_like(x))"
            )
    return tuple(d if isinstance(d, str) else dim(d, op) for d in shape)


def _run_time_sized(
    op: str, dims: tuple[int | str, ...], fill: Any, dtype: Any, device: Any, requires_grad: bool
) -> Any:
    """fill in a shape holding named dims (traced code's vf.zeros(x.shape[0], 3)): one
    full_dims node over the traced input that has those dims (its values unused), so its size
    follows each call as eager code's does."""
    if requires_grad:
        _refuse_grad(op, dims)
    return _filled(_sources(op, dims, device), fill, dtype)


def _filled(sources: list[tuple[Any, tuple[Any, ...]]], fill: Any, dtype: Any) -> Any:
    """fill in the shape the sources give: one full_dims node per source input."""
    out = None
    for src, taken in sources:
        part = dispatch(_C.FULL_DIMS, (src,), {"dims": taken, "fill_value": fill, "dtype": dtype})
        # names from a second input: its part broadcasts the first to the joint shape
        out = part if out is None else _E.where(False, part, out)
    return out


def _sources(
    op: str, dims: tuple[int | str, ...], device: Any
) -> list[tuple[Any, tuple[Any, ...]]]:
    """The traced inputs that give the named dims sizes, each with the dims it gives: (k,)
    for its axis k, 1 for a name another input gives, the ints as they are. One input (the
    usual case) makes the tensor in one node; each input moved to the device asked for."""
    from .graph.trace import active_tracer

    tr = active_tracer()
    if tr is None:
        names = [d for d in dims if isinstance(d, str)]
        raise TypeError(
            f"{op}: dims {names} are names, which only a traced function's inputs give sizes "
            "to; outside one a dim is an integer"
        )
    found = {d: _input_with(tr.graph.inputs, d, op) for d in dims if isinstance(d, str)}
    order = list({id(src): src for src, _ in found.values()}.values())
    dev = get_device(device)
    out = []
    for src in order:
        taken = tuple(
            d if not isinstance(d, str) else (found[d][1],) if found[d][0] is src else 1
            for d in dims
        )
        out.append((src if src.device is dev else _E.to_device(src, dev), taken))
    return out


def _refuse_grad(op: str, shape: tuple[Any, ...]) -> None:
    """A leaf that requires grad is a parameter: its size cannot wait for the run."""
    raise TypeError(
        f"{op}: requires_grad=True needs a tensor of known size, not shape {tuple(shape)}; "
        "make the parameter outside the traced function"
    )


def _input_with(inputs: list[Any], name: str, op: str) -> tuple[Any, int]:
    """The first traced input with the named dim, and that dim's axis."""
    for v in inputs:
        if name in v.shape:
            return v, v.shape.index(name)
    raise ValueError(
        f"{op}: {name!r} is not a dim of any input of the traced function (their shapes: "
        f"{[tuple(v.shape) for v in inputs]}); a named size comes from an input's spec"
    )


def _sized(
    op: OpDef,
    shape: tuple[Any, ...],
    fill: Any,
    params: dict[str, Any],
    device: Any,
    requires_grad: bool,
) -> Any:
    """A creation op of `shape`, or in traced code with a named dim in it, fill in that shape."""
    dims = _sizes(shape, op.name)
    if all(isinstance(d, int) for d in dims):
        return _new(op, {"shape": dims, **params}, device, requires_grad)
    return _run_time_sized(op.name, dims, fill, params["dtype"], device, requires_grad)


def _new(
    op: Any, params: dict[str, Any], device: Any, requires_grad: bool, name: str | None = None
) -> Tensor:
    t: Tensor = dispatch(op, (), params, device=device)
    if isinstance(t, Tensor):
        if requires_grad:
            t.requires_grad_()
        t.name = name
    return t


def _dt(dtype: Any) -> np.dtype[Any]:
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def zeros(
    *shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros (in traced code a dim may be an input's named dim, x.shape[0])."""
    return _sized(_C.ZEROS, shape, 0, {"dtype": _dt(dtype)}, device, requires_grad)


def ones(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (in traced code a dim may be an input's named dim, x.shape[0])."""
    return _sized(_C.ONES, shape, 1, {"dtype": _dt(dtype)}, device, requires_grad)


def full(
    shape: Sequence[int] | int,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor filled with fill_value (dtype inferred from it like torch when not given).

    In traced code a dim may be an input's named dim (x.shape[0]).
    """
    if dtype is None:
        dtype = (
            dtypes.result_type(type(fill_value))
            if type(fill_value) in (bool, int, float)
            else np.asarray(fill_value).dtype
        )
    params = {"fill_value": fill_value, "dtype": dtypes.as_dtype(dtype)}
    return _sized(_C.FULL, (shape,), fill_value, params, device, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, end) (int64 for ints, float32 for floats, like torch).

    In traced code arange(n) of an input's named dim n (x.shape[1]) is 0, 1, …, n - 1.
    """
    if end is None:
        start, end = 0, start
    if isinstance(end, str) or isinstance(start, str) or isinstance(step, str):
        return _run_time_arange(start, end, step, dtype, device, requires_grad)
    if dtype is None:
        dtype = dtypes.result_type(*(type(v) for v in (start, end, step)))
    return _new(
        _C.ARANGE,
        {"start": start, "end": end, "step": step, "dtype": dtypes.as_dtype(dtype)},
        device,
        requires_grad,
    )


def _run_time_arange(
    start: Any, end: Any, step: Any, dtype: Any, device: Any, requires_grad: bool
) -> Any:
    """arange(n) of a named dim n in traced code: 0 … n - 1, one arange_dim node over the
    traced input that has n, counting to its size when the graph runs."""
    if isinstance(start, str) or isinstance(step, str) or start != 0 or step != 1:
        raise ValueError(
            f"arange({start!r}, {end!r}, {step!r}): in traced code a named size gives arange(n), "
            "0 to n - 1; another start or step makes a length no input has (index or scale "
            "the result instead: vf.arange(n)[1:] is arange(1, n))"
        )
    if requires_grad:
        _refuse_grad("arange", (end,))
    if dtype is None:
        dtype = dtypes.result_type(type(start), int, type(step))
    ((src, (taken,)),) = _sources("arange", (end,), device)
    return dispatch(_C.ARANGE_DIM, (src,), {"axis": taken[0], "dtype": dtypes.as_dtype(dtype)})


def full_dims(x: Any, fill_value: Any, dims: Any = None, dtype: Any = None) -> Any:
    """fill_value in x's shape, or in dims: each an int (a size) or (k,), x's dim k.

    x's values are unused; the dtype is x's unless given. Traced vf.zeros(x.shape[0], 3) is
    full_dims(x, 0, ((0,), 3)): one node whose size follows x's at each run.
    """
    if dims is not None:
        dims = tuple(tuple(d) if isinstance(d, (tuple, list)) else d for d in dims)
    dt = dtypes.as_dtype(x.dtype if dtype is None else dtype)
    return dispatch(_C.FULL_DIMS, (x,), {"dims": dims, "fill_value": fill_value, "dtype": dt})


def arange_dim(x: Any, axis: int, dtype: Any = None) -> Any:
    """0, 1, …, x.shape[axis] - 1 (int64 unless dtype is given); x's values are unused.

    Traced vf.arange(x.shape[1]) is this op, counting to the size x has at each run.
    """
    return dispatch(_C.ARANGE_DIM, (x,), {"axis": axis, "dtype": dtypes.as_dtype(dtype or "int64")})


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """steps evenly spaced values from start to end inclusive."""
    return _new(
        _C.LINSPACE,
        {"start": start, "end": end, "steps": dim(steps, "linspace"), "dtype": _dt(dtype)},
        device,
        requires_grad,
    )


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """An identity matrix n x m."""
    return _new(
        _C.EYE,
        {"n": dim(n, "eye"), "m": dim(n if m is None else m, "eye"), "dtype": _dt(dtype)},
        device,
        requires_grad,
    )


def rand(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the device's seeded generator.

    In traced code a dim may be an input's named dim (x.shape[0]).
    """
    return _sampled(_C.RAND, _C.RAND_LIKE, shape, _dt(dtype), device, requires_grad)


def randn(
    *shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples from the device's seeded generator.

    In traced code a dim may be an input's named dim (x.shape[0]).
    """
    return _sampled(_C.RANDN, _C.RANDN_LIKE, shape, _dt(dtype), device, requires_grad)


def _sampled(
    op: OpDef, like: OpDef, shape: tuple[Any, ...], dtype: Any, device: Any, requires_grad: bool
) -> Any:
    """A sampling op of `shape`, or in traced code with a named dim in it, its `like` form
    drawing in that shape as made from the inputs that have the dim (the same draws)."""
    dims = _sizes(shape, op.name)
    if all(isinstance(d, int) for d in dims):
        return _new(op, {"shape": dims, "dtype": dtype}, device, requires_grad)
    if requires_grad:
        _refuse_grad(op.name, dims)
    sources = _sources(op.name, dims, device)
    if len(sources) > 1:  # names from several inputs: draw in the shape they make together
        return dispatch(like, (_filled(sources, 0, dtype),), {"dtype": dtype, "dims": None})
    ((src, taken),) = sources
    return dispatch(like, (src,), {"dtype": dtype, "dims": taken})


def _sampled_like(like: OpDef, x: Any, dtype: Any, device: Any, requires_grad: bool) -> Any:
    """Samples in the shape of x, a traced value with a dim known only at run time: `like`
    reads x's shape (not its values) on the device the samples are drawn on."""
    if requires_grad:
        _refuse_grad(like.name, x.shape)
    if device is not None and get_device(device) is not x.device:
        x = _E.to_device(x, device)
    dt = dtypes.as_dtype(x.dtype if dtype is None else dtype)
    return dispatch(like, (x,), {"dtype": dt, "dims": None})


def randint(
    low: int,
    high: Any = None,
    size: Sequence[int] | int = (),
    dtype: Any = None,
    device: Any = None,
) -> Tensor:
    """Random integers in [low, high) (int64 by default), in numpy's and PyTorch's forms.

    randint(low, high, size), randint(high, size=size) and PyTorch's two-positional
    randint(high, size) (a tuple or list second argument is the size); an int size is
    one dim, as in numpy.
    """
    if isinstance(high, (tuple, list)):
        if size != ():
            raise TypeError("randint(high, size) got a size twice; pass randint(low, high, size)")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    shape = _shape((size,), "randint")
    return _new(
        _C.RANDINT,
        {
            "low": int(low),
            "high": int(high),
            "shape": shape,
            "dtype": dtypes.as_dtype(dtype or "int64"),
        },
        device,
        False,
    )


def _like(x: Tensor, dtype: Any, device: Any) -> dict[str, Any]:
    return {
        "dtype": x.dtype if dtype is None else dtype,
        "device": x.device if device is None else device,
    }


def _has_run_time_dims(x: Any) -> bool:
    """True for a traced value whose shape holds a dim known only at run time (None or a name)."""
    return any(not isinstance(d, int) for d in getattr(x, "shape", ()))


def _filled_from(
    x: Any, fill_value: Any, dtype: Any, device: Any, requires_grad: bool, op: str
) -> Any:
    """fill_value in x's shape as one full_dims node over x (its values unused, no gradient
    through it), so a dim known only at run time (a traced "batch") carries into the result."""
    if requires_grad:
        _refuse_grad(op, x.shape)
    if device is not None and get_device(device) is not x.device:
        x = _E.to_device(x, device)
    params = {
        "dims": None,
        "fill_value": fill_value,
        "dtype": dtypes.as_dtype(x.dtype if dtype is None else dtype),
    }
    return dispatch(_C.FULL_DIMS, (x,), params)


def zeros_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros with x's shape, dtype and device."""
    if _has_run_time_dims(x):
        return _filled_from(x, 0, dtype, device, requires_grad, "zeros_like")
    return zeros(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))


def ones_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones with x's shape, dtype and device."""
    if _has_run_time_dims(x):
        return _filled_from(x, 1, dtype, device, requires_grad, "ones_like")
    return ones(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))


def full_like(
    x: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """fill_value with x's shape, dtype and device."""
    if _has_run_time_dims(x):
        return _filled_from(x, fill_value, dtype, device, requires_grad, "full_like")
    return full(x.shape, fill_value, requires_grad=requires_grad, **_like(x, dtype, device))


def rand_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uniform [0, 1) samples with x's shape, dtype and device."""
    if _has_run_time_dims(x):
        return _sampled_like(_C.RAND_LIKE, x, dtype, device, requires_grad)
    return rand(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))


def randn_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples with x's shape, dtype and device."""
    if _has_run_time_dims(x):
        return _sampled_like(_C.RANDN_LIKE, x, dtype, device, requires_grad)
    return randn(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))
