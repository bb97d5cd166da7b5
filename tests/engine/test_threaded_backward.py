"""backward() from several threads into one shared leaf keeps every contribution."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import vizflow_engine as vf


@pytest.fixture
def eager_switching() -> Iterator[None]:
    """Switch threads every microsecond, so an unguarded read-add-write of .grad loses parts."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def _in_threads(n: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    start = threading.Barrier(n)  # all threads run at once, not one after another

    def run_together(i: int) -> None:
        start.wait()
        run(i)

    threads = [threading.Thread(target=run_together, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_four_threads_times_a_hundred_backward_calls_give_four_hundred(
    eager_switching: None,
) -> None:
    w = vf.zeros(3, requires_grad=True)

    def work(i: int) -> None:
        for _ in range(100):
            (w * 1.0).sum().backward()

    _in_threads(4, work)
    assert w.grad is not None
    np.testing.assert_array_equal(w.grad.numpy(), [400.0, 400.0, 400.0])


CALLS = 1500  # per thread: enough overlap that an unguarded accumulate loses parts every run


def test_each_thread_s_own_contribution_arrives(eager_switching: None) -> None:
    w = vf.zeros((2, 2), requires_grad=True, dtype="float64")
    b = vf.zeros(2, requires_grad=True, dtype="float64")

    def work(i: int) -> None:
        x = vf.full((5, 2), float(i + 1), dtype="float64")
        for _ in range(CALLS):
            ((x @ w + b) * (i + 1)).sum().backward()

    _in_threads(4, work)
    # d/dw of sum((x @ w + b) * k) with x = k: each column gets 5 * k * k per call
    per_call = sum(5 * k * k for k in range(1, 5))
    assert w.grad is not None and b.grad is not None
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 2), CALLS * per_call))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(2, CALLS * 5 * sum(range(1, 5))))
