"""Reading a graph's .npz side-car safely: every member's header is checked before any data.

Keys must be exactly the ones the document names; each .npy header must give an allowed
dtype (no object arrays: nothing is ever unpickled), the shape and dtype the document
declares, a size within MAX_ARRAY_BYTES, and a member size that matches, all before the
first array is decompressed.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.lib import format as npy

from .errors import GraphFormatError
from .limits import MAX_ARRAY_BYTES, MAX_ELEMENTS
from .param_check import DTYPES

_HEADER_BYTES = 10_000  # numpy's own cap on a .npy header
# what zipfile and numpy raise on a damaged archive: bad CRCs and sizes, an encrypted member
# (RuntimeError), an unknown compression method, broken deflate data, short reads
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    struct.error,
)


class Want(NamedTuple):
    """What the document says of one array: its JSON path; its shape and dtype if declared."""

    path: str
    shape: tuple[int, ...] | None
    dtype: str | None
    what: str  # "variable 'W'", "parameter array"


def check_keys(keys: set[str], wants: Mapping[str, Want], source: str) -> None:
    """Refuse arrays the document does not name, and missing ones (naming every one)."""
    extra = sorted(keys - wants.keys())
    if extra:
        shown = ", ".join(repr(k[:60]) for k in extra[:3])
        raise GraphFormatError(
            "$", f"{source} holds {len(extra)} array(s) the graph does not name: {shown}"
        )
    missing = [k for k in wants if k not in keys]
    if missing:
        what = ", ".join(f"{wants[k].what} (key {k[:60]!r})" for k in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        given = f"{len(keys)} given" if keys else "none given"
        raise GraphFormatError(
            wants[missing[0]].path,
            f"the graph needs the values of {what}{more}, which {source} lacks ({given}). "
            "Pass the .npz that Graph.save wrote, or a dict like serialize.arrays_of(graph): "
            "Graph.from_json(doc, 'model.npz'), or read both files with Graph.load('model')",
        )


def check_header(key: str, shape: Any, dtype: np.dtype[Any], want: Want, source: str) -> None:
    """Refuse an array whose dtype, shape or size breaks the document or the caps."""
    where = f"{source} array {key[:60]!r} (for {want.path})"
    if dtype.hasobject:
        raise GraphFormatError(
            want.path, f"{where} holds Python objects, which would need pickle: refused"
        )
    if dtype.name not in DTYPES or dtype.fields is not None or dtype.subdtype is not None:
        raise GraphFormatError(
            want.path, f"{where} has dtype {dtype}, not one of {', '.join(DTYPES)}"
        )
    if not isinstance(shape, tuple) or not all(type(d) is int and d >= 0 for d in shape):
        raise GraphFormatError(want.path, f"{where} has a bad shape {shape!r}")
    n = math.prod(shape)
    if n > MAX_ELEMENTS or n * dtype.itemsize > MAX_ARRAY_BYTES:
        raise GraphFormatError(
            want.path,
            f"{where} claims {n * dtype.itemsize} bytes; at most {MAX_ARRAY_BYTES} are allowed",
        )
    if want.shape is not None and tuple(shape) != want.shape:
        raise GraphFormatError(
            want.path, f"{where} has shape {tuple(shape)}, but the graph says {want.shape}"
        )
    if want.dtype is not None and dtype.name != want.dtype:
        raise GraphFormatError(
            want.path, f"{where} has dtype {dtype.name}, but the graph says {want.dtype}"
        )


def check_arrays(arrays: Mapping[str, Any], wants: Mapping[str, Want]) -> dict[str, Any]:
    """Arrays given in memory (a dict, an NpzFile): the same checks as for a file."""
    keys = set(arrays.keys())
    check_keys(keys, wants, "the arrays given")
    out = {}
    for key, want in wants.items():
        arr = arrays[key]
        if not isinstance(arr, np.ndarray):
            arr = np.asarray(getattr(arr, "get", lambda a=arr: a)())
        check_header(key, arr.shape, arr.dtype, want, "the arrays given:")
        out[key] = arr
    return out


class _Member(NamedTuple):
    info: zipfile.ZipInfo
    key: str


def read_npz(path: Any, wants: Mapping[str, Want]) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays of the .npz at path (or in a binary file, or of an open NpzFile), each
    checked against `wants` before any is read."""
    npz = isinstance(path, np.lib.npyio.NpzFile)
    source = (
        "the NpzFile given"
        if npz
        else "the .npz file given"
        if isinstance(path, io.IOBase)
        else f"{str(path)[-80:]!r}"
    )
    try:
        if npz:
            if path.zip is None:
                raise GraphFormatError("$", f"{source} is closed")
            return _read_zip(path.zip, wants, source)
        with zipfile.ZipFile(path) as zf:
            return _read_zip(zf, wants, source)
    except GraphFormatError:
        raise
    except FileNotFoundError:
        raise GraphFormatError("$", f"no array file {source} (Graph.save writes one)") from None
    except _UNREADABLE as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise GraphFormatError("$", f"{source} is not a readable .npz: {reason}") from None


def _read_zip(
    zf: zipfile.ZipFile, wants: Mapping[str, Want], source: str
) -> dict[str, np.ndarray[Any, Any]]:
    """Check every member's header, then read the arrays (never unpickling)."""
    members = _members(zf, source)
    check_keys({m.key for m in members}, wants, source)
    for m in members:
        _check_member(zf, m, wants[m.key], source)
    out = {}
    for m in members:
        with zf.open(m.info) as f:
            arr = npy.read_array(f, allow_pickle=False, max_header_size=_HEADER_BYTES)
        out[m.key] = arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))
    return out


def _members(zf: zipfile.ZipFile, source: str) -> list[_Member]:
    members = []
    seen: set[str] = set()
    for info in zf.infolist():
        if not info.filename.endswith(".npy"):
            raise GraphFormatError("$", f"{source} holds {info.filename[:60]!r}, not an .npy array")
        key = info.filename[:-4]
        if key in seen:
            raise GraphFormatError("$", f"{source} holds array {key[:60]!r} twice")
        seen.add(key)
        members.append(_Member(info, key))
    return members


def _check_member(zf: zipfile.ZipFile, m: _Member, want: Want, source: str) -> None:
    """Read one member's .npy header only (a few hundred bytes) and check it."""
    if m.info.file_size > MAX_ARRAY_BYTES + _HEADER_BYTES:
        raise GraphFormatError(
            want.path,
            f"{source} array {m.key[:60]!r} is {m.info.file_size} bytes; at most "
            f"{MAX_ARRAY_BYTES} are allowed",
        )
    with zf.open(m.info) as f:
        version = npy.read_magic(f)
        readers = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}
        if version not in readers:
            raise GraphFormatError(want.path, f"{source} array {m.key!r}: .npy version {version}")
        shape, _fortran, dtype = readers[version](f, max_header_size=_HEADER_BYTES)
        header = f.tell()
    check_header(m.key, shape, dtype, want, source)
    if m.info.file_size != header + math.prod(shape) * dtype.itemsize:
        raise GraphFormatError(
            want.path,
            f"{source} array {m.key[:60]!r}: its header says {shape} {dtype} but it holds "
            f"{m.info.file_size - header} data bytes",
        )
