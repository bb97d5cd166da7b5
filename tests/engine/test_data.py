"""vf.data: DataLoader batching, seeded shuffle, drop_last, datasets, bundled digits."""

from __future__ import annotations

import numpy as np
import pytest

import vizflow_engine as vf
from vizflow_engine import data


def test_batches_in_order_with_last_partial_batch() -> None:
    x, y = np.arange(10.0).reshape(10, 1), np.arange(10)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [len(b[0]) for b in batches] == [4, 4, 2]
    assert batches[2][1].tolist() == [8, 9] and isinstance(batches[0][0], vf.Tensor)
    dl = data.DataLoader(data.TensorDataset(x, y), batch_size=4, drop_last=True)
    assert len(dl) == 2 and [len(b[0]) for b in dl] == [4, 4]


def test_shuffle_is_seeded_and_a_permutation() -> None:
    ds = data.TensorDataset(np.arange(20))
    vf.manual_seed(5)
    a = np.concatenate([b[0].numpy() for b in data.DataLoader(ds, 6, shuffle=True)])
    vf.manual_seed(5)
    b = np.concatenate([b[0].numpy() for b in data.DataLoader(ds, 6, shuffle=True)])
    assert sorted(a.tolist()) == list(range(20)) and a.tolist() == b.tolist()
    assert a.tolist() != list(range(20))


def test_generic_dataset_is_collated() -> None:
    class Squares(data.Dataset):
        def __len__(self) -> int:
            return 5

        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
            return np.full(2, i * i, dtype=np.float32), i

    (xb, yb), *_ = data.DataLoader(Squares(), batch_size=3)
    assert xb.shape == (3, 2) and xb.numpy()[2].tolist() == [4.0, 4.0] and yb.tolist() == [0, 1, 2]


def test_digits_bundle_and_split() -> None:
    x, y = data.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and y.dtype == np.int64
    assert x.numpy().min() >= 0.0 and x.numpy().max() == 1.0
    assert np.bincount(y.numpy()).tolist()[:3] == [178, 182, 177]
    imgs, _ = data.load_digits(flatten=False)
    assert imgs.shape == (1797, 1, 8, 8)
    xtr, xte, _ytr, yte = data.train_test_split(x, y, test_fraction=0.25, seed=0)
    assert len(xte) == 449 and len(xtr) == 1348
    again = data.train_test_split(x, y, test_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again[3].numpy(), yte.numpy())


def test_progress_bar_counts_batches_when_enabled() -> None:
    pytest.importorskip("ipywidgets")
    from vizflow_engine.data.loader import _Progress

    assert _Progress(3, None).bar is None  # not in a notebook: nothing shown
    bar = _Progress(3, True)
    assert bar.bar is not None and bar.bar.max == 3
    loader = data.DataLoader(data.TensorDataset(np.arange(5)), batch_size=2, progress=False)
    assert sum(len(b[0]) for b in loader) == 5
    bar.update(3)
    bar.close()
    assert bar.bar.value == 3 and bar.bar.bar_style == "success"
