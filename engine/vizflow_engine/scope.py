"""Name scopes (slash paths like "encoder/layer3") and phases stamped on recorded nodes.

Module calls are numbered within one call of the top-level module: a child called
repeatedly (an RNN cell in a time loop) runs in `cell`, `cell[1]`, `cell[2]`, … and
`numbered_scopes` renames the first to `cell[0]` once the whole graph is known, so every
time step is its own group while a module called once keeps its plain name.

A scope path entered by a call is a ScopePath: the str, plus the class name and (weakly) the
module called under it and the path it is nested in. Nodes keep the path they ran in, so each
graph, recording and eager history carries its own owners (`scope_owners`): a model run later
under the same paths ("0", "1") does not relabel an earlier graph's groups.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ._state import STATE, get_state

CALL_COUNTS: ContextVar[dict[str, int] | None] = ContextVar("vizflow_call_counts", default=None)
"""Calls so far of each scope path within the current top-level module call (None outside
one, so nothing is numbered and nothing grows across training iterations)."""

_INSTANCE = re.compile(r"\[\d+\]$")
_LAST = "_vf_scope_path"  # an owner's attribute: (parent, path, its id, ScopePath) of its last call


class ScopePath(str):
    """A recorded scope path with its owner: `owner_type` (class name) and `owner` (a weak
    reference) of the module called under it, None for a plain name scope or a loaded
    graph's path, and `parent`, the ScopePath it is nested in (None at the top)."""

    owner_type: str | None
    owner: weakref.ref[Any] | None
    parent: ScopePath | None

    def module(self) -> Any:
        """The module called under this path, or None (none, or garbage by now)."""
        return self.owner() if self.owner is not None else None

    def __copy__(self) -> ScopePath:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ScopePath:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its class names and without the module (a weak reference)."""
        return (scope_path, (str(self), self.owner_type, None, self.parent))


def scope_path(path: str, owner_type: str | None, owner: Any, parent: str | None) -> ScopePath:
    """The ScopePath `path` owned by `owner` (class name `owner_type`), nested in `parent`."""
    p = ScopePath(path)
    p.owner_type = owner_type
    p.owner = weakref.ref(owner) if owner is not None else None
    p.parent = parent if isinstance(parent, ScopePath) else None
    return p


def instance_path(path: str, owner: Any) -> str:
    """The scope path of this call of `owner` (a Module) at `path`, nested in the current
    scope: `path[k]` for its k-th repeated call (k >= 1) within the current top-level call."""
    counts = CALL_COUNTS.get()
    if counts is not None:
        k = counts.get(path, 0)
        counts[path] = k + 1
        if k:
            path = f"{path}[{k}]"
    parent = get_state()[1]
    held = owner.__dict__
    last = held.get(_LAST)
    # the same call as last time (each step of a training loop): the same path object
    if last is not None and last[0] is parent and last[1] == path and last[2] == id(owner):
        made: ScopePath = last[3]
        return made
    made = scope_path(path, type(owner).__name__, owner, parent)
    held[_LAST] = (parent, path, id(owner), made)
    return made


def scope_owners(scopes: Iterable[str]) -> dict[str, ScopePath]:
    """Every path (or enclosing path) of these recorded scopes that a module owns -> its
    ScopePath; where two modules ran under one path, the first one met."""
    found: dict[str, ScopePath] = {}
    seen: set[int] = set()
    for scope in scopes:
        p = scope if isinstance(scope, ScopePath) else None
        while p is not None and id(p) not in seen:
            seen.add(id(p))
            if p.owner_type is not None:
                found.setdefault(str(p), p)
            p = p.parent
    return found


def scope_types(scopes: Iterable[str]) -> dict[str, str]:
    """Recorded path -> class name of the module owning it, for these recorded scopes."""
    return {path: p.owner_type for path, p in scope_owners(scopes).items() if p.owner_type}


def typed_scope(path: str, types: Mapping[str, str], made: dict[str, ScopePath]) -> str:
    """`path` as a ScopePath whose enclosing paths carry the class names `types` gives (a
    graph file's scope_types), so a loaded graph labels its groups as the saved one did;
    `made` caches the paths made so far."""
    if not path:
        return path
    hit = made.get(path)
    if hit is not None:
        return hit
    parent: ScopePath | None = None
    end = 0
    while end != len(path):
        end = path.find("/", end + 1)
        end = len(path) if end == -1 else end
        prefix = path[:end]
        p = made.get(prefix)
        if p is None:
            p = made[prefix] = scope_path(prefix, types.get(prefix), None, parent)
        parent = p
    assert parent is not None
    return parent


def numbered_scopes(paths: Iterable[str]) -> dict[str, str]:
    """Recorded scope path -> the path shown: a segment whose scope was also entered as
    `segment[1]` under the same parent becomes `segment[0]` (the first of its instances)."""
    distinct = set(paths)
    prefixes: set[str] = set()
    for path in distinct:
        end = path.find("/")
        while end != -1:
            prefixes.add(path[:end])
            end = path.find("/", end + 1)
        prefixes.add(path)
    shown: dict[str, str] = {}
    for path in distinct:
        if not path:
            shown[path] = path
            continue
        parts = path.split("/")
        out: list[str] = []
        for i, segment in enumerate(parts):
            recorded = "/".join(parts[: i + 1])
            numbered = f"{recorded}[1]" in prefixes and not _INSTANCE.search(segment)
            out.append(f"{segment}[0]" if numbered else segment)
        shown[path] = "/".join(out)
    return shown


def is_instance(path: str) -> bool:
    """Whether the last segment of a shown scope path is a numbered call (`cell[3]`)."""
    return _INSTANCE.search(path) is not None


@contextmanager
def name_scope(name: str) -> Iterator[str]:
    """Nest recorded nodes under `name` (nn Modules use this); yields the full scope path."""
    prev = STATE.scope
    STATE.scope = scope_path(f"{prev}/{name}" if prev else name, None, None, prev)
    try:
        yield STATE.scope
    finally:
        STATE.scope = prev


def current_scope() -> str:
    """The slash path of the innermost active name scope ("" at top level)."""
    return STATE.scope


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Stamp nodes made inside with phase `name` ("forward", "backward" or "update")."""
    if name not in ("forward", "backward", "update"):
        raise ValueError(f"phase must be 'forward', 'backward' or 'update', not {name!r}")
    prev = STATE.phase
    STATE.phase = name
    try:
        yield
    finally:
        STATE.phase = prev
