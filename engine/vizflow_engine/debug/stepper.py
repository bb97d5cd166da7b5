"""The session's inner loop, lean: a stepped run's nodes one after another through the plan's
bare step functions (numpy's warnings are silenced once per command by the caller), each
step's health (one finite test; zeros counted later from the history's copy) and history entry
recorded, breakpoints and the command's stop condition checked, and no Event built unless a
breakpoint's predicate asks for one (DESIGN Principle 5: the debugger drives the generator)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..graph.executor.plan import Event, Plan, Run
from .breakpoints import Breakpoint, Breakpoints, StepBreaks
from .health import Health, pending_health
from .history import History, Step

# stop(k, health) after step k ran (and is in the history): whether the command ends there
Stop = Callable[[int, Health], bool]
# inputs_finite(k): whether step k's inputs were finite when they were made
InputsFinite = Callable[[int], bool]


def _whole(a: Any) -> bool:
    """Whether an array's memory is all of it (not a part of a larger buffer), so keeping a
    reference holds exactly its nbytes."""
    base = a.base
    return base is None or (type(base) is np.ndarray and base.nbytes == a.nbytes)


class Stepper:
    """Per-plan tables for the loop (names, ops, phases, output slots, which outputs the run
    never writes again) and the breakpoints that apply at each step, rebuilt when breakpoints
    are added or removed (an enabled flag is read at every step)."""

    def __init__(self, plan: Plan, names: list[str], last_writes: list[bool]) -> None:
        instrs = plan.instrs
        self._plan = plan
        self._names = names
        self._ops = [i.node.op.name for i in instrs]
        self._phases = [i.node.phase for i in instrs]
        self._scopes = [i.node.scope for i in instrs]
        self._outs = [i.out for i in instrs]
        self._stable = last_writes
        self._sync = plan.device.type == "cuda"
        self._table: StepBreaks = ([], {})
        self._version = -1

    def _breaks(self, bps: Breakpoints) -> StepBreaks:
        """The breakpoints placed anywhere, and all those of each step a placed one matches
        (Breakpoints.by_step), kept until breakpoints are added or removed."""
        if bps.version != self._version:
            self._version = bps.version
            self._table = bps.by_step(self._names, self._scopes)
        return self._table

    def advance(
        self,
        run: Run,
        history: History,
        bps: Breakpoints | None,
        stop: Stop | None,
        paused: Callable[[], bool],
        inputs_finite: InputsFinite,
    ) -> tuple[int, float, Breakpoint | None] | None:
        """Run run's next nodes until one stops the command (a breakpoint fires, stop says so,
        or paused() is set): (its index, seconds, the breakpoint); None when the run ends."""
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
                stable[k] and type(out) is np.ndarray and _whole(out),
            )
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
