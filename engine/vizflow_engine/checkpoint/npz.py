"""The one .npz reader of checkpoints: every member's .npy header first, data only on request.

Opening a file reads the zip's directory and each member's .npy header (magic, version,
shape, dtype, order) without decompressing any array data, and refuses, before anything
else is read: members that are not .npy arrays, duplicate names, unsupported compression,
object, string or structured dtypes, malformed shapes, sizes that disagree with the zip's
record, and any array whose header claims more than MAX_ARRAY_BYTES. Every failure of a
corrupt file (bad zip, bad CRC, truncated data, a zlib error) is a CheckpointError naming
the file and member. Headers are parsed as Python literals (ast.literal_eval), never run.
"""

from __future__ import annotations

import ast
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from ..errors import CheckpointError
from ..limits import human_bytes

MAX_ARRAY_BYTES = 4 << 30
"""Bytes one array of a checkpoint may claim (4 GiB); a bigger header is refused unread."""

MAX_MEMBERS = 100_000
"""Members one checkpoint may hold."""

MAX_HEADER_BYTES = 1 << 16
"""Bytes of one .npy header (numpy writes well under 200 for a plain array)."""

MAX_RANK = 32
"""Dims of one array."""

STRUCTURE_MEMBER = "__vizflow__.json"
"""The member vf.save writes the JSON structure of a nested object to."""

MAX_STRUCTURE_BYTES = 16 << 20
"""Bytes of the JSON structure member."""

_KINDS = "biufc"  # bool, signed, unsigned, float, complex: nothing else is loaded
_MAGIC = b"\x93NUMPY"
_HEADER_KEYS = {"descr", "fortran_order", "shape"}
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

# what reading a corrupt zip can raise, turned into CheckpointError at this boundary
_CORRUPT: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    struct.error,
    NotImplementedError,
    RuntimeError,  # an encrypted member
    UnicodeDecodeError,
    ValueError,
)


@dataclass(frozen=True)
class ArrayHeader:
    """What a member's .npy header says: key (member name less .npy), shape, dtype, order."""

    key: str
    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fortran_order: bool
    offset: int  # bytes before the data in the member
    info: zipfile.ZipInfo

    @property
    def nbytes(self) -> int:
        """Bytes of the array's data."""
        return math.prod(self.shape) * self.dtype.itemsize


@contextmanager
def _as_checkpoint_error(where: str) -> Iterator[None]:
    """Turn a low-level failure of reading a corrupt file into a CheckpointError."""
    try:
        yield
    except CheckpointError:
        raise
    except _CORRUPT as exc:
        raise CheckpointError(f"{where}: unreadable ({type(exc).__name__}: {exc})") from None


class NpzReader:
    """An open .npz checkpoint whose headers are read and checked; arrays read on request.

    Use as a context manager. `headers` maps each array key to its ArrayHeader, in file
    order; `structure` is the raw text of vf.save's JSON member, or None.
    """

    def __init__(
        self, file: str | os.PathLike[str] | IO[bytes], max_array_bytes: int = MAX_ARRAY_BYTES
    ) -> None:
        self.max_array_bytes = max_array_bytes
        self.structure: str | None = None
        self.headers: dict[str, ArrayHeader] = {}
        if isinstance(file, (str, os.PathLike)):
            self.name = os.fspath(file)
            self._file: IO[bytes] | None = open(file, "rb")  # noqa: SIM115 (closed by close())
        else:
            self.name = str(getattr(file, "name", "<file>"))
            self._file = None
        try:
            with _as_checkpoint_error(self.name):
                self._zip = zipfile.ZipFile(self._file or file)
            self._read_directory()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the zip file (and the file this reader opened)."""
        z = getattr(self, "_zip", None)
        if z is not None:
            z.close()
        if self._file is not None:
            self._file.close()

    def _read_directory(self) -> None:
        """Check every member and read its header (the structure member whole)."""
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CheckpointError(
                f"{self.name}: {len(infos)} members, more than a checkpoint may hold "
                f"({MAX_MEMBERS})"
            )
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            if name in seen:
                raise CheckpointError(f"{self.name}: member {name!r} appears twice")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise CheckpointError(f"{self.name}: member {name!r} is encrypted")
            if info.compress_type not in _METHODS:
                raise CheckpointError(
                    f"{self.name}: member {name!r} uses zip compression method "
                    f"{info.compress_type}; only stored and deflated members are read"
                )
            if name == STRUCTURE_MEMBER:
                self.structure = self._read_structure(info)
            elif name.endswith(".npy") and not info.is_dir():
                h = self._read_header(info)
                self.headers[h.key] = h
            else:
                raise CheckpointError(
                    f"{self.name}: member {name!r} is not a .npy array; a checkpoint holds "
                    f"only arrays and {STRUCTURE_MEMBER}"
                )

    def _read_structure(self, info: zipfile.ZipInfo) -> str:
        """The JSON structure member's text (size-capped before reading)."""
        where = f"{self.name}: {info.filename}"
        if info.file_size > MAX_STRUCTURE_BYTES:
            raise CheckpointError(
                f"{where}: {human_bytes(info.file_size)}, more than the "
                f"{human_bytes(MAX_STRUCTURE_BYTES)} a structure may take"
            )
        with _as_checkpoint_error(where), self._zip.open(info) as f:
            data = f.read(MAX_STRUCTURE_BYTES + 1)
            if len(data) != info.file_size:
                raise CheckpointError(f"{where}: size differs from the zip's record")
            return data.decode("utf-8")

    def _read_header(self, info: zipfile.ZipInfo) -> ArrayHeader:
        """Read and check one member's .npy header (the first bytes of the member only)."""
        key = info.filename[:-4]
        where = f"{self.name}: array {key!r}"
        with _as_checkpoint_error(where):
            head = self._prefix(info, 12)
            if len(head) < 10 or head[:6] != _MAGIC:
                raise CheckpointError(f"{where}: not a .npy array (bad magic bytes)")
            major, minor = head[6], head[7]
            if major not in (1, 2, 3) or minor != 0:
                raise CheckpointError(f"{where}: unknown .npy format version {major}.{minor}")
            start = 10 if major == 1 else 12
            hlen = int.from_bytes(head[8:start], "little")
            if hlen > MAX_HEADER_BYTES:
                raise CheckpointError(
                    f"{where}: a .npy header of {hlen} bytes, more than {MAX_HEADER_BYTES}"
                )
            text = self._prefix(info, start + hlen)[start:]
            if len(head) < start or len(text) != hlen:
                raise CheckpointError(f"{where}: truncated .npy header")
            shape, dtype, fortran = _parse_header(
                where, text.decode("utf-8" if major == 3 else "latin1")
            )
        h = ArrayHeader(key, shape, dtype, fortran, start + hlen, info)
        if h.nbytes > self.max_array_bytes:
            raise CheckpointError(
                f"{where}: its header claims shape {shape} of {dtype} ({human_bytes(h.nbytes)}), "
                f"more than the {human_bytes(self.max_array_bytes)} one checkpoint array may "
                "take (vizflow_engine.checkpoint.MAX_ARRAY_BYTES); refused unread"
            )
        if any(n > self.max_array_bytes for n in shape):  # an empty array with an absurd dim
            raise CheckpointError(f"{where}: shape {shape} has a dim no array can have")
        if info.file_size != h.offset + h.nbytes:
            raise CheckpointError(
                f"{where}: the member holds {info.file_size} bytes but its header "
                f"(shape {shape}, {dtype}) needs {h.offset + h.nbytes}: the file is corrupt"
            )
        return h

    def _prefix(self, info: zipfile.ZipInfo, n: int) -> bytes:
        """The first n bytes of a member (fewer if it is shorter), decompressing no more than
        that: the data behind an array's header stays unread, its CRC unchecked."""
        fp: Any = self._zip.fp
        fp.seek(info.header_offset)
        local = fp.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise CheckpointError(f"{self.name}: member {info.filename!r} has no local header")
        skip = int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        fp.seek(info.header_offset + 30 + skip)
        left = info.compress_size
        if info.compress_type == zipfile.ZIP_STORED:
            data: bytes = fp.read(min(n, left))
            return data
        d = zlib.decompressobj(-zlib.MAX_WBITS)  # a raw deflate stream, as zip stores it
        out = bytearray()
        tail = b""
        while len(out) < n and not d.eof:
            if not tail:
                tail = fp.read(min(4096, left)) if left > 0 else b""
                left -= len(tail)
                if not tail:
                    break
            out += d.decompress(tail, n - len(out))
            tail = d.unconsumed_tail
        return bytes(out[:n])

    def read(self, key: str) -> np.ndarray[Any, Any]:
        """Decompress array `key` (checking its CRC) into a new writable array."""
        h = self.headers[key]
        where = f"{self.name}: array {key!r}"
        buf = bytearray(h.nbytes)
        with _as_checkpoint_error(where), self._zip.open(h.info) as stream:
            f: Any = stream  # a ZipExtFile, which reads into a buffer (IO[bytes] does not say)
            if len(f.read(h.offset)) != h.offset:
                raise CheckpointError(f"{where}: truncated")
            view = memoryview(buf)
            got = 0
            while got < h.nbytes:
                n = f.readinto(view[got:])
                if not n:
                    raise CheckpointError(
                        f"{where}: truncated ({got} of {h.nbytes} data bytes present)"
                    )
                got += n
            if f.read(1):  # also makes zipfile check the CRC at the end of the member
                raise CheckpointError(f"{where}: more data than its header says")
        arr = np.frombuffer(buf, dtype=h.dtype).reshape(
            h.shape, order="F" if h.fortran_order else "C"
        )
        if not h.dtype.isnative:
            arr = arr.astype(h.dtype.newbyteorder("="))
        return arr


def _parse_header(where: str, text: str) -> tuple[tuple[int, ...], np.dtype[Any], bool]:
    """(shape, dtype, fortran_order) from a .npy header's dict literal, all checked."""
    try:
        d = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise CheckpointError(f"{where}: the .npy header is not a dict literal") from None
    if not isinstance(d, dict) or set(d) != _HEADER_KEYS:
        found = sorted(map(str, d)) if isinstance(d, dict) else type(d).__name__
        raise CheckpointError(
            f"{where}: the .npy header must have keys {sorted(_HEADER_KEYS)}, found {found}"
        )
    descr, fortran, shape = d["descr"], d["fortran_order"], d["shape"]
    if not isinstance(descr, str):
        raise CheckpointError(f"{where}: structured dtype {descr!r} (only plain numbers load)")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError, SyntaxError):
        raise CheckpointError(f"{where}: unknown dtype {descr!r}") from None
    if dtype.kind not in _KINDS or dtype.hasobject or dtype.shape != ():
        raise CheckpointError(
            f"{where}: dtype {dtype} cannot load (object, string, date and structured "
            "arrays are refused; only bool, integer, float and complex arrays load)"
        )
    if type(fortran) is not bool:
        raise CheckpointError(f"{where}: fortran_order must be True or False, not {fortran!r}")
    if (
        not isinstance(shape, tuple)
        or len(shape) > MAX_RANK
        or not all(type(n) is int and n >= 0 for n in shape)
    ):
        raise CheckpointError(
            f"{where}: shape {shape!r} is not a tuple of at most {MAX_RANK} non-negative ints"
        )
    return shape, dtype, fortran


__all__ = [
    "MAX_ARRAY_BYTES",
    "STRUCTURE_MEMBER",
    "ArrayHeader",
    "NpzReader",
]
