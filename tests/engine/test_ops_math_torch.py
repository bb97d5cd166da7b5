"""Math, rounding, bitwise and integer-division ops vs torch (float64 values and gradients),
as functions, Tensor methods and operators; a few inside @vf.function vs eager."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf

from .torch_compare import compare, traced_matches_eager

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(13)
REAL = RNG.uniform(-2, 2, (3, 4))
POS = RNG.uniform(0.3, 3, (3, 4))
UNIT = RNG.uniform(-0.95, 0.95, (3, 4))
ABOVE1 = RNG.uniform(1.1, 4, (3, 4))
NONZERO = RNG.uniform(0.3, 2, (3, 4)) * RNG.choice([-1.0, 1.0], (3, 4))
ROW = RNG.uniform(0.5, 2, (4,)) * RNG.choice([-1.0, 1.0], (4,))
HALVES = np.array([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 0.125, -0.375], [3.7, -3.7, 0.0, 9.99]])
INTS = np.array([[7, -7, 13, -13], [0, 5, -1, 40]], dtype=np.int64)
DIVS = np.array([[2, 2, -3, -3], [4, -5, 3, 7]], dtype=np.int64)

Case = tuple[Callable[..., Any], Callable[..., Any], list[np.ndarray]]

UNARY: dict[str, Case] = {
    "log2": (vf.log2, torch.log2, [POS]),
    "log10": (vf.log10, torch.log10, [POS]),
    "exp2": (vf.exp2, torch.exp2, [REAL]),
    "expm1": (vf.expm1, torch.expm1, [REAL]),
    "log1p": (vf.log1p, torch.log1p, [POS]),
    "rsqrt": (vf.rsqrt, torch.rsqrt, [POS]),
    "tan": (vf.tan, torch.tan, [UNIT]),
    "asin": (vf.asin, torch.asin, [UNIT]),
    "acos": (vf.acos, torch.acos, [UNIT]),
    "atan": (vf.atan, torch.atan, [REAL]),
    "sinh": (vf.sinh, torch.sinh, [REAL]),
    "cosh": (vf.cosh, torch.cosh, [REAL]),
    "asinh": (vf.asinh, torch.asinh, [REAL]),
    "acosh": (vf.acosh, torch.acosh, [ABOVE1]),
    "atanh": (vf.atanh, torch.atanh, [UNIT]),
    "erf": (vf.erf, torch.erf, [REAL]),
    "erfinv": (vf.erfinv, torch.erfinv, [UNIT]),
    "sign": (vf.sign, torch.sign, [NONZERO]),
    "floor": (vf.floor, torch.floor, [HALVES]),
    "ceil": (vf.ceil, torch.ceil, [HALVES]),
    "trunc": (vf.trunc, torch.trunc, [HALVES]),
    "frac": (vf.frac, torch.frac, [HALVES]),
    "round": (vf.round, torch.round, [HALVES]),
    "round(decimals=1)": (
        lambda x: vf.round(x, decimals=1),
        lambda x: torch.round(x, decimals=1),
        [HALVES],
    ),
    "round(decimals=-1)": (
        lambda x: x.round(decimals=-1),
        lambda x: x.round(decimals=-1),
        [HALVES * 10],
    ),
}
BINARY: dict[str, Case] = {
    "atan2": (vf.atan2, torch.atan2, [NONZERO, REAL]),
    "copysign": (vf.copysign, torch.copysign, [REAL, NONZERO]),
    "copysign(row)": (vf.copysign, torch.copysign, [REAL, ROW]),
    "hypot": (vf.hypot, torch.hypot, [REAL, NONZERO]),
    "logaddexp": (vf.logaddexp, torch.logaddexp, [REAL, NONZERO]),
    "logaddexp(big)": (vf.logaddexp, torch.logaddexp, [REAL * 400, NONZERO * 400]),
    "lerp(scalar)": (
        lambda a, b: vf.lerp(a, b, 0.3),
        lambda a, b: torch.lerp(a, b, 0.3),
        [REAL, NONZERO],
    ),
    "lerp(tensor)": (vf.lerp, torch.lerp, [REAL, NONZERO, UNIT]),
    "remainder": (vf.remainder, torch.remainder, [REAL * 3, NONZERO]),
    "%": (lambda a, b: a % b, lambda a, b: a % b, [REAL * 3, NONZERO]),
    "fmod": (vf.fmod, torch.fmod, [REAL * 3, NONZERO]),
    "//": (lambda a, b: a // b, lambda a, b: a // b, [REAL * 3, NONZERO]),
    "rsub %": (lambda a: 5.5 % a, lambda a: 5.5 % a, [NONZERO]),
    "div(trunc)": (
        lambda a, b: vf.div(a, b, rounding_mode="trunc"),
        lambda a, b: torch.div(a, b, rounding_mode="trunc"),
        [REAL * 3, NONZERO],
    ),
    "div(floor)": (
        lambda a, b: a.div(b, rounding_mode="floor"),
        lambda a, b: a.div(b, rounding_mode="floor"),
        [REAL * 3, NONZERO],
    ),
}
NO_TORCH_GRAD = {"//", "div(floor)", "rsub %"}  # torch: "derivative … is not implemented"
INTEGER: dict[str, Case] = {
    "&": (lambda a, b: a & b, lambda a, b: a & b, [INTS, DIVS]),
    "|": (lambda a, b: a | b, lambda a, b: a | b, [INTS, DIVS]),
    "^": (lambda a, b: a ^ b, lambda a, b: a ^ b, [INTS, DIVS]),
    "~": (lambda a: ~a, lambda a: ~a, [INTS]),
    "<<": (lambda a, b: a << abs(b), lambda a, b: a << abs(b), [INTS, DIVS]),
    ">>": (lambda a, b: a >> abs(b), lambda a, b: a >> abs(b), [INTS, DIVS]),
    "& scalar": (lambda a: a & 0x1337, lambda a: a & 0x1337, [INTS]),
    "bitwise_xor": (vf.bitwise_xor, torch.bitwise_xor, [INTS, DIVS]),
    "bitwise_not": (vf.bitwise_not, torch.bitwise_not, [INTS]),
    "//": (lambda a, b: a // b, lambda a, b: a // b, [INTS, DIVS]),
    "%": (lambda a, b: a % b, lambda a, b: a % b, [INTS, DIVS]),
    "fmod": (vf.fmod, torch.fmod, [INTS, DIVS]),
    "div(trunc)": (
        lambda a, b: vf.div(a, b, rounding_mode="trunc"),
        lambda a, b: torch.div(a, b, rounding_mode="trunc"),
        [INTS, DIVS],
    ),
    "div(floor)": (
        lambda a, b: vf.div(a, b, rounding_mode="floor"),
        lambda a, b: torch.div(a, b, rounding_mode="floor"),
        [INTS, DIVS],
    ),
    "floor(int)": (vf.floor, torch.floor, [INTS]),
    "round(int)": (vf.round, torch.round, [INTS]),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_math_matches_torch(name: str) -> None:
    fn, ref, arrays = UNARY[name]
    compare(torch, fn, ref, arrays)


@pytest.mark.parametrize("name", sorted(n for n in UNARY if "(" not in n))
def test_unary_math_methods_match_torch(name: str) -> None:
    compare(torch, lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), UNARY[name][2])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_math_matches_torch(name: str) -> None:
    fn, ref, arrays = BINARY[name]
    compare(torch, fn, ref, arrays, grad=name not in NO_TORCH_GRAD)


@pytest.mark.parametrize("name", sorted(INTEGER))
def test_integer_ops_match_torch(name: str) -> None:
    fn, ref, arrays = INTEGER[name]
    compare(torch, fn, ref, arrays)


def test_bitwise_operators_on_integers_are_bitwise() -> None:
    a = vf.tensor([1, -8, 32], dtype="int32")
    assert (a & 0x1337).tolist() == [1, 4912, 32]
    assert (a & 0x1337).dtype == np.int32
    assert (~(a & 0x1337)).tolist() == [-2, -4913, -33]
    assert (~a).tolist() == [-2, 7, -33]
    assert (a | 3).tolist() == [3, -5, 35]
    assert (a ^ 1).tolist() == [0, -7, 33]


def test_bitwise_operators_on_bools_stay_logical() -> None:
    p, q = vf.tensor([True, True, False]), vf.tensor([True, False, False])
    assert (p & q).tolist() == [True, False, False]
    assert (p | q).tolist() == [True, True, False]
    assert (p ^ q).tolist() == [False, True, False]
    assert (~p).tolist() == [False, False, True]
    assert (~p).dtype == np.bool_


def test_bitwise_ops_refuse_floats_as_torch() -> None:
    with pytest.raises(RuntimeError):
        torch.tensor([1.0]) & torch.tensor([1.0])
    with pytest.raises(vf.ShapeError, match="integer or bool"):
        vf.tensor([1.0]) & vf.tensor([1.0])


def test_rounding_ops_have_zero_gradient_and_frac_passes_it() -> None:
    x = vf.tensor(HALVES, requires_grad=True)
    (x.floor() + x.ceil() + x.round(1) + x.trunc()).sum().backward()
    assert x.grad is not None and not x.grad.numpy().any()
    y = vf.tensor(HALVES, requires_grad=True)
    y.frac().sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.ones_like(HALVES))


def test_edges_match_torch() -> None:
    edge = np.array([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan])
    for name in ("erfinv", "atanh", "asin", "rsqrt", "log2", "expm1"):
        got = getattr(vf, name)(vf.tensor(edge)).numpy()
        want = getattr(torch, name)(torch.tensor(edge)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=name)
    big = np.array([-1e308, 1e308, 3.0])
    np.testing.assert_array_equal(
        vf.hypot(vf.tensor(big), vf.tensor(big)).numpy(),
        torch.hypot(torch.tensor(big), torch.tensor(big)).numpy(),
    )
    inf = vf.tensor([math.inf, -math.inf])
    np.testing.assert_array_equal(
        vf.logaddexp(inf, inf).numpy(), torch.logaddexp(*[torch.tensor([math.inf, -math.inf])] * 2)
    )


def test_copysign_gives_its_sign_input_no_gradient() -> None:
    x, y = vf.tensor(REAL, requires_grad=True), vf.tensor(NONZERO, requires_grad=True)
    vf.copysign(x, y).sum().backward()
    assert y.grad is None
    np.testing.assert_allclose(x.grad.numpy(), np.sign(REAL) * np.sign(NONZERO))


def test_in_place_rounding_methods_match_torch() -> None:
    for name in ("floor_", "ceil_", "trunc_", "round_"):
        x, t = vf.tensor(HALVES), torch.tensor(HALVES)
        assert getattr(x, name)() is x
        getattr(t, name)()
        np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_erfinv_without_scipy_matches_scipy() -> None:
    from scipy.special import erfinv

    from vizflow_engine.ops.math import _erfinv_numpy

    x = np.linspace(-0.999999, 0.999999, 2001)
    np.testing.assert_allclose(_erfinv_numpy(x), erfinv(x), rtol=1e-12, atol=1e-14)
    assert np.isinf(_erfinv_numpy(np.array([1.0, -1.0]))).all()


def test_math_ops_traced_match_eager() -> None:
    traced_matches_eager(
        lambda x, y: (
            vf.atan2(x, y) + x.tan() * y.cosh() + vf.logaddexp(x, y) + x.erfinv() + (x % 0.7)
        ).sum(),
        [UNIT, NONZERO],
    )


def test_integer_ops_traced_match_eager() -> None:
    def step(a: Any, b: Any) -> Any:
        return (a & b) + (a // b) + (a % b) + (~a) + (a << 1)

    want = step(vf.tensor(INTS), vf.tensor(DIVS)).numpy()
    traced = vf.function(step)
    for _ in range(2):
        np.testing.assert_array_equal(traced(vf.tensor(INTS), vf.tensor(DIVS)).numpy(), want)
