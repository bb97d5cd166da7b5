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
    """The inputs of successive runs: iteration (0-based), losses, and whether one is left."""

    def __init__(self, source: Iterable[Any], iterations: int | None = None) -> None:
        """source: batches (each a tuple of the step's arguments); iterations: how many to run."""
        if iterations is not None and iterations < 1:
            raise ValueError(f"iterations must be at least 1, got {iterations}")
        self._source: Iterator[Any] = iter(source)
        self.iterations = iterations
        self.iteration = -1  # no iteration begun yet
        self.losses: list[float] = []
        self.ended = True
        self._current: tuple[Any, ...] = _NONE
        self._peeked: tuple[Any, ...] | None = None
        self._replay = False

    @staticmethod
    def single(feeds: tuple[Any, ...]) -> Batches:
        """One run on these input arrays."""
        return Batches([feeds], 1)

    def more(self) -> bool:
        """Whether another iteration can begin (the current one replays after a restart)."""
        if self._replay:
            return True
        if self.iterations is not None and self.iteration + 1 >= self.iterations:
            return False
        if self._peeked is None:
            try:
                self._peeked = feeds_of(next(self._source))
            except StopIteration:
                return False
        return True

    def next_feeds(self) -> tuple[Any, ...]:
        """Begin the next iteration (or the current one again after rewind_iteration)."""
        if self._replay:
            self._replay = False
        else:
            if not self.more():
                raise RuntimeError("no batches left")
            assert self._peeked is not None
            self._current, self._peeked = self._peeked, None
            self.iteration += 1
        self.ended = False
        return self._current

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

    def rewind_iteration(self) -> None:
        """The current iteration starts again with the same batch (a restart)."""
        if self.iteration >= 0:
            self.reopen()
            self._replay = True
