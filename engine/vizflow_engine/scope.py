"""Name scopes (slash paths like "encoder/layer3") and phases stamped on recorded nodes.

Module calls are numbered within one call of the top-level module: a child called
repeatedly (an RNN cell in a time loop) runs in `cell`, `cell[1]`, `cell[2]`, … and
`numbered_scopes` renames the first to `cell[0]` once the whole graph is known, so every
time step is its own group while a module called once keeps its plain name.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ._state import STATE

CALL_COUNTS: ContextVar[dict[str, int] | None] = ContextVar("vizflow_call_counts", default=None)
"""Calls so far of each scope path within the current top-level module call (None outside
one, so nothing is numbered and nothing grows across training iterations)."""

_OWNERS: dict[str, tuple[str, weakref.ref[Any]]] = {}
# scope path -> (class name, the module weakly held) of the last module called under it
_INSTANCE = re.compile(r"\[\d+\]$")


def instance_path(path: str, owner: Any) -> str:
    """The scope path of this call of `owner` at `path`: `path[k]` for its k-th repeated
    call (k >= 1) within the current top-level call; records `owner` under the result."""
    counts = CALL_COUNTS.get()
    if counts is not None:
        k = counts.get(path, 0)
        counts[path] = k + 1
        if k:  # a repeat: its owner is the first instance's (see _entry)
            return f"{path}[{k}]"
    entry = _OWNERS.get(path)
    if entry is None or entry[1]() is not owner:  # new entries only: calls stay cheap
        _OWNERS[path] = (type(owner).__name__, weakref.ref(owner))
    return path


def _entry(path: str) -> tuple[str, weakref.ref[Any]] | None:
    """The owner entry of a recorded path; `cell[3]` shares the entry of `cell`."""
    entry = _OWNERS.get(path)
    if entry is None and path.endswith("]"):
        entry = _OWNERS.get(_INSTANCE.sub("", path))
    return entry


def scope_owner(path: str) -> Any:
    """The module (or other owner) last called under this recorded scope path, or None
    (also once it is garbage)."""
    entry = _entry(path)
    return entry[1]() if entry is not None else None


def scope_type(path: str) -> str | None:
    """The class name of the module last called under this recorded scope path, or None."""
    entry = _entry(path)
    return entry[0] if entry is not None else None


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
    STATE.scope = f"{prev}/{name}" if prev else name
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
