"""The session's step history: a health summary of every step, value copies for the last few."""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, overload

import numpy as np

from .health import Health, count_zeros, dtype_name

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

    def raw(self, i: int) -> Step | None:
        """The record at position i if it has been made (a stretch's may not have been)."""
        return self._items[i]

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


class StepNames(Protocol):
    """Per plan step: the name, op and phase a Step shows."""

    names: list[str]
    ops: list[str]
    phases: list[str]


class KeptStretch:
    """Steps run in bulk (the end of a fast continue) whose values the history keeps as they
    are, the run writing that memory again only after the history has let them go: records
    made when read, values let go oldest first as any (zero counts counted then)."""

    __slots__ = (
        "_gone",
        "_names",
        "_ticks",
        "counts",
        "first",
        "length",
        "nbytes",
        "start",
        "values",
    )

    def __init__(
        self, start: int, first: int, values: list[Any], ticks: list[float], names: StepNames
    ) -> None:
        self.start = start  # history position of its first step
        self.first = first  # plan step of its first step
        self.values: list[Any] = values  # by step; None once let go
        self.length = len(values)
        self.counts = [-1] * len(values)  # zero counts, -1 until counted
        self.nbytes = sum(v.nbytes for v in values)
        self._ticks = ticks  # the clock before the first step, then after each
        self._names = names
        self._gone: dict[int, tuple[tuple[int, ...], str]] = {}  # shape, dtype of those let go

    def step(self, j: int) -> Step:
        """The j-th step's record (its value the kept one, if still kept)."""
        k = self.first + j
        t = self._names
        v = self.values[j]
        c = self.counts[j]
        shape, dtype = (v.shape, dtype_name(v.dtype)) if v is not None else self._gone[j]
        h = Health(shape, dtype, 0, 0, 0, None if c < 0 else c, v)
        dt = self._ticks[j + 1] - self._ticks[j]
        return Step(k, t.names[k], t.ops[k], t.phases[k], h, dt, v)

    def let_go(self, j: int) -> int:
        """Forget the j-th value (its zero count counted first: its record may be read later);
        its bytes."""
        v = self.values[j]
        if self.counts[j] < 0:
            self.counts[j] = count_zeros(v)
        self._gone[j] = (v.shape, dtype_name(v.dtype))
        self.values[j] = None
        return int(v.nbytes)

    def settle(self) -> None:
        """Nothing to count ahead: each zero count is counted from its value when let go."""


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
        self._append = self.steps.append
        # kept values, oldest first: a Step, or (KeptStretch, j) until its record is made; and
        # each one's history position
        self._kept: deque[Any] = deque()
        self._kept_at: deque[int] = deque()
        self.kept_bytes = 0
        self._spares: dict[PoolKey, list[Any]] = {}  # spare copies by (shape, dtype)
        self._spare_count = 0
        self.spare_bytes = 0
        self._dropped: list[weakref.ref[Health]] = []  # pending healths of steps just dropped
        self._nonfinite: list[int] = []  # positions of the steps whose output was not finite

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
        if not health.finite:
            self._nonfinite.append(len(self.steps) - 1)
        if self.max_values <= 0:
            health.settle()
            return
        if type(value) is not np.ndarray:
            value, stable = np.array(value, copy=True), True  # a scalar's copy is ours
        kept = self._kept
        if not stable and len(kept) >= self.max_values and self.max_bytes is None:
            old = kept[0]
            a = old.value if type(old) is Step else None
            if a is not None and old.owned and a.shape == value.shape and a.dtype == value.dtype:
                # the steady state of a long run: the oldest copy becomes the newest
                kept.popleft()
                self._kept_at.popleft()
                old.health.settle()
                old.value, old.owned = None, False
                np.copyto(a, value)
                step.value, step.owned = a, True
                health.count_from(a)
                kept.append(step)
                self._kept_at.append(len(self.steps) - 1)
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
        self._kept_at.append(len(self.steps) - 1)
        self.kept_bytes += nbytes
        self._trim_spares()

    def keep(self, step: Step, value: Any) -> bool:
        """add(step, value, stable=True) for an array the run never writes again while the
        history keeps it, done at once when the history has room (no value to let go of, no
        byte cap); False (nothing done) otherwise."""
        kept = self._kept
        if self.max_bytes is not None or len(kept) >= self.max_values:
            return False
        self._append(step)
        step.value = value
        step.health.count_from(value)
        kept.append(step)
        self._kept_at.append(len(self.steps) - 1)
        self.kept_bytes += value.nbytes
        return True

    def kept_from(self, sizes: list[int]) -> int | None:
        """For values of these sizes about to be added, with nothing kept now: from which one
        on the caps keep them (those before would be let go by the end); None when values are
        kept now (adding would let them go, one by one)."""
        if self._kept:
            return None
        total, j = 0, len(sizes)
        cap_bytes = self.max_bytes
        while j > 0 and len(sizes) - j < self.max_values:
            if cap_bytes is not None and total + sizes[j - 1] > cap_bytes:
                break
            total += sizes[j - 1]
            j -= 1
        return j

    def add_health(self, step: Step) -> None:
        """Append a step whose value is not kept (the caps would let it go by the end of what
        is being added): its zero count is counted now (step.health.settle())."""
        step.health.settle()
        if not step.health.finite:
            self._nonfinite.append(len(self.steps))
        self._append(step)

    def finite_since(self, position: int) -> bool:
        """Whether every step from `position` on had a finite output."""
        return not self._nonfinite or self._nonfinite[-1] < position

    def add_kept(self, stretch: KeptStretch) -> None:
        """Append steps whose values are kept as they are (room(len(stretch)) must hold)."""
        start = len(self.steps)
        self.steps.add_stretch(stretch)
        self._kept.extend((stretch, j) for j in range(stretch.length))
        self._kept_at.extend(range(start, start + stretch.length))
        self.kept_bytes += stretch.nbytes

    def add_stretch(self, stretch: Stretch) -> None:
        """Append steps run without keeping their values (their healths come with them)."""
        self.steps.add_stretch(stretch)

    def _evict(self) -> None:
        """Let go of the oldest kept value (its health counted first); a copy becomes a spare."""
        self._let_go(self._kept.popleft(), self._kept_at.popleft(), settle=True)

    def _let_go(self, entry: Any, at: int, settle: bool) -> None:
        """Let go of a kept value: of its record (counted first if settle, else remembered to
        count if somebody holds it), or of a kept stretch's step whose record is not made."""
        old = entry if type(entry) is Step else self.steps.raw(at)
        if old is None:  # a kept stretch's step without a record (truncate drops those itself)
            stretch, j = entry
            self.kept_bytes -= stretch.let_go(j)
            return
        if settle:
            old.health.settle()
        elif old.health.pending:
            self._dropped.append(weakref.ref(old.health))
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
        for i, at in enumerate(self._kept_at):
            s = self.steps[at]  # a kept stretch's record is made: it holds the value from now on
            self._kept[i] = s
            if not s.owned:
                s.value = self._take(s.value)
                s.owned = True
                s.health.count_from(s.value)
        self._trim_spares()

    def truncate(self, length: int) -> None:
        """Forget the steps from position `length` on (after a step back or a restart); their
        copies become spares, and the run may write the memory of the values it shared."""
        self._forget(length)
        while self._nonfinite and self._nonfinite[-1] >= length:
            self._nonfinite.pop()
        # a dropped step's zero count reads the memory about to be reused: count it now if
        # somebody still holds that step (nobody does, as a rule: then it is never counted)
        for ref in self._dropped:
            h = ref()
            if h is not None:
                h.settle()
        self._dropped.clear()

    def _forget(self, length: int) -> None:
        kept, kept_at, made = self._kept, self._kept_at, self.steps.raw
        gone = 0
        while kept_at and kept_at[-1] >= length:  # kept values are the newest steps'
            entry, at = kept.pop(), kept_at.pop()
            if type(entry) is tuple and made(at) is None:  # nothing reads it again: just drop
                stretch, j = entry
                gone += stretch.values[j].nbytes
                stretch.values[j] = None
            else:
                self._let_go(entry, at, settle=False)
        self.kept_bytes -= gone
        for s in self.steps.cut(length):
            if s.health.pending:
                self._dropped.append(weakref.ref(s.health))

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
