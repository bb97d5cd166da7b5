"""Training-loop mode holds bounded memory for restarts: a list is iterated again (nothing
kept); a loader's or a generator's batches are kept up to max_batch_bytes, past which they are
let go: a restart then starts a loader's next pass (warning), and refuses for a generator,
saying why and what to do."""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import nn, optim
from vizflow_engine.debug.loop import Batches

MIB = 2**20


def _linear_step(features: int = 1024, seed: int = 0) -> tuple[Any, Any]:
    """(model, a compiled SGD step on a linear model: the loss of a batch of rows)."""
    vf.manual_seed(seed)
    model = nn.Linear(features, 1)
    opt = optim.SGD(model.parameters(), lr=1e-3)

    @vf.function
    def train_step(xb: Any) -> Any:
        opt.zero_grad()
        loss = (model(xb) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return model, train_step


def _fresh_batches(n: int, rows: int = 256, features: int = 1024) -> Iterator[tuple[Any]]:
    """A generator of n batches, each new memory (rows x features float32: 1 MiB by default)."""
    rng = np.random.default_rng(7)
    for _ in range(n):
        yield (vf.tensor(rng.standard_normal((rows, features)).astype(np.float32)),)


def _small_batches(n: int, seed: int = 3) -> list[tuple[Any]]:
    rng = np.random.default_rng(seed)
    return [(vf.tensor(rng.standard_normal((8, 16)).astype(np.float32)),) for _ in range(n)]


class ShufflingLoader:
    """A DataLoader-like source: each iter() is a new pass, in a new order."""

    def __init__(self, batches: list[tuple[Any]]) -> None:
        self.batches = batches
        self.passes = 0

    def order(self, epoch: int) -> list[tuple[Any]]:
        perm = np.random.default_rng(epoch).permutation(len(self.batches))
        return [self.batches[i] for i in perm]

    def __iter__(self) -> Iterator[tuple[Any]]:
        self.passes += 1
        return iter(self.order(self.passes))


def _traced_after_each_iteration(dbg: Any, n: int) -> tuple[list[int], list[int]]:
    """Run n whole iterations: (Batches.held_bytes, tracemalloc's current bytes) after each."""
    last = dbg.node_names[-1]
    held, traced = [], []
    for _ in range(n):
        dbg.run_to(last)
        held.append(dbg.batches.held_bytes)
        traced.append(tracemalloc.get_traced_memory()[0])
    return held, traced


def test_a_generators_fresh_batches_are_held_within_the_budget() -> None:
    _, train_step = _linear_step()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        dbg = vf.debug(train_step, _fresh_batches(50), iterations=50, max_batch_bytes=10 * MIB)
        held, traced = _traced_after_each_iteration(dbg, 50)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert dbg.state == "finished" and len(dbg.losses) == 50
    assert held[:10] == [(k + 1) * MIB for k in range(10)]  # kept while within the budget
    assert max(held) <= 10 * MIB and held[10:] == [0] * 40  # the 11th went past: all let go
    grown = traced[-1] - traced[9]  # from 10 batches kept to 50 run: the 10 were freed
    assert grown < 0, f"memory grew by {grown / MIB:.1f} MiB over 40 more 1 MiB batches"
    # at most: the 10 kept, the one going past, the one read ahead, the plan (13.5 measured)
    assert traced[-1] - base < 4 * MIB and peak < 16 * MIB, (traced[-1] - base, peak)


def test_without_a_budget_the_same_loop_holds_every_batch() -> None:
    """The measure above is meaningful: keeping every batch shows as 50 MiB."""
    _, train_step = _linear_step()
    tracemalloc.start()
    try:
        dbg = vf.debug(train_step, _fresh_batches(50), iterations=50, max_batch_bytes=100 * MIB)
        held, traced = _traced_after_each_iteration(dbg, 50)
    finally:
        tracemalloc.stop()
    assert held[-1] == 50 * MIB
    assert traced[-1] - traced[9] >= 39 * MIB


def _paused_past_the_budget() -> tuple[Any, Any]:
    """(model, a session of a generator's 1 MiB batches paused at node 2 of iteration 5, its
    kept batches let go when iteration 3 began: 4 MiB over 3 MiB)."""
    model, train_step = _linear_step()
    dbg = vf.debug(train_step, _fresh_batches(20), iterations=20, max_batch_bytes=3 * MIB)
    for _ in range(5):
        dbg.run_to(dbg.node_names[-1])
    dbg.step()
    dbg.step()
    return model, dbg


def test_restart_past_the_budget_refuses_saying_why_and_what_to_do() -> None:
    _, dbg = _paused_past_the_budget()
    losses = list(dbg.losses)
    with pytest.raises(RuntimeError) as refused:
        dbg.restart()
    message = str(refused.value)
    for words in (
        "one-shot iterator",
        "let go at iteration 3",
        "4.0 MiB, over max_batch_bytes=3145728 (3.0 MiB)",
        "pass a list of batches or a loader whose iter() starts over",
        "raise max_batch_bytes",
    ):
        assert words in message
    assert dbg.iteration == 5 and dbg.losses == losses and dbg.state == "paused"
    with pytest.raises(RuntimeError, match="one-shot iterator"):
        dbg.batches.check_rewind()  # what DebugSession.restart() can ask before changing anything


def test_a_refused_restart_leaves_the_session_where_it_was() -> None:
    model, dbg = _paused_past_the_budget()
    before = (dbg.state, dbg.iteration, dbg.losses, len(dbg.history), dbg.current)
    weights = [np.array(p.numpy(), copy=True) for p in model.parameters()]
    with pytest.raises(RuntimeError, match="max_batch_bytes"):
        dbg.restart()
    assert (dbg.state, dbg.iteration, dbg.losses, len(dbg.history), dbg.current) == before
    for p, w in zip(model.parameters(), weights, strict=True):
        np.testing.assert_array_equal(p.numpy(), w)
    ev = dbg.step()  # the current iteration goes on where it was
    assert ev is not None and ev.iteration == 5 and ev.index == 2
    dbg.resume(block=True)
    assert dbg.state == "finished" and len(dbg.losses) == 20


def test_a_list_restarts_with_the_same_losses_and_keeps_nothing() -> None:
    _, train_step = _linear_step(features=16)
    dbg = vf.debug(train_step, _small_batches(6), iterations=6, max_batch_bytes=0)
    dbg.resume(block=True)
    first = list(dbg.losses)
    assert dbg.state == "finished" and len(first) == 6 and dbg.batches.held_bytes == 0
    dbg.restart()
    assert dbg.losses == [] and dbg.iteration == -1
    dbg.resume(block=True)
    assert dbg.losses == first and dbg.batches.held_bytes == 0


def test_a_shuffling_loader_restarts_with_the_same_batches_while_they_fit() -> None:
    batches = _small_batches(5)
    loader = ShufflingLoader(batches)
    _, train_step = _linear_step(features=16)
    dbg = vf.debug(train_step, loader, iterations=5)
    dbg.run_to(dbg.node_names[-1])
    dbg.run_to(dbg.node_names[-1])
    assert dbg.batches.held_bytes == 2 * batches[0][0].numpy().nbytes
    dbg.restart()  # the same run again: the two batches kept, then the same pass goes on
    dbg.resume(block=True)
    assert loader.passes == 1 and dbg.batches.replays
    _, reference = _linear_step(features=16)
    expected = [float(reference(*b).numpy()) for b in loader.order(1)]
    np.testing.assert_allclose(dbg.losses, expected, rtol=1e-6)


def test_a_shuffling_dataloader_restart_runs_the_same_batches() -> None:
    """The debugging case: after a restart, iteration 7 runs on the batch it ran on before."""
    rng = np.random.default_rng(4)
    xs = vf.tensor(rng.standard_normal((96, 16)).astype(np.float32))
    loader = vf.data.DataLoader(vf.data.TensorDataset(xs), batch_size=8, shuffle=True)
    _, train_step = _linear_step(features=16)
    dbg = vf.debug(train_step, loader, iterations=12)
    x = dbg.graph.inputs[0].name

    def to_iteration_7() -> tuple[list[float], Any]:
        for _ in range(7):
            dbg.run_to(dbg.node_names[-1])
        dbg.step()
        assert dbg.iteration == 7
        return list(dbg.losses), np.array(dbg.value(x), copy=True)

    losses, batch = to_iteration_7()
    dbg.restart()
    again, batch_again = to_iteration_7()
    assert again == losses
    np.testing.assert_array_equal(batch_again, batch)


def test_a_loader_past_the_budget_restarts_with_its_next_pass() -> None:
    loader = ShufflingLoader(_small_batches(5))
    _, train_step = _linear_step(features=16)
    dbg = vf.debug(train_step, loader, iterations=5, max_batch_bytes=0)
    dbg.run_to(dbg.node_names[-1])
    dbg.run_to(dbg.node_names[-1])  # iteration 1 began: past 0 bytes, the kept batch let go
    assert dbg.batches.held_bytes == 0 and not dbg.batches.replays
    with pytest.warns(RuntimeWarning, match="starts its next pass") as warned:
        dbg.restart()
    assert warned[0].filename == __file__  # said at the restart() call
    dbg.resume(block=True)
    assert loader.passes == 2 and dbg.batches.held_bytes == 0
    _, reference = _linear_step(features=16)
    expected = [float(reference(*b).numpy()) for b in loader.order(2)]
    np.testing.assert_allclose(dbg.losses, expected, rtol=1e-6)


def test_the_iterations_limit_holds_after_a_restart() -> None:
    _, train_step = _linear_step(features=16)
    dbg = vf.debug(train_step, _small_batches(10), iterations=3)
    dbg.resume(block=True)
    assert dbg.state == "finished" and len(dbg.losses) == 3 and not dbg.batches.more()
    for _ in range(2):
        dbg.restart()
        assert dbg.batches.more()
        dbg.resume(block=True)
        assert dbg.state == "finished" and dbg.iteration == 2 and len(dbg.losses) == 3


def test_a_loader_with_fewer_batches_on_its_next_pass_finishes_earlier() -> None:
    batches = _small_batches(5)

    class Shrinking:
        passes = 0

        def __iter__(self) -> Iterator[tuple[Any]]:
            self.passes += 1
            return iter(batches if self.passes == 1 else batches[:2])

    _, train_step = _linear_step(features=16)
    dbg = vf.debug(train_step, Shrinking(), iterations=5, max_batch_bytes=0)
    for _ in range(4):
        dbg.run_to(dbg.node_names[-1])
    with pytest.warns(RuntimeWarning):
        dbg.restart()  # the batches were let go: a new pass, two batches long
    dbg.resume(block=True)
    assert dbg.state == "finished" and len(dbg.losses) == 2 and dbg.iteration == 1


def test_a_one_shot_iterator_within_the_budget_restarts_with_the_same_batches() -> None:
    _, train_step = _linear_step(features=16)
    batches = _small_batches(4)
    dbg = vf.debug(train_step, iter(batches), iterations=4)
    dbg.resume(block=True)
    first = list(dbg.losses)
    assert dbg.batches.held_bytes == sum(b[0].numpy().nbytes for b in batches)
    dbg.restart()
    dbg.resume(block=True)
    assert dbg.losses == first


def test_a_restart_in_the_first_iteration_works_whatever_its_batch_holds() -> None:
    _, train_step = _linear_step()
    dbg = vf.debug(train_step, _fresh_batches(3), iterations=3, max_batch_bytes=MIB // 2)
    dbg.step()
    assert dbg.batches.held_bytes == MIB  # the current batch: the run reads it anyway
    dbg.restart()
    dbg.run_to(dbg.node_names[-1])
    first = dbg.losses[0]
    dbg.restart()
    dbg.run_to(dbg.node_names[-1])
    assert dbg.losses == [first]
    dbg.step()  # iteration 1 begins: past the budget, iteration 0's batch is let go
    assert dbg.batches.held_bytes == 0
    with pytest.raises(RuntimeError, match="max_batch_bytes"):
        dbg.restart()


def test_an_array_repeated_within_and_across_batches_counts_once() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 64))  # 32 KiB
    ys = [rng.standard_normal((64, 1)) for _ in range(3)]  # 512 B each, fresh per batch
    batches = Batches(((x, x, y) for y in ys), max_batch_bytes=x.nbytes + 3 * ys[0].nbytes)
    while batches.more():
        batches.next_feeds()
    assert batches.held_bytes == x.nbytes + 3 * ys[0].nbytes
    batches.check_rewind()  # within the budget: nothing let go


def test_a_batch_repeated_for_many_iterations_is_kept_once() -> None:
    x = np.ones((256, 256), np.float32)
    tracemalloc.start()
    try:
        batches = Batches(itertools.repeat((x,)), iterations=100_000)
        base = tracemalloc.get_traced_memory()[0]
        while batches.more():
            batches.next_feeds()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert batches.iteration == 99_999 and batches.held_bytes == x.nbytes
    assert grown < 64 * 1024, f"{grown} bytes for 100,000 iterations of one batch"
    batches.rewind()
    batches.iteration = 49_999  # a replay finds the batch of any iteration
    assert batches.next_feeds()[0] is x and batches.more()


def test_views_of_one_dataset_count_its_memory_once() -> None:
    data = np.arange(64 * 1024, dtype=np.float32).reshape(1024, 64)  # 256 KiB
    views = [(data[i : i + 32],) for i in range(0, 1024, 32)]
    batches = Batches(iter(views), max_batch_bytes=data.nbytes)
    while batches.more():
        batches.next_feeds()
    assert batches.iteration == 31 and batches.held_bytes == data.nbytes
    batches.rewind()
    assert batches.next_feeds()[0] is views[0][0]  # kept: a restart replays the same views


def test_rewind_refused_changes_nothing_in_the_batches() -> None:
    rng = np.random.default_rng(0)
    fresh = ((rng.standard_normal(128),) for _ in range(4))  # 1 KiB each
    batches = Batches(fresh, max_batch_bytes=1500)
    batches.next_feeds()
    batches.end([np.float64(1.0)])
    feeds = batches.next_feeds()  # the second: past 1,500 bytes
    with pytest.raises(RuntimeError, match="iteration 1"):
        batches.rewind()
    assert batches.iteration == 1 and batches.losses == [1.0] and not batches.ended
    assert batches.held_bytes == 0 and feeds[0].nbytes == 1024
    assert batches.more() and batches.next_feeds()[0].shape == (128,)
