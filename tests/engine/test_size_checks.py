"""Size-driven ops check their size before allocating; dims are ints; big ints are refused."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import limits

HUGE: list[tuple[str, Callable[[], Any]]] = [
    ("zeros", lambda: vf.zeros(2**20, 2**20)),
    ("ones", lambda: vf.ones((2**40,))),
    ("full", lambda: vf.full((2**31, 4), 1.5)),
    ("rand", lambda: vf.rand(10**6, 10**6)),
    ("randn", lambda: vf.randn(2**36)),
    ("randint", lambda: vf.randint(0, 9, (2**40,))),
    ("arange", lambda: vf.arange(10**12)),
    ("linspace", lambda: vf.linspace(0.0, 1.0, 2**40)),
    ("eye", lambda: vf.eye(2**20)),
    ("zeros", lambda: vf.zeros_like(vf.tensor([1.0]).expand(2**40))),
]


@pytest.fixture
def peak() -> Iterator[Callable[[], int]]:
    """The peak bytes numpy allocated inside the test (numpy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("op", "make"), HUGE, ids=[f"{op}-{i}" for i, (op, _) in enumerate(HUGE)])
def test_a_huge_creation_fails_fast_naming_the_op_and_the_cap(
    op: str, make: Callable[[], Any], peak: Callable[[], int]
) -> None:
    with pytest.raises(ValueError, match=rf"^{op}: a result of shape .* more than the 4 GiB"):
        make()
    assert peak() < 1 << 20  # refused before allocating anything sizeable


def test_one_hot_with_a_billion_classes_fails_before_allocating(peak: Callable[[], int]) -> None:
    t = vf.tensor([1, 2, 3])
    with pytest.raises(
        ValueError, match=r"one_hot: a result of shape \(3, 1000000000\) and dtype int64"
    ):
        F.one_hot(t, 10**9)
    assert peak() < 1 << 20
    np.testing.assert_array_equal(F.one_hot(t, 4).numpy(), np.eye(4, dtype=np.int64)[[1, 2, 3]])


@pytest.mark.parametrize("n", [2.5, "3", None])
def test_one_hot_takes_an_integer_number_of_classes(n: Any) -> None:
    with pytest.raises(TypeError, match="one_hot: a dim must be an integer"):
        F.one_hot(vf.tensor([0, 1]), n)


@pytest.mark.parametrize(
    "make",
    [
        lambda: vf.zeros((1.5, 3)),
        lambda: vf.ones(2, 3.0),
        lambda: vf.rand((2, np.float64(2))),
        lambda: vf.full((2.0,), 1),
        lambda: vf.randint(0, 3, (2.5,)),
        lambda: vf.eye(3.0),
        lambda: vf.linspace(0, 1, 5.0),
        lambda: vf.zeros((True, 2)),
    ],
)
def test_a_non_integer_dim_is_a_type_error(make: Callable[[], Any]) -> None:
    with pytest.raises(TypeError, match="a dim must be an integer"):
        make()


def test_integer_like_dims_still_work() -> None:
    assert vf.zeros((np.int64(2), 3)).shape == (2, 3)
    assert vf.ones(vf.tensor(4)).shape == (4,)
    assert vf.full(np.array([2, 2]), 7).numpy().tolist() == [[7, 7], [7, 7]]
    assert vf.randint(0, 5, 3).shape == (3,)
    with pytest.raises(ValueError, match="negative dim -1"):
        vf.zeros(-1, 2)


def test_the_cap_can_be_raised_and_lowered() -> None:
    old = limits.max_tensor_bytes()
    try:
        limits.set_max_tensor_bytes(1000)
        assert vf.zeros(250).shape == (250,)  # exactly 1000 bytes of float32
        with pytest.raises(ValueError, match="more than the 1000 bytes"):
            vf.zeros(251)
        with pytest.raises(ValueError, match="must be positive"):
            limits.set_max_tensor_bytes(0)
    finally:
        limits.set_max_tensor_bytes(old)
    assert limits.max_tensor_bytes() == old == 4 << 30


def test_a_random_op_in_a_compiled_function_is_checked_when_it_runs(
    peak: Callable[[], int],
) -> None:
    f = vf.function(lambda x: x + vf.rand(2**36))
    with pytest.raises(ValueError, match=r"rand: a result of shape \(68719476736,\)"):
        f(vf.zeros(1))
    assert peak() < 1 << 20


def test_arange_refuses_an_infinite_range() -> None:
    with pytest.raises(ValueError, match="arange needs finite start, end and step"):
        vf.arange(0, float("inf"))


@pytest.mark.parametrize("data", [[2**70], 2**64, [[1, 2], [3, 2**63]], [-(2**63) - 1]])
def test_tensor_of_an_int_beyond_int64_says_it_is_out_of_range(data: Any) -> None:
    with pytest.raises(
        OverflowError, match=r"tensor\(\): the integer -?\d+ is out of range for int64"
    ):
        vf.tensor(data)


def test_tensor_of_big_ints_with_floats_or_a_float_dtype_is_floating() -> None:
    assert vf.tensor([2**70, 0.5]).dtype == vf.float32
    assert vf.tensor([2**70], dtype="float64").item() == float(2**70)
    assert vf.tensor([2**63 - 1, -(2**63)]).dtype == vf.int64
    with pytest.raises(OverflowError, match="of 16610 bits is out of range"):
        vf.tensor([10**5000])
