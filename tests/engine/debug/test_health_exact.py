"""Health stays exact on the fast paths: the finite test by a dot with zeros finds one NaN or
±Inf anywhere (SIMD lanes and tail included) and no false one in the largest finite values;
a pending zero count equals the eager one."""

from __future__ import annotations

import numpy as np
import pytest

from vizflow_engine.debug.health import all_finite, health, pending_health

POSITIONS = (0, 1, 0.5, -9, -2, -1)  # first, second, middle, in the tail, last


def _positions(size: int) -> list[int]:
    return sorted({int(p * size) if isinstance(p, float) else p % size for p in POSITIONS})


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("size", [7, 256, 4099])
def test_one_special_value_anywhere_is_found(dtype: str, size: int) -> None:
    base = np.linspace(-3.0, 3.0, size).astype(dtype)
    assert health(base).finite
    top = np.full(size, np.finfo(dtype).max, dtype)  # 0 * max is 0: nothing overflows
    assert health(top).finite and health(-top).finite
    for pos in _positions(size):
        for bad, field in ((np.nan, "nan"), (np.inf, "posinf"), (-np.inf, "neginf")):
            a = base.copy()
            a[pos] = bad
            h = health(a)
            assert not h.finite and getattr(h, field) == 1, (pos, bad)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_a_complex_special_value_in_either_part_is_found(dtype: str) -> None:
    base = (np.linspace(-3.0, 3.0, 4099) * (1 + 2j)).astype(dtype)
    top = np.finfo(dtype).max
    assert all_finite(base) and all_finite(np.full(4099, top + 1j * top, dtype))
    for pos in _positions(4099):
        for bad in (np.nan, np.inf, -np.inf, 1j * np.nan, 1j * np.inf):
            a = base.copy()
            a[pos] = bad
            assert not all_finite(a), (pos, bad)


def test_strided_and_many_dimensional_arrays() -> None:
    a = np.ones((64, 64), np.float32)
    a[5, 7] = np.nan
    assert not health(a).finite and not health(a.T).finite  # a transposed view
    assert health(a[:, ::2]).finite  # column 7 left out by the stride
    assert health(a[::2, 1::2]).finite and not health(a[1::2, 1::2]).finite
    assert health(np.arange(12).reshape(3, 4)).finite  # integers are always finite


def test_a_pending_zero_count_equals_the_eager_one() -> None:
    a = np.array([0.0, -0.0, 1.0, np.nan, 0.0, 2.0] * 100, np.float32)
    eager = health(a)
    with np.errstate(all="ignore"):
        pending = pending_health(a)
    assert pending.pending and pending.to_json() == eager.to_json() and not pending.pending
    assert eager.zeros == 300 and eager.nan == 100
    copy = a.copy()
    with np.errstate(all="ignore"):
        later = pending_health(a)
    later.count_from(copy)
    a[:] = 5.0  # the live memory changes; the count reads the copy
    assert later.zeros == 300
    flags = np.array([True, False, False])
    assert health(flags).zeros == 2 and health(np.array(0.0)).zeros == 1
