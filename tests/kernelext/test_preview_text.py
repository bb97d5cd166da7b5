"""The inspector's preview text is numpy's (np.array2string with the inspector's options), made
faster for float arrays: the same text for every rank, size, dtype and value range."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from vizflow_kernelext.preview import EDGE, LINE_WIDTH, PRECISION, THRESHOLD, preview_text

SHAPES = [(), (1,), (5,), (7,), (64,), (65,), (200,), (3, 4), (8, 8), (9, 8), (16, 32),
          (2, 3, 4), (4, 5, 6), (2, 2, 2, 20), (1, 1, 70), (100, 1)]  # fmt: skip
SCALES = [1.0, 1e-3, 1e-6, 1e3, 1e7, 1e9, 1e30]


def numpy_text(a: Any) -> str:
    with np.printoptions(
        threshold=THRESHOLD, edgeitems=EDGE, precision=PRECISION, linewidth=LINE_WIDTH
    ):
        return np.array2string(a)


def variants(x: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """x as drawn, positive only, with a NaN, with ±Inf, rounded, and half zeros with a -0."""
    out = [x, np.abs(x), np.round(x)]
    if x.size:
        nan = x.copy()
        nan.flat[rng.integers(0, x.size)] = np.nan
        inf = x.copy()
        inf.flat[0], inf.flat[-1] = -np.inf, np.inf
        zeros = x * (rng.random(x.shape) < 0.5)
        zeros.flat[0] = -0.0
        out += [nan, inf, zeros]
    return out


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_arrays_read_as_numpy_prints_them(dtype: Any) -> None:
    rng = np.random.default_rng(1)
    compared = 0
    for shape in SHAPES:
        for scale in SCALES:
            for x in variants(rng.standard_normal(shape) * scale, rng):
                with np.errstate(over="ignore"):
                    a = np.asarray(x).astype(dtype)
                assert preview_text(a) == numpy_text(a), (dtype, shape, scale, a)
                compared += 1
    assert compared > 500


@pytest.mark.parametrize(
    "a",
    [
        np.full(100, np.nan, np.float32),
        np.zeros((10, 10)),
        np.array([np.inf, -np.inf]),
        np.array(3.0),
        np.array(np.nan),
        np.arange(70, dtype=np.float64),
        np.zeros((0, 3), np.float32),
        np.arange(100),  # ints, bools and complex numbers: numpy's own text
        np.arange(100) % 3 == 0,
        np.arange(5) * (1 + 2j),
    ],
)
def test_edge_cases_and_other_dtypes(a: np.ndarray) -> None:
    assert preview_text(a) == numpy_text(a)


def test_print_options_a_user_set_are_honoured() -> None:
    a = np.array([1e-6, 2.5, 3.0], np.float32)
    with np.printoptions(suppress=True):
        assert preview_text(a) == numpy_text(a) == "[0.  2.5 3. ]"
    assert preview_text(a) == "[1.0e-06 2.5e+00 3.0e+00]"
