"""The session's step history: a health summary of every step, value copies for the last few."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from .health import Health

DEFAULT_MAX_VALUES = 1000


@dataclass(slots=True)
class Step:
    """One executed step: which node, its phase, its output's health, and (recent) its value."""

    index: int  # the plan step (position in the run)
    name: str
    op: str
    phase: str
    health: Health
    time_s: float
    value: Any = None  # a copy of the output, kept only for the last max_values steps

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the widget's timeline (no arrays)."""
        return {
            "index": self.index,
            "name": self.name,
            "op": self.op,
            "phase": self.phase,
            "health": self.health.to_json(),
            "time_us": self.time_s * 1e6,
            "has_value": self.value is not None,
        }


class History:
    """Every step's Health (small, unbounded) and copies of the last max_values outputs
    (bounded, optionally also by max_bytes); total_bytes says what the copies hold."""

    def __init__(self, max_values: int = DEFAULT_MAX_VALUES, max_bytes: int | None = None) -> None:
        self.max_values = max_values
        self.max_bytes = max_bytes
        self.steps: list[Step] = []
        self._kept: deque[Step] = deque()
        self.total_bytes = 0

    def add(self, step: Step, value: Any) -> None:
        """Append a step, copying its value if the cap allows, dropping the oldest copies."""
        self.steps.append(step)
        if self.max_values <= 0:
            return
        copy = np.array(value, copy=True)
        if self.max_bytes is not None and copy.nbytes > self.max_bytes:
            return
        step.value = copy
        self._kept.append(step)
        self.total_bytes += copy.nbytes
        while len(self._kept) > self.max_values or (
            self.max_bytes is not None and self.total_bytes > self.max_bytes
        ):
            old = self._kept.popleft()
            self.total_bytes -= old.value.nbytes
            old.value = None

    def truncate(self, length: int) -> None:
        """Forget the steps from position `length` on (after a step back or a restart)."""
        while len(self.steps) > length:
            s = self.steps.pop()
            if s.value is not None:  # kept copies are the newest steps: the deque's right end
                self.total_bytes -= s.value.nbytes
                s.value = None
                self._kept.pop()

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def summary(self, last: int = 200) -> dict[str, Any]:
        """What the widget shows: counts, bytes held, the cap, and the last `last` steps."""
        return {
            "steps": len(self.steps),
            "values_kept": len(self._kept),
            "total_bytes": self.total_bytes,
            "max_values": self.max_values,
            "recent": [s.to_json() for s in self.steps[-last:]],
        }

    def __repr__(self) -> str:
        return (
            f"<History {len(self.steps)} steps, {len(self._kept)} values kept "
            f"({self.total_bytes} B, cap {self.max_values})>"
        )
