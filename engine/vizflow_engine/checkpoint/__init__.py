"""Checkpoints: vf.save / vf.load and the reader behind Module.load, as .npz files (no pickle).

One reader (npz.NpzReader) serves every load: it checks the zip's directory and each
array's .npy header (shape, dtype, order, size against MAX_ARRAY_BYTES) before any data is
decompressed; a file either loads whole or is refused with one CheckpointError that names
the file, the key, and what was expected and found. Loading never runs code: headers are
parsed as literals, the structure of a nested object is tagged JSON, object dtypes are
refused. Module.load_state_dict and Optimizer.load_state_dict check everything before they
write the first value, so a refused checkpoint leaves the model and optimizer unchanged.
"""

from __future__ import annotations

from ..errors import CheckpointError
from .npz import MAX_ARRAY_BYTES, NpzReader
from .state import IncompatibleKeys
from .tree import load, save

__all__ = ["MAX_ARRAY_BYTES", "CheckpointError", "IncompatibleKeys", "NpzReader", "load", "save"]
