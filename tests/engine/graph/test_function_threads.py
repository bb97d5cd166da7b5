"""A @vf.function first called from several threads at once traces once and applies every
call's update whole (a cold start used to trace twice and lose or repeat updates)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import function


@pytest.fixture
def _fast_switches() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads interleave inside the trace and the run
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("_fast_switches")
@pytest.mark.parametrize("trial", range(5))
def test_cold_start_from_four_threads_counts_every_call(trial: int) -> None:
    w = vf.tensor(np.zeros(1000))

    @function
    def step(x: Any) -> Any:
        out = w * 1.0
        with vf.no_grad():
            w.add_(x)
        return out

    barrier = threading.Barrier(4)
    seen: list[float] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                seen.append(float(step(vf.tensor(np.ones(1000))).numpy()[0]))
        except BaseException as e:  # reported below, with the thread's traceback
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(seen) == [float(k) for k in range(20)]
    np.testing.assert_array_equal(w.numpy(), np.full(1000, 20.0))
    assert len(step.cache) == 1 and len(next(iter(step.cache.values()))) == 1
