"""Writing checkpoints: arrays as .npy members of one compressed .npz, replaced atomically.

A path is written to a temporary file beside it and renamed over the old one when complete,
so a crash or an error while saving never leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from .npz import STRUCTURE_MEMBER


def write_npz(
    file: str | os.PathLike[str] | IO[bytes],
    arrays: Mapping[str, np.ndarray[Any, Any]],
    structure: str | None = None,
) -> None:
    """Write arrays (member key -> array, no pickle) and an optional JSON structure member."""
    if not isinstance(file, (str, os.PathLike)):
        _write_zip(file, arrays, structure)
        return
    path = os.fspath(file)
    tmp = f"{path}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    # a fresh file with the permissions the umask gives (mkstemp's would be 0600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_zip(f, arrays, structure)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _write_zip(
    f: IO[bytes], arrays: Mapping[str, np.ndarray[Any, Any]], structure: str | None
) -> None:
    """The .npz itself: the structure first (if any), then one .npy member per array."""
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
        if structure is not None:
            z.writestr(STRUCTURE_MEMBER, structure.encode("utf-8"))
        for key, arr in arrays.items():
            with z.open(key + ".npy", "w", force_zip64=arr.nbytes >= 1 << 31) as m:
                np.lib.format.write_array(m, np.asarray(arr), allow_pickle=False)


__all__ = ["write_npz"]
