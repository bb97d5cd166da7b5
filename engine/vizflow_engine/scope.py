"""Name scopes (slash paths like "encoder/layer3") and phases stamped on recorded nodes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ._state import STATE


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
