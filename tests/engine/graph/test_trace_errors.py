"""A failure while tracing names the user's line (file, line, function, source text) and
says what to write instead."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest

import vizflow_engine as vf
from vizflow_engine.graph import TraceError


def _branch(x: vf.Tensor) -> vf.Tensor:
    return x if x.sum() > 0 else -x  # FAILS HERE


def _item(x: vf.Tensor) -> float:
    return x.sum().item()  # FAILS HERE


def _numpy(x: vf.Tensor) -> object:
    return x.numpy()  # FAILS HERE


def _len_of_scalar(x: vf.Tensor) -> int:
    return len(x.sum())  # FAILS HERE


def _list_index(x: vf.Tensor) -> str:
    return ["a", "b", "c"][x.argmax()]  # FAILS HERE


def _float(x: vf.Tensor) -> float:
    return float(x.mean())  # FAILS HERE


CASES: list[tuple[Callable[[vf.Tensor], object], str]] = [
    (_branch, "vf.where"),
    (_item, "read it after the call"),
    (_numpy, "read it after the call"),
    (_len_of_scalar, "no length"),
    (_list_index, "Index a tensor with it"),
    (_float, "read it after the call"),
]


def _failing_line(fn: Callable[..., object]) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, text in enumerate(lines) if "FAILS HERE" in text)


@pytest.mark.parametrize(("fn", "advice"), CASES, ids=[c[0].__name__ for c in CASES])
def test_trace_errors_name_the_users_line_and_the_way_out(fn, advice):
    with pytest.raises(TraceError) as info:
        vf.function(fn)(vf.randn(3))
    message = str(info.value)
    assert advice in message
    assert f"{__file__}:{_failing_line(fn)}, in {fn.__name__}: return" in message
    assert "FAILS HERE" in message  # the source text of that line


def test_unknown_first_dim_len_says_why():
    @vf.function
    def rows(x: vf.Tensor) -> vf.Tensor:
        return x * len(x)

    x = vf.randn(4, 2)
    with pytest.raises(TraceError, match=r"first dim .* is unknown at trace time"):
        rows.graph(vf.spec(("batch", 2)))
    assert rows(x).shape == (4, 2)  # with a known size it traces
