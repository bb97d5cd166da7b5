"""Node params between JSON (the browser, the file) and engine values, checked on the way in.

An op's params are checked against its declared kinds (graph/param_check.py, the same checks a
graph file gets); a leaf's (placeholder, variable, constant) against the small schema here.
Nothing here evaluates text: a value is data, converted by its declared kind only.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from ..graph.errors import GraphFormatError
from ..graph.load import _Decoder
from ..graph.param_check import DTYPES, KINDS, Context, check_params, known_op
from ..graph.serialize import _Arrays, encode
from ..ops.indexing import INPUT
from ..registry import OpDef, param_kind
from .errors import EditError

INITS = ("zeros", "ones", "normal", "uniform", "xavier_uniform", "kaiming_uniform")
"""Initialisers a variable made in the editor may name (vf.nn.init's, without the _)."""
HELD = "array"
"""A variable's or constant's `init` when its value is an array the kernel holds."""
MAX_LEAF_ELEMENTS = 2**27
"""Elements of a variable or constant the editor creates (bigger ones come from arrays)."""
MAX_CONSTANT_LITERAL = 10_000
MAX_RANK = 64
MAX_DIM_NAME = 64
FLOAT_DTYPES = ("float16", "float32", "float64")
LEAF_PARAMS: dict[str, tuple[str, ...]] = {
    "placeholder": ("shape", "dtype"),
    "variable": ("shape", "dtype", "init", "requires_grad"),
    "constant": ("value", "shape", "dtype"),
}


def op_def(name: Any) -> OpDef:
    """The op called `name` (registry or graph-only), or EditError with close matches."""
    if not isinstance(name, str):
        raise EditError(f"an op node needs an op name, not {type(name).__name__}")
    try:
        return known_op(name, "op")
    except GraphFormatError as exc:
        raise EditError(exc.reason) from None


# ---- array-valued params ----------------------------------------------------------------------
# An op param may hold an array (a getitem's index array). In JSON it is {"array": key}: the key
# names the array by its content in this kernel's store, so the browser's document, a copied
# fragment and an undo step all refer to it, and reading the key back gives the node its own
# copy. A graph file carries the arrays it refers to in its .npz (see fileformat.py).
PARAM_ARRAY_PREFIX = "param~"
"""Starts every param array's key ('~' is in no node id, so a key is never a node's)."""
_HELD_PARAM_ARRAYS: dict[str, np.ndarray[Any, Any]] = {}
_file_arrays: ContextVar[Mapping[str, Any] | None] = ContextVar("file_arrays", default=None)
_collected: ContextVar[dict[str, np.ndarray[Any, Any]] | None] = ContextVar(
    "collected", default=None
)


def _digest(array: np.ndarray[Any, Any]) -> str:
    """The hex digest of an array's content (dtype, shape and bytes)."""
    digest = hashlib.blake2b(f"{array.dtype.str}{array.shape}".encode(), digest_size=12)
    digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def param_array_key(array: np.ndarray[Any, Any]) -> str:
    """The key of an array's content (dtype, shape and bytes)."""
    return PARAM_ARRAY_PREFIX + _digest(array)


class _KernelArrays(_Arrays):
    """Holds the arrays met while encoding in the kernel's store, under their content keys."""

    def add(self, key: str, arr: Any) -> str:
        host = np.array(getattr(arr, "get", lambda: arr)())
        found = param_array_key(host)
        held = _HELD_PARAM_ARRAYS.setdefault(found, host)
        held.flags.writeable = False
        sink = _collected.get()
        if sink is not None:
            sink[found] = held
        return found


@contextmanager
def collecting_param_arrays() -> Iterator[dict[str, np.ndarray[Any, Any]]]:
    """Within: every array-valued param turned to JSON is also put in the dict yielded."""
    found: dict[str, np.ndarray[Any, Any]] = {}
    token = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(token)


@contextmanager
def reading_param_arrays(arrays: Mapping[str, Any]) -> Iterator[None]:
    """Within: {"array": key} params are read from `arrays` (a file's) instead of the kernel."""
    token = _file_arrays.set(arrays)
    try:
        yield
    finally:
        _file_arrays.reset(token)


def _param_array(key: Any) -> np.ndarray[Any, Any]:
    """A copy of the param array `key` names (the node owns its copy)."""
    file = _file_arrays.get()
    source = _HELD_PARAM_ARRAYS if file is None else file
    if isinstance(key, str) and key in source:
        return np.array(source[key])
    where = "this kernel (copied from another one?)" if file is None else "the file's .npz"
    raise EditError(f"the param array {str(key)[:60]!r} is not held by {where}")


class _ParamArrayLookup(Mapping[str, Any]):
    """The param arrays as the graph file decoder reads them (for arrays inside tagged values)."""

    def __getitem__(self, key: str) -> Any:
        return _param_array(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


# ---- arrays of variables and constants --------------------------------------------------------
# A variable or constant holding an array shows the browser {"array": key} beside its params: the
# key names the array's content, and this kernel's store maps it to the arrays that had that
# content (weakly: no second copy of a model's weights; an array lives while a document, a cut or
# an undo step holds it). A paste reads the key, checks an array under it still has that content
# and gives the pasted node its own copy. It never looks up the copied node's id: another editor
# may have a node of that id holding other values.
LEAF_ARRAY_PREFIX = "array~"
"""Starts every held leaf array's key."""
_Ref = Callable[[], Any]
_HELD_LEAF_ARRAYS: dict[str, list[_Ref]] = {}
_LEAF_KEYS: dict[int, tuple[_Ref, int, str]] = {}  # id(array) -> (ref, stamp, key)


def host_array(value: Any) -> np.ndarray[Any, Any]:
    """A held value (ndarray, device array or live Tensor) as a host ndarray."""
    array = getattr(value, "array", value)
    return np.asarray(getattr(array, "get", lambda: array)())


def _forget(ident: int, key: str) -> Callable[[Any], None]:
    """Drops a dead array's entries from the store and the key cache."""

    def drop(ref: Any) -> None:
        if _LEAF_KEYS.get(ident, (None,))[0] is ref:
            del _LEAF_KEYS[ident]
        left = [r for r in _HELD_LEAF_ARRAYS.get(key, []) if r is not ref]
        if left:
            _HELD_LEAF_ARRAYS[key] = left
        else:
            _HELD_LEAF_ARRAYS.pop(key, None)

    return drop


def leaf_array_key(value: Any, stamp: int) -> str:
    """The key of a held array's content, the array put in the store under it. Hashed once per
    array and stamp (a new value from training or Python bumps the node's stamp)."""
    ident = id(value)
    cached = _LEAF_KEYS.get(ident)
    if cached is not None and cached[0]() is value and cached[1] == stamp:
        return cached[2]
    key = LEAF_ARRAY_PREFIX + _digest(host_array(value))
    refs = _HELD_LEAF_ARRAYS.get(key, [])
    ref = next((r for r in refs if r() is value), None)  # two editors may share a live Tensor
    if ref is None:
        try:
            ref = weakref.ref(value, _forget(ident, key))
        except TypeError:  # a value without weak references is held as it is
            ref = lambda: value  # noqa: E731
        _HELD_LEAF_ARRAYS[key] = [*refs, ref]  # a new list: a dropping ref never loses this one
    _LEAF_KEYS[ident] = (ref, stamp, key)
    return key


def leaf_array(key: Any, name: str) -> np.ndarray[Any, Any]:
    """A copy of the array `key` names, for the pasted node `name`: EditError when no array this
    kernel holds has that content now (copied on another kernel, or changed since the copy)."""
    refs = _HELD_LEAF_ARRAYS.get(key, []) if isinstance(key, str) else []
    for ref in refs:
        value = ref()
        host = None if value is None else host_array(value)
        if host is not None and LEAF_ARRAY_PREFIX + _digest(host) == key:
            return np.array(host)
    raise EditError(
        f"cannot paste {name[:70]!r}: this kernel holds no array with the values it was "
        "copied with (copied from an editor on another kernel, or its values changed since); "
        "copy it again from an editor on this kernel"
    )


# ---- engine value -> JSON ----------------------------------------------------------------------
MAX_EDITABLE_VALUES = 100
"""Elements of a held constant the inspector edits value by value (bigger ones: read-only)."""


def editable_values(value: Any) -> Any:
    """A held array's values as nested lists (a number when 0-d) when the inspector may edit
    them (at most MAX_EDITABLE_VALUES finite numbers or booleans), else None."""
    array = host_array(value)
    if array.size > MAX_EDITABLE_VALUES or array.dtype.kind not in "biuf":
        return None
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        return None
    return array.tolist()


def edited_values(value: Any, held: Any, name: str) -> np.ndarray[Any, Any]:
    """The new array of a held constant from values typed in the inspector: nested lists of
    the held array's shape, cast to its dtype without losing kind (no floats into ints)."""
    old = host_array(held)
    if editable_values(old) is None:
        raise EditError(
            f"{name[:70]!r} holds {old.size:,} {old.dtype} values; the inspector edits arrays of "
            f"at most {MAX_EDITABLE_VALUES} finite numbers (set a new array from Python)"
        )
    try:
        typed = np.asarray(value)
    except (ValueError, TypeError):
        typed = np.asarray(None)
    if typed.dtype.kind not in "biuf":
        raise EditError(f"{name[:70]!r}'s values are numbers in nested lists")
    if typed.shape != old.shape:
        raise EditError(f"{name[:70]!r} is {old.shape}: give {old.shape} values, not {typed.shape}")
    if not np.can_cast(typed.dtype, old.dtype, "same_kind"):
        raise EditError(f"{name[:70]!r} holds {old.dtype}: {typed.dtype} values do not fit")
    if typed.dtype.kind == "f" and not np.isfinite(typed).all():
        raise EditError(f"{name[:70]!r}'s values are finite numbers")
    cast = typed.astype(old.dtype)
    if old.dtype.kind in "biu" and not np.array_equal(cast, typed):
        raise EditError(f"{name[:70]!r} holds {old.dtype}: a value is out of its range")
    return cast


def to_json(value: Any) -> Any:
    """A param as plain JSON for the browser: tuples as arrays, dtypes as names; slices and the
    like in the graph file's tagged form; arrays as {"array": key} into the kernel's store;
    non-finite floats as {"float": "nan"}."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else {"float": repr(f)}
    if isinstance(value, (tuple, list)):
        return [to_json(v) for v in value]
    if isinstance(value, np.dtype):
        return str(value)
    return encode(value, _KernelArrays(), "param")


# ---- JSON -> engine value ----------------------------------------------------------------------
def _tuples(value: Any) -> Any:
    """JSON arrays as tuples (the engine's params hold tuples), tagged objects decoded."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        if len(value) != 1:
            raise EditError(f"{str(value)[:60]} is not a param value")
        if next(iter(value)) == "array":
            return _param_array(value["array"])
        try:
            return _Decoder({"name": "param"}, _ParamArrayLookup())._decode(value, "value")  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError) as exc:
            raise EditError(f"cannot read {str(value)[:60]}: {exc}") from None
    return value


def _dtype(value: Any, allowed: tuple[str, ...] = DTYPES) -> np.dtype[Any]:
    name = str(value) if isinstance(value, np.dtype) else value
    if not isinstance(name, str) or name not in allowed:
        raise EditError(f"dtype must be one of {', '.join(allowed)}, not {str(value)[:40]!r}")
    return np.dtype(name)


def op_param(op: OpDef, name: str, value: Any) -> Any:
    """One op param from JSON (or an engine value), checked against its declared kind."""
    if not isinstance(name, str) or name not in op.param_names:
        have = ", ".join(sorted(op.param_names)) or "none"
        raise EditError(f"{op.name} has no param {str(name)[:60]!r} (its params: {have})")
    native = _dtype(value) if param_kind(op.name, name) == "dtype" else _tuples(value)
    check_op_params(op, {name: native}, ranks=None, n_inputs=None, complete=False)
    return native


def check_op_params(
    op: OpDef,
    params: dict[str, Any],
    ranks: list[int] | None,
    n_inputs: int | None,
    complete: bool,
) -> None:
    """Raise EditError when a param is of the wrong kind (ranks unknown: None), or, when
    `complete`, when one is unknown or a required one is missing."""
    if n_inputs is None:  # the form only: as many index inputs as the index says
        markers = sum(1 for v in params.get("index", ()) or () if isinstance(v, str) and v == INPUT)
        n_inputs = {"getitem": 1, "index_add": 1, "setitem": 2}.get(op.name, 1) + markers
    ctx = Context(op, ranks or [], n_inputs)
    try:
        if complete:
            check_params(op, params, ctx, op.name)
            return
        for name, value in params.items():
            kind = param_kind(op.name, name)
            if kind is None:
                raise EditError(f"{op.name}'s param {name!r} has no declared kind")
            KINDS[kind](value, f"{op.name}.{name}", ctx)
    except GraphFormatError as exc:
        raise EditError(f"{exc.path}: {exc.reason}") from None


def op_params(op: OpDef, params: Any) -> dict[str, Any]:
    """An op node's params from JSON: each checked, defaults filled in (required ones may be
    missing: the node shows the error until they are set)."""
    if not isinstance(params, dict):
        raise EditError("params must be an object")
    given = {k: op_param(op, k, v) for k, v in params.items()}
    return {**op.defaults(), **given}


def _shape(value: Any, named: bool) -> tuple[Any, ...]:
    if not isinstance(value, (list, tuple)) or len(value) > MAX_RANK:
        raise EditError(f"shape must be a list of at most {MAX_RANK} dims")
    dims: list[Any] = []
    for d in value:
        if type(d) is int and 0 <= d <= 2**40:
            dims.append(d)
        elif named and d is None:
            dims.append(None)
        elif named and isinstance(d, str) and 0 < len(d) <= MAX_DIM_NAME:
            dims.append(d)
        else:
            what = "ints >= 0, names like 'batch' or null" if named else "ints >= 0"
            raise EditError(f"shape dims must be {what}, not {str(d)[:40]!r}")
    return tuple(dims)


def _elements(shape: tuple[int, ...]) -> None:
    if math.prod(shape) > MAX_LEAF_ELEMENTS:
        raise EditError(
            f"shape {shape} has {math.prod(shape):,} elements; the editor makes variables and "
            f"constants of at most {MAX_LEAF_ELEMENTS:,} (load bigger ones from arrays)"
        )


def leaf_param(kind: str, name: str, value: Any, held: bool) -> Any:
    """One placeholder/variable/constant param from JSON, checked (`held`: the kernel holds
    the node's array, so its shape and dtype follow the array)."""
    allowed = LEAF_PARAMS[kind]
    if not isinstance(name, str) or name not in allowed:
        raise EditError(f"a {kind} has no param {str(name)[:60]!r} (its params: {allowed})")
    if held and name != "requires_grad":
        raise EditError(f"this {kind}'s {name} is its array's; set a new value from Python")
    if name == "shape":
        shape = _shape(value, named=kind == "placeholder")
        if kind != "placeholder":
            _elements(shape)
        return shape
    if name == "dtype":
        return _dtype(value, FLOAT_DTYPES if kind == "variable" else DTYPES)
    if name == "init":
        if value not in INITS and not (held and value == HELD):
            raise EditError(f"init must be one of {', '.join(INITS)}, not {str(value)[:40]!r}")
        return value
    if name == "requires_grad":
        if type(value) is not bool:
            raise EditError("requires_grad must be true or false")
        return value
    return _constant_value(value)


def _constant_value(value: Any) -> Any:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        arr = np.asarray(None)
    if arr.dtype.kind not in "biuf" or arr.size > MAX_CONSTANT_LITERAL:
        raise EditError(
            f"a constant's value is a number or a nested list of at most "
            f"{MAX_CONSTANT_LITERAL:,} numbers"
        )
    return _tuples(value) if isinstance(value, list) else value


def leaf_params(kind: str, params: Any, held: bool = False) -> dict[str, Any]:
    """A leaf's params from JSON with defaults filled in (float32; variables: zeros-initialised,
    trainable; placeholders: shape ('batch',))."""
    if not isinstance(params, dict):
        raise EditError("params must be an object")
    defaults: dict[str, Any] = {
        "placeholder": {"shape": ("batch",), "dtype": np.dtype("float32")},
        "variable": {
            "shape": (1,),
            "dtype": np.dtype("float32"),
            "init": "zeros",
            "requires_grad": True,
        },
        "constant": {"value": 0.0, "dtype": np.dtype("float32")},
    }[kind]
    if held:  # the type is the array's: only the variable's flags are params
        if kind == "constant" and params:
            raise EditError("a constant holding an array has no params")
        extra = set(params) - {"init", "requires_grad"}
        if extra or params.get("init", HELD) != HELD:
            raise EditError(f"a variable holding an array has params init={HELD!r}, requires_grad")
        grad = params.get("requires_grad", True)
        if type(grad) is not bool:
            raise EditError("requires_grad must be true or false")
        return {} if kind == "constant" else {"init": HELD, "requires_grad": grad}
    given = {k: leaf_param(kind, k, v, held=False) for k, v in params.items()}
    out = {**defaults, **given}
    if kind == "constant":
        out.pop("shape", None)
    return out
