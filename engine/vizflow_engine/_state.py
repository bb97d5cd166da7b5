"""Engine state read on every op: grad mode, name scope, phase, node differentiated, raw mode.

The five fields live together as one tuple in a ContextVar, so each thread (and each asyncio
task) has its own, and the hot path reads all of them with one C call: `get_state()` costs
about 20 ns where an attribute of a threading.local costs about 60. `STATE` offers the same
fields as attributes for everything that is not on the hot path.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

State = tuple[bool, str, str, Any, bool]
"""(grad_enabled, scope, phase, forward_of, raw), as get_state() returns them; recorded nodes
keep the tuple of their time (Node._ctx) for their scope, phase and forward_of."""

_VAR: ContextVar[State] = ContextVar(
    "vizflow_engine_state", default=(True, "", "forward", None, False)
)
get_state = _VAR.get
"""The current State tuple (the hot path's read)."""
set_state = _VAR.set
"""Replace the State tuple (Module calls enter and leave their scope with it)."""


def _field(index: int, doc: str) -> Any:
    """A property of _State that reads and writes one position of the State tuple."""

    def read(self: _State) -> Any:
        return _VAR.get()[index]

    def write(self: _State, value: Any) -> None:
        fields = list(_VAR.get())
        fields[index] = value
        _VAR.set(tuple(fields))

    return property(read, write, doc=doc)


class _State:
    """The State tuple's fields as attributes, and save()/restore() of all five at once."""

    grad_enabled: bool = _field(0, "Whether ops are recorded for autodiff.")
    scope: str = _field(1, "The module/name scope path new nodes get.")
    phase: str = _field(2, 'The phase new nodes get: "forward", "backward" or "update".')
    forward_of: Any = _field(3, "The forward node a backward node differentiates (or None).")
    raw: bool = _field(4, "Backward without create_graph: VJP rules run on raw arrays.")

    def save(self) -> State:
        """Every field at once, for restore() (backward swaps them all per call)."""
        return _VAR.get()

    def restore(self, saved: State) -> None:
        """Set every field from a save()-shaped tuple."""
        _VAR.set(saved)


STATE = _State()
