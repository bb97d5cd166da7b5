"""Mixing devices in one op is an error naming each input's device, shape and name (CPU-only).

A second numpy-backed Device stands in for a GPU: the check compares devices, not array types.
"""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.backend import Device


def _elsewhere(t: vf.Tensor) -> vf.Tensor:
    """t, placed on a second device that keeps its arrays in numpy."""
    t.device = Device("cpu", 1, np)
    return t


def test_mixing_devices_names_each_input_and_the_user_line() -> None:
    a = vf.tensor([1.0, 2.0], requires_grad=True, name="a")
    w = _elsewhere(vf.tensor([[1.0], [2.0]], name="w"))
    b = _elsewhere(vf.tensor([3.0, 4.0]))
    for bad in (lambda: a + b, lambda: b * a, lambda: a @ w, lambda: vf.maximum(a, b)):
        with pytest.raises(vf.DeviceError) as info:
            bad()
        msg = str(info.value)
        assert "different devices" in msg and "on cpu:1" in msg and "on cpu" in msg
        assert __file__ in msg  # the user's line
    with pytest.raises(vf.DeviceError, match=r"input 0 'a' \(2,\) on cpu, input 1 'w' \(2, 1\)"):
        a @ w
