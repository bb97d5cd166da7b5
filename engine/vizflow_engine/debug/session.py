"""A debug session: a thread-safe state machine driving a Plan's stepped Run (DESIGN Principle 5).

States: idle (not started), paused (at the node that just ran), running (a worker thread
drives the run), finished, failed. Every change of state or position is published to the
observers (the widget is one). Long commands run on a worker thread so the kernel stays free
and pause() works mid-run; commands given while running raise RuntimeError.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backend import rng_states, set_rng_states
from ..graph.executor.plan import Event, Plan, Run
from ..graph.graph_ops import mutates
from ..graph.ir import Graph, Value
from ..node import Node, SourceLocation
from ..tensor import Tensor
from .breakpoints import Breakpoint, Breakpoints
from .fastpath import Stretch
from .gradcheck import GradCheck, check_grad
from .gradsum import GradientFlow, gradient_flows
from .health import Health, all_finite, count_zeros, health, stats
from .history import DEFAULT_MAX_VALUES, History
from .loop import Batches
from .stepper import Command, Stepper, Stop, StopAt, StopAtNonfinite
from .storage import Storage
from .whatif import apply_whatif

STATES = ("idle", "paused", "running", "finished", "failed")
Observer = Callable[["DebugSession"], None]


@dataclass
class StepEvent:
    """The node a session is paused at: what ran, where in the user's code, with which values."""

    index: int
    iteration: int
    name: str
    op: str
    phase: str
    scope: str
    source: SourceLocation | None
    forward_of: str | None  # for a backward node: the forward node it differentiates
    forward_source: SourceLocation | None  # and that forward node's line in the user's code
    inputs: list[Any]
    output: Any
    time_s: float

    def to_json(self) -> dict[str, Any]:
        """A plain dict for the widget (values summarised by their health, no arrays)."""
        return {
            "index": self.index,
            "iteration": self.iteration,
            "name": self.name,
            "op": self.op,
            "phase": self.phase,
            "scope": self.scope,
            "source": _source_json(self.source),
            "forward_of": self.forward_of,
            "forward_source": _source_json(self.forward_source),
            "output": health(self.output).to_json(),
        }


def _source_json(src: SourceLocation | None) -> dict[str, Any] | None:
    return None if src is None else {"file": src.file, "line": src.line, "function": src.function}


def _within(scope: str, group: str) -> bool:
    return scope == group or scope.startswith(group + "/") or scope.startswith(group + ".")


def _run_to(
    run: Run,
    pc: int,
    overrides: dict[str, Any],
    index: dict[str, int],
    after: Callable[[int], None] | None = None,
) -> None:
    """Run a run from its start to just before step pc, each what-if value set where it is
    made (an input's or a parameter's first); after(k) is called once step k has run."""
    at: dict[int, list[str]] = {}
    for name in overrides:
        k = index.get(name)
        if k is None:
            run.set_value(name, overrides[name])
        else:
            at.setdefault(k, []).append(name)
    with np.errstate(all="ignore"):
        for k in range(pc):
            run.kernels[k](run.slots)
            for name in at.get(k, ()):
                run.set_value(name, overrides[name])
            if after is not None:
                after(k)
    run.pc = pc


def _count_stretch(
    plan: Plan,
    feeds: tuple[Any, ...],
    snapshot: list[Any],
    overrides: dict[str, Any],
    index: dict[str, int],
    stretch: Stretch,
) -> Any:
    """The zero counts of a stretch's steps, by running its run again in a buffer set of its
    own from copies of the variables as it began (the session's own state is left as it is)."""
    run = plan.start(*feeds, copy=False)
    for s, was in zip(plan.var_slots, snapshot, strict=False):
        run.slots[s] = np.array(was, copy=True)
    outs = [i.out for i in plan.instrs]
    first = stretch.first
    counts = np.empty(stretch.length, np.int64)

    def count(k: int) -> None:
        if k >= first:
            counts[k - first] = count_zeros(np.asarray(run.slots[outs[k]]))

    _run_to(run, first + stretch.length, overrides, index, count)
    return counts


def _kept_tail(g: Graph, max_values: int, max_bytes: int | None) -> int:
    """How many of a run's last steps the history's caps keep the values of (outputs of
    unknown size count as none: the plan spaces its memory by steps)."""
    if max_bytes is None:
        return max(max_values, 0)
    total = steps = 0
    for n in reversed(g.nodes):
        v = g.out[n]
        size = v.dtype.itemsize * int(np.prod([d for d in v.shape if isinstance(d, int)]))
        if steps >= max_values or total + size > max_bytes:
            break
        total += size
        steps += 1
    return steps


def _copy_into(saved: list[Any], arrays: list[Any]) -> list[Any]:
    """Copies of arrays: into the arrays of saved (an earlier copy of the same), or new ones."""
    same = len(saved) == len(arrays) and all(
        np.shape(w) == np.shape(a) and w.dtype == np.asarray(a).dtype
        for w, a in zip(saved, arrays, strict=True)
    )
    if not same:
        return [np.array(a, copy=True) for a in arrays]
    for was, a in zip(saved, arrays, strict=True):
        np.copyto(was, a)
    return saved


def _variable_arrays(g: Graph) -> list[Any]:
    """The live arrays of a graph's variables (a bound tensor's, or the variable's own)."""
    return [v.tensor.array if v.tensor is not None else v.value for v in g.variables]


class DebugSession:
    """Step, continue, break, go back and change values in a compiled graph's run.

    Python API (the widget calls the same): step/step_into/step_over/resume/run_to/
    run_to_nan/pause/restart/step_back, break_at/break_on_nan/breakpoints, state/current/
    history, value/set_value/set_value_expr/stale/rerun_stale, check_grad, wait, observe.
    """

    def __init__(
        self,
        graph: Graph,
        feeds: tuple[Any, ...] | Batches,
        max_values: int = DEFAULT_MAX_VALUES,
        max_bytes: int | None = None,
        keep_values: bool = False,
    ) -> None:
        """graph: what to run; feeds: its inputs, or Batches for training-loop mode;
        max_values/max_bytes: how many step outputs the history keeps copies of;
        keep_values: give every value memory of its own (no buffer reuse), so any past value
        stays readable and a what-if re-runs just the downstream nodes in place; without it
        the run reuses buffers as a plain run does (memory: the plan's plus the history cap),
        past values come from the history, and a what-if replays the run up to where it was."""
        self.keep_values = keep_values
        self.batches = feeds if isinstance(feeds, Batches) else Batches.single(feeds)
        # one run: the memory of its last values (as many as the caps keep) is written again
        # only after the history has let go of them, so a run that ends keeps references to
        # them, not copies (a training loop's runs each need their values copied: the next
        # iteration's run reuses memory the history would otherwise hold on to)
        one_run = self.batches.iterations == 1 and not keep_values
        tail = _kept_tail(graph, max_values, max_bytes) if one_run else 0
        self.plan = Plan(graph, parallel=False, reuse=not keep_values, keep_tail=tail)
        self.storage = Storage(self.plan)
        self.graph = self.plan.graph
        g = self.graph
        self._names = [g.out[i.node].name for i in self.plan.instrs]
        self._index = {name: k for k, name in enumerate(self._names)}
        self._node_names = {i.node.name: k for k, i in enumerate(self.plan.instrs) if i.node.name}
        self._readers = self._consumers()
        kept = self.storage.last_writes(kept_for=max_values if tail else None)
        self._stepper = Stepper(self.plan, self._names, kept)
        self.history = History(max_values, max_bytes)
        self.breakpoints = Breakpoints()
        self._lock = threading.RLock()
        self._pause = threading.Event()
        self._worker: threading.Thread | None = None
        self._observers: list[Observer] = []
        self._run: Run | None = None
        self._spare_run: Run | None = None  # a restarted run, whose buffers the next one reuses
        self._feeds: tuple[Any, ...] = ()
        self._snapshot: list[Any] = []  # the variables as the current iteration began:
        self._rng_start: dict[Any, Any] = {}  # the random generators' states as it began
        self._first: list[Any] = []  # in these arrays in the first iteration,
        self._later: list[Any] = []  # in these in the others (each set copied into, reused)
        self._state = "idle"
        self.current: StepEvent | None = None
        self.hit: Breakpoint | None = None  # the breakpoint that made the last stop
        self.error: BaseException | None = None
        self.outputs: list[Any] | None = None
        self.stale: list[str] = []
        self._overrides: dict[str, Any] = {}  # what-if values of this run, by value name
        self._grad_flows: dict[str, GradientFlow] | None = None  # found on first use
        self._loss_break: Any = None
        self._stopped = False  # whether the last command stopped at a node (vs ran to the end)

    # ---- reading -----------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """idle, paused, running, finished or failed."""
        return self._state

    @property
    def node_names(self) -> list[str]:
        """Every step's node name, in run order."""
        return list(self._names)

    @property
    def iteration(self) -> int:
        """The training-loop iteration being run (0 outside training-loop mode)."""
        return self.batches.iteration

    @property
    def losses(self) -> list[float]:
        """The loss (first output, as a float) of every finished iteration."""
        return list(self.batches.losses)

    def value(self, name: str) -> Any:
        """The value of a graph value (node output, input, parameter) at this moment: live in
        the run, or the history's copy once a later step reused its memory (LookupError when
        the history no longer keeps it either)."""
        with self._lock:
            run = self._need_run()
            vname = self._value_name(name)
            over = self.storage.overwritten(self.graph.value(vname).uid, run.pc)
            if over is None:
                return run.value(vname)
            k = self._index.get(vname)
            if k is not None and k < run.pc:
                s = self.history.steps[len(self.history) - run.pc + k]
                if s.value is not None:
                    return s.value
            raise LookupError(
                f"the value of {name!r} at this moment is no longer held: step "
                f"{self._names[over]!r} reused its memory and the history keeps only the last "
                f"{self.history.max_values} values; run_to or step_back to it, or debug with "
                "keep_values=True"
            )

    def grad_partials(self) -> dict[str, Any]:
        """Each parameter's gradient as accumulated so far in this run: the sum of the
        contributions (backward steps) that have run, by parameter (or .grad store) name."""
        sums: dict[str, Any] = {}
        for name, terms in self.grad_contributions().items():
            done = [value for _, _, value in terms]
            sums[name] = sum(done[1:], np.array(done[0], copy=True))
        return sums

    def grad_contributions(self) -> dict[str, list[tuple[str, str | None, Any]]]:
        """The contributions to each parameter's gradient that have run in this run, in run
        order, by parameter (or .grad store) name: (the step, the node its value flows into on
        the way to the parameter's sum, or None where nothing in the graph reads it, the value)."""
        with self._lock:
            run = self._need_run()
            out: dict[str, list[tuple[str, str | None, Any]]] = {}
            for name, flow in self.grad_flows().items():
                done = [
                    (self._names[k], into, self.value(self._names[k]))
                    for k, into in flow.terms
                    if k < run.pc
                ]
                if done:
                    out[name] = done
            return out

    def grad_flows(self) -> dict[str, GradientFlow]:
        """How each parameter's gradient is summed in this plan: its terms, the node each flows
        into, and the node reading the whole sum (see gradsum)."""
        with self._lock:
            if self._grad_flows is None:
                self._grad_flows = gradient_flows(self.plan)
            return self._grad_flows

    def observe(self, callback: Observer) -> Callable[[], None]:
        """Call callback(session) on each change of state or position; returns an unsubscribe."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    def __repr__(self) -> str:
        cur = self.current
        at = f" at {cur.name!r} (#{cur.index})" if cur and self._state == "paused" else ""
        return (
            f"<DebugSession {self.graph.name!r}: {self._state}{at}, "
            f"{len(self._names)} nodes, {self.history!r}>"
        )

    # ---- controls ------------------------------------------------------------------------------
    def step(self) -> StepEvent | None:
        """Run the next node and pause at it (starting the run, or the next iteration).

        Like every go command, returns the event it stopped at, or None when it ran to the
        end without stopping (or runs on a worker thread: block=False)."""
        return self._go(lambda k, h: True, block=True, use_breakpoints=False)

    def step_into(self) -> StepEvent | None:
        """Run one node, into a group if the next node opens one (same as step)."""
        return self.step()

    def step_over(self, block: bool = True) -> StepEvent | None:
        """Run the rest of the group (scope) the next node is in, pause at its last node."""
        with self._lock:
            nxt = self._next_node()
        group = nxt.scope if nxt is not None else ""
        if not group:
            return self.step()

        def left_group(_k: int, _h: Health) -> bool:
            after = self._next_node()
            return after is None or not _within(after.scope, group)

        return self._go(left_group, block)

    def resume(self, block: bool = False) -> StepEvent | None:
        """Continue until a breakpoint, pause(), or the end (on a worker thread unless block)."""
        return self._go(None, block)

    def run_to(self, name: str, block: bool = True) -> StepEvent | None:
        """Continue until the node called name has run (or a breakpoint fires first)."""
        return self._go(StopAt(self._step_index(name)), block)

    def run_to_nan(self, block: bool = True) -> StepEvent | None:
        """Continue to the node that produced the first NaN/Inf (inputs finite, output not)."""
        return self._go(StopAtNonfinite(self._inputs_finite), block)

    def _inputs_finite(self, index: int) -> bool:
        """Whether step index's inputs were finite when made (judged by their recorded health:
        a buffer may since hold this step's own output)."""
        run = self._need_run()
        base = len(self.history) - run.pc
        for x in self.plan.instrs[index].node.inputs:
            if not isinstance(x, Value):
                continue
            k = self._index.get(x.name)
            if k is None:
                if not all_finite(run.value(x.name)):
                    return False
            elif not self.history.steps[base + k].health.finite:
                return False
        return True

    def pause(self, timeout: float | None = 5.0) -> None:
        """Stop a running session after the node it is running (waits for the worker)."""
        self._pause.set()
        self.wait(timeout)

    def wait(self, timeout: float | None = None) -> str:
        """Wait for a worker-thread run to stop; returns the state."""
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)
        return self._state

    def restart(self) -> None:
        """Back to idle before the first iteration: parameters as they were before it, history
        and losses cleared (the next run reuses this run's buffers)."""
        with self._lock:
            self._not_running()
            self.batches.check_rewind()  # a refusal leaves everything as it is
            self.history.truncate(0)  # first: it lets go of the memory rewritten from now on
            self._restore_variables(self._first)
            self._spare_run = self._run or self._spare_run  # (restarted twice: the same)
            self._run = None
            self.current = None
            self.hit = None
            self.stale = []
            self._overrides = {}
            self.error = None
            self.outputs = None
            self.batches.rewind()
            self._set_state("idle")

    def step_back(self, n: int = 1) -> StepEvent | None:
        """Go back n steps: re-run the current run up to then, so every value (parameters
        included) is what it was at that moment; what-if changes after it are dropped."""
        with self._lock:
            self._not_running()
            steps = self._need_run().pc
            if n < 1 or n > steps:
                raise ValueError(f"step_back(n) needs 1 <= n <= {steps} (steps taken), got {n}")
            target = steps - n
            self._restore_variables(self._snapshot)
            set_rng_states(self._rng_start)
            self.batches.reopen()
            run = self._start_run(self._feeds)
            with np.errstate(all="ignore"):
                for k in range(target):
                    run.kernels[k](run.slots)
            run.pc = target
            self.history.truncate(len(self.history) - n)
            if self.history.finite_since(len(self.history) - target):
                self._stepper.mark_clean(run)
            ev = run.event_at(target - 1, self.history[-1].time_s) if target else None
            self.stale = []
            self._overrides = {}
            self.hit = None
            self.outputs = None
            self.current = None if ev is None else self._event(ev)
            self._set_state("paused" if ev is not None else "idle")
            return self.current

    # ---- breakpoints ---------------------------------------------------------------------------
    def break_at(self, where: str | None, when: Any = None, hits: int | None = None) -> Breakpoint:
        """A breakpoint at a node or a group's scope path (None: anywhere), on a condition."""
        if where and where not in self._index and where not in self._node_names:
            scopes = {i.node.scope for i in self.plan.instrs}
            if not any(_within(s, where) for s in scopes):
                raise KeyError(f"no node or group called {where!r} in graph {self.graph.name!r}")
        return self.breakpoints.add(where, when, hits)

    def break_on_nan(self) -> Breakpoint:
        """Break at every node that produces a NaN/Inf from finite inputs."""
        return self.breakpoints.add(None, "produces_nonfinite")

    def break_on_loss(self, when: Any = "nonfinite") -> None:
        """Training-loop mode: pause at the end of the first iteration whose loss matches
        ("nonfinite", or a function of the loss float)."""
        if when != "nonfinite" and not callable(when):
            raise ValueError("break_on_loss takes 'nonfinite' or a function of the loss")
        self._loss_break = when

    # ---- what-if -------------------------------------------------------------------------------
    def set_value(self, name: str, value: Any, rerun: bool = True) -> list[str]:
        """Give a value (node output, input or parameter) a new Python value for this run and
        re-run only the nodes downstream that already ran; returns those nodes' names."""
        with self._lock:
            self._not_running()
            run = self._need_run()
            v = self.graph.value(self._value_name(name))
            new = np.array(value.numpy() if isinstance(value, Tensor) else value, dtype=v.dtype)
            old = run.value(v.name)
            if old is not None and new.shape != np.shape(old):
                new = np.broadcast_to(new, np.shape(old)).copy()
            stale = self._downstream(v, run.pc)
            if stale and self._wrote_variables(run.pc):
                raise RuntimeError(
                    f"cannot re-run what depends on {name!r}: this run already updated parameters; "
                    "step_back to before the update phase first"
                )
            run.set_value(v.name, new)
            self._stepper.forget_clean()
            self._overrides[v.name] = new
            self.stale = [self._names[k] for k in stale]
            if rerun:
                self.rerun_stale()
            self._publish()
            return [self._names[k] for k in stale]

    def set_value_expr(self, name: str, text: str, rerun: bool = True) -> list[str]:
        """set_value with a what-if expression in x, the value now (see whatif.py's grammar)."""
        return self.set_value(name, apply_whatif(text, self.value(name)), rerun)

    def rerun_stale(self) -> None:
        """Re-run the stale nodes so they read the changed values: in place (in run order)
        with keep_values, else by replaying the run to where it was with the what-if values."""
        with self._lock:
            run = self._need_run()
            if not self.stale:
                return
            if self.keep_values:
                base = len(self.history) - run.pc
                for name in self.stale:
                    k = self._index[name]
                    self.history.own(base + k)  # the step writes the memory it may share
                    run.steps[k](run.slots)
                if self.current is not None and self.current.name in self.stale:
                    self.current.output = run.value(self.current.name)
            else:
                self._replay_with_overrides(run.pc)
            self.stale = []

    def _replay_with_overrides(self, pc: int) -> None:
        """Run again from the start to step pc, setting each what-if value where it is made."""
        self._restore_variables(self._snapshot)
        set_rng_states(self._rng_start)
        run = self._start_run(self._feeds)
        _run_to(run, pc, self._overrides, self._index)
        if pc and self.current is not None:
            self.current = self._event(run.event_at(pc - 1, self.current.time_s))

    # ---- gradient check ------------------------------------------------------------------------
    def check_grad(self, name: str | None = None) -> GradCheck:
        """The node's VJP against central finite differences on its recorded inputs (float64)."""
        with self._lock:
            run = self._need_run()
            k = self._step_index(name) if name is not None else self._current_index()
            if k >= run.pc:
                raise RuntimeError(f"node {self._names[k]!r} has not run yet; step to it first")
            node = self.plan.instrs[k].node
            inputs = [self.value(x.name) if isinstance(x, Value) else x for x in node.inputs]
            return check_grad(node, self._names[k], inputs)

    def nan_report(self) -> dict[str, Any]:
        """About the current node: op, phase, source line, its output's health, inputs' stats."""
        ev = self.current
        if ev is None:
            raise RuntimeError("the session is not paused at a node")
        out = ev.to_json()
        node = self.plan.instrs[ev.index].node
        out["inputs"] = [
            stats(self.value(x.name)) if isinstance(x, Value) else {"literal": x}
            for x in node.inputs
        ]
        out["produced_nonfinite"] = not health(ev.output).finite and self._inputs_finite(ev.index)
        return out

    # ---- the loop --------------------------------------------------------------------------------
    def _go(self, stop: Stop | None, block: bool, use_breakpoints: bool = True) -> StepEvent | None:
        """Run a command: stop(k, health) after step k says whether it ends there (None: never)."""
        with self._lock:
            self._not_running()
            if self._state in ("finished", "failed") and not self.batches.more():
                raise RuntimeError(f"the session has {self._state}; restart() to run again")
            self._pause.clear()
            self.hit = None
            self._stopped = False
            self._set_state("running")
            if block:
                self._drive(stop, use_breakpoints)
                return self.current if self._stopped else None
            self._worker = threading.Thread(
                target=self._drive, args=(stop, use_breakpoints), name="vizflow-debug", daemon=True
            )
            self._worker.start()
            return None

    def _drive(self, stop: Stop | None, use_breakpoints: bool) -> None:
        """The interpreter loop: step, record, check; ends paused, finished or failed."""
        try:
            end = self._loop(stop, use_breakpoints)
        except Exception as exc:  # the run's own error: kept and shown, never raised in a thread
            with self._lock:
                self.error = exc
                self._set_state("failed")
            return
        with self._lock:
            self._set_state(end)

    def _loop(self, stop: Stop | None, use_breakpoints: bool) -> str:
        with np.errstate(all="ignore"):  # once per command, not per node: as quiet as a run
            return self._steps(stop, use_breakpoints)

    def _steps(self, stop: Stop | None, use_breakpoints: bool) -> str:
        bps = self.breakpoints if use_breakpoints else None
        while True:
            run = self._run
            if run is None or run.done:
                if run is not None and not self._end_iteration(run):
                    return "paused"
                if not self.batches.more():
                    return "finished"
                run = self._begin_iteration()
            cmd = Command(
                self.history,
                bps,
                stop,
                self._pause.is_set,
                self._inputs_finite,
                self._rerun_to,
                self._stretch_counter(),
            )
            at = self._stepper.advance(run, cmd)
            if at is None:
                continue  # the run is done: end its iteration
            run, k, dt, fired = at
            with self._lock:
                self.hit = fired
                self.current = self._event(run.event_at(k, dt))
                self._stopped = True
            if run.done and not self._end_iteration(run):
                return "paused"
            return "paused" if not (run.done and not self.batches.more()) else "finished"

    def _end_iteration(self, run: Run) -> bool:
        """Finish a run (apply updates, keep the loss); False when a loss breakpoint fires."""
        if self.batches.ended:
            return True
        self.outputs = run.finish()
        loss = self.batches.end(self.outputs)
        when = self._loss_break
        if when is None or loss is None:
            return True
        return not (not np.isfinite(loss) if when == "nonfinite" else bool(when(loss)))

    def _begin_iteration(self) -> Run:
        self.outputs = None
        self._settle_stretches()  # before the variables they would run again from change
        feeds = self.batches.next_feeds()
        self._rng_start = rng_states(self.plan.xp)
        if self.batches.iteration == 0:
            self._snapshot = self._first = _copy_into(self._first, _variable_arrays(self.graph))
        else:
            self._snapshot = self._later = _copy_into(self._later, _variable_arrays(self.graph))
        spare, self._spare_run = self._spare_run, None
        if spare is not None:  # after a restart: nothing reads its memory any more
            self._feeds = feeds
            self._run = spare.restart(*feeds)
            return self._run
        return self._start_run(feeds)

    def _start_run(self, feeds: tuple[Any, ...]) -> Run:
        """A run in a buffer set of its own (the history may share the last one's memory)."""
        self._feeds = feeds
        self._run = self.plan.start(*feeds, copy=False)
        return self._run

    def _rerun_to(self, run: Run, pc: int) -> Run:
        """The current run brought back to just before step pc, by running it again from its
        start in its own buffers (the same values again: nothing reading them sees a change)."""
        self._restore_variables(self._snapshot)
        set_rng_states(self._rng_start)
        run.restart(*self._feeds)
        _run_to(run, pc, self._overrides, self._index)
        return run

    def _stretch_counter(self) -> Callable[[Stretch], Any]:
        """What counts the zeros of a stretch of the current run: running the run again from
        its start, on copies of the variables as it began, to the stretch's end."""
        snapshot, feeds, rng = self._snapshot, self._feeds, self._rng_start
        overrides = dict(self._overrides)
        plan, index = self.plan, self._index

        def count(stretch: Stretch) -> Any:
            with self._lock:
                live = rng_states(plan.xp)
                set_rng_states(rng)
                try:
                    return _count_stretch(plan, feeds, snapshot, overrides, index, stretch)
                finally:
                    set_rng_states(live)

        return count

    def _settle_stretches(self) -> None:
        """Count the zeros of the history's stretches not counted yet (the run that ends now's)
        while what they would run again from is there (the next iteration overwrites it)."""
        for stretch in self.history.steps.stretches:
            stretch.settle()

    def _restore_variables(self, saved: list[Any]) -> None:
        for arr, was in zip(_variable_arrays(self.graph), saved, strict=False):
            np.copyto(arr, was)

    # ---- helpers ---------------------------------------------------------------------------------
    def _event(self, ev: Event) -> StepEvent:
        node = ev.node
        fwd = node.forward_of
        g = self.graph
        return StepEvent(
            ev.index,
            self.batches.iteration,
            self._names[ev.index],
            node.op.name,
            node.phase,
            node.scope,
            node.source,
            g.out[fwd].name if fwd is not None and fwd in g.out else None,
            fwd.source if fwd is not None else None,
            ev.inputs,
            ev.output,
            ev.time_s,
        )

    def _set_state(self, state: str) -> None:
        self._state = state
        self._publish()

    def _publish(self) -> None:
        for cb in list(self._observers):
            cb(self)

    def _not_running(self) -> None:
        if self._state == "running":
            raise RuntimeError("the session is running: pause() it first")

    def _need_run(self) -> Run:
        if self._run is None:
            raise RuntimeError("the session has not started: step() first")
        return self._run

    def _next_node(self) -> Node | None:
        run = self._run
        if run is None or run.done:
            return self.plan.instrs[0].node if self.plan.instrs else None
        return run.next_node

    def _current_index(self) -> int:
        if self.current is None:
            raise RuntimeError("the session is not paused at a node; name one")
        return self.current.index

    def _step_index(self, name: str) -> int:
        k = self._index.get(name, self._node_names.get(name))
        if k is None:
            raise KeyError(f"no node called {name!r} in graph {self.graph.name!r}")
        return k

    def _value_name(self, name: str) -> str:
        k = self._node_names.get(name)
        return self._names[k] if k is not None and name not in self._index else name

    def _consumers(self) -> dict[int, list[int]]:
        """Value uid -> the steps that read it."""
        readers: dict[int, list[int]] = {}
        for k, ins in enumerate(self.plan.instrs):
            for x in ins.node.inputs:
                if isinstance(x, Value):
                    readers.setdefault(x.uid, []).append(k)
        return readers

    def _downstream(self, v: Value, pc: int) -> list[int]:
        """Steps before pc that depend on v (iteratively, no recursion), in run order."""
        g = self.graph
        seen: set[int] = set()
        todo = [v.uid]
        while todo:
            uid = todo.pop()
            for k in self._readers.get(uid, ()):
                if k < pc and k not in seen:
                    seen.add(k)
                    todo.append(g.out[self.plan.instrs[k].node].uid)
        return sorted(seen)

    def _wrote_variables(self, pc: int) -> bool:
        """Whether a step already run wrote a parameter (an update, or an in-place op)."""
        mem = self.plan.memory
        for ins in self.plan.instrs[:pc]:
            n = ins.node
            if n.phase == "update" or mutates(n.op) or self.graph.out[n].uid in mem.var_inplace:
                return True
        return False
