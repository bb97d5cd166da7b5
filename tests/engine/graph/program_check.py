"""Running a generated program eagerly and compiled, comparing the two, and shrinking a
program that mismatches to a small repro (the differential test's harness)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine.graph.executor import compile_plan
from vizflow_engine.graph.passes import optimize
from vizflow_engine.graph.trace import Function

from .program_gen import (
    LOSS_TERMS,
    MOVES,
    OPT_ZEROS,
    OPTIMIZERS,
    UPDATES,
    ZEROS,
    Move,
    Program,
)

RTOL, ATOL = 1e-9, 1e-12
CALLS = 3
SCALES = (1.0, 0.5, 1.0)  # a Python float argument: traced again for 0.5, cached for 1.0


# ---- running a program ----------------------------------------------------------------------


@dataclass
class Env:
    """One run's parameters (eager copies, identical across runs) and optimiser."""

    params: list[Any]
    opt: Any


def init_params(p: Program) -> list[Any]:
    """The program's parameters, drawn from its seed (the same values on every call)."""
    r = np.random.default_rng([p.seed, 1])
    out = []
    for k, shape in enumerate(p.params):
        t = vf.tensor(r.uniform(-1, 1, shape), requires_grad=k not in p.frozen)
        t.name = f"p{k}"
        out.append(t)
    return out


def make_env(p: Program) -> Env:
    """Fresh parameters and (for optimiser steps) a fresh optimiser over the trainable ones."""
    ps = init_params(p)
    trainable = [t for k, t in enumerate(ps) if k not in p.frozen]
    make = OPTIMIZERS.get(p.update)
    return Env(ps, make(trainable) if make is not None and trainable else None)


def inputs_for(p: Program, call: int) -> list[np.ndarray]:
    """The arrays fed on call number `call` (different on every call)."""
    r = np.random.default_rng([p.seed, 2, call])
    return [r.uniform(-1, 1, s) for s in p.inputs]


def feed(p: Program, a: np.ndarray, k: int) -> Any:
    """Input k as a Tensor: a copy, or (strided) a non-contiguous view of a's values."""
    if p.strided and a.ndim:
        view = np.asfortranarray(a) if a.ndim > 1 else np.repeat(a, 2)[::2]
        x = vf.from_numpy(view)
    else:
        x = vf.tensor(a)
    return x.requires_grad_(True) if p.input_grad and k == 0 else x


def run_moves(p: Program, env: Env, xs: tuple[Any, ...]) -> list[Any]:
    """The forward body: every move's value, in order (the pool)."""
    pool: list[Any] = []
    for m in p.moves:
        if m.kind == "param":
            pool.append(env.params[m.ints[0]])
        elif m.kind == "input":
            pool.append(xs[m.ints[0]])
        else:
            pool.append(MOVES[m.kind]([pool[r] for r in m.refs], m.ints))
    return pool


def make_step(p: Program, env: Env) -> Callable[..., Any]:
    """The training step as a Python closure over env (what eager and vf.function both run)."""
    trainable = [t for k, t in enumerate(env.params) if k not in p.frozen]
    zero = ZEROS[p.zero]
    update = UPDATES[p.update]

    def step(*xs: Any, scale: float = 1.0) -> Any:
        zero(trainable, env.opt)
        pool = run_moves(p, env, xs)
        terms = [LOSS_TERMS[t][1](pool[i]) * (scale + 0.5 * k) for k, (i, t) in enumerate(p.loss)]
        loss = sum(terms[1:], start=terms[0])
        if update is None:
            return loss, pool[-1] * 1.0
        if p.backward == 2:  # two backward passes add into the same .grad
            terms[0].backward(retain_graph=True)
            sum(terms[2:], start=terms[1]).backward()
        else:
            loss.backward()
        update(trainable, env.opt)
        # the last value as it is: a view of a parameter shows a later in-place step eagerly
        return (loss, pool[-1]) if p.return_last else loss

    return step


class Recompiled(Function):
    """vf.function whose plans are compiled here from its traced graph: optimised with or
    without fusion, or not at all, with the memory plan's buffer reuse on or off."""

    def __init__(self, fn: Callable[..., Any], passes: bool, fuse: bool, reuse: bool) -> None:
        super().__init__(fn, optimize=False, parallel=True)
        self.options = (passes, fuse, reuse)
        self._done: dict[int, Any] = {}

    def _entry(self, *args: Any, **kwargs: Any) -> Any:
        e = super()._entry(*args, **kwargs)
        if id(e) not in self._done:
            passes, fuse, reuse = self.options
            g = optimize(e.graph, fuse=fuse)[0] if passes else e.graph
            e.plan = compile_plan(g, parallel=True, reuse=reuse)
            self._done[id(e)] = e
        return e


CONFIGS: dict[str, Callable[[Callable[..., Any]], Any]] = {
    "optimize=False": lambda fn: Function(fn, optimize=False, parallel=True),
    "optimize=True": lambda fn: Function(fn, optimize=True, parallel=True),
    "fused": lambda fn: Recompiled(fn, passes=True, fuse=True, reuse=True),
}
# not part of the differential test: configurations that tell which part a mismatch is in
DIAGNOSTIC: dict[str, Callable[[Callable[..., Any]], Any]] = {
    "optimize=False reuse=False": lambda fn: Recompiled(fn, passes=False, fuse=False, reuse=False),
    "optimize=True reuse=False": lambda fn: Recompiled(fn, passes=True, fuse=False, reuse=False),
}
ALL_CONFIGS = {**CONFIGS, **DIAGNOSTIC}


Snapshot = dict[str, Any]


def _np(x: Any) -> Any:
    return None if x is None else np.array(x.numpy() if hasattr(x, "numpy") else x, copy=True)


def snapshot(env: Env, xs: list[Any], out: Any) -> Snapshot:
    """What one call produced: returned values, and every input's and parameter's value and
    .grad after it."""
    outs = out if isinstance(out, tuple) else (out,)
    snap: Snapshot = {f"out{k}": _np(o) for k, o in enumerate(outs)}
    for k, x in enumerate(xs):
        snap[f"x{k}.grad"] = _np(x.grad)
        snap[f"x{k}"] = _np(x)
    for k, t in enumerate(env.params):
        snap[f"p{k}.grad"] = _np(t.grad)
        snap[f"p{k}"] = _np(t)
    return snap


def run(p: Program, wrap: Callable[[Callable[..., Any]], Any] | None) -> list[Snapshot]:
    """Snapshots after each of CALLS calls, eagerly (wrap None) or compiled by `wrap`."""
    env = make_env(p)
    step = make_step(p, env)
    fn = step if wrap is None else wrap(step)
    snaps = []
    for c in range(CALLS):
        xs = [feed(p, a, k) for k, a in enumerate(inputs_for(p, c))]
        if p.alias_inputs:
            xs[1] = xs[0]
        out = fn(*xs, scale=SCALES[c]) if p.scale_arg else fn(*xs)
        snaps.append(snapshot(env, xs, out))
        if p.lr_decay:  # a schedule between calls: the compiled step must read the new lr
            for g in env.opt.param_groups:
                g["lr"] *= 0.5
    return snaps


@dataclass(frozen=True)
class Mismatch:
    """The first quantity a compiled run got differently from eager."""

    config: str
    call: int
    quantity: str  # "out0", "p2.grad", "p1", or "error"
    detail: str

    @property
    def kind(self) -> str:
        """The class used for counting: what differed (loss, output, a parameter's or an
        input's grad or value) and how."""
        q = self.quantity
        if q == "error":
            return f"error: {self.detail[:90]}"
        if q.startswith("out"):
            what = "loss" if q == "out0" else "output"
        else:
            what = ("param" if q[0] == "p" else "input") + (" grad" if q.endswith(".grad") else "")
        return f"{what}: {self.detail.split(':')[0]}"

    def __str__(self) -> str:
        when = "while compiling or calling" if self.call < 0 else f"after call {self.call}"
        return f"[{self.config}] {self.quantity} {when}: {self.detail}"


def compare(want: list[Snapshot], got: list[Snapshot], config: str) -> Mismatch | None:
    """The first difference between eager and compiled snapshots, in call order."""
    for c, (w, g) in enumerate(zip(want, got, strict=True)):
        for q, a in w.items():
            b = g[q]
            if (a is None) != (b is None):
                return Mismatch(config, c, q, f"None-ness: eager {a is None}, compiled {b is None}")
            if a is None:
                continue
            if a.shape != b.shape:
                return Mismatch(config, c, q, f"shape: eager {a.shape}, compiled {b.shape}")
            if a.dtype != b.dtype:
                return Mismatch(config, c, q, f"dtype: eager {a.dtype}, compiled {b.dtype}")
            if not np.array_equal(np.isnan(a), np.isnan(b)):
                return Mismatch(config, c, q, "NaN positions differ")
            if not np.allclose(b, a, rtol=RTOL, atol=ATOL, equal_nan=True):
                err = float(np.nanmax(np.abs(b - a)))
                return Mismatch(config, c, q, f"values: max abs diff {err:.3g}")
    return None


def check(p: Program, configs: Iterable[str] = tuple(CONFIGS)) -> list[Mismatch]:
    """Every configuration's first mismatch against eager (empty when all agree)."""
    want = run(p, None)
    found = []
    for name in configs:
        try:
            got = run(p, ALL_CONFIGS[name])
        except Exception as e:  # a compiled failure where eager ran is a mismatch too
            found.append(Mismatch(name, -1, "error", f"{type(e).__name__}: {e}"))
            continue
        m = compare(want, got, name)
        if m is not None:
            found.append(m)
    return found


# ---- shrinking ------------------------------------------------------------------------------


def drop_move(p: Program, k: int) -> Program | None:
    """p without move k and every move that reads it (pool indices renumbered)."""
    gone = {k}
    for j in range(k + 1, len(p.moves)):
        if any(r in gone for r in p.moves[j].refs):
            gone.add(j)
    new_index: dict[int, int] = {}
    moves: list[Move] = []
    for j, m in enumerate(p.moves):
        if j not in gone:
            new_index[j] = len(moves)
            moves.append(replace(m, refs=tuple(new_index[r] for r in m.refs)))
    loss = tuple((new_index[i], t) for i, t in p.loss if i not in gone)
    return replace(p, moves=tuple(moves), loss=loss) if loss else None


def fails_like(p: Program, config: str) -> Callable[[Program], bool]:
    """A test for shrink: does a program still mismatch under config, the way p does?"""
    first = check(p, [config])
    kind = first[0].kind if first else None

    def fails(q: Program) -> bool:
        try:
            found = check(q, [config])
        except Exception:  # the smaller program no longer runs eagerly
            return False
        return bool(found) and found[0].kind == kind

    return fails


def shrink(p: Program, fails: Callable[[Program], bool], budget: int = 200) -> Program:
    """A smaller program for which fails still holds: drops moves (with what reads them),
    loss terms, the update and the zeroing while it does, trying at most `budget` programs."""
    changed = True
    while changed and budget > 0:
        changed = False
        cands: list[Program | None] = [drop_move(p, k) for k in reversed(range(len(p.moves)))]
        cands += [replace(p, loss=p.loss[:k] + p.loss[k + 1 :]) for k in range(len(p.loss))]
        simpler = ("backward_only", "manual")  # an update is replaced by a simpler one only
        rank = simpler.index(p.update) if p.update in simpler else len(simpler)
        cands += [replace(p, update=u) for u in simpler[:rank]]
        cands += [replace(p, zero="grad_none")] if p.zero != "grad_none" else []
        cands += [replace(p, backward=1), replace(p, lr_decay=False), replace(p, input_grad=False)]
        cands += [replace(p, scale_arg=False), replace(p, return_last=False)]
        cands += [replace(p, alias_inputs=False), replace(p, strided=False)]
        last = max(i for i, _ in p.loss)  # one plain term on an earlier value
        cands += [replace(p, loss=((k, 0),)) for k in range(last)]
        for q in cands:
            if q is None or not q.loss or q == p:
                continue
            if q.update not in OPTIMIZERS and q.zero in OPT_ZEROS:
                continue
            budget -= 1
            if budget < 0:
                break
            if fails(q):
                p, changed = q, True
                break
    return p
