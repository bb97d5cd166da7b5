"""Where a session's runs get their inputs: one call's feeds, or a training loop's batches
(iterations counted, the loss of each kept)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..graph.signature import call_key

_NONE: tuple[Any, ...] = ()


def feeds_of(batch: Any) -> tuple[Any, ...]:
    """A batch (a tuple of arguments, or one argument) as the graph's input arrays."""
    args = batch if isinstance(batch, tuple) else (batch,)
    return tuple(call_key(args, {})[1])


class Batches:
    """The inputs of successive runs: iteration (0-based), losses, and whether one is left.

    The feeds of every iteration begun are kept (references to the batches' arrays, no
    copies: the memory of the batches run so far), so a restart runs the same batches again
    from the first one, as the loader gave them (a shuffling loader would not give them
    again, a generator could not)."""

    def __init__(self, source: Iterable[Any], iterations: int | None = None) -> None:
        """source: batches (each a tuple of the step's arguments); iterations: how many to run."""
        if iterations is not None and iterations < 1:
            raise ValueError(f"iterations must be at least 1, got {iterations}")
        self._source: Iterator[Any] = iter(source)
        self.iterations = iterations
        self.iteration = -1  # no iteration begun yet
        self.losses: list[float] = []
        self.ended = True
        self._seen: list[tuple[Any, ...]] = []  # the feeds of iterations 0, 1, ... begun
        self._peeked: tuple[Any, ...] | None = None

    @staticmethod
    def single(feeds: tuple[Any, ...]) -> Batches:
        """One run on these input arrays."""
        return Batches([feeds], 1)

    def more(self) -> bool:
        """Whether another iteration can begin."""
        if self.iterations is not None and self.iteration + 1 >= self.iterations:
            return False
        if self.iteration + 1 < len(self._seen):
            return True
        if self._peeked is None:
            try:
                self._peeked = feeds_of(next(self._source))
            except StopIteration:
                return False
        return True

    def next_feeds(self) -> tuple[Any, ...]:
        """Begin the next iteration: its feeds."""
        if not self.more():
            raise RuntimeError("no batches left")
        self.iteration += 1
        if self.iteration == len(self._seen):
            feeds = self._peeked
            assert feeds is not None
            last = self._seen[-1] if self._seen else ()
            if len(last) == len(feeds) and all(a is b for a, b in zip(last, feeds, strict=True)):
                feeds = last  # the same arrays again (a repeated batch): one entry's memory
            self._seen.append(feeds)
            self._peeked = None
        self.ended = False
        return self._seen[self.iteration]

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

    def rewind(self) -> None:
        """Back to before the first iteration (a restart): the same batches again, no losses."""
        self.iteration = -1
        self.losses.clear()
        self.ended = True
