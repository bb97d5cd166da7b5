"""Linear algebra: matmul (batched, 1-D cases like numpy) and einsum."""

from __future__ import annotations

import string
from typing import Any

from .. import dtypes
from .. import functional as F
from ..dispatch import binary, dispatch
from ..registry import Param, TensorSpec, defop
from ._rules import broadcast_shapes


def _matmul_rule(specs: tuple[TensorSpec, ...], **params: Any) -> TensorSpec:
    a, b = specs
    sa, sb = tuple(a.shape), tuple(b.shape)
    if not sa or not sb:
        raise ValueError("matmul needs inputs with at least 1 dim (use mul for scalars)")
    a2 = (1, *sa) if len(sa) == 1 else sa
    b2 = (*sb, 1) if len(sb) == 1 else sb
    k1, k2 = a2[-1], b2[-2]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"inner dims differ: {sa} @ {sb} needs {k1} == {k2}")
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    out = (*batch, *([a2[-2]] if len(sa) > 1 else []), *([b2[-1]] if len(sb) > 1 else []))
    return TensorSpec(out, dtypes.result_type(a.dtype, b.dtype))


def _matmul_vjp(g: Any, ins: Any, out: Any) -> tuple[Any, Any]:
    a, b = ins
    a2 = F.reshape(a, (1, a.shape[0])) if a.ndim == 1 else a
    b2 = F.reshape(b, (b.shape[0], 1)) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = F.unsqueeze(g2, -2 if b.ndim > 1 else 0)
    if b.ndim == 1:
        g2 = F.unsqueeze(g2, -1)
    ga = F.reshape(F.sum_to_shape(g2 @ F.swapaxes(b2, -1, -2), a2.shape), a.shape)
    gb = F.reshape(F.sum_to_shape(F.swapaxes(a2, -1, -2) @ g2, b2.shape), b.shape)
    return ga, gb


MATMUL = defop(
    "matmul",
    "linalg",
    inputs=("a", "b"),
    forward=lambda xp, a, b: xp.matmul(a, b),
    shape_rule=_matmul_rule,
    vjp=_matmul_vjp,
    formula="z = a @ b",
    grad_formula="da = g @ bᵀ; db = aᵀ @ g",
    doc="Matrix product; batched over leading dims, 1-D inputs as vectors.",
)


def _parse(subscripts: str) -> tuple[list[str], str]:
    ins, out = subscripts.split("->")
    return ins.split(","), out


def _einsum_rule(specs: tuple[TensorSpec, ...], subscripts: str) -> TensorSpec:
    ins, out = _parse(subscripts)
    if len(ins) != len(specs):
        raise ValueError(f"einsum {subscripts!r} names {len(ins)} operands, got {len(specs)}")
    sizes: dict[str, int | None] = {}
    for sub, s in zip(ins, specs, strict=True):
        if len(sub) != len(s.shape):
            raise ValueError(f"einsum operand {sub!r} needs {len(sub)} dims, got shape {s.shape}")
        for ch, d in zip(sub, s.shape, strict=True):
            prev = sizes.get(ch, 1)
            if d is not None and prev not in (None, 1) and d not in (1, prev):
                raise ValueError(f"einsum index {ch!r} has sizes {prev} and {d}")
            sizes[ch] = d if (prev in (None, 1)) else prev
    return TensorSpec(tuple(sizes[c] for c in out), dtypes.result_type(*(s.dtype for s in specs)))


def _einsum_vjp(g: Any, ins: Any, out: Any, subscripts: str) -> tuple[Any, ...]:
    subs, osub = _parse(subscripts)
    grads = []
    for i, (sub, x) in enumerate(zip(subs, ins, strict=True)):
        unique = "".join(dict.fromkeys(sub))  # a repeated index (a diagonal) counted once
        size = {c: x.shape[sub.index(c)] for c in unique}
        others = [s for j, s in enumerate(subs) if j != i]
        have = set(osub).union(*others)
        target = "".join(c for c in unique if c in have)
        spec = ",".join([osub, *others]) + "->" + target
        gi = einsum(spec, g, *[ins[j] for j in range(len(ins)) if j != i])
        if target != unique:  # indices summed away only in this operand: broadcast back
            shape = tuple(size[c] if c in have else 1 for c in unique)
            gi = F.expand(F.reshape(gi, shape), tuple(size[c] for c in unique))
        if unique != sub:
            gi = _onto_diagonal(gi, unique, sub, size, x)
        grads.append(gi)
    return tuple(grads)


def _onto_diagonal(gi: Any, unique: str, sub: str, size: dict[str, int], x: Any) -> Any:
    """Place gi (indexed by `unique`) on the diagonal that `sub` repeats, zeros elsewhere:
    every repeat of an index gets a fresh letter tied to the first by an identity matrix."""
    from ..creation import eye

    used = set(sub) | set(unique)
    fresh = iter(c for c in string.ascii_letters if c not in used)
    seen: set[str] = set()
    full, ties = "", []
    for c in sub:
        if c in seen:
            f = next(fresh)
            full += f
            ties.append((c, f))
        else:
            seen.add(c)
            full += c
    spec = ",".join([unique, *(a + b for a, b in ties)]) + "->" + full
    eyes = [eye(size[a], dtype=x.dtype, device=x.device) for a, _ in ties]
    return einsum(spec, gi, *eyes)


EINSUM = defop(
    "einsum",
    "linalg",
    inputs=("*operands",),
    params=[Param("subscripts")],
    forward=lambda xp, *ops, subscripts: xp.einsum(subscripts, *ops),
    shape_rule=_einsum_rule,
    vjp=_einsum_vjp,
    formula="z = einsum(subscripts, ...)",
    grad_formula="dxᵢ = einsum(out, others -> subsᵢ)",
    doc="Einstein summation (explicit '->' form after normalisation).",
)


def _normalise(subscripts: str, ndims: list[int]) -> str:
    """Rewrite subscripts with '...' expanded and an explicit '->' output."""
    s = subscripts.replace(" ", "")
    ins_s, arrow, out_s = s.partition("->")
    ins = ins_s.split(",")
    if len(ins) != len(ndims):
        raise ValueError(f"einsum {subscripts!r} names {len(ins)} operands, got {len(ndims)}")
    used = set(s) - set(".,->")
    spare = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in used]
    ell_n = max(
        (nd - (len(sub) - 3) for sub, nd in zip(ins, ndims, strict=True) if "..." in sub), default=0
    )
    ell = "".join(spare[:ell_n])
    ins = [
        sub.replace("...", ell[ell_n - (nd - (len(sub) - 3)) :]) if "..." in sub else sub
        for sub, nd in zip(ins, ndims, strict=True)
    ]
    if arrow:
        out = out_s.replace("...", ell)
    else:
        letters = "".join(ins)
        once = (c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        out = ell + "".join(sorted(once))
    return ",".join(ins) + "->" + out


def matmul(a: Any, b: Any) -> Any:
    """a @ b."""
    return binary(MATMUL, a, b)


def einsum(subscripts: str, *operands: Any) -> Any:
    """Einstein summation, e.g. einsum('bij,bjk->bik', a, b)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ndims = [len(getattr(o, "shape", ())) for o in operands]
    return dispatch(EINSUM, operands, {"subscripts": _normalise(subscripts, ndims)})


__all__ = ["einsum", "matmul"]
