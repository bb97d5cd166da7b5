"""x.max(dim) / x.min(dim) return a (values, indices) pair: used as an operand it is refused
with a message naming the fix, eagerly and while tracing, instead of silently becoming a
stacked array of both (x - x.max(-1, keepdims=True) came out (2, 2, 3) for x of (2, 3))."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow as vf


def centred_wrongly(x: Any) -> Any:
    return x - x.max(-1, keepdims=True)


def scaled_wrongly(x: Any) -> Any:
    return x * x.min(0)


@pytest.mark.parametrize("fn", [centred_wrongly, scaled_wrongly])
def test_the_pair_is_refused_as_an_operand_eagerly(fn: Callable[[Any], Any]) -> None:
    with pytest.raises(TypeError, match=r"\(values, indices\) pair.*\.values"):
        fn(vf.randn(2, 3))


@pytest.mark.parametrize("fn", [centred_wrongly, scaled_wrongly])
def test_the_pair_is_refused_as_an_operand_while_tracing(fn: Callable[[Any], Any]) -> None:
    with pytest.raises(TypeError, match=r"\(values, indices\) pair.*\.values"):
        vf.trace(fn, vf.randn(2, 3))


def test_its_parts_and_the_numpy_form_still_work() -> None:
    x = vf.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(-1, keepdim=True)
    expected = x.numpy() - x.numpy().max(-1, keepdims=True)
    np.testing.assert_allclose((x - values).numpy(), expected)
    np.testing.assert_allclose((x - x.max(axis=-1, keepdims=True)).numpy(), expected)
    assert indices.numpy().ravel().tolist() == [1, 0]
