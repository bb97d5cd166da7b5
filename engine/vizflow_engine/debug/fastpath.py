"""The fast continue: a stretch of a run's nodes at nearly the speed of an unstepped run, with
every NaN/Inf still caught at the node that made it.

While every value so far is finite, a node can only make a NaN or an Inf by a floating-point
operation, which numpy reports through the CPU's exception flags (overflow, invalid, divide by
zero) after each ufunc: the loop runs under np.errstate(all="call") and looks at one Python flag
per node. A node numpy cannot vouch for that way (BLAS and LAPACK work on other threads, scipy,
non-finite literals, complex or half floats, shapes known only when run) gets an exact finite
test. A raised flag is checked exactly too (an overflow inside a node may end finite).

The stretch runs whole chunks of steps as generated straight-line functions (Plan.chunk_code)
and records no object per step: its values are not kept and its zero counts are counted when
first read, for the whole stretch at once, by running it again (Stretch.zeros_at). The last
max(cap, LIVE_STEPS) steps before the command's end are recorded as stepping records them, so
a command that ends there leaves the history as stepping would: where the history has room and
the plan leaves their memory alone while kept (its kept tail), their values are kept as they
are and their records made when read (a KeptStretch); else step by step, copies where needed.
A NaN/Inf found before those steps runs the run again to where the stretch began and ends the
stretch at it.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

import numpy as np

from ..graph.executor.plan import CHUNK, Plan, Run
from ..graph.ir import Value
from ..graph.param_check import DTYPES
from .health import Health, finite_array, known_finite_health, pending_health
from .history import History, KeptStretch, Step

# categories whose numpy kernels report every NaN/Inf they make through the FP flags (ufuncs,
# their reductions, and data movement, which makes none)
_FLAGGED_CATEGORIES = frozenset(
    {"elementwise", "comparison", "logical", "shape", "indexing", "reduction"}
)
# ops of those categories that compute elsewhere (scipy, another device)
_UNFLAGGED_OPS = frozenset({"erf", "erfinv", "to_device"})
_FLAGGED_DTYPES = frozenset(DTYPES) - {"float16"}  # numpy's half floats go through float32
# steps recorded whole at a stretch's end even beyond the history's cap: the timeline shows them
LIVE_STEPS = 200

Counter = Callable[["Stretch"], Any]  # runs a stretch again: its zero counts, an int array


def _finite_literal(x: Any) -> bool:
    if isinstance(x, (float, np.floating)):
        return bool(np.isfinite(x))
    if isinstance(x, np.ndarray) and x.dtype.kind in "fc":
        return bool(np.isfinite(x).all())
    if isinstance(x, (tuple, list)):
        return all(_finite_literal(y) for y in x)
    if isinstance(x, dict):
        return all(_finite_literal(y) for y in x.values())
    return True


def exact_steps(plan: Plan) -> tuple[bool, ...]:
    """For each step: whether its output needs an exact finite test (the FP flags do not
    vouch for it), and its shape recorded when run (not fixed by the plan)."""
    g = plan.graph
    out = []
    for ins in plan.instrs:
        n = ins.node
        v = g.out[n]
        flagged = (
            n.op.category in _FLAGGED_CATEGORIES
            and n.op.name not in _UNFLAGGED_OPS
            and v.dtype.name in _FLAGGED_DTYPES
            and all(isinstance(d, int) for d in v.shape)
            and all(_finite_literal(x) for x in n.inputs if not isinstance(x, Value))
            and all(_finite_literal(p) for p in n.params.values())
        )
        out.append(not flagged)
    return tuple(out)


def inputs_finite(plan: Plan, run: Run) -> bool:
    """Whether a run's feeds, variables and constants are all finite (before its first step)."""
    S = run.slots
    slots = [*plan.input_slots, *plan.var_slots, *(s for s, _ in plan.const_slots)]
    for s in slots:
        a = S[s]
        a = a if type(a) is np.ndarray else np.asarray(a)
        if not finite_array(a):
            return False
    return True


class Stretch:
    """Steps a fast continue ran without keeping their values (history positions start…):
    plan steps first…, outputs known finite; zero counts counted on first read for the whole
    stretch by `counter` (running the run again), then kept. Steps are timed in pieces (a
    chunk of CHUNK steps run straight through, or one step): a step's time_s is its piece's
    mean."""

    __slots__ = (
        "_counter",
        "_marks",
        "_shapes",
        "_tables",
        "_times",
        "counts",
        "first",
        "length",
        "start",
    )

    def __init__(
        self,
        start: int,
        marks: list[int],
        times: list[float],
        shapes: dict[int, tuple[int, ...]],
        tables: StepTables,
        counter: Counter,
    ) -> None:
        self.start = start
        self.first = marks[0]
        self.length = marks[-1] - marks[0]
        self._marks = marks  # the first step, then the steps run after each timed piece
        self._times = times  # the clock at the start, then after each piece
        self._shapes = shapes
        self._tables = tables
        self._counter = counter
        self.counts: Any = None

    def __len__(self) -> int:
        return self.length

    @property
    def seconds(self) -> float:
        """How long the stretch's steps took, all together."""
        return self._times[-1] - self._times[0]

    def step(self, j: int) -> Step:
        """The j-th step as a Step record (made when first asked for)."""
        k = self.first + j
        t = self._tables
        shape = self._shapes.get(k, t.shapes[k])
        health = Health(shape, t.dtypes[k], 0, 0, 0, None, (self, j))
        p = bisect_right(self._marks, k)  # the piece that ran step k ends at marks[p]
        m, ts = self._marks, self._times
        dt = (ts[p] - ts[p - 1]) / (m[p] - m[p - 1])
        return Step(k, t.names[k], t.ops[k], t.phases[k], health, dt)

    def zeros_at(self, position: int) -> int:
        """The zero count of the j-th step (the whole stretch counted on first use)."""
        if self.counts is None:
            self.counts = self._counter(self)
        return int(self.counts[position])

    def settle(self) -> None:
        """Count the zeros now (before what running again needs is gone)."""
        if self.counts is None and self.length:
            self.counts = self._counter(self)


class StepTables:
    """Per plan step: name, op, phase, declared shape and dtype name (what a Step shows)."""

    def __init__(self, plan: Plan, names: list[str]) -> None:
        g = plan.graph
        self.names = names
        self.ops = [i.node.op.name for i in plan.instrs]
        self.phases = [i.node.phase for i in plan.instrs]
        self.outs = [i.out for i in plan.instrs]  # the slot of each step's output
        outs = [g.out[i.node] for i in plan.instrs]
        self.shapes = [tuple(d if isinstance(d, int) else -1 for d in v.shape) for v in outs]
        self.dtypes = [v.dtype.name for v in outs]
        # output bytes by step (-1: not known before it runs)
        self.nbytes = [
            int(np.prod(sh)) * v.dtype.itemsize if -1 not in sh else -1
            for sh, v in zip(self.shapes, outs, strict=True)
        ]


def run_stretch(
    run: Run,
    end: int,
    window: int,
    exact: tuple[bool, ...],
    history: History,
    tables: StepTables,
    stable: list[bool],
    counter: Counter,
    interrupted: Callable[[], bool],
) -> tuple[str, int]:
    """Run steps run.pc…end-1: all but the last `window` as a Stretch, those recorded whole.

    An interruption seen in the stretch ends it there: the next `window` steps follow, recorded
    whole. Returns ("end", last step run), or ("nonfinite", k) when step k's output is not
    finite and the `window` steps up to it are recorded (k is, with its exact health; run.pc is
    k + 1), or ("again", k) when they are not: nothing of this call stays in the history, and
    the caller runs the run again to where this call began and calls with end = k + 1."""
    kernels, S, outs = run.kernels, run.slots, tables.outs
    chunks = run.chunks(exact)
    flags: list[str] = []
    clock = time.perf_counter
    start_len = len(history)
    begin = k = run.pc
    live_from = max(k, end - window)
    if live_from > k:  # steps that keep no value are to run: what is kept must be a copy
        history.detach()
    with np.errstate(all="call", call=lambda kind, _flag: flags.append(kind)):
        marks, times = [k], [clock()]  # steps run, and the clock, after each timed piece
        mark, time_ = marks.append, times.append
        shapes: dict[int, tuple[int, ...]] = {}
        while k < live_from:
            c, into = divmod(k, CHUNK)
            stop = min(k + CHUNK - into, live_from)
            if into == 0 and stop == k + CHUNK:  # a whole chunk: its function, straight through
                done = chunks[c](S, flags)
                k += min(done + 1, CHUNK)
                mark(k)
                time_(clock())
                if done < CHUNK:  # step k - 1 needs a look; the rest of the chunk one by one
                    if _look(S[outs[k - 1]], exact[k - 1], flags):
                        run.pc = k
                        return "again", k - 1
                    if exact[k - 1]:
                        shapes[k - 1] = np.shape(S[outs[k - 1]])
            while k < stop:
                kernels[k](S)
                k += 1
                mark(k)
                time_(clock())
                if flags or exact[k - 1]:
                    if _look(S[outs[k - 1]], exact[k - 1], flags):
                        run.pc = k
                        return "again", k - 1
                    if exact[k - 1]:
                        shapes[k - 1] = np.shape(S[outs[k - 1]])
            if k < live_from and interrupted():
                end, live_from = min(end, k + window), k
        if k > begin:
            history.add_stretch(Stretch(start_len, marks, times, shapes, tables, counter))
        run.pc = k
        sizes = tables.nbytes[k:end]
        kept_from = history.kept_from(sizes) if -1 not in sizes else None
        if kept_from is not None and not all(stable[k + kept_from : end]):
            kept_from = None
        rec = _Recording(run, exact, history, tables, flags, (begin, live_from, window, start_len))
        if kept_from is None:  # one by one, values within the caps
            return rec.one_by_one(end, stable)
        # the values the caps keep by the end kept as they are; healths alone before them
        outcome = rec.one_by_one(k + kept_from, None)
        if outcome[0] != "end" or run.pc == end:
            return outcome
        return rec.kept(end)


class _Recording:
    """run_stretch's steps recorded whole: its run, exact tests, history, tables and FP flags,
    and where it began (span: its first step, live_from, window, and the history's length)."""

    def __init__(
        self,
        run: Run,
        exact: tuple[bool, ...],
        history: History,
        tables: StepTables,
        flags: list[str],
        span: tuple[int, int, int, int],
    ) -> None:
        self.run, self.exact, self.history, self.tables, self.flags = (
            run,
            exact,
            history,
            tables,
            flags,
        )
        self.begin, self.live_from, self.window, self.start_len = span

    def _incomplete(self, k: int) -> bool:
        """Whether a NaN/Inf at step k comes before `window` steps are recorded (then the
        history goes back to where run_stretch began, which runs it again)."""
        if k + 1 - self.live_from < self.window and self.live_from > self.begin:
            self.run.pc = k + 1
            self.history.truncate(self.start_len)
            return True
        return False

    def one_by_one(self, end: int, stable: list[bool] | None) -> tuple[str, int]:
        """Steps run.pc…end-1 recorded one by one with exact healths: their values kept within
        the caps (a copy unless stable says the run leaves the memory alone), or, without
        stable, none (the caps would let them go by the end)."""
        run, exact, history, flags, t = self.run, self.exact, self.history, self.flags, self.tables
        kernels, S, outs = run.kernels, run.slots, t.outs
        clock = time.perf_counter
        add, keep, add_health = history.add, history.keep, history.add_health
        k = run.pc
        while k < end:
            t0 = clock()
            kernels[k](S)
            dt = clock() - t0
            out = S[outs[k]]
            out = out if type(out) is np.ndarray else np.asarray(out)
            bad = (flags or exact[k]) and not finite_array(out)
            if bad and self._incomplete(k):
                return "again", k
            if flags:
                flags.clear()
            health = pending_health(out) if bad else known_finite_health(out)
            step = Step(k, t.names[k], t.ops[k], t.phases[k], health, dt)
            if stable is None:
                add_health(step)
            else:
                whole = stable[k] and whole_array(out)
                if bad or not (whole and keep(step, out)):
                    add(step, out, whole)
            k += 1
            if bad:
                run.pc = k
                return "nonfinite", k - 1
        run.pc = k
        return "end", k - 1

    def kept(self, end: int) -> tuple[str, int]:
        """Steps run.pc…end-1 when the history keeps nothing now and the caps keep all their
        values by the end, which the run leaves alone while kept: kept as they are, their
        records made when read (a KeptStretch)."""
        run, exact, history, flags, t = self.run, self.exact, self.history, self.flags, self.tables
        kernels, S, outs = run.kernels, run.slots, t.outs
        clock = time.perf_counter
        k = first = run.pc
        values: list[Any] = []
        value = values.append
        ticks = [clock()]
        tick = ticks.append
        while k < end:
            kernels[k](S)
            tick(clock())
            out = S[outs[k]]
            if type(out) is not np.ndarray:
                out = np.asarray(out)
            if flags or exact[k]:
                flags.clear()
                if not finite_array(out):
                    if self._incomplete(k):
                        return "again", k
                    run.pc = k + 1
                    if values:
                        history.add_kept(KeptStretch(len(history), first, values, ticks[:-1], t))
                    dt = ticks[-1] - ticks[-2]
                    step = Step(k, t.names[k], t.ops[k], t.phases[k], pending_health(out), dt)
                    history.add(step, out, whole_array(out))
                    return "nonfinite", k
            if not whole_array(out):
                out = out.copy()  # a part of a bigger array: keep just its bytes
            value(out)
            k += 1
        if values:
            history.add_kept(KeptStretch(len(history), first, values, ticks, t))
        run.pc = k
        return "end", k - 1


def _look(out: Any, exact: bool, flags: list[str]) -> bool:
    """Whether a step that raised an FP flag, or whose op the flags cannot vouch for, made a
    NaN/Inf (an exact test; the flags are cleared for the next step)."""
    flags.clear()
    return not finite_array(out if type(out) is np.ndarray else np.asarray(out))


def whole_array(a: Any) -> bool:
    """Whether an array's memory is all of it (not a part of a larger buffer), so keeping a
    reference holds exactly its nbytes."""
    if type(a) is not np.ndarray:
        return False
    base = a.base
    return base is None or (type(base) is np.ndarray and base.nbytes == a.nbytes)
