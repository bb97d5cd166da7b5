"""Per-thread engine state read on every op: grad mode, name scope, phase, tape."""

from __future__ import annotations

import threading
from typing import Any

_CTX_FIELDS = frozenset(("grad_enabled", "scope", "phase", "forward_of"))
_set = threading.local.__setattr__

Saved = tuple[bool, str, str, Any, bool]
"""All five fields, as save() returns them: (grad_enabled, scope, phase, forward_of, raw)."""


class _State(threading.local):
    """Thread-local flags: grad mode, scope path, phase, node being differentiated.

    Reading an attribute of a thread-local costs several times a plain attribute, so the
    four fields every recorded op needs are also kept together in `ctx`, a tuple
    (grad_enabled, scope, phase, forward_of) that assignments keep up to date: the hot path
    reads one attribute instead of four. Assign the fields as usual; never assign `ctx`.
    """

    grad_enabled: bool
    scope: str
    phase: str
    forward_of: Any
    raw: bool
    ctx: tuple[bool, str, str, Any]

    def __init__(self) -> None:
        set_ = super().__setattr__
        set_("grad_enabled", True)
        set_("scope", "")
        set_("phase", "forward")
        set_("forward_of", None)
        set_("raw", False)  # backward without create_graph: vjps run on raw arrays
        set_("ctx", (True, "", "forward", None))

    def __setattr__(self, name: str, value: Any) -> None:
        _set(self, name, value)
        if name in _CTX_FIELDS:
            _set(self, "ctx", (self.grad_enabled, self.scope, self.phase, self.forward_of))

    def save(self) -> Saved:
        """Every field at once, for restore() (backward swaps them all per call)."""
        return (*self.ctx, self.raw)

    def restore(self, saved: Saved) -> None:
        """Set every field from a save()-shaped tuple, rebuilding ctx once, not per field."""
        grad_enabled, scope, phase, forward_of, raw = saved
        _set(self, "grad_enabled", grad_enabled)
        _set(self, "scope", scope)
        _set(self, "phase", phase)
        _set(self, "forward_of", forward_of)
        _set(self, "raw", raw)
        _set(self, "ctx", saved[:4])


STATE = _State()
