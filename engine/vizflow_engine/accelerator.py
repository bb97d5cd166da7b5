"""vf.accelerator: PyTorch's device-agnostic queries (is there a GPU, which one, how many)."""

from __future__ import annotations

from .backend import Device, cuda_available, get_device


def is_available() -> bool:
    """True when a CUDA device answers through cupy (vizflow's only accelerator)."""
    return cuda_available()


def current_accelerator() -> Device | None:
    """The accelerator device (cuda:0) when one is available, else None (as PyTorch)."""
    return get_device("cuda") if cuda_available() else None


def device_count() -> int:
    """How many CUDA devices cupy sees (0 without cupy or a GPU)."""
    if not cuda_available():
        return 0
    import cupy

    count: int = cupy.cuda.runtime.getDeviceCount()
    return count


__all__ = ["current_accelerator", "device_count", "is_available"]


from ._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
