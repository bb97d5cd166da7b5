"""The session's step history: a health summary of every step, value copies for the last few."""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, overload

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
    value: Any = None  # the output, kept only for the last max_values steps
    # whether value is the history's own copy (else the run's array, never written again)
    owned: bool = False

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


PoolKey = tuple[tuple[int, ...], np.dtype[Any]]


class Stretch(Protocol):
    """Steps recorded together without values (the fast continue's): made into Steps on demand."""

    start: int  # the history position of its first step
    length: int

    def step(self, j: int) -> Step:
        """Its j-th step's record."""
        ...

    def settle(self) -> None:
        """Work out now what its records would work out when read (their zero counts)."""
        ...


class StepLog:
    """The history's steps in order: Step records, and stretches of steps made into records
    only when read (a long continue records no object per node)."""

    def __init__(self) -> None:
        self._items: list[Step | None] = []  # None: a stretch's step not asked for yet
        self._stretches: list[Stretch] = []
        self._starts: list[int] = []

    def append(self, step: Step) -> None:
        self._items.append(step)

    def add_stretch(self, stretch: Stretch) -> None:
        """Append a stretch's steps (its start is the current length)."""
        self._stretches.append(stretch)
        self._starts.append(len(self._items))
        self._items.extend([None] * stretch.length)

    def _made(self, i: int) -> Step:
        s = self._items[i]
        if s is None:
            at = bisect_right(self._starts, i) - 1
            s = self._items[i] = self._stretches[at].step(i - self._starts[at])
        return s

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> list[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | list[Step]:
        if isinstance(i, slice):
            return [self._made(j) for j in range(*i.indices(len(self._items)))]
        return self._made(i + len(self._items) if i < 0 else i)

    def __iter__(self) -> Iterator[Step]:
        return (self._made(j) for j in range(len(self._items)))

    def __reversed__(self) -> Iterator[Step]:
        return (self._made(j) for j in range(len(self._items) - 1, -1, -1))

    @property
    def stretches(self) -> list[Stretch]:
        """The stretches, in order."""
        return list(self._stretches)

    def cut(self, length: int) -> list[Step]:
        """Drop the steps from position `length` on; the records among them, newest first."""
        items = self._items
        dropped = [s for s in reversed(items[length:]) if s is not None]
        del items[length:]
        while self._stretches and self._starts[-1] >= length:
            self._stretches.pop()
            self._starts.pop()
        if self._stretches:
            last = self._stretches[-1]
            last.length = min(last.length, length - self._starts[-1])
        return dropped


class History:
    """Every step's Health (small, unbounded) and the last max_values outputs (bounded,
    optionally also by max_bytes).

    A kept output is a copy, or the run's own array where the run never writes that memory
    again (add(stable=True): as good as a copy, and free). Copies let go of (the oldest, or
    those of steps taken back) are kept as spares and reused for the next copies of the same
    shape and dtype, so a copy is a copyto into warm memory; spares count against the caps
    with the values. total_bytes is what the history holds: kept values plus spares.
    """

    def __init__(self, max_values: int = DEFAULT_MAX_VALUES, max_bytes: int | None = None) -> None:
        self.max_values = max_values
        self.max_bytes = max_bytes
        self.steps = StepLog()
        self._kept: deque[Step] = deque()
        self.kept_bytes = 0
        self._spares: dict[PoolKey, list[Any]] = {}  # spare copies by (shape, dtype)
        self._spare_count = 0
        self.spare_bytes = 0
        self._dropped: list[weakref.ref[Health]] = []  # pending healths of steps just dropped

    @property
    def total_bytes(self) -> int:
        """Bytes of the arrays the history holds: the values it keeps and its spare copies."""
        return self.kept_bytes + self.spare_bytes

    def add(self, step: Step, value: Any, stable: bool = False) -> None:
        """Append a step, keeping its value if the cap allows (dropping the oldest ones).

        step.health may have a pending zero count (pending_health(value)): it is settled here,
        or pointed at the kept value. stable: the run never writes value's memory again, so
        the value itself is kept, not a copy."""
        self.steps.append(step)
        health = step.health
        if self.max_values <= 0:
            health.settle()
            return
        if type(value) is not np.ndarray:
            value, stable = np.array(value, copy=True), True  # a scalar's copy is ours
        kept = self._kept
        if not stable and len(kept) >= self.max_values and self.max_bytes is None:
            old = kept[0]
            a = old.value
            if old.owned and a.shape == value.shape and a.dtype == value.dtype:
                # the steady state of a long run: the oldest copy becomes the newest
                kept.popleft()
                old.health.settle()
                old.value, old.owned = None, False
                np.copyto(a, value)
                step.value, step.owned = a, True
                health.count_from(a)
                kept.append(step)
                return
        nbytes = value.nbytes
        cap_bytes = self.max_bytes
        if cap_bytes is not None and nbytes > cap_bytes:
            health.settle()
            return
        while kept and (
            len(kept) >= self.max_values
            or (cap_bytes is not None and self.kept_bytes + nbytes > cap_bytes)
        ):
            self._evict()
        if stable:
            step.value = value
        else:
            step.value = self._take(value)
            step.owned = True
        health.count_from(step.value)
        kept.append(step)
        self.kept_bytes += nbytes
        self._trim_spares()

    def add_stretch(self, stretch: Stretch) -> None:
        """Append steps run without keeping their values (their healths come with them)."""
        self.steps.add_stretch(stretch)

    def _evict(self) -> None:
        """Let go of the oldest kept value (its health counted first); a copy becomes a spare."""
        old = self._kept.popleft()
        old.health.settle()
        self.kept_bytes -= old.value.nbytes
        if old.owned:
            self._spare(old.value)
        old.value = None
        old.owned = False

    def _spare(self, a: Any) -> None:
        self._spares.setdefault((a.shape, a.dtype), []).append(a)
        self._spare_count += 1
        self.spare_bytes += a.nbytes

    def _take(self, value: Any) -> Any:
        """A copy of value: in a spare of its shape and dtype, or in new memory."""
        key = (value.shape, value.dtype)
        spares = self._spares.get(key)
        if not spares:
            return np.array(value, copy=True)
        a = spares.pop()
        if not spares:
            del self._spares[key]
        self._spare_count -= 1
        self.spare_bytes -= a.nbytes
        np.copyto(a, value)
        return a

    def _trim_spares(self) -> None:
        """Free spares beyond the caps (values kept and spares together)."""
        cap_bytes = self.max_bytes
        while self._spare_count and (
            len(self._kept) + self._spare_count > self.max_values
            or (cap_bytes is not None and self.total_bytes > cap_bytes)
        ):
            key = next(iter(self._spares))
            spares = self._spares[key]
            a = spares.pop()
            if not spares:
                del self._spares[key]
            self._spare_count -= 1
            self.spare_bytes -= a.nbytes

    def own(self, position: int) -> None:
        """Make the value kept for the step at `position` a copy of the history's own (before
        the run writes the memory it shares, as a what-if re-run in place does)."""
        s = self.steps[position]
        if s.value is not None and not s.owned:
            s.value = self._take(s.value)
            s.owned = True
            s.health.count_from(s.value)

    def detach(self) -> None:
        """Copy the kept values that are the run's own memory (before steps that record no
        value run: they may write that memory while the values are still kept)."""
        for s in self._kept:
            if not s.owned:
                s.value = self._take(s.value)
                s.owned = True
                s.health.count_from(s.value)
        self._trim_spares()

    def truncate(self, length: int) -> None:
        """Forget the steps from position `length` on (after a step back or a restart); their
        copies become spares, and the run may write the memory of the values it shared."""
        self._forget(length)
        # a dropped step's zero count reads the memory about to be reused: count it now if
        # somebody still holds that step (nobody does, as a rule: then it is never counted)
        for ref in self._dropped:
            h = ref()
            if h is not None:
                h.settle()
        self._dropped.clear()

    def _forget(self, length: int) -> None:
        kept = self._kept
        for s in self.steps.cut(length):
            if s.value is None:
                if s.health.pending:
                    self._dropped.append(weakref.ref(s.health))
                continue
            kept.pop()  # kept values are the newest steps': the deque's right end
            self.kept_bytes -= s.value.nbytes
            if s.owned:
                self._spare(s.value)
            if s.health.pending:
                self._dropped.append(weakref.ref(s.health))
            s.value = None
            s.owned = False

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
            f"({self.kept_bytes} B, {self.spare_bytes} B spare, cap {self.max_values})>"
        )
