"""Creation functions: tensor(), zeros/ones/full/arange/linspace/eye, random, *_like."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes
from .backend import CPU, Device, device_of_array, get_device, to_device
from .dispatch import dispatch
from .ops import creation as _C
from .tensor import Tensor, _make


def _to_array(data: Any, dtype: Any, dev: Device | None) -> tuple[Any, Device]:
    """Convert data (nested lists, scalars, numpy/cupy arrays, Tensors) to an array on dev."""
    if isinstance(data, Tensor):
        arr = data.data
        src = data.device
    else:
        src = device_of_array(data)
        if src is CPU:
            if isinstance(data, (np.ndarray, np.generic)):
                arr = np.asarray(data)
            else:
                arr = np.asarray(data)
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


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(int(s) for s in shape[0])
    return tuple(int(s) for s in shape)


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
    """A tensor of zeros."""
    return _new(_C.ZEROS, {"shape": _shape(shape), "dtype": _dt(dtype)}, device, requires_grad)


def ones(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _new(_C.ONES, {"shape": _shape(shape), "dtype": _dt(dtype)}, device, requires_grad)


def full(
    shape: Sequence[int] | int,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor filled with fill_value (dtype inferred from it like torch when not given)."""
    if dtype is None:
        dtype = (
            dtypes.result_type(type(fill_value))
            if type(fill_value) in (bool, int, float)
            else np.asarray(fill_value).dtype
        )
    shp = (shape,) if isinstance(shape, int) else tuple(shape)
    return _new(
        _C.FULL,
        {"shape": shp, "fill_value": fill_value, "dtype": dtypes.as_dtype(dtype)},
        device,
        requires_grad,
    )


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in [start, end) (int64 for ints, float32 for floats, like torch)."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = dtypes.result_type(*(type(v) for v in (start, end, step)))
    return _new(
        _C.ARANGE,
        {"start": start, "end": end, "step": step, "dtype": dtypes.as_dtype(dtype)},
        device,
        requires_grad,
    )


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
        {"start": start, "end": end, "steps": int(steps), "dtype": _dt(dtype)},
        device,
        requires_grad,
    )


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """An identity matrix n x m."""
    return _new(
        _C.EYE,
        {"n": int(n), "m": int(n if m is None else m), "dtype": _dt(dtype)},
        device,
        requires_grad,
    )


def rand(*shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the device's seeded generator."""
    return _new(_C.RAND, {"shape": _shape(shape), "dtype": _dt(dtype)}, device, requires_grad)


def randn(
    *shape: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples from the device's seeded generator."""
    return _new(_C.RANDN, {"shape": _shape(shape), "dtype": _dt(dtype)}, device, requires_grad)


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
    shape = (size,) if isinstance(size, int) else tuple(size)
    return _new(
        _C.RANDINT,
        {
            "low": int(low),
            "high": int(high),
            "shape": tuple(int(d) for d in shape),
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


def zeros_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros with x's shape, dtype and device."""
    return zeros(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))


def ones_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones with x's shape, dtype and device."""
    return ones(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))


def full_like(
    x: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """fill_value with x's shape, dtype and device."""
    return full(x.shape, fill_value, requires_grad=requires_grad, **_like(x, dtype, device))


def rand_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uniform [0, 1) samples with x's shape, dtype and device."""
    return rand(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))


def randn_like(
    x: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples with x's shape, dtype and device."""
    return randn(x.shape, requires_grad=requires_grad, **_like(x, dtype, device))
