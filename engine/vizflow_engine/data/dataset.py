"""Datasets: TensorDataset over equal-length arrays/tensors, and a fixed train/test split."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import as_tensor
from ..tensor import Tensor


class Dataset:
    """Anything with __len__ and __getitem__(i) -> tuple of array-likes (a map-style dataset)."""

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, i: int) -> Any:
        raise NotImplementedError


class TensorDataset(Dataset):
    """Rows of equal-length tensors (or arrays); item i is the tuple of their i-th rows."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(
            t if isinstance(t, Tensor) else as_tensor(np.asarray(t)) for t in tensors
        )
        n = len(self.tensors[0])
        if any(len(t) != n for t in self.tensors):
            raise ValueError(f"tensors differ in length: {[len(t) for t in self.tensors]}")

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, i: Any) -> tuple[Tensor, ...]:
        return tuple(as_tensor(t.array[i], device=t.device) for t in self.tensors)


def train_test_split(*arrays: Any, test_fraction: float = 0.2, seed: int = 0) -> list[Any]:
    """Split arrays/tensors row-wise by a permutation fixed by `seed`: [a_train, a_test, …]."""
    n = len(arrays[0])
    perm = np.random.default_rng(seed).permutation(n)
    n_test = round(n * test_fraction)
    test, train = perm[:n_test], perm[n_test:]
    out: list[Any] = []
    for a in arrays:
        if isinstance(a, Tensor):
            out += [
                as_tensor(a.array[train], device=a.device),
                as_tensor(a.array[test], device=a.device),
            ]
        else:
            arr = np.asarray(a)
            out += [arr[train], arr[test]]
    return out


__all__ = ["Dataset", "TensorDataset", "train_test_split"]
