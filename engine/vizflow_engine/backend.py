"""Devices and array namespaces: "cpu" runs on numpy, "cuda" on cupy (detected lazily)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from .errors import DeviceError


class Device:
    """A device: its type ("cpu" or "cuda"), index, and array namespace `xp`; one per name.

    Called as PyTorch's `torch.device` is (`vf.device("cuda")`, `vf.device("cuda", 1)`,
    `vf.device("cuda:1")`), it returns the singleton for that name; only the backend makes
    new devices, passing their array namespace.
    """

    __slots__ = ("index", "name", "type", "xp")

    def __new__(
        cls, type_: str | Device, index: int | None = None, xp: ModuleType | None = None
    ) -> Device:
        if xp is not None:
            return super().__new__(cls)
        if isinstance(type_, Device) or index is None:
            return get_device(type_)
        return get_device(f"{type_}:{index}")

    def __init__(
        self, type_: str | Device, index: int | None = None, xp: ModuleType | None = None
    ) -> None:
        if xp is None or not isinstance(type_, str):  # a look-up: the singleton is made
            return
        self.type = type_
        self.index = index
        self.name = type_ if index is None else f"{type_}:{index}"
        self.xp = xp

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Device):
            return other is self
        if isinstance(other, str):
            return other == self.name or (other == "cuda" and self.name == "cuda:0")
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Copies (copy.deepcopy of a module) and pickles resolve to the same singleton."""
        return get_device, (self.name,)


CPU = Device("cpu", None, np)
_devices: dict[str, Device] = {"cpu": CPU}
_rngs: dict[ModuleType, Any] = {}
_seed: list[int | None] = [None]


def _load_cupy() -> ModuleType:
    """Import cupy and check a CUDA device answers; else a DeviceError naming what is missing."""
    try:
        import cupy
    except ImportError:
        raise DeviceError(
            "device='cuda' needs cupy, which is not installed "
            "(pip install 'vizflow-engine[cuda]', i.e. cupy-cuda12x)"
        ) from None
    try:
        ok = cupy.cuda.is_available() and cupy.cuda.runtime.getDeviceCount() > 0
    except Exception as exc:  # cupy raises CUDARuntimeError without a driver
        raise DeviceError(
            f"device='cuda': cupy is installed but no CUDA device is usable ({exc})"
        ) from None
    if not ok:
        raise DeviceError("device='cuda': cupy is installed but no CUDA device is available")
    return cupy


def get_device(device: Device | str | None) -> Device:
    """Resolve "cpu", "cuda", "cuda:1" or a Device to its singleton (cupy imported lazily)."""
    if device is None:
        return CPU
    if isinstance(device, Device):
        return device
    dev = _devices.get(device)
    if dev is not None:
        return dev
    kind, _, idx = str(device).partition(":")
    if kind == "cpu" and idx == "0":  # PyTorch's name for the one CPU
        return CPU
    if kind != "cuda":
        raise DeviceError(f"unknown device {device!r}; use 'cpu' or 'cuda[:N]'")
    cupy = _load_cupy()
    index = int(idx) if idx else 0
    if index >= cupy.cuda.runtime.getDeviceCount():
        count = cupy.cuda.runtime.getDeviceCount()
        raise DeviceError(f"device {device!r}: no such CUDA device (found {count})")
    dev = Device("cuda", index, cupy)
    _devices[dev.name] = dev
    if index == 0:
        _devices["cuda"] = dev
    return dev


def xp_for(device: Device | str | None) -> ModuleType:
    """The array namespace (numpy or cupy) that runs kernels on `device`."""
    return get_device(device).xp


def device_of_array(arr: Any) -> Device:
    """The device an array lives on (numpy -> cpu, cupy -> cuda:N)."""
    if isinstance(arr, (np.ndarray, np.generic)):
        return CPU
    dev = getattr(arr, "device", None)
    if dev is not None and type(arr).__module__.startswith("cupy"):
        return get_device(f"cuda:{dev.id}")
    return CPU


def device_of(x: Any) -> Device:
    """The device of a Tensor or a raw array."""
    dev = getattr(x, "device", None)
    return dev if isinstance(dev, Device) else device_of_array(x)


def cuda_available() -> bool:
    """True when cupy imports and a CUDA device answers."""
    try:
        get_device("cuda")
    except DeviceError:
        return False
    return True


def rng(xp: ModuleType) -> Any:
    """The seeded random Generator of an array namespace (one per backend, reset by manual_seed)."""
    gen = _rngs.get(xp)
    if gen is None:
        gen = xp.random.default_rng(_seed[0])
        _rngs[xp] = gen
    return gen


def rng_states(xp: ModuleType) -> dict[ModuleType, Any]:
    """The state of every backend's random generator (xp's made if not yet): what a run that
    starts now will draw, for running it again (set_rng_states)."""
    rng(xp)
    return {m: gen.bit_generator.state for m, gen in _rngs.items()}


def set_rng_states(states: dict[ModuleType, Any]) -> None:
    """Put the random generators back in states taken by rng_states."""
    for m, state in states.items():
        rng(m).bit_generator.state = state


def manual_seed(seed: int) -> None:
    """Seed the random generators of every backend (numpy and cupy) for reproducible runs."""
    _seed[0] = int(seed)
    for xp in list(_rngs):
        _rngs[xp] = xp.random.default_rng(int(seed))


def to_device(arr: Any, device: Device) -> Any:
    """Copy an array to `device` (explicit transfer; no-op when it is already there)."""
    if device is CPU:
        if isinstance(arr, (np.ndarray, np.generic)):
            return arr
        return arr.get()
    with device.xp.cuda.Device(device.index):
        return device.xp.asarray(arr)


# glibc mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's ceiling on 64-bit (larger values are refused)
TRIM_THRESHOLD = 1 << 30


def tune_malloc() -> bool:
    """Keep large freed blocks in glibc's heap for reuse, as caching allocators do.

    By default glibc serves blocks over ~128 KiB-32 MiB (its threshold adapts) with mmap and
    returns them to the OS on free, and trims the heap top past 128 KiB; a training step
    that frees and reallocates its activations every step then pays a page fault per 4 KiB
    page touched again (a third of an MLP step at batch 512). Raising the mmap threshold
    to glibc's maximum (32 MiB) and the trim threshold to 1 GiB keeps those pages mapped:
    the process holds on to its peak working set instead of returning it.

    Runs once at engine import on Linux with glibc; a no-op (returning False) elsewhere, when
    anything fails, or when the environment sets VIZFLOW_NO_MALLOC_TUNING=1. Explicit
    MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ environment settings are left to win.
    Returns True when both thresholds were set.
    """
    import os
    import sys

    if os.environ.get("VIZFLOW_NO_MALLOC_TUNING", "") not in ("", "0"):
        return False
    if not sys.platform.startswith("linux"):
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # musl and others: no mallopt tuning
            return False
        mallopt = libc.mallopt
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
        ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and ok
    except Exception:  # never let a tuning knob break the import
        return False


MALLOC_TUNED = tune_malloc()
"""Whether tune_malloc() changed glibc's thresholds at import (see its docstring)."""
