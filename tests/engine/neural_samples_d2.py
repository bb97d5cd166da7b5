"""Issue 13 (D2) entries for test_neural_ops' table (op, fn, inputs, reference, diff inputs,
second order): convolutions, pooling, resizing, attention and BCE, with PyTorch (float64) as
the reference; the table checks forward values and first/second-order finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as TF

import vizflow_engine as vf
from vizflow_engine.nn import functional as F

R = np.random.default_rng(4321)


def torch_ref(fn: Callable[..., Any]) -> Callable[..., np.ndarray]:
    """A numpy reference from a torch function of the same (float64) inputs."""

    def ref(*arrays: np.ndarray) -> np.ndarray:
        out = fn(*(torch.tensor(a) for a in arrays))
        return np.asarray((out[0] if isinstance(out, tuple) else out).detach().numpy())

    return ref


def _x(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def _distinct(*shape: int) -> np.ndarray:
    """Distinct values (no ties in a pooling window)."""
    return R.permutation(int(np.prod(shape))).reshape(shape) / 10.0


_MASK = vf.tensor(np.tri(3, 4, 1, dtype=bool))
_TMASK = torch.tensor(np.tri(3, 4, 1, dtype=bool))
_Y = R.uniform(0, 1, (3, 4))

Entry = tuple[
    str, Callable[..., Any], list[np.ndarray], Callable[..., np.ndarray], tuple[int, ...], bool
]

NEURAL_D2: list[Entry] = [
    ("conv1d", lambda x, w, b: F.conv1d(x, w, b, 2, 1, 1, 2), [_x(2, 4, 7), _x(4, 2, 3), _x(4)],
     torch_ref(lambda x, w, b: TF.conv1d(x, w, b, 2, 1, 1, 2)), (0, 1, 2), True),
    ("conv3d", lambda x, w: F.conv3d(x, w, None, (1, 2, 1), 1, (2, 1, 1)),
     [_x(1, 2, 5, 4, 3), _x(2, 2, 2, 2, 2)],
     torch_ref(lambda x, w: TF.conv3d(x, w, None, (1, 2, 1), 1, (2, 1, 1))), (0, 1), True),
    ("conv_transpose1d", lambda x, w: F.conv_transpose1d(x, w, None, 2, 1, 1),
     [_x(2, 2, 4), _x(2, 3, 3)],
     torch_ref(lambda x, w: TF.conv_transpose1d(x, w, None, 2, 1, 1)), (0, 1), True),
    ("conv_transpose3d", lambda x, w, b: F.conv_transpose3d(x, w, b, 2, 1, 1),
     [_x(1, 2, 2, 3, 2), _x(2, 2, 3, 2, 2), _x(2)],
     torch_ref(lambda x, w, b: TF.conv_transpose3d(x, w, b, 2, 1, 1)), (0, 1, 2), True),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1), [_distinct(2, 2, 7)],
     torch_ref(lambda x: TF.max_pool1d(x, 3, 2, 1)), (0,), False),
    ("max_pool2d_with_indices", lambda x: F.max_pool2d(x, 2, return_indices=True)[0],
     [_distinct(1, 2, 4, 5)], torch_ref(lambda x: TF.max_pool2d(x, 2)), (0,), False),
    ("max_pool3d", lambda x: F.max_pool3d(x, 2, 1), [_distinct(1, 2, 3, 3, 4)],
     torch_ref(lambda x: TF.max_pool3d(x, 2, 1)), (0,), False),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 3, 2, 1, True, False), [_x(2, 2, 6)],
     torch_ref(lambda x: TF.avg_pool1d(x, 3, 2, 1, True, False)), (0,), True),
    ("avg_pool3d", lambda x: F.avg_pool3d(x, 2, 1, 1), [_x(1, 2, 3, 2, 3)],
     torch_ref(lambda x: TF.avg_pool3d(x, 2, 1, 1)), (0,), True),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [_x(2, 2, 5, 4)],
     torch_ref(lambda x: TF.adaptive_avg_pool2d(x, (2, 3))), (0,), True),
    ("interpolate", lambda x: F.interpolate(x, size=(3, 5), mode="bilinear"), [_x(1, 2, 4, 3)],
     torch_ref(lambda x: TF.interpolate(x, size=(3, 5), mode="bilinear")), (0,), True),
    ("scaled_dot_product_attention",
     lambda q, k, v: F.scaled_dot_product_attention(q, k, v, _MASK),
     [_x(2, 3, 2), _x(2, 4, 2), _x(2, 4, 3)],
     torch_ref(lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, _TMASK)), (0, 1, 2), True),
    ("binary_cross_entropy", lambda x: F.binary_cross_entropy(x, vf.tensor(_Y)),
     [R.uniform(0.1, 0.9, (3, 4))],
     torch_ref(lambda x: TF.binary_cross_entropy(x, torch.tensor(_Y))), (0,), True),
]  # fmt: skip
