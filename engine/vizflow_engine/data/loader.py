"""DataLoader: batches from a dataset, shuffled by the engine's seeded generator.

In a Jupyter notebook, iterating shows an ipywidgets progress bar when ipywidgets is
importable (progress=None means "when in a notebook"); elsewhere nothing is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..backend import rng
from ..creation import as_tensor
from ..tensor import Tensor
from .dataset import Dataset, TensorDataset


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython ZMQ shell)."""
    ipy = sys.modules.get("IPython")
    if ipy is None:
        return False
    shell = ipy.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _current_cell() -> int | None:
    """The execution count of the running notebook cell (None outside IPython)."""
    ipy = sys.modules.get("IPython")
    shell = ipy.get_ipython() if ipy is not None else None
    return getattr(shell, "execution_count", None)


class _Progress:
    """An ipywidgets IntProgress bar, or nothing when unavailable."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.bar: Any = None
        if enabled is False or (enabled is None and not _in_notebook()):
            return
        try:
            import ipywidgets
            from IPython.display import display
        except ImportError:
            return
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=total, description="batches")
        display(self.bar)

    def restart(self, total: int, passes: int) -> None:
        """Start another pass over the data on the same bar (one bar per loader and cell)."""
        if self.bar is not None:
            self.bar.max, self.bar.value, self.bar.bar_style = total, 0, ""
            self.bar.description = f"pass {passes}"

    def update(self, i: int) -> None:
        if self.bar is not None:
            self.bar.value = i

    def close(self) -> None:
        if self.bar is not None:
            self.bar.bar_style = "success"


def _collate(items: list[Any]) -> Any:
    """Stack a list of samples (tuples of array-likes) into a tuple of batch tensors."""
    first = items[0]
    if isinstance(first, (tuple, list)):
        return tuple(_collate([it[k] for it in items]) for k in range(len(first)))
    arrs = [it.numpy() if isinstance(it, Tensor) else np.asarray(it) for it in items]
    return as_tensor(np.stack(arrs))


class DataLoader:
    """Iterate over a dataset in batches (batch_size, shuffle, drop_last, progress bar).

    num_workers, pin_memory and persistent_workers are PyTorch's and accepted so that training
    scripts run unchanged, but batches are always made in this process: numpy batching of
    in-memory data is faster than shipping arrays between worker processes, and there is no
    pinned host memory to stage GPU copies through (batches move with .to(device)).
    """

    def __init__(
        self,
        dataset: Dataset | Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        progress: bool | None = None,
        *,
        num_workers: int = 0,
        pin_memory: bool = False,
        persistent_workers: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        if num_workers < 0:
            raise ValueError(f"num_workers must be >= 0, not {num_workers}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers=True needs num_workers > 0 (as in PyTorch)")
        self.num_workers, self.pin_memory = num_workers, pin_memory
        self.persistent_workers = persistent_workers
        self.dataset = dataset
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.progress = progress
        self._bar: _Progress | None = None
        self._bar_cell: int | None = None
        self._passes = 0

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray[Any, Any]:
        n = len(self.dataset)
        return rng(np).permutation(n) if self.shuffle else np.arange(n)

    def _progress_bar(self, total: int) -> _Progress:
        """The loader's bar for this cell: loops over epochs reuse it instead of stacking."""
        cell = _current_cell()
        if self._bar is None or self._bar_cell != cell:
            self._bar, self._bar_cell, self._passes = _Progress(total, self.progress), cell, 0
        self._passes += 1
        self._bar.restart(total, self._passes)
        return self._bar

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        nb = len(self)
        bar = self._progress_bar(nb)
        ds = self.dataset
        try:
            for b in range(nb):
                idx = order[b * self.batch_size : (b + 1) * self.batch_size]
                if isinstance(ds, TensorDataset):
                    sel: Any = idx if self.shuffle else slice(int(idx[0]), int(idx[-1]) + 1)
                    yield tuple(as_tensor(t.array[sel], device=t.device) for t in ds.tensors)
                else:
                    yield _collate([ds[int(i)] for i in idx])
                bar.update(b + 1)
        finally:
            bar.close()


__all__ = ["DataLoader"]
