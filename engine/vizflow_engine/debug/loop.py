"""Where a session's runs get their inputs: one call's feeds, or a training loop's batches
(iterations counted, the loss of each kept, memory for restarts bounded)."""

from __future__ import annotations

import bisect
import operator as op
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..graph.signature import call_key

DEFAULT_MAX_BATCH_BYTES = 256 * 2**20  # what the batches kept for a restart may hold
_NOTHING = object()  # no batch read ahead


def feeds_of(batch: Any) -> tuple[Any, ...]:
    """A batch (a tuple of arguments, or one argument) as the graph's input arrays."""
    args = batch if isinstance(batch, tuple) else (batch,)
    return tuple(call_key(args, {})[1])


def _memory_of(array: Any) -> Any:
    """The array that owns array's memory (a view's base, followed to the end)."""
    while hasattr(getattr(array, "base", None), "nbytes"):
        array = array.base
    return array


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


class Batches:
    """The inputs of successive runs: iteration (0-based), losses, and whether one is left.

    A restart (rewind) runs the same batches again from the first one, with bounded memory.
    A list or tuple of batches already holds them: it is iterated again, nothing is kept.
    From any other source (a loader, a generator) the feeds of the iterations begun are kept
    (references, no copies; an array repeated across batches counts once, in its base's
    bytes) while they hold at most max_batch_bytes; past that they are let go (held_bytes
    drops to 0). Then a restart of a re-iterable loader (one whose iter() starts a new pass,
    as a DataLoader's does) starts its next pass, with a warning: a shuffling loader gives a
    new order; a one-shot iterator (a generator: iter(it) is it) cannot give its batches
    again, so a restart is refused (check_rewind says why, changing nothing). The current
    first iteration's batch is always kept (its run reads it anyway): a restart within
    iteration 0 replays it whatever it holds.
    """

    def __init__(
        self,
        source: Iterable[Any],
        iterations: int | None = None,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    ) -> None:
        """source: batches (each a tuple of the step's arguments); iterations: how many to run;
        max_batch_bytes: what the batches kept for a restart may hold."""
        if iterations is not None and iterations < 1:
            raise ValueError(f"iterations must be at least 1, got {iterations}")
        if max_batch_bytes < 0:
            raise ValueError(f"max_batch_bytes must be at least 0, got {max_batch_bytes}")
        self._source = source
        self._pass: Iterator[Any] = iter(source)
        self._reiterable = self._pass is not source
        self._holds_its_batches = isinstance(source, (list, tuple))
        self.iterations = iterations
        self.max_batch_bytes = max_batch_bytes
        self.iteration = -1  # no iteration begun yet
        self.losses: list[float] = []
        self.ended = True
        self._kept: list[tuple[Any, ...]] = []  # the feeds of iterations 0, 1, ... begun,
        self._starts: list[int] = []  # a repeated batch once: the iteration each entry began
        self._kept_until = 0  # iterations kept: 0 .. _kept_until - 1
        self._memory: dict[int, int] = {}  # the kept feeds' distinct memory: id -> bytes
        self._let_go_at = -1  # the iteration whose batch went past max_batch_bytes (-1: none)
        self._let_go_bytes = 0  # what the kept batches would have held then
        self._ahead: Any = _NOTHING  # the next batch, read to know there is one

    @staticmethod
    def single(feeds: tuple[Any, ...]) -> Batches:
        """One run on these input arrays."""
        return Batches([feeds], 1)

    @property
    def held_bytes(self) -> int:
        """The bytes of the batches kept for a restart (0 for a list or tuple of batches)."""
        return sum(self._memory.values())

    def peek(self) -> Any:
        """The next batch as the source gave it, without beginning it (ValueError if none)."""
        if not self._read_ahead():
            raise ValueError("the loader gave no batch")
        return self._ahead

    def more(self) -> bool:
        """Whether another iteration can begin."""
        if self.iterations is not None and self.iteration + 1 >= self.iterations:
            return False
        return self.iteration + 1 < self._kept_until or self._read_ahead()

    def next_feeds(self) -> tuple[Any, ...]:
        """Begin the next iteration: its feeds."""
        if not self.more():
            raise RuntimeError("no batches left")
        self.iteration += 1
        self.ended = False
        if self.iteration < self._kept_until:  # a restart's replay
            return self._kept[bisect.bisect_right(self._starts, self.iteration) - 1]
        feeds = feeds_of(self._ahead)
        self._ahead = _NOTHING
        if not self._holds_its_batches and self._let_go_at < 0:
            feeds = self._keep(feeds)
        return feeds

    def end(self, outputs: list[Any]) -> float | None:
        """Close the iteration; its loss is the first output when that is a scalar."""
        self.ended = True
        if not outputs or np.size(outputs[0]) != 1:
            return None
        loss = float(np.asarray(outputs[0]).reshape(()))
        self.losses.append(loss)
        return loss

    def reopen(self) -> None:
        """The current iteration runs on (after a step back): forget its loss."""
        if self.ended and self.iteration >= 0 and len(self.losses) > self.iteration:
            self.losses.pop()
        self.ended = False

    @property
    def replays(self) -> bool:
        """Whether a restart now runs the same batches again (else: the loader's next pass)."""
        return self._holds_its_batches or self._let_go_at < 0

    def check_rewind(self) -> None:
        """Raise (changing nothing) when a restart cannot run the loop from its start again."""
        if self.replays or self._reiterable:
            return
        raise RuntimeError(
            "restart() cannot run this training loop from its first batch again: the loader is "
            f"a one-shot iterator (a generator), and {self._let_go()}. To restart, pass a list "
            "of batches or a loader whose iter() starts over (a DataLoader), or raise "
            "max_batch_bytes in vf.debug(..., iterations=n, max_batch_bytes=...). "
            "The session is unchanged."
        )

    def rewind(self) -> None:
        """Back to before the first iteration (a restart): the same batches again (or the
        loader's next pass once they were let go), no losses; check_rewind's error, with
        nothing changed, for a one-shot iterator whose batches were let go."""
        self.check_rewind()
        if not self.replays or self._holds_its_batches:
            fresh = iter(self._source)  # first: iter() may raise
            if not self.replays:
                warnings.warn(
                    f"restart(): {self._let_go()}, so the loader starts its next pass (a "
                    "shuffling loader gives a new order); raise max_batch_bytes in "
                    "vf.debug(...) to run the same batches again",
                    RuntimeWarning,
                    stacklevel=3,  # at the restart() call
                )
            self._pass, self._ahead = fresh, _NOTHING
            self._let_go_at, self._let_go_bytes = -1, 0
        self.iteration = -1
        self.losses.clear()
        self.ended = True

    def _let_go(self) -> str:
        """Why the batches run so far are not kept, for messages."""
        return (
            f"the batches run so far were let go at iteration {self._let_go_at}, when they "
            f"would have held {_mib(self._let_go_bytes)}, over max_batch_bytes="
            f"{self.max_batch_bytes} ({_mib(self.max_batch_bytes)})"
        )

    def _read_ahead(self) -> bool:
        """Read the next batch if none is waiting; False when the source has no more."""
        if self._ahead is _NOTHING:
            try:
                self._ahead = next(self._pass)
            except StopIteration:
                return False
        return True

    def _keep(self, feeds: tuple[Any, ...]) -> tuple[Any, ...]:
        """Keep an iteration's feeds for a restart, or let all go past the budget."""
        last = self._kept[-1] if self._kept else None
        if last is not None and len(last) == len(feeds) and all(map(op.is_, last, feeds)):
            self._kept_until += 1  # the same arrays again (a repeated batch): the same entry
            return last
        new: dict[int, int] = {}
        for a in feeds:
            owner = _memory_of(a)
            if id(owner) not in self._memory:
                new[id(owner)] = int(getattr(owner, "nbytes", 0))
        total = self.held_bytes + sum(new.values())
        if self._kept and total > self.max_batch_bytes:
            self._let_go_at, self._let_go_bytes = self.iteration, total
            self._kept.clear()
            self._starts.clear()
            self._kept_until = 0
            self._memory.clear()
            return feeds
        self._kept.append(feeds)
        self._starts.append(self.iteration)
        self._kept_until += 1
        self._memory.update(new)
        return feeds
