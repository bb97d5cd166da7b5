"""Compiled plans called from several threads: every call gets the single-threaded answer."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine.graph import Graph, function

THREADS = 4
CALLS = 80


def _concurrently(call: Callable[[int], Any]) -> dict[tuple[int, int], Any]:
    """call(seed) from THREADS threads, CALLS times each, all released together; the GIL
    switches often, so calls interleave between any two steps."""
    results: dict[tuple[int, int], Any] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        barrier.wait()
        try:
            for k in range(CALLS):
                results[t, k] = call(t * CALLS + k)
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    if errors:
        raise errors[0]
    return results


def _wrong(results: dict[tuple[int, int], Any], reference: Callable[[int], Any]) -> int:
    """How many concurrent results differ from the single-threaded reference."""
    return sum(
        not np.array_equal(np.asarray(got), np.asarray(reference(t * CALLS + k)))
        for (t, k), got in results.items()
    )


def _feed(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _mlp_graph() -> Graph:
    """Three layers whose intermediates live in reused buffers, summed per row, then scaled."""
    r = np.random.default_rng(0)
    g = Graph("mlp")
    h = g.placeholder("x", (64, 32), "float64")
    for k in range(3):
        w = g.constant(r.standard_normal((32, 32)) / 6.0)
        b = g.constant(r.standard_normal(32))
        h = vf.tanh(h @ w + b) * float(k + 1)
    g.output(vf.exp(h.sum(axis=1) * 0.1) - 1.0)
    return g


def _branches_graph() -> Graph:
    """Four heavy independent branches, so a parallel plan runs them on the thread pool."""
    g = Graph("branches")
    x = g.placeholder("x", (64, 64), "float64")
    outs = []
    for k in range(4):
        y = vf.tanh(x * float(k + 1) + 0.5)
        outs.append(vf.exp(y * 0.5))
    g.output(((outs[0] + outs[1]) * (outs[2] - outs[3])).sum(axis=0))
    return g


@pytest.mark.parametrize(
    ("make", "shape", "parallel"),
    [(_mlp_graph, (64, 32), False), (_branches_graph, (64, 64), True)],
    ids=["serial", "parallel"],
)
def test_plan_run_from_four_threads_matches_single_threaded(make, shape, parallel):
    plan = make().compile(parallel=parallel, heavy_elements=1024)  # branches go to the pool
    assert plan.parallel == parallel
    assert not parallel or sum(i.heavy for i in plan.instrs) >= 4
    reference = {s: plan.run(_feed(s, shape))[0] for s in range(THREADS * CALLS)}
    results = _concurrently(lambda s: plan.run(_feed(s, shape))[0])
    assert _wrong(results, reference.__getitem__) == 0


def test_compiled_function_from_four_threads_matches_single_threaded():
    r = np.random.default_rng(1)
    layers = [(vf.tensor(r.standard_normal((32, 32)) / 6.0), vf.tensor(r.standard_normal(32)))]
    layers *= 3

    @function
    def f(x):
        for w, b in layers:
            x = vf.relu(x @ w + b) * 2.0
        return x.sum(axis=1)

    f(vf.tensor(_feed(0, (64, 32))))  # compiled once before the threads start
    reference = {s: f(vf.tensor(_feed(s, (64, 32)))).numpy() for s in range(THREADS * CALLS)}
    results = _concurrently(lambda s: f(vf.tensor(_feed(s, (64, 32)))).numpy())
    assert _wrong(results, reference.__getitem__) == 0


def test_stepped_runs_from_four_threads_match_single_threaded():
    plan = _mlp_graph().compile()
    reference = {s: plan.run(_feed(s, (64, 32)))[0] for s in range(THREADS * CALLS)}

    def stepped(s: int) -> Any:
        run = plan.start(_feed(s, (64, 32)), copy=False)
        for _ in run:
            pass
        return run.finish()[0]

    assert _wrong(_concurrently(stepped), reference.__getitem__) == 0


def test_two_interleaved_stepped_runs_keep_their_own_buffers():
    plan = _mlp_graph().compile()
    a, b = _feed(1, (64, 32)), _feed(2, (64, 32))
    ra, rb = plan.start(a), plan.start(b)
    while not ra.done:
        ra.step()
        rb.step()
    np.testing.assert_array_equal(ra.finish()[0], plan.run(a)[0])
    np.testing.assert_array_equal(rb.finish()[0], plan.run(b)[0])


def test_concurrent_calls_that_update_a_variable_apply_every_update_whole():
    """Each call reads w and writes w + 1: calls are atomic, so the reads are 0..N-1, once each."""
    g = Graph("counter")
    x = g.placeholder("x", (1000,), "float64")
    w = g.variable("w", np.zeros(1000))
    g.output(w * 1.0)
    g.assign(w, w + x)
    plan = g.compile()
    ones = np.ones(1000)
    results = _concurrently(lambda s: plan.run(ones)[0])
    seen = sorted(float(r[0]) for r in results.values())
    assert seen == [float(k) for k in range(THREADS * CALLS)]
    assert all(np.all(r == r[0]) for r in results.values())  # no call saw a half-written w
    np.testing.assert_array_equal(w.value, np.full(1000, THREADS * CALLS))


def test_a_graph_with_unknown_dims_compiled_from_four_threads_applies_every_update_whole():
    """The first calls race to specialise the plan: they all end up running one plan."""
    g = Graph("counter")
    x = g.placeholder("x", ("n", 1000), "float64")
    w = g.variable("w", np.zeros(1000))
    g.output(w * 1.0)
    g.assign(w, w + x.sum(axis=0))
    plan = g.compile()
    ones = np.ones((1, 1000))
    results = _concurrently(lambda s: plan.run(ones)[0])
    seen = sorted(float(r[0]) for r in results.values())
    assert seen == [float(k) for k in range(THREADS * CALLS)]
    np.testing.assert_array_equal(w.value, np.full(1000, THREADS * CALLS))
