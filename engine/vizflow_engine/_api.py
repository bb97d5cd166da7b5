"""`dir()` of a public module lists its API only (PEP 562 `__dir__`): the names in its
`__all__`, not the helpers it imports (np, math, Any…)."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def public_dir(names: Sequence[str]) -> Callable[[], list[str]]:
    """A module `__dir__` returning `names` sorted (read when called, so later additions to
    the module's `__all__` list count)."""
    return lambda: sorted(set(names))
