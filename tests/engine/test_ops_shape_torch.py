"""Shape ops, reductions, norms and closeness checks vs torch (float64 values and gradients),
as functions and Tensor methods; a few inside @vf.function vs eager."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf

from .torch_compare import compare, traced_matches_eager

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(5)
A = RNG.standard_normal((2, 3, 4))
M = RNG.standard_normal((3, 4))
V = RNG.standard_normal((4,))
W = RNG.standard_normal((3,))
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.0, -2.0, -2.0, 0.0], [5.0, 5.0, 5.0, 5.0]])

Case = tuple[Callable[..., Any], Callable[..., Any], list[np.ndarray]]


def same(call: Callable[..., Any], *arrays: np.ndarray) -> Case:
    """One call that both libraries spell alike (methods, mostly)."""
    return call, call, list(arrays)


def both(name: str, *args: Any, arrays: tuple[np.ndarray, ...] = (A,), **kw: Any) -> Case:
    """vf.<name>(x, *args, **kw) against torch.<name>(x, *args, **kw)."""
    return (
        lambda *xs: getattr(vf, name)(*xs, *args, **kw),
        lambda *ts: getattr(torch, name)(*ts, *args, **kw),
        list(arrays),
    )


SHAPE: dict[str, Case] = {
    "flip": both("flip", (0, 2)),
    "flip method": same(lambda x: x.flip(-1), A),
    "flip method varargs": same(lambda x: x.flip(0, 1), A),
    "fliplr": both("fliplr", arrays=(M,)),
    "flipud": both("flipud", arrays=(M,)),
    "roll": both("roll", 2, 1),
    "roll flat": both("roll", -3),
    "roll dims": both("roll", (1, -2), (0, 2)),
    "roll method": same(lambda x: x.roll(5, 2), A),
    "repeat": same(lambda x: x.repeat(2, 1, 3), A),
    "repeat more dims": same(lambda x: x.repeat(2, 1, 1, 2), A),
    "repeat tuple": same(lambda x: x.repeat((1, 2)), M),
    "tile": both("tile", (2,)),
    "tile method": same(lambda x: x.tile(2, 1, 1, 2), M),
    "repeat_interleave": both("repeat_interleave", 2, 1),
    "repeat_interleave flat": both("repeat_interleave", 3),
    "repeat_interleave counts": (
        lambda x: vf.repeat_interleave(x, vf.tensor([1, 0, 3]), dim=1),
        lambda x: torch.repeat_interleave(x, torch.tensor([1, 0, 3]), dim=1),
        [A],
    ),
    "chunk": both("chunk", 2, 2),
    "chunk uneven": both("chunk", 3, -1, arrays=(V[:3].reshape(1, 3).repeat(2, 0),)),
    "chunk more than size": same(lambda x: x.chunk(5, 1), A),
    "unflatten": same(lambda x: x.unflatten(2, (2, 2)), A),
    "unflatten -1": both("unflatten", 1, (-1, 2), arrays=(M,)),
    "unfold": same(lambda x: x.unfold(2, 2, 1), A),
    "unfold step": same(lambda x: x.unfold(1, 2, 2), A),
    "unfold dim0": same(lambda x: x.unfold(0, 1, 1), A),
    "unfold 1-d": same(lambda x: x.unfold(0, 3, 1), V),
    "diag vector": both("diag", arrays=(V,)),
    "diag vector k": both("diag", -2, arrays=(V,)),
    "diag matrix": both("diag", 1, arrays=(M,)),
    "diag matrix -k": same(lambda x: x.diag(-1), M),
    "diagonal": both("diagonal", 0, 0, 1),
    "diagonal offset": both("diagonal", 1, 2, 0),
    "diagonal method": same(lambda x: x.diagonal(-1, 1, 2), A),
    "movedim": both("movedim", 0, -1),
    "movedim many": both("movedim", (0, 1), (2, 0)),
    "moveaxis method": same(lambda x: x.moveaxis(2, 0), A),
    "narrow": both("narrow", 2, 1, 2),
    "narrow negative": same(lambda x: x.narrow(-1, -3, 2), A),
    "expand_as": same(lambda x, y: x.expand_as(y), V, A),
    "meshgrid ij": both("meshgrid", indexing="ij", arrays=(V, W)),
    "meshgrid xy": both("meshgrid", indexing="xy", arrays=(V, W, V[:2])),
}
REDUCE: dict[str, Case] = {
    "std_mean": both("std_mean", 1),
    "var_mean": both("var_mean", (0, 2), keepdim=True),
    "std_mean all": both("std_mean"),
    "var_mean correction": both("var_mean", 1, correction=0),
    "amax": both("amax", 1, arrays=(TIES,)),
    "amax tuple": both("amax", (0, 1), keepdim=True),
    "amax all": same(lambda x: x.amax(), TIES),
    "amin": both("amin", -1, arrays=(TIES,)),
    "aminmax": (
        lambda x: tuple(vf.aminmax(x, dim=1)),
        lambda x: tuple(torch.aminmax(x, dim=1)),
        [M],
    ),
    "aminmax all": same(lambda x: tuple(x.aminmax()), M),
    "norm": both("norm"),
    "norm p1 dim": both("norm", 1, 1),
    "norm inf ties": both("norm", math.inf, 1, arrays=(TIES,)),
    "norm -inf": both("norm", -math.inf, (0, 1)),
    "norm p3 keepdim": both("norm", 3, 2, True),
    "norm fro dims": both("norm", "fro", (1, 2)),
    "norm zeros": both("norm", arrays=(np.zeros((2, 3)),)),
    "norm method": same(lambda x: x.norm(dim=-1), A),
    "sum dtype": (
        lambda x: x.sum(dtype=vf.float32),
        lambda x: x.sum(dtype=torch.float32),
        [np.arange(6).reshape(2, 3)],
    ),
}
LINALG: dict[str, tuple[dict[str, Any], np.ndarray]] = {
    "vector default": ({}, V),
    "matrix default": ({}, M),
    "batch default": ({}, A),
    "vector ord 1": ({"ord": 1}, V),
    "vector ord inf": ({"ord": math.inf}, V),
    "vector dim": ({"ord": 3, "dim": 1}, M),
    "matrix fro": ({"ord": "fro"}, M),
    "matrix 1": ({"ord": 1}, M),
    "matrix -1": ({"ord": -1}, M),
    "matrix inf": ({"ord": math.inf}, M),
    "matrix -inf keepdim": ({"ord": -math.inf, "keepdim": True}, M),
    "batch matrix dims": ({"ord": 1, "dim": (1, 2)}, A),
    "dim tuple no ord": ({"dim": (0, 2)}, A),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
def test_shape_ops_match_torch(name: str) -> None:
    fn, ref, arrays = SHAPE[name]
    compare(torch, fn, ref, arrays)


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reductions_match_torch(name: str) -> None:
    fn, ref, arrays = REDUCE[name]
    compare(torch, fn, ref, arrays)


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_norm_matches_torch(name: str) -> None:
    kw, a = LINALG[name]
    compare(torch, lambda x: vf.linalg.norm(x, **kw), lambda t: torch.linalg.norm(t, **kw), [a])


def test_vector_and_matrix_norm_match_torch() -> None:
    compare(
        torch,
        lambda x: vf.linalg.vector_norm(x, 1.5, dim=(0, 1)),
        lambda t: torch.linalg.vector_norm(t, 1.5, dim=(0, 1)),
        [A],
    )
    compare(
        torch,
        lambda x: vf.linalg.matrix_norm(x, math.inf),
        lambda t: torch.linalg.matrix_norm(t, math.inf),
        [A],
    )


def test_linalg_norm_names_the_orders_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="SVD"):
        vf.linalg.norm(vf.tensor(M), ord=2)
    with pytest.raises(ValueError, match="nuc"):
        vf.norm(vf.tensor(M), p="nuc")


def test_int_cast_and_empty_match_torch() -> None:
    x = vf.tensor([1.7, -2.2])
    assert (
        x.int().dtype == np.int32 and x.int().tolist() == torch.tensor([1.7, -2.2]).int().tolist()
    )
    e = vf.empty(2, 3)
    assert e.shape == (2, 3) and e.dtype == np.float32
    assert vf.empty((4,), dtype=vf.int64).dtype == np.int64


def test_type_as_and_conversions_exist() -> None:
    x = vf.tensor([1, 2])
    assert x.type_as(vf.tensor([1.0], dtype="float64")).dtype == np.float64
    assert x.float().dtype == np.float32 and x.double().dtype == np.float64
    assert x.long().dtype == np.int64 and x.bool().dtype == np.bool_


def test_isinf_isclose_allclose_match_torch() -> None:
    a = np.array([0.0, 1.0, math.inf, -math.inf, math.nan, 1e-9, 100.0, math.inf])
    b = np.array([1e-9, 1.0 + 1e-6, math.inf, math.inf, math.nan, 0.0, 100.001, 5.0])
    ta, tb = torch.tensor(a), torch.tensor(b)
    np.testing.assert_array_equal(vf.isinf(vf.tensor(a)).numpy(), torch.isinf(ta).numpy())
    np.testing.assert_array_equal(vf.isposinf(vf.tensor(a)).numpy(), torch.isposinf(ta).numpy())
    np.testing.assert_array_equal(vf.isneginf(vf.tensor(a)).numpy(), torch.isneginf(ta).numpy())
    for kw in ({}, {"equal_nan": True}, {"rtol": 1e-3, "atol": 0.0}):
        got = vf.isclose(vf.tensor(a), vf.tensor(b), **kw).numpy()
        np.testing.assert_array_equal(got, torch.isclose(ta, tb, **kw).numpy(), err_msg=str(kw))
        assert vf.tensor(a).allclose(vf.tensor(a), **kw) == torch.allclose(ta, ta, **kw)
    assert vf.allclose(vf.tensor(a[:2]), vf.tensor(b[:2]), rtol=1e-5) is True
    assert vf.allclose(vf.tensor(a[:2]), vf.tensor(b[:2]), rtol=1e-7) is False


def test_shape_ops_refuse_bad_arguments() -> None:
    x = vf.tensor(A)
    with pytest.raises(IndexError):
        x.narrow(2, 3, 2)
    with pytest.raises(ValueError, match="even"):
        vf.nn.functional.glu(vf.tensor(M), 0)
    with pytest.raises(ValueError, match="size 5 exceeds"):
        x.unfold(2, 5, 1)
    with pytest.raises(ValueError, match="at least as many"):
        x.repeat(2, 2)


def test_shape_ops_traced_match_eager() -> None:
    traced_matches_eager(
        lambda x: (
            (
                x.flip(0).roll(1, 2) * x.repeat(1, 1, 1)
                + x.unfold(2, 2, 2).sum(-1).repeat_interleave(2, 2)
            ).sum()
            + vf.diagonal(x, 0, 1, 2).sum()
            + x.norm()
            + vf.amax(x, 1).sum()
        ),
        [A],
    )


def test_traced_shape_ops_with_an_unknown_dim() -> None:
    """flip, roll, narrow, movedim along a known dim of a graph whose batch dim is unknown."""

    def step(x: Any) -> Any:
        return x.flip(1).roll(1, 1).narrow(1, 0, 2).movedim(0, 1).sum(1)

    g = vf.trace(step, vf.spec((None, 4), "float64"))
    vf.verify(g)
    plan = g.compile()
    for n in (2, 5):
        a = RNG.standard_normal((n, 4))
        np.testing.assert_allclose(plan.run(a)[0], step(vf.tensor(a)).numpy(), rtol=1e-12)


def test_traced_shape_ops_refuse_an_unknown_dim_they_need() -> None:
    with pytest.raises(ValueError, match="known when tracing"):
        vf.trace(lambda x: x.roll(1, 0), vf.spec((None, 4), "float64"))
