"""multinomial(): eager category sampling from the engine's seeded generator (no gradient)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import CPU, rng, to_device
from .creation import tensor
from .tensor import Tensor


def multinomial(
    probs: Any, num_samples: int, replacement: bool = False, generator: Any = None
) -> Tensor:
    """num_samples category indices per row of probs (weights, not normalised), as torch's.

    Rows are 1-d or 2-d; without replacement a row needs num_samples nonzero weights.
    generator is a numpy Generator; by default the one manual_seed() seeds.
    """
    dev = probs.device if isinstance(probs, Tensor) else CPU
    w = np.asarray(to_device(probs.array, CPU) if isinstance(probs, Tensor) else probs, np.float64)
    if w.ndim not in (1, 2):
        raise ValueError(f"multinomial() takes a 1-d or 2-d probs, not shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("multinomial(): probs must be finite and >= 0")
    rows = w.reshape(-1, w.shape[-1])
    n = int(num_samples)
    if n < 1:
        raise ValueError(f"multinomial(): num_samples must be >= 1, not {num_samples}")
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"multinomial(): generator must be a numpy Generator (np.random.default_rng(seed)) "
            f"or None, not {type(generator).__name__}; vf.manual_seed() seeds the default one"
        )
    gen = rng(np) if generator is None else generator
    out = np.empty((rows.shape[0], n), np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise ValueError(f"multinomial(): row {i} of probs sums to 0; give it a weight > 0")
        if not replacement and np.count_nonzero(row) < n:
            raise ValueError(
                f"multinomial(): row {i} has {np.count_nonzero(row)} nonzero weights, fewer "
                f"than num_samples={n}; pass replacement=True or fewer samples"
            )
        out[i] = gen.choice(row.shape[0], size=n, replace=replacement, p=row / total)
    return tensor(out.reshape((*w.shape[:-1], n)), device=dev)
