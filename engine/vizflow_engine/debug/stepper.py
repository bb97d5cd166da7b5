"""The session's inner loop: a stepped run's nodes one after another through the plan's bare
step functions (numpy's warnings are silenced once per command by the caller).

Two ways, the same history and the same stops (DESIGN Principle 5: the debugger drives the
generator). Node by node: each step's health (one finite test; zeros counted later from the
history's copy) and history entry recorded, breakpoints and the command's stop condition
checked, no Event built unless a breakpoint's predicate asks for one. Fast (fastpath.py), while
every value so far is finite and every condition in force can only hold at a NaN/Inf: stretches
between the places where something must be looked at (a placed breakpoint, run_to's node), at
the first NaN/Inf, from there node by node."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from typing import Any, NamedTuple

from ..graph.executor.plan import Event, Plan, Run
from .breakpoints import NONFINITE_CONDITIONS, Breakpoint, Breakpoints, StepBreaks
from .fastpath import LIVE_STEPS, Counter, StepTables, exact_steps, run_stretch, whole_array
from .fastpath import inputs_finite as inputs_finite_of
from .health import Health, pending_health
from .history import History, Step

# stop(k, health) after step k ran (and is in the history): whether the command ends there
Stop = Callable[[int, Health], bool]
# inputs_finite(k): whether step k's inputs were finite when they were made
InputsFinite = Callable[[int], bool]
# rerun(run, k): the run brought back to just before step k (running it again from its start)
Rerun = Callable[[Run, int], Run]


class Command(NamedTuple):
    """What a go command gives the loop: the history to record in, the breakpoints (None:
    none apply), the stop condition, whether it is paused, whether a step's inputs were
    finite, how to run the run again to a step, and what counts a stretch's zero counts."""

    history: History
    bps: Breakpoints | None
    stop: Stop | None
    paused: Callable[[], bool]
    inputs_finite: InputsFinite
    rerun: Rerun
    counter: Counter


class StopAt:
    """run_to's stop: after step `target`."""

    def __init__(self, target: int) -> None:
        self.target = target

    def __call__(self, k: int, _h: Health) -> bool:
        return k == self.target


class StopAtNonfinite:
    """run_to_nan's stop: at the step that made the first NaN/Inf (its inputs finite)."""

    def __init__(self, inputs_finite: InputsFinite) -> None:
        self._inputs_finite = inputs_finite

    def __call__(self, k: int, h: Health) -> bool:
        return not h.finite and self._inputs_finite(k)


class Stepper:
    """Per-plan tables for the loop (names, ops, phases, output slots, which outputs the run
    never writes again) and the breakpoints that apply at each step, rebuilt when breakpoints
    are added or removed (an enabled flag is read at every step)."""

    def __init__(self, plan: Plan, names: list[str], last_writes: list[bool]) -> None:
        self._plan = plan
        self.tables = t = StepTables(plan, names)
        self._names, self._ops, self._phases, self._outs = t.names, t.ops, t.phases, t.outs
        self._scopes = [i.node.scope for i in plan.instrs]
        self._stable = last_writes
        self._sync = plan.device.type == "cuda"
        self._table: StepBreaks = ([], {})
        self._placed: list[int] = []  # the steps with breakpoints placed at them, in order
        self._version = -1
        self._exact = exact_steps(plan)
        # (run, pc): every value of run's steps before pc, and its inputs, are finite
        self._clean: tuple[Run | None, int] = (None, 0)

    def mark_clean(self, run: Run) -> None:
        """The run was run again to where it is with every output finite (a step back): the
        next command may run fast again if its inputs are finite."""
        self._clean = (run, run.pc) if inputs_finite_of(self._plan, run) else (None, 0)

    def forget_clean(self) -> None:
        """A value of the run was set from outside (a what-if): check again from the start."""
        self._clean = (None, 0)

    def _is_clean(self, run: Run) -> bool:
        return self._clean[0] is run and self._clean[1] == run.pc

    def _fast(self, run: Run, bps: Breakpoints | None, stop: Stop | None) -> bool:
        """Whether the next nodes may run as a fast stretch."""
        if self._sync or not (stop is None or isinstance(stop, (StopAt, StopAtNonfinite))):
            return False
        if bps is not None:
            everywhere, _ = self._breaks(bps)
            if any(bp.enabled and bp.when not in NONFINITE_CONDITIONS for bp in everywhere):
                return False
        return self._is_clean(run)

    def _breaks(self, bps: Breakpoints) -> StepBreaks:
        """The breakpoints placed anywhere, and all those of each step a placed one matches
        (Breakpoints.by_step), kept until breakpoints are added or removed."""
        if bps.version != self._version:
            self._version = bps.version
            self._table = bps.by_step(self._names, self._scopes)
            self._placed = sorted(self._table[1])
        return self._table

    def advance(self, run: Run, cmd: Command) -> tuple[Run, int, float, Breakpoint | None] | None:
        """Run run's next nodes until one stops the command (a breakpoint fires, its stop says
        so, or it is paused): (the run, which a fast stretch may have run again, the step's
        index, seconds, the breakpoint); None when the run ends."""
        n = len(self._outs)
        if run.pc == 0:  # a run's first command: are its inputs finite?
            self.mark_clean(run)
        while run.pc < n:
            if not self._fast(run, cmd.bps, cmd.stop):
                at = self._advance_slow(run, cmd)
                return None if at is None else (run, *at)
            run, at = self._stretch(run, cmd)
            if at is not None:
                return (run, *at)
        return None

    def _stretch(
        self, run: Run, cmd: Command
    ) -> tuple[Run, tuple[int, float, Breakpoint | None] | None]:
        """One fast stretch, to the next place something must be looked at, and the look."""
        history, bps, stop, paused, inputs_finite, rerun, counter = cmd
        n = len(self._outs)
        begin = run.pc
        last = stop.target if isinstance(stop, StopAt) and stop.target >= begin else n - 1
        seen = bps.version if bps is not None else -1
        if bps is not None:
            at = bisect_left(self._placed, begin)
            if at < len(self._placed):
                last = min(last, self._placed[at])

        def interrupted() -> bool:
            return paused() or (bps is not None and bps.version != seen)

        window = max(history.max_values, LIVE_STEPS)
        args = (self._exact, history, self.tables, self._stable, counter, interrupted)
        outcome, k = run_stretch(run, last + 1, window, *args)
        if outcome == "again":  # a NaN/Inf where the steps before it were not all recorded
            run = rerun(run, begin)
            outcome, k = run_stretch(run, k + 1, window, *args)
            if outcome == "again":  # not where it was the first time: node by node from here
                self._clean = (None, 0)
                return rerun(run, begin), None
        h = history[-1].health
        dt = history[-1].time_s
        if outcome == "nonfinite":
            self._clean = (None, 0)  # from here on, node by node
        else:
            self._clean = (run, run.pc)
            if k != last and not paused():  # interrupted by a change of breakpoints
                return run, None
        fired = None
        if bps is not None:
            everywhere, placed = self._breaks(bps)
            here = placed.get(k, everywhere)
            if here:
                out = run.slots[self._outs[k]]
                facts = _Facts(run, inputs_finite).at(k, dt)
                fired = _first_hit(here, out, self._phases[k], h, facts)
        if fired is not None or (stop is not None and stop(k, h)) or paused():
            return run, (k, dt, fired)
        return run, None

    def _advance_slow(self, run: Run, cmd: Command) -> tuple[int, float, Breakpoint | None] | None:
        """advance, node by node."""
        history, bps, stop, paused, inputs_finite, _, _ = cmd
        kernels, S, outs = run.kernels, run.slots, self._outs
        names, ops, phases, stable = self._names, self._ops, self._phases, self._stable
        n = len(outs)
        add = history.add
        clock = time.perf_counter
        sync = self._plan.xp.cuda.get_current_stream().synchronize if self._sync else None
        everywhere: list[Breakpoint] = []
        placed: dict[int, list[Breakpoint]] = {}
        seen = -1
        facts = _Facts(run, inputs_finite)
        k = run.pc
        while k < n:
            t0 = clock()
            kernels[k](S)
            if sync is not None:  # pragma: no cover - needs a GPU
                sync()
            dt = clock() - t0
            run.pc = k + 1
            out = S[outs[k]]
            h = pending_health(out)
            add(
                Step(k, names[k], ops[k], phases[k], h, dt),
                out,
                stable[k] and whole_array(out),
            )
            if self._clean[0] is run and self._clean[1] == k:
                self._clean = (run, k + 1) if h.finite else (None, 0)
            fired = None
            if bps is not None:
                if bps.version != seen:  # changed (or first step): from the session's table
                    everywhere, placed = self._breaks(bps)
                    seen = bps.version
                here = placed.get(k, everywhere)
                if here:
                    fired = _first_hit(here, out, phases[k], h, facts.at(k, dt))
            if fired is not None or (stop is not None and stop(k, h)) or paused():
                return k, dt, fired
            k += 1
        return None


class _Facts:
    """What a breakpoint condition may ask about the step just run beyond its health, worked
    out only when asked: whether its inputs were finite, and its Event."""

    __slots__ = ("_event", "_inputs_finite", "dt", "k", "run")

    def __init__(self, run: Run, inputs_finite: InputsFinite) -> None:
        self.run = run
        self._inputs_finite = inputs_finite
        self.k = 0
        self.dt = 0.0
        self._event: Event | None = None

    def at(self, k: int, dt: float) -> _Facts:
        self.k, self.dt, self._event = k, dt, None
        return self

    def inputs_finite(self) -> bool:
        return self._inputs_finite(self.k)

    def event(self) -> Event:
        if self._event is None:
            self._event = self.run.event_at(self.k, self.dt)
        return self._event


def _first_hit(
    here: list[Breakpoint], out: Any, phase: str, h: Health, facts: _Facts
) -> Breakpoint | None:
    """The first of the step's breakpoints that fires (counting hits on every match)."""
    fired = None
    for bp in here:
        if not bp.holds(out, phase, h, facts):
            continue
        bp.hit_count += 1
        if fired is None and (bp.hits is None or bp.hit_count >= bp.hits):
            fired = bp
    return fired
