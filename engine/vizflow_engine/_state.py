"""Per-thread engine state read on every op: grad mode, name scope, phase, tape."""

from __future__ import annotations

import threading
from typing import Any


class _State(threading.local):
    """Thread-local flags: grad mode, scope path, phase, node being differentiated."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.scope = ""
        self.phase = "forward"
        self.forward_of: Any = None
        self.raw = False  # backward without create_graph: vjps run on raw arrays


STATE = _State()
