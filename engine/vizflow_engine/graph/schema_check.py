"""Strict JSON parsing and a JSON Schema validator compiled once, for graph.schema.json.

The engine needs numpy only, so it carries its own validator for the subset of JSON Schema
(2020-12) the graph format uses; a keyword outside that subset fails at compile time, so the
schema cannot silently outgrow it. Errors are GraphFormatError: the JSON path and one reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .errors import GraphFormatError
from .limits import MAX_DEPTH

Check = Callable[[Any, Any], None]  # (value, lazy path) -> None

_NOTES = frozenset({"$schema", "$id", "$defs", "title", "description"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def member(path: str, key: str) -> str:
    """The JSON path of object member `key` under `path` ($.a.b, or $.a["odd key"])."""
    if _IDENT.fullmatch(key) and len(key) <= 64:
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key if len(key) <= 40 else key[:37] + '...')}]"


def json_type(v: Any) -> str:
    """The JSON type name of a parsed value (\"tuple\" and the like for non-JSON objects)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _Duplicate(k)
            seen.add(k)
    return d


def _constant(name: str) -> Any:
    raise GraphFormatError(
        "$", f'{name} is not JSON (write non-finite floats as {{"float": "nan"}})'
    )


def parse(text: str | bytes) -> Any:
    """JSON text as Python objects; GraphFormatError for bad JSON, duplicate keys, NaN."""
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except RecursionError:
        raise GraphFormatError(
            "$", f"nested too deeply to parse (a graph file needs at most {MAX_DEPTH} levels)"
        ) from None
    except _Duplicate as dup:
        raise GraphFormatError("$", f"an object has the key {dup.key[:40]!r} twice") from None
    except json.JSONDecodeError as exc:
        raise GraphFormatError(
            "$", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # undecodable bytes, integers with too many digits
        raise GraphFormatError("$", f"not valid JSON: {str(exc).splitlines()[0][:160]}") from None


def check_depth(doc: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `limit`, and (for a dict given in place of JSON text) any
    value json.loads could not have made; walked without recursion, before anything recurses."""
    stack: list[tuple[Any, int, Path]] = [(doc, 0, ROOT)]
    while stack:
        v, depth, path = stack.pop()
        if depth > limit:
            raise GraphFormatError(render(path), f"nested more than {limit} levels deep")
        items = v.items() if v.__class__ is dict else enumerate(v)
        for k, x in items:
            cls = x.__class__
            if cls is dict or cls is list:
                stack.append((x, depth + 1, (path, k)))
            elif cls not in _SCALARS or (v.__class__ is dict and k.__class__ is not str):
                bad_key = v.__class__ is dict and k.__class__ is not str
                what = f"the key {k!r}" if bad_key else f"a {cls.__name__}"
                raise GraphFormatError(render((path, k)), f"{what} is not JSON")


_SCALARS = frozenset({str, int, float, bool, type(None)})
Path = Any  # ROOT, or (parent path, key or index): rendered only when an error is raised
ROOT: Path = "$"


def render(path: Path) -> str:
    """A lazy path as a JSON path string: $.nodes[3].params.axis."""
    parts = []
    while path is not ROOT:
        path, key = path
        parts.append(key)
    text = ROOT
    for key in reversed(parts):
        text = f"{text}[{key}]" if isinstance(key, int) else member(text, str(key))
    return text


def _fail(path: Path, reason: str) -> GraphFormatError:
    return GraphFormatError(render(path), reason)


def _short(v: Any) -> str:
    text = (
        json.dumps(v)
        if json_type(v) in ("null", "boolean", "integer", "number", "string")
        else json_type(v)
    )
    return text if len(text) <= 40 else text[:37] + "..."


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "array": (list,),
    "object": (dict,),
}


def _py_types(types: tuple[str, ...]) -> frozenset[type]:
    """The exact Python classes json.loads gives for these JSON types (bool is not an int)."""
    return frozenset(t for name in types for t in _PY_TYPES[name])


class _Compiler:
    """Turns schema objects into check functions; $refs resolve lazily (the schema recurses)."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, target: str) -> Check:
        if not target.startswith("#/"):
            raise ValueError(f"only local $refs are supported, not {target!r}")

        def check(v: Any, path: Path) -> None:
            fn = self.refs.get(target)
            if fn is None:
                node: Any = self.root
                for part in target[2:].split("/"):
                    node = node[part]
                fn = self.refs[target] = self.compile(node)
            fn(v, path)

        return check

    def compile(self, s: dict[str, Any]) -> Check:
        checks: list[Check] = []
        for key, arg in s.items():
            if key in _NOTES:
                continue
            make = getattr(self, "k_" + key.lstrip("$"), None)
            if make is None:
                raise ValueError(f"schema keyword {key!r} is not supported by this validator")
            checks.append(make(arg, s))
        # the type check runs first, so the others can assume the value's type
        checks.sort(key=lambda c: getattr(c, "order", 1))
        if len(checks) == 1:
            return checks[0]

        def check(v: Any, path: Path) -> None:
            for c in checks:
                c(v, path)

        return check

    # ---- keywords ---------------------------------------------------------------------------
    def k_ref(self, arg: str, s: dict[str, Any]) -> Check:
        return self.ref(arg)

    def k_type(self, arg: str | list[str], s: dict[str, Any]) -> Check:
        types = (arg,) if isinstance(arg, str) else tuple(arg)
        classes = _py_types(types)
        want = " or ".join(types)

        def check(v: Any, path: Path) -> None:
            if v.__class__ not in classes:
                raise _fail(path, f"must be {want}, not {json_type(v)} {_short(v)}")

        check.order = 0  # type: ignore[attr-defined]
        return check

    def k_const(self, arg: Any, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if json_type(v) != json_type(arg) or v != arg:
                raise _fail(path, f"must be {json.dumps(arg)}, not {_short(v)}")

        return check

    def k_enum(self, arg: list[Any], s: dict[str, Any]) -> Check:
        allowed = {(json_type(a), a) for a in arg}
        want = ", ".join(json.dumps(a) for a in arg)

        def check(v: Any, path: Path) -> None:
            t = json_type(v)
            if t in ("object", "array") or (t, v) not in allowed:
                raise _fail(path, f"must be one of {want}; not {_short(v)}")

        return check

    def k_required(self, arg: list[str], s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ is dict:
                for k in arg:
                    if k not in v:
                        raise _fail(path, f"missing field {k!r}")

        return check

    def k_properties(self, arg: dict[str, Any], s: dict[str, Any]) -> Check:
        props = {k: self.compile(sub) for k, sub in arg.items()}

        def check(v: Any, path: Path) -> None:
            if v.__class__ is dict:
                for k, fn in props.items():
                    if k in v:
                        fn(v[k], (path, k))

        return check

    def k_additionalProperties(self, arg: Any, s: dict[str, Any]) -> Check:
        known = set(s.get("properties", {}))
        extra = self.compile(arg) if isinstance(arg, dict) else None

        def check(v: Any, path: Path) -> None:
            if v.__class__ is not dict:
                return
            for k, x in v.items():
                if k in known:
                    continue
                if extra is None:
                    raise _fail((path, k), "unknown field")
                extra(x, (path, k))

        return check

    def k_maxProperties(self, arg: int, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ is dict and len(v) > arg:
                raise _fail(path, f"has {len(v)} fields; at most {arg} are allowed")

        return check

    def k_propertyNames(self, arg: dict[str, Any], s: dict[str, Any]) -> Check:
        fn = self.compile(arg)

        def check(v: Any, path: Path) -> None:
            if v.__class__ is dict:
                for k in v:
                    fn(k, (path, k))

        return check

    def k_items(self, arg: dict[str, Any], s: dict[str, Any]) -> Check:
        fn = self.compile(arg)
        skip = len(s.get("prefixItems", ()))

        def check(v: Any, path: Path) -> None:
            if v.__class__ is list:
                for i in range(skip, len(v)):
                    fn(v[i], (path, i))

        return check

    def k_prefixItems(self, arg: list[dict[str, Any]], s: dict[str, Any]) -> Check:
        fns = [self.compile(sub) for sub in arg]

        def check(v: Any, path: Path) -> None:
            if v.__class__ is list:
                for i, (x, fn) in enumerate(zip(v, fns, strict=False)):
                    fn(x, (path, i))

        return check

    def k_minItems(self, arg: int, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ is list and len(v) < arg:
                raise _fail(path, f"has {len(v)} entries; at least {arg} are needed")

        return check

    def k_maxItems(self, arg: int, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ is list and len(v) > arg:
                raise _fail(path, f"has {len(v)} entries; at most {arg} are allowed")

        return check

    def k_minLength(self, arg: int, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ is str and len(v) < arg:
                raise _fail(path, f"must have at least {arg} characters")

        return check

    def k_maxLength(self, arg: int, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ is str and len(v) > arg:
                raise _fail(path, f"is {len(v)} characters long; at most {arg} are allowed")

        return check

    def k_pattern(self, arg: str, s: dict[str, Any]) -> Check:
        rx = re.compile(arg)

        def check(v: Any, path: Path) -> None:
            if v.__class__ is str and not rx.search(v):
                raise _fail(path, f"{_short(v)} does not match {arg}")

        return check

    def k_minimum(self, arg: float, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ in (int, float) and v < arg:
                raise _fail(path, f"must be at least {arg}, not {_short(v)}")

        return check

    def k_maximum(self, arg: float, s: dict[str, Any]) -> Check:
        def check(v: Any, path: Path) -> None:
            if v.__class__ in (int, float) and v > arg:
                raise _fail(path, f"must be at most {arg}, not {_short(v)}")

        return check

    def k_allOf(self, arg: list[dict[str, Any]], s: dict[str, Any]) -> Check:
        fns = [self.compile(sub) for sub in arg]

        def check(v: Any, path: Path) -> None:
            for fn in fns:
                fn(v, path)

        return check

    def k_anyOf(self, arg: list[dict[str, Any]], s: dict[str, Any]) -> Check:
        return self._alternatives(arg, exactly_one=False)

    def k_oneOf(self, arg: list[dict[str, Any]], s: dict[str, Any]) -> Check:
        return self._alternatives(arg, exactly_one=True)

    def _alternatives(self, branches: list[dict[str, Any]], exactly_one: bool) -> Check:
        """anyOf/oneOf. Only branches the value's type and keys fit are tried (the others
        would fail their type or required check); with none passing, the error of the one
        branch aimed at is reported, or the list of forms."""
        forms = []
        for b in branches:
            types, keys = _signature(b)
            forms.append((self.compile(b), _py_types(types), keys))
        described = " or ".join(_describe(b) for b in branches)

        def check(v: Any, path: Path) -> None:
            passed = 0
            aimed: list[GraphFormatError] = []
            cls = v.__class__
            for fn, classes, keys in forms:
                if cls not in classes or (keys and not keys <= v.keys()):
                    continue
                try:
                    fn(v, path)
                except GraphFormatError as exc:
                    aimed.append(exc)
                    continue
                passed += 1
                if not exactly_one:
                    return
            if passed == 1:
                return
            if passed > 1:
                raise _fail(path, f"matches more than one of: {described}")
            if len(aimed) == 1:
                raise aimed[0]
            raise _fail(path, f"must be {described}; not {_short(v)}")

        return check


_ALL_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


def _signature(s: dict[str, Any]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The JSON types a branch can accept and the keys it requires (to aim error reports)."""
    if "type" in s:
        t = s["type"]
        types: tuple[str, ...] = (t,) if isinstance(t, str) else tuple(t)
    elif "const" in s:
        types = (json_type(s["const"]),)
    elif "enum" in s:
        types = tuple({json_type(a) for a in s["enum"]})
    else:
        types = _ALL_TYPES
    return types, frozenset(s.get("required", ()))


def _describe(s: dict[str, Any]) -> str:
    types, keys = _signature(s)
    if keys:
        return "{" + ", ".join(f'"{k}": …' for k in sorted(keys)) + "}"
    return "/".join(types)


def compile_schema(schema: dict[str, Any]) -> Check:
    """A function (doc, ROOT) -> None that raises GraphFormatError where doc breaks the schema."""
    return _Compiler(schema).compile(schema)
