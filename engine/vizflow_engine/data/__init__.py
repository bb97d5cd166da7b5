"""vf.data: DataLoader, TensorDataset, train_test_split and the bundled 8×8 digits dataset.

digits.npz holds the 1797 8×8 greyscale images (values 0..16) and labels 0..9 of the
"Optical Recognition of Handwritten Digits" test set (E. Alpaydin, C. Kaynak, UCI Machine
Learning Repository, 1998, https://doi.org/10.24432/C50P49), licensed CC BY 4.0; extracted
from scikit-learn's bundled copy (sklearn.datasets.load_digits).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..creation import as_tensor
from ..tensor import Tensor
from .dataset import Dataset, TensorDataset, train_test_split
from .loader import DataLoader

_DIGITS = os.path.join(os.path.dirname(__file__), "digits.npz")


def load_digits(
    flatten: bool = True, scale: bool = True, as_tensors: bool = True
) -> tuple[Any, Any]:
    """The digits dataset: X (1797, 64) or (1797, 1, 8, 8) float32 in [0, 1], y (1797,) int64."""
    with np.load(_DIGITS, allow_pickle=False) as f:
        images, target = f["images"], f["target"]
    x = images.astype(np.float32) / (16.0 if scale else 1.0)
    x = x.reshape(len(x), 64) if flatten else x.reshape(len(x), 1, 8, 8)
    y = target.astype(np.int64)
    if as_tensors:
        xt: Tensor = as_tensor(x)
        return xt, as_tensor(y)
    return x, y


__all__ = ["DataLoader", "Dataset", "TensorDataset", "load_digits", "train_test_split"]


from .._api import public_dir  # noqa: E402

__dir__ = public_dir(__all__)
