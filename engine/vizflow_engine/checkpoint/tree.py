"""vf.save / vf.load: nested dicts, lists and tuples of tensors, arrays and numbers, no pickle.

The file is one .npz: each distinct array is a .npy member, and the member
"__vizflow__.json" holds the object's structure as tagged JSON (format "vizflow.checkpoint",
version 1). A node is a JSON null, bool, int, string or finite float, or an object with one
tag: {"$dict": [[key, node], ...]} (keys str or int, in order), {"$list": [...]},
{"$tuple": [...]}, {"$float": "nan" | "inf" | "-inf"}, {"$tensor": member,
"requires_grad": bool}, {"$array": member} or {"$scalar": member} (a numpy scalar). An
object held twice (a tied weight under two names) is stored once and loads as one object.

Loading parses and checks the whole structure and every member's header first (unknown
tags, missing or unreferenced members, nesting deeper than MAX_DEPTH), then reads arrays.
A file without the structure member (Module.save, np.savez) loads as {key: array}.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from ..backend import CPU, to_device
from ..errors import CheckpointError
from ..tensor import Tensor, _make
from .npz import ArrayHeader, NpzReader
from .write import write_npz

FORMAT = "vizflow.checkpoint"
VERSION = 1
MAX_DEPTH = 64
"""Nesting depth of a saved object (and of a structure a file may declare)."""

_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*")
_KINDS = ("$tensor", "$array", "$scalar")
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

File = str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True)
class ArrayRef:
    """A checked reference to an array member, not yet read: what it loads as and its header."""

    kind: str  # "$tensor", "$array" or "$scalar"
    header: ArrayHeader
    requires_grad: bool = False


# ---- saving --------------------------------------------------------------------------------


class _Encoder:
    """Turns an object into a JSON-able structure and the arrays its members hold."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray[Any, Any]] = {}
        self.member_of: dict[int, str] = {}  # id of a saved tensor/array -> its member
        self.keep: list[Any] = []  # the objects member_of refers to, alive while saving

    def encode(self, obj: Any, path: tuple[Any, ...], depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError(f"vf.save: {_path(path)} is nested deeper than {MAX_DEPTH} levels")
        if isinstance(obj, np.generic):  # before float: np.float64 is a float too
            return {"$scalar": self._member(obj, path)}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"$float": str(obj)}
        if isinstance(obj, Tensor):
            node: dict[str, Any] = {"$tensor": self._member(obj, path)}
            node["requires_grad"] = bool(obj.requires_grad)
            return node
        if isinstance(obj, np.ndarray):
            return {"$array": self._member(obj, path)}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not isinstance(k, (str, int)) or isinstance(k, bool):
                    raise TypeError(
                        f"vf.save: {_path(path)} has a key {k!r} of type {type(k).__name__}; "
                        "dict keys must be str or int"
                    )
                items.append([k, self.encode(v, (*path, k), depth + 1)])
            return {"$dict": items}
        if isinstance(obj, (list, tuple)):
            tag = "$list" if isinstance(obj, list) else "$tuple"
            return {tag: [self.encode(v, (*path, i), depth + 1) for i, v in enumerate(obj)]}
        raise TypeError(
            f"vf.save cannot store {_path(path)}, a {type(obj).__name__}: a checkpoint holds "
            "tensors, numpy arrays, numbers, strings, None and dicts/lists/tuples of them "
            "(no pickle); save a Module's or an optimizer's state_dict()"
        )

    def _member(self, obj: Any, path: tuple[Any, ...]) -> str:
        """The member holding obj's values (one per distinct object)."""
        key = self.member_of.get(id(obj))
        if key is not None:
            return key
        arr = np.asarray(to_device(obj.array, CPU) if isinstance(obj, Tensor) else obj)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"vf.save: {_path(path)} has dtype {arr.dtype}; only numbers save")
        name = "/".join(str(p) for p in path)
        if not _SAFE_NAME.fullmatch(name) or name in self.arrays:
            name = f"a{len(self.arrays)}"
        while name in self.arrays:
            name += "_"
        self.arrays[name] = arr
        self.member_of[id(obj)] = name
        self.keep.append(obj)
        return name


def save(obj: Any, f: File) -> None:
    """Write obj (a state dict, or dicts/lists/tuples of tensors, arrays and numbers) to one
    .npz file: no pickle, so loading it runs no code. The file is replaced atomically."""
    enc = _Encoder()
    root = enc.encode(obj, (), 0)
    doc = {"format": FORMAT, "version": VERSION, "root": root}
    write_npz(f, enc.arrays, json.dumps(doc, allow_nan=False, separators=(",", ":")))


# ---- loading -------------------------------------------------------------------------------


def read_tree(reader: NpzReader) -> Any:
    """The checked structure of an open checkpoint, arrays as ArrayRefs (nothing read yet)."""
    if reader.structure is None:
        return {k: ArrayRef("$array", h) for k, h in reader.headers.items()}
    try:
        doc = json.loads(reader.structure)
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(f"{reader.name}: the structure is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or set(doc) != {"format", "version", "root"}:
        raise CheckpointError(
            f"{reader.name}: the structure must be an object with keys format, version, root"
        )
    if doc["format"] != FORMAT or doc["version"] != VERSION:
        raise CheckpointError(
            f"{reader.name}: format {doc['format']!r} version {doc['version']!r}; this "
            f"vizflow reads {FORMAT!r} version {VERSION}"
        )
    used: set[str] = set()
    tree = _decode(reader, doc["root"], (), 0, used)
    unused = sorted(set(reader.headers) - used)
    if unused:
        raise CheckpointError(
            f"{reader.name}: array members {unused[:5]} are not referenced by the structure"
        )
    return tree


def _decode(reader: NpzReader, node: Any, path: tuple[Any, ...], depth: int, used: set[str]) -> Any:
    """One structure node checked, with ArrayRefs for array members."""
    where = f"{reader.name}: {_path(path)}"
    if depth > MAX_DEPTH:
        raise CheckpointError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if node is None or isinstance(node, (bool, str, int)):
        return node
    if isinstance(node, float):
        if not math.isfinite(node):
            raise CheckpointError(f"{where}: a non-finite number must be tagged $float")
        return node
    if not isinstance(node, dict) or len(node) == 0:
        raise CheckpointError(f"{where}: {type(node).__name__} is not a structure node")
    tag = next(iter(node))
    body = node[tag]
    if tag == "$float" and len(node) == 1:
        if body not in _NONFINITE:
            raise CheckpointError(f"{where}: $float must be 'nan', 'inf' or '-inf'")
        return _NONFINITE[body]
    if tag in ("$list", "$tuple") and len(node) == 1:
        if not isinstance(body, list):
            raise CheckpointError(f"{where}: {tag} must hold a JSON array")
        items = [_decode(reader, v, (*path, i), depth + 1, used) for i, v in enumerate(body)]
        return items if tag == "$list" else tuple(items)
    if tag == "$dict" and len(node) == 1:
        return _decode_dict(reader, body, path, depth, used)
    if tag in _KINDS:
        return _decode_ref(reader, node, tag, where, used)
    raise CheckpointError(f"{where}: unknown structure node with keys {sorted(node)[:5]}")


def _decode_dict(
    reader: NpzReader, body: Any, path: tuple[Any, ...], depth: int, used: set[str]
) -> dict[Any, Any]:
    where = f"{reader.name}: {_path(path)}"
    if not isinstance(body, list):
        raise CheckpointError(f"{where}: $dict must hold a list of [key, value] pairs")
    out: dict[Any, Any] = {}
    for pair in body:
        if not isinstance(pair, list) or len(pair) != 2:
            raise CheckpointError(f"{where}: $dict must hold a list of [key, value] pairs")
        k, v = pair
        if not isinstance(k, (str, int)) or isinstance(k, bool):
            raise CheckpointError(f"{where}: a dict key must be a string or an int, not {k!r}")
        if k in out:
            raise CheckpointError(f"{where}: key {k!r} appears twice")
        out[k] = _decode(reader, v, (*path, k), depth + 1, used)
    return out


def _decode_ref(
    reader: NpzReader, node: dict[str, Any], tag: str, where: str, used: set[str]
) -> ArrayRef:
    allowed = {tag, "requires_grad"} if tag == "$tensor" else {tag}
    if set(node) - allowed:
        raise CheckpointError(f"{where}: unknown keys {sorted(set(node) - allowed)} in {tag}")
    key = node[tag]
    if not isinstance(key, str) or key not in reader.headers:
        raise CheckpointError(f"{where}: refers to array member {key!r}, which is not in the file")
    rg = node.get("requires_grad", False)
    if type(rg) is not bool:
        raise CheckpointError(f"{where}: requires_grad must be true or false")
    h = reader.headers[key]
    if tag == "$scalar" and h.shape != ():
        raise CheckpointError(f"{where}: a $scalar member must have shape (), not {h.shape}")
    if rg and h.dtype.kind not in "fc":
        raise CheckpointError(f"{where}: a {h.dtype} tensor cannot require grad")
    used.add(key)
    return ArrayRef(tag, h, rg)


def materialize(reader: NpzReader, tree: Any) -> Any:
    """The tree with each ArrayRef read (each member once: a shared object stays shared)."""
    cache: dict[tuple[str, str], Any] = {}

    def value(ref: ArrayRef) -> Any:
        k = (ref.header.key, ref.kind)
        v = cache.get(k)
        if v is None:
            arr = reader.read(ref.header.key)
            if ref.kind == "$tensor":
                v = _make(arr, CPU, None, False)
                if ref.requires_grad:
                    v.requires_grad_()
            else:
                v = arr[()] if ref.kind == "$scalar" else arr
            cache[k] = v
        return v

    def walk(x: Any) -> Any:
        if isinstance(x, ArrayRef):
            return value(x)
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, tuple):
            return tuple(walk(v) for v in x)
        return x

    return walk(tree)


def load(f: File) -> Any:
    """Read what vf.save wrote (or any .npz of plain arrays, as {key: array}). The structure
    and every header are checked before any array is read; a bad file is a CheckpointError."""
    with NpzReader(f) as reader:
        return materialize(reader, read_tree(reader))


def _path(path: tuple[Any, ...]) -> str:
    """A readable location in the saved object: root['model'][3]."""
    return "root" + "".join(f"[{p!r}]" for p in path)


__all__ = ["ArrayRef", "load", "materialize", "read_tree", "save"]
