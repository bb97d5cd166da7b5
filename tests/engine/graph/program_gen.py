"""Random float64 training steps as data: the move tables and a seeded generator.

A Program is a seed, parameter and input shapes, a list of Moves and a step kind (how the
gradient is zeroed and how parameters are updated). A Move names an entry of the MOVES table
and holds its operands (indices into the pool of values made so far) and integer arguments,
so a program is replayed by an interpreter (program_check.py) and never becomes source text
(DESIGN.md, principle 10).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

import vizflow_engine as vf
from vizflow_engine import nn, optim

F64 = vf.float64

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Move:
    """One step of the forward body: MOVES[kind] applied to pool values `refs` and `ints`."""

    kind: str
    refs: tuple[int, ...] = ()
    ints: tuple[int, ...] = ()


@dataclass(frozen=True)
class Program:
    """A training step: forward moves, a loss over some pool values, zeroing and an update."""

    seed: int
    params: tuple[Shape, ...]
    frozen: tuple[int, ...]  # parameters captured with requires_grad=False (buffers)
    inputs: tuple[Shape, ...]
    moves: tuple[Move, ...]
    loss: tuple[tuple[int, int], ...]  # (pool index, LOSS_TERMS index)
    zero: str  # a ZEROS key
    update: str  # an UPDATES key
    backward: int = 1  # 2: the first loss term gets its own backward (retain_graph) first
    lr_decay: bool = False  # the optimiser's lr halves between calls (outside the step)
    input_grad: bool = False  # input 0 requires grad: its .grad is compared too
    scale_arg: bool = False  # a float keyword argument scales the loss (a new trace per value)
    return_last: bool = False  # the step also returns the last move's value as it is
    alias_inputs: bool = False  # inputs 0 and 1 (same shape) are one tensor passed twice
    strided: bool = False  # inputs are fed as non-contiguous numpy views (vf.from_numpy)


# ---- the move tables ------------------------------------------------------------------------

UNARY: list[tuple[str, Callable[[Any], Any]]] = [
    ("tanh", vf.tanh),
    ("sin", vf.sin),
    ("sigmoid", vf.sigmoid),
    ("relu", vf.relu),
    ("exp_tanh", lambda x: vf.exp(vf.tanh(x))),
    ("square", lambda x: x * x),
    ("sqrt1", lambda x: vf.sqrt(x * x + 1.0)),
    ("log1p_sq", lambda x: vf.log1p(x * x)),
    ("neg", lambda x: -x),
    ("half", lambda x: x * 0.5),
    ("plus1", lambda x: x + 1.0),
    ("one_minus", lambda x: 1.0 - x),
    ("times1", lambda x: x * 1.0),
    ("plus0", lambda x: x + 0.0),
    ("pow2", lambda x: x**2),
    ("abs", vf.abs),
    ("clamp", lambda x: vf.clamp(x, -0.5, 0.5)),
    ("leaky_relu", vf.leaky_relu),
    ("softplus", vf.softplus),
    ("ratio", lambda x: x / (x * x + 1.0)),
    ("softmax", lambda x: vf.softmax(x, axis=-1) if x.ndim else x),
    ("log_softmax", lambda x: vf.log_softmax(x, axis=-1) if x.ndim else x),
]
BINARY: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / (b * b + 1.0)),
    ("maximum", vf.maximum),
    ("minimum", vf.minimum),
    ("where", lambda a, b: vf.where(a > 0, a, b)),
]
REDUCE: list[tuple[str, Callable[..., Any]]] = [
    ("sum", lambda x, **k: x.sum(**k)),
    ("mean", lambda x, **k: x.mean(**k)),
    ("max", lambda x, **k: x.max(**k)),
    ("min", lambda x, **k: x.min(**k)),
    ("logsumexp", lambda x, **k: vf.logsumexp(x, **k)),
]
LOSS_TERMS: list[tuple[str, Callable[[Any], Any]]] = [
    ("sum", lambda v: v.sum()),
    ("sq_mean", lambda v: (v * v).mean()),
    ("tanh_sum", lambda v: vf.tanh(v).sum()),
]


def _idx(values: Iterable[int]) -> Any:
    """An int64 index tensor made inside the step."""
    return vf.tensor(np.array(list(values), dtype=np.int64))


def _const(seed: int, shape: Shape) -> Any:
    """A float64 tensor made inside the step from a seed."""
    return vf.tensor(np.random.default_rng(seed).uniform(-1, 1, shape))


def _mixed(x: Any, seed: int) -> Any:
    """x through float32 arithmetic with an int64 tensor and back: dtype promotion must match."""
    ints = np.random.default_rng(seed).integers(-3, 4, tuple(x.shape))
    return (x.float() * vf.tensor(ints.astype(np.int64)) + 1).double()


def _reduce(x: Any, ints: tuple[int, ...]) -> Any:
    r, has_axis, axis, keep = ints
    fn = REDUCE[r][1]
    return fn(x, axis=axis, keepdims=bool(keep)) if has_axis else fn(x)


def _slice(x: Any, ints: tuple[int, ...]) -> Any:
    axis, a, b, step = ints
    return x[(slice(None),) * axis + (slice(a, b, step),)]


def _index(x: Any, ints: tuple[int, ...]) -> Any:
    axis, *idx = ints
    return x[(slice(None),) * axis + (_idx(idx),)]


def _rnn(x: Any, w: Any, u: Any) -> Any:
    """h = tanh(x[t] @ W + h @ U) over the first dim of x, from h = 0."""
    h = vf.zeros((*x.shape[1:-1], u.shape[0]), dtype=F64)
    for t in range(x.shape[0]):
        h = vf.tanh(x[t] @ w + h @ u)
    return h


def _acc(a: Any, b: Any, ints: tuple[int, ...]) -> Any:
    """A tensor made in the step (zeros, ones, vf.tensor) and then written in place."""
    (kind,) = ints
    if kind == 0:
        acc = vf.zeros(tuple(a.shape), dtype=F64)
        acc += a
        acc += b
    elif kind == 1:
        acc = vf.ones(tuple(a.shape), dtype=F64)
        acc *= a
        acc -= b
    else:
        acc = _const(len(a.shape), tuple(a.shape))
        acc -= a
        acc *= b
    return acc


def _setitem(a: Any, b: Any, ints: tuple[int, ...]) -> Any:
    """buf[k] = b where buf is a fresh zeros tensor, a clone of a, or a non-leaf a * 0.5."""
    kind, k = ints
    if kind == 0:
        buf = vf.zeros(tuple(a.shape), dtype=F64)
        buf += a
    elif kind == 1:
        buf = vf.clone(a)
    else:
        buf = a * 0.5
    buf[k] = b
    return buf


def _buffer(a: Any, kind: int) -> Any:
    """A tensor holding a's values to write into: made by zeros_like (then +=), a clone, or
    a non-leaf product."""
    if kind == 0:
        buf = vf.zeros_like(a)
        buf += a
        return buf
    return vf.clone(a) if kind == 1 else a * 0.5


def _setslice(a: Any, b: Any, ints: tuple[int, ...]) -> Any:
    """buf[..., lo:hi] = b, or buf[..., lo:hi] += b (a read-modify-write of a slice)."""
    kind, add, axis, lo, hi = ints
    buf = _buffer(a, kind)
    at = (slice(None),) * axis + (slice(lo, hi),)
    if add:
        buf[at] += b
    else:
        buf[at] = b
    return buf


def _setindex(a: Any, b: Any, ints: tuple[int, ...]) -> Any:
    """buf[idx] = b for an index tensor of distinct rows."""
    kind, *idx = ints
    buf = _buffer(a, kind)
    buf[_idx(idx)] = b
    return buf


def _nograd(x: Any, ints: tuple[int, ...]) -> Any:
    """A unary op computed under vf.no_grad() (a constant for backward, like detach)."""
    with vf.no_grad():
        return UNARY[ints[0]][1](x)


HOOKS: list[tuple[str, Callable[[Any], Any]]] = [
    ("double", lambda g: g * 2.0),
    ("clamp", lambda g: vf.clamp(g, -0.5, 0.5)),
    ("keep", lambda g: None),
]


def _hook(x: Any, ints: tuple[int, ...]) -> Any:
    """clone(x) with a gradient hook that rewrites (or keeps) the gradient flowing through."""
    y = vf.clone(x)
    y.register_hook(HOOKS[ints[0]][1])
    return y


def _ema(buf: Any, v: Any) -> Any:
    """A captured buffer (a frozen parameter) updated in place mid-step, as running stats are:
    buf = 0.9 buf + 0.1 v under no_grad; later moves read the new value."""
    with vf.no_grad():
        buf.mul_(0.9)
        buf.add_(0.1 * v)
    return buf


def _write_input(x: Any, v: Any, ints: tuple[int, ...]) -> Any:
    """An argument of the step written in place (x += v or x *= v): the caller's tensor
    changes, as in eager PyTorch."""
    if ints[0] == 0:
        x += v
    else:
        x *= v
    return x


def _inplace(a: Any, b: Any, ints: tuple[int, ...]) -> Any:
    """y = clone(a), then y op= b (a non-leaf written in place)."""
    y = vf.clone(a)
    if ints[0] == 0:
        y += b
    elif ints[0] == 1:
        y -= b
    else:
        y *= b
    return y


Apply = Callable[[list[Any], tuple[int, ...]], Any]

MOVES: dict[str, Apply] = {
    "unary": lambda v, i: UNARY[i[0]][1](v[0]),
    "binary": lambda v, i: BINARY[i[0]][1](v[0], v[1]),
    "matmul": lambda v, i: v[0] @ v[1],
    "reduce": lambda v, i: _reduce(v[0], i),
    "reshape": lambda v, i: v[0].reshape(i),
    "swapaxes": lambda v, i: v[0].swapaxes(i[0], i[1]),
    "expand": lambda v, i: v[0].unsqueeze(0).expand(i[0], *v[0].shape),
    "unsqueeze": lambda v, i: v[0].unsqueeze(i[0]),
    "squeeze": lambda v, i: v[0].squeeze(i[0]),
    "getint": lambda v, i: v[0][i[0]],
    "slice": lambda v, i: _slice(v[0], i),
    "index": lambda v, i: _index(v[0], i),
    "rnn": lambda v, i: _rnn(v[0], v[1], v[2]),
    "detach": lambda v, i: v[0].detach(),
    "acc": lambda v, i: _acc(v[0], v[1], i),
    "setitem": lambda v, i: _setitem(v[0], v[1], i),
    "inplace": lambda v, i: _inplace(v[0], v[1], i),
    "const": lambda v, i: v[0] * _const(i[0], tuple(v[0].shape)),
    "mixed": lambda v, i: _mixed(v[0], i[0]),
    "cat": lambda v, i: vf.cat([v[0], v[1]], axis=i[0]),
    "stack": lambda v, i: vf.stack([v[0], v[1]], axis=i[0]),
    "split": lambda v, i: v[0].split(i[0], axis=i[1])[i[2]],
    "setslice": lambda v, i: _setslice(v[0], v[1], i),
    "setindex": lambda v, i: _setindex(v[0], v[1], i),
    "nograd": lambda v, i: _nograd(v[0], i),
    "hook": lambda v, i: _hook(v[0], i),
    "ema": lambda v, i: _ema(v[0], v[1]),
    "write_input": lambda v, i: _write_input(v[0], v[1], i),
}


def describe_move(k: int, m: Move) -> str:
    """One line of a program listing: `v7 = unary[tanh](v3)`."""
    if m.kind in ("param", "input"):
        return f"v{k} = {m.kind}{m.ints[0]}"
    label = m.kind
    names: dict[str, list[tuple[str, Any]]] = {
        "unary": UNARY,
        "binary": BINARY,
        "reduce": REDUCE,
        "nograd": UNARY,
        "hook": HOOKS,
    }
    ints = list(m.ints)
    if m.kind in names:
        label += f"[{[n for n, _ in names[m.kind]][ints.pop(0)]}]"
    args = [f"v{r}" for r in m.refs] + [str(x) for x in ints]
    return f"v{k} = {label}({', '.join(args)})"


def describe(p: Program) -> str:
    """The program as readable lines (what a mismatch report prints)."""
    lines = [
        f"program seed={p.seed} zero={p.zero} update={p.update} backward={p.backward} "
        f"lr_decay={p.lr_decay} input_grad={p.input_grad} scale_arg={p.scale_arg} "
        f"return_last={p.return_last} alias_inputs={p.alias_inputs} strided={p.strided}",
        f"  params={list(p.params)} frozen={list(p.frozen)} inputs={list(p.inputs)}",
    ]
    lines += ["  " + describe_move(k, m) for k, m in enumerate(p.moves)]
    terms = " + ".join(f"{LOSS_TERMS[t][0]}(v{i})" for i, t in p.loss)
    lines.append(f"  loss = {terms}")
    return "\n".join(lines)


# ---- zeroing and updates --------------------------------------------------------------------

Params = list[Any]


def _zero_none(ps: Params, opt: Any) -> None:
    for p in ps:
        p.grad = None


def _zero_inplace(ps: Params, opt: Any) -> None:
    for p in ps:
        if p.grad is not None:
            p.grad.zero_()


ZEROS: dict[str, Callable[[Params, Any], None]] = {
    "grad_none": _zero_none,  # p.grad = None
    "grad_zero_": _zero_inplace,  # p.grad.zero_() where a gradient exists
    "opt_zero_grad": lambda ps, opt: opt.zero_grad(),
    "opt_zero_grad_keep": lambda ps, opt: opt.zero_grad(set_to_none=False),
    "accumulate": lambda ps, opt: None,  # gradients add up across calls
}
OPT_ZEROS = ("opt_zero_grad", "opt_zero_grad_keep")

LR = 0.1


def _manual(ps: Params, opt: Any) -> None:
    with vf.no_grad():
        for p in ps:
            if p.grad is not None:
                p -= LR * p.grad


def _manual_cross(ps: Params, opt: Any) -> None:
    """Each parameter's update reads the next one (already updated, for the last)."""
    with vf.no_grad():
        for k, p in enumerate(ps):
            if p.grad is not None:
                q = ps[(k + 1) % len(ps)]
                p.sub_(LR * p.grad + 0.01 * q.sum())


def _step(ps: Params, opt: Any) -> None:
    opt.step()


OPTIMIZERS: dict[str, Callable[[Params], Any]] = {
    "sgd": lambda ps: optim.SGD(ps, lr=LR),
    "sgd_wd": lambda ps: optim.SGD(ps, lr=LR, weight_decay=0.05),
    "sgd_momentum": lambda ps: optim.SGD(ps, lr=LR, momentum=0.9),
    "sgd_dampening": lambda ps: optim.SGD(ps, lr=LR, momentum=0.8, dampening=0.3),
    "sgd_nesterov": lambda ps: optim.SGD(ps, lr=LR, momentum=0.9, nesterov=True),
    "sgd_nesterov_wd": lambda ps: optim.SGD(
        ps, lr=LR, momentum=0.9, nesterov=True, weight_decay=0.01
    ),
    "adam": lambda ps: optim.Adam(ps, lr=0.05),
    "adam_wd": lambda ps: optim.Adam(ps, lr=0.05, weight_decay=0.02),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.05),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01),
    "rmsprop_centered_momentum": lambda ps: optim.RMSprop(
        ps, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01
    ),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    "adadelta": lambda ps: optim.Adadelta(ps, lr=1.0, weight_decay=0.01),
}


def _clip_norm_step(ps: Params, opt: Any) -> None:
    nn.utils.clip_grad_norm_(ps, 0.5)
    opt.step()


def _clip_value_step(ps: Params, opt: Any) -> None:
    nn.utils.clip_grad_value_(ps, 0.2)
    opt.step()


def _step_twice(ps: Params, opt: Any) -> None:
    opt.step()
    opt.step()


OPTIMIZERS.update(
    sgd_groups=lambda ps: optim.SGD(
        [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.02, "momentum": 0.5}]
        if len(ps) > 1
        else ps,
        lr=LR,
    ),
    clip_norm_adam=lambda ps: optim.Adam(ps, lr=0.05),
    clip_value_sgd_momentum=lambda ps: optim.SGD(ps, lr=LR, momentum=0.9),
    adam_step_twice=lambda ps: optim.Adam(ps, lr=0.05),
)
UPDATES: dict[str, Callable[[Params, Any], None] | None] = {
    "forward_only": None,  # no backward: the loss and one intermediate are returned
    "backward_only": lambda ps, opt: None,
    "manual": _manual,
    "manual_cross": _manual_cross,
    **{name: _step for name in OPTIMIZERS},
    "clip_norm_adam": _clip_norm_step,
    "clip_value_sgd_momentum": _clip_value_step,
    "adam_step_twice": _step_twice,
}


# ---- the generator --------------------------------------------------------------------------

MOVE_WEIGHTS: dict[str, float] = {
    "unary": 3,
    "binary": 3,
    "matmul": 2,
    "reduce": 1.5,
    "reshape": 1,
    "swapaxes": 1,
    "expand": 0.5,
    "unsqueeze": 0.5,
    "squeeze": 0.5,
    "getint": 1,
    "slice": 1.5,
    "index": 1,
    "rnn": 0.7,
    "detach": 1,
    "acc": 1,
    "setitem": 1,
    "inplace": 1,
    "const": 0.7,
    "mixed": 0.5,
    "cat": 0.7,
    "stack": 0.5,
    "split": 0.5,
    "setslice": 1,
    "setindex": 0.5,
    "nograd": 0.5,
    "hook": 0.5,
    "ema": 0.5,
    "write_input": 0.4,
    "repeat": 1.5,  # the same move again on the same operands: a shared sub-expression
    "param": 1,  # a parameter used again (or a new one)
}
GEN_MOVES = list(MOVE_WEIGHTS)


class _Builder:
    """Draws moves one at a time, running each eagerly to learn its value's shape."""

    def __init__(self, seed: int, exclude: frozenset[str], max_moves: int) -> None:
        self.r = np.random.default_rng(seed)
        self.seed = seed
        self.exclude = exclude
        self.max_moves = max_moves
        self.twins = False  # inputs 0 and 1 share a shape (build decides)
        self.params: list[Shape] = []
        self.inputs: list[Shape] = []
        self.moves: list[Move] = []
        self.shapes: list[Shape] = []
        self.grad: list[bool] = []  # whether the value depends on a trainable parameter
        self.values: list[Any] = []
        self.param_values: list[Any] = []
        self.frozen: list[int] = []

    def dim(self) -> int:
        return int(self.r.choice([1, 2, 3, 4], p=[0.1, 0.35, 0.35, 0.2]))

    def shape(self, lo: int = 1, hi: int = 3) -> Shape:
        return tuple(self.dim() for _ in range(int(self.r.integers(lo, hi + 1))))

    def pick(self, ok: Callable[[int], bool]) -> int | None:
        """A random pool index whose value satisfies ok, preferring recent ones."""
        cands = [k for k in range(len(self.moves)) if ok(k)]
        if not cands:
            return None
        w = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return int(self.r.choice(cands, p=w / w.sum()))

    def add(self, m: Move) -> int:
        if m.kind == "param":
            v = self.param_values[m.ints[0]]
        elif m.kind == "input":
            v = vf.tensor(np.random.default_rng(m.ints[0]).uniform(-1, 1, self.inputs[m.ints[0]]))
        else:
            v = MOVES[m.kind]([self.values[r] for r in m.refs], m.ints)
        self.moves.append(m)
        self.values.append(v)
        self.shapes.append(tuple(v.shape))
        self.grad.append(bool(v.requires_grad))
        return len(self.moves) - 1

    def param(self, shape: Shape, new: bool = False, frozen: bool | None = None) -> int:
        """A pool index holding a parameter of this shape (shared when one exists)."""
        same = [
            k for k, m in enumerate(self.moves) if m.kind == "param" and self.shapes[k] == shape
        ]
        if same and not new and self.r.random() < 0.7:
            return int(self.r.choice(same))
        old = [k for k, s in enumerate(self.params) if s == shape]
        if old and not new and self.r.random() < 0.5:
            return self.add(Move("param", (), (int(self.r.choice(old)),)))
        k = len(self.params)
        self.params.append(shape)
        frozen = self.r.random() < 0.1 if frozen is None else frozen
        if frozen:
            self.frozen.append(k)
        t = vf.tensor(self.r.uniform(-1, 1, shape), requires_grad=not frozen)
        self.param_values.append(t)
        return self.add(Move("param", (), (k,)))

    def input(self, shape: Shape) -> int:
        self.inputs.append(shape)
        return self.add(Move("input", (), (len(self.inputs) - 1,)))

    # each draw_* returns a Move or None (not applicable to the pool as it is)

    def draw_unary(self) -> Move | None:
        i = self.pick(lambda k: True)
        return None if i is None else Move("unary", (i,), (int(self.r.integers(len(UNARY))),))

    def draw_binary(self) -> Move | None:
        i = self.pick(lambda k: True)
        if i is None:
            return None
        si = self.shapes[i]

        def fits(k: int) -> bool:
            try:
                return np.broadcast_shapes(si, self.shapes[k]) is not None
            except ValueError:
                return False

        j = self.pick(fits)
        if j is None or self.r.random() < 0.15:
            j = self.param(si[int(self.r.integers(len(si) + 1)) :])
        return Move("binary", (i, j), (int(self.r.integers(len(BINARY))),))

    def draw_matmul(self) -> Move | None:
        i = self.pick(lambda k: 1 <= len(self.shapes[k]) <= 3)
        if i is None:
            return None
        n = self.shapes[i][-1]
        j = self.pick(lambda k: len(self.shapes[k]) in (1, 2) and self.shapes[k][0] == n)
        if j is None or self.r.random() < 0.4:
            j = self.param((n, self.dim()) if self.r.random() < 0.8 else (n,))
        if self.r.random() < 0.3:
            i, j = j, i  # param @ value, where the shapes allow
            si, sj = self.shapes[i], self.shapes[j]
            if len(si) == 1 or len(sj) > 2 or si[-1] != sj[0]:
                i, j = j, i
        return Move("matmul", (i, j))

    def draw_reduce(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 1)
        if i is None:
            return None
        nd = len(self.shapes[i])
        r = int(self.r.integers(len(REDUCE)))
        if self.r.random() < 0.25:
            return Move("reduce", (i,), (r, 0, 0, 0))
        axis = int(self.r.integers(-nd, nd))
        return Move("reduce", (i,), (r, 1, axis, int(self.r.random() < 0.5)))

    def draw_reshape(self) -> Move | None:
        i = self.pick(lambda k: int(np.prod(self.shapes[k])) > 1)
        if i is None:
            return None
        s = self.shapes[i]
        n = int(np.prod(s))
        opts: list[Shape] = [(n,), (1, n), (n, 1)]
        divs = [d for d in range(2, n) if n % d == 0]
        opts += [(d, n // d) for d in divs]
        if len(s) >= 2:
            opts.append((s[0] * s[1], *s[2:]))
        opts = [o for o in opts if o != s]
        return Move("reshape", (i,), opts[int(self.r.integers(len(opts)))])

    def draw_swapaxes(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 2)
        if i is None:
            return None
        nd = len(self.shapes[i])
        a, b = self.r.choice(nd, 2, replace=False)
        return Move("swapaxes", (i,), (int(a), int(b)))

    def draw_expand(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) <= 2)
        return None if i is None else Move("expand", (i,), (int(self.r.integers(1, 4)),))

    def draw_unsqueeze(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) <= 2)
        if i is None:
            return None
        return Move("unsqueeze", (i,), (int(self.r.integers(len(self.shapes[i]) + 1)),))

    def draw_squeeze(self) -> Move | None:
        i = self.pick(lambda k: 1 in self.shapes[k])
        if i is None:
            return None
        axes = [a for a, d in enumerate(self.shapes[i]) if d == 1]
        return Move("squeeze", (i,), (int(self.r.choice(axes)),))

    def draw_getint(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 1)
        if i is None:
            return None
        n = self.shapes[i][0]
        return Move("getint", (i,), (int(self.r.integers(-n, n)),))

    def draw_slice(self) -> Move | None:
        i = self.pick(lambda k: any(d >= 2 for d in self.shapes[k]))
        if i is None:
            return None
        s = self.shapes[i]
        axis = int(self.r.choice([a for a, d in enumerate(s) if d >= 2]))
        n = s[axis]
        a = int(self.r.integers(0, n - 1))
        b = int(self.r.integers(a + 1, n + 1))
        step = int(self.r.choice([1, 1, 2]))
        return Move("slice", (i,), (axis, a, b, step))

    def draw_index(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 1)
        if i is None:
            return None
        s = self.shapes[i]
        axis = int(self.r.integers(min(len(s), 2)))
        idx = self.r.integers(0, s[axis], int(self.r.integers(1, 5)))
        return Move("index", (i,), (axis, *(int(x) for x in idx)))

    def draw_rnn(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) in (2, 3) and self.shapes[k][0] <= 4)
        if i is None:
            i = self.input((int(self.r.integers(2, 5)), *self.shape(1, 2)))
        n = self.shapes[i][-1]
        h = self.dim()
        u = self.param((h, h))
        w = self.param((n, h))
        return Move("rnn", (i, w, u))

    def draw_detach(self) -> Move | None:
        params = [k for k, m in enumerate(self.moves) if m.kind == "param"]
        if params and self.r.random() < 0.5:
            return Move("detach", (int(self.r.choice(params)),))
        i = self.pick(lambda k: True)
        return None if i is None else Move("detach", (i,))

    def _same_or_broadcast(self, i: int) -> int:
        """A pool value that broadcasts to value i's shape (a new parameter if none)."""
        si = self.shapes[i]

        def fits(k: int) -> bool:
            try:
                return np.broadcast_shapes(si, self.shapes[k]) == si
            except ValueError:
                return False

        j = self.pick(fits)
        return j if j is not None and self.r.random() < 0.8 else self.param(si)

    def draw_acc(self) -> Move | None:
        i = self.pick(lambda k: True)
        if i is None:
            return None
        return Move("acc", (i, self._same_or_broadcast(i)), (int(self.r.integers(3)),))

    def draw_inplace(self) -> Move | None:
        i = self.pick(lambda k: True)
        if i is None:
            return None
        return Move("inplace", (i, self._same_or_broadcast(i)), (int(self.r.integers(3)),))

    def draw_setitem(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 1)
        if i is None:
            return None
        s = self.shapes[i]
        rest = s[1:]

        def fits(k: int) -> bool:
            try:
                return np.broadcast_shapes(rest, self.shapes[k]) == rest
            except ValueError:
                return False

        j = self.pick(fits)
        if j is None or self.r.random() < 0.3:
            j = self.param(rest)
        return Move("setitem", (i, j), (int(self.r.integers(3)), int(self.r.integers(-s[0], s[0]))))

    def draw_const(self) -> Move | None:
        i = self.pick(lambda k: True)
        return None if i is None else Move("const", (i,), (int(self.r.integers(1000)),))

    def draw_mixed(self) -> Move | None:
        i = self.pick(lambda k: True)
        return None if i is None else Move("mixed", (i,), (int(self.r.integers(1000)),))

    def draw_cat(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 1)
        if i is None:
            return None
        s = self.shapes[i]
        axis = int(self.r.integers(len(s)))

        def fits(k: int) -> bool:
            t = self.shapes[k]
            return len(t) == len(s) and all(t[d] == s[d] for d in range(len(s)) if d != axis)

        j = self.pick(fits)
        return Move("cat", (i, j if j is not None else self.param(s)), (axis,))

    def draw_stack(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) <= 2)
        if i is None:
            return None
        s = self.shapes[i]
        j = self.pick(lambda k: self.shapes[k] == s)
        j = j if j is not None else self.param(s)
        return Move("stack", (i, j), (int(self.r.integers(len(s) + 1)),))

    def draw_split(self) -> Move | None:
        i = self.pick(lambda k: any(d >= 2 for d in self.shapes[k]))
        if i is None:
            return None
        s = self.shapes[i]
        axis = int(self.r.choice([a for a, d in enumerate(s) if d >= 2]))
        size = int(self.r.integers(1, s[axis]))
        pieces = -(-s[axis] // size)
        return Move("split", (i,), (size, axis, int(self.r.integers(pieces))))

    def _into(self, shape: Shape) -> int:
        """A pool value that broadcasts to shape (a new parameter of that shape if none)."""

        def fits(k: int) -> bool:
            try:
                return np.broadcast_shapes(shape, self.shapes[k]) == shape
            except ValueError:
                return False

        j = self.pick(fits)
        return j if j is not None and self.r.random() < 0.7 else self.param(shape)

    def draw_setslice(self) -> Move | None:
        i = self.pick(lambda k: any(d >= 2 for d in self.shapes[k]))
        if i is None:
            return None
        s = self.shapes[i]
        axis = int(self.r.choice([a for a, d in enumerate(s) if d >= 2]))
        lo = int(self.r.integers(0, s[axis] - 1))
        hi = int(self.r.integers(lo + 1, s[axis] + 1))
        j = self._into((*s[:axis], hi - lo, *s[axis + 1 :]))
        ints = (int(self.r.integers(3)), int(self.r.integers(2)), axis, lo, hi)
        return Move("setslice", (i, j), ints)

    def draw_setindex(self) -> Move | None:
        i = self.pick(lambda k: len(self.shapes[k]) >= 1)
        if i is None:
            return None
        s = self.shapes[i]
        idx = self.r.permutation(s[0])[: int(self.r.integers(1, s[0] + 1))]
        j = self._into((len(idx), *s[1:]))
        return Move("setindex", (i, j), (int(self.r.integers(3)), *(int(x) for x in idx)))

    def draw_nograd(self) -> Move | None:
        i = self.pick(lambda k: True)
        return None if i is None else Move("nograd", (i,), (int(self.r.integers(len(UNARY))),))

    def draw_hook(self) -> Move | None:
        i = self.pick(lambda k: self.grad[k])
        return None if i is None else Move("hook", (i,), (int(self.r.integers(len(HOOKS))),))

    def draw_ema(self) -> Move | None:
        i = self.pick(lambda k: True)
        if i is None:
            return None
        s = self.shapes[i]
        bufs = [
            k
            for k, m in enumerate(self.moves)
            if m.kind == "param" and m.ints[0] in self.frozen and self.shapes[k] == s
        ]
        b = int(self.r.choice(bufs)) if bufs else self.param(s, new=True, frozen=True)
        return Move("ema", (b, i))

    def draw_write_input(self) -> Move | None:
        read = {r for m in self.moves for r in m.refs}  # written before any op reads it, so
        # eager backward never meets a saved input that changed (it would raise, as torch does)
        i = self.pick(lambda k: self.moves[k].kind == "input" and k not in read)
        if i is None:
            i = self.input(self.shape(1, 2))
        return Move("write_input", (i, self._same_or_broadcast(i)), (int(self.r.integers(2)),))

    def draw_repeat(self) -> Move | None:
        # an input is written once, before anything reads it (see draw_write_input)
        done = [m for m in self.moves if m.kind not in ("param", "input", "write_input")]
        return done[int(self.r.integers(len(done)))] if done else None

    def draw_param(self) -> Move | None:
        self.param(self.shape(0, 2))
        return None

    def build(self) -> Program:
        r = self.r
        self.twins = r.random() < 0.15  # two inputs of one shape, perhaps passed as one tensor
        if self.twins:
            s = self.shape(1, 3)
            self.input(s)
            self.input(s)
        for _ in range(int(r.integers(0 if self.twins else 1, 3))):
            self.input(self.shape(1, 3))
        for _ in range(int(r.integers(1, 3))):
            self.param(self.shape(0, 2), new=True)
        w = np.array([0.0 if k in self.exclude else MOVE_WEIGHTS[k] for k in GEN_MOVES])
        for _ in range(int(r.integers(2, self.max_moves + 1))):
            kind = GEN_MOVES[int(r.choice(len(GEN_MOVES), p=w / w.sum()))]
            m = getattr(self, f"draw_{kind}")()
            if m is not None:
                self.add(m)
        return self.finish()

    def finish(self) -> Program:
        r = self.r
        last = len(self.moves) - 1
        terms = [(last, int(r.integers(len(LOSS_TERMS))))]
        for _ in range(int(r.integers(0, 3))):
            terms.append((int(r.integers(len(self.moves))), int(r.integers(len(LOSS_TERMS)))))
        if not any(self.grad[i] for i, _ in terms):
            trainable = [
                k for k, m in enumerate(self.moves) if self.grad[k] and m.kind != "input"
            ] or [self.param(self.shape(0, 2), new=True)]
            if not self.grad[trainable[-1]]:  # the new parameter came out frozen
                self.frozen.remove(self.moves[trainable[-1]].ints[0])
            terms.append((int(r.choice(trainable)), 0))
        update = str(r.choice([u for u in UPDATES if u not in self.exclude]))
        zeros = [
            z
            for z in ZEROS
            if z not in self.exclude and (z not in OPT_ZEROS or update in OPTIMIZERS)
        ]
        split = self.grad[terms[0][0]] and any(self.grad[i] for i, _ in terms[1:])
        backward = 2 if update != "forward_only" and split and r.random() < 0.3 else 1
        lr_decay = update in OPTIMIZERS and r.random() < 0.3
        # an input written in place cannot be a leaf that requires grad
        written = {self.moves[m.refs[0]].ints[0] for m in self.moves if m.kind == "write_input"}
        input_grad = r.random() < 0.15 and 0 not in written
        return Program(
            backward=1 if "backward2" in self.exclude else backward,
            lr_decay=lr_decay and "lr_decay" not in self.exclude,
            input_grad=input_grad and "input_grad" not in self.exclude,
            scale_arg=r.random() < 0.2 and "scale_arg" not in self.exclude,
            return_last=r.random() < 0.25 and "return_last" not in self.exclude,
            # eager would refuse a backward through an input its twin wrote in place
            alias_inputs=self.twins and not written and "alias_inputs" not in self.exclude,
            strided=r.random() < 0.2 and "strided" not in self.exclude,
            seed=self.seed,
            params=tuple(self.params),
            frozen=tuple(self.frozen),
            inputs=tuple(self.inputs),
            moves=tuple(self.moves),
            loss=tuple(terms),
            zero=str(r.choice(zeros)),
            update=update,
        )


def generate(seed: int, exclude: Iterable[str] = (), max_moves: int = 12) -> Program:
    """The random program of this seed (the same on every machine and run); `exclude` names
    moves, zeroing or update kinds, or a flag (backward2, lr_decay, input_grad, scale_arg,
    return_last, alias_inputs, strided) to leave out (to look past a known failure class);
    up to max_moves drawn moves."""
    return _Builder(seed, frozenset(exclude), max_moves).build()
