"""Which inputs a node's output may share memory with, learnt by running its kernel on probes.

numpy returns views from basic indexing, reshape, transpose, broadcast_to, some einsums and
more; a memory plan that took such an output for new memory would reuse or overwrite its base
while the view is still read. So the answer comes from the kernel itself: the op's forward
runs once on small probe arrays of the inputs' dtypes and ranks, and each input the result
may overlap (np.may_share_memory: address bounds, never a false "no") is an alias. Answers
are cached per op, params and input types.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from math import prod
from typing import Any

import numpy as np

from ..node import Node
from .graph_ops import mutated_inputs, mutates
from .ir import Graph, Value
from .passes.util import RANDOM_OPS, params_key

PROBE_ELEMENTS = 1 << 12  # inputs up to this many elements are probed at their own shape
REAL_PROBE_ELEMENTS = 1 << 22  # a larger op whose small probe fails is probed at full size
CACHE_LIMIT = 1 << 12
_cache: dict[Any, tuple[int, ...]] = {}


def aliased_inputs(g: Graph, n: Node, can_out: Callable[[Node], bool]) -> tuple[int, ...]:
    """Indices of the Value inputs n's output may share memory with (empty: new memory).

    In-place ops declare theirs (they return input 0, which they write); a node the plan
    runs as an xp ufunc or reduction writes new memory or a plan buffer; any other kernel
    is probed. Random ops are not run (a probe would draw from the seeded generator), so
    they count as aliasing every input, which only keeps those inputs alive longer.
    """
    if mutates(n.op):
        return (0,)
    if can_out(n):
        return ()
    values = tuple(k for k, x in enumerate(n.inputs) if isinstance(x, Value))
    if not values or n.op.name in RANDOM_OPS:
        return values
    out = g.out[n]
    key = (n.op.name, params_key(n.params), out.dtype.str, tuple(_key(x) for x in n.inputs))
    hit = _cache.get(key)
    if hit is None:
        hit = _probe(n, out)
        if len(_cache) >= CACHE_LIMIT:
            _cache.clear()
        if _by_content(key):
            _cache[key] = hit
    return hit


def written_inputs(n: Node) -> tuple[int, ...]:
    """Indices of the inputs an in-place node writes into (none for other nodes)."""
    return mutated_inputs(n.op) if mutates(n.op) else ()


def _by_content(key: Any) -> bool:
    """The key names no param by id (an unhashable object, whose id may be reused)."""
    if isinstance(key, tuple):
        return not (len(key) == 2 and key[0] == "id") and all(_by_content(k) for k in key)
    return True


def _key(x: Any) -> Any:
    """A node input's part of the cache key: a Value's shape and dtype, or the literal."""
    if isinstance(x, Value):
        return ("v", x.shape, x.dtype.str)
    return ("l", type(x).__name__, x)


def _probe(n: Node, out: Value) -> tuple[int, ...]:
    """Run n's forward on probe arrays: small ones first, full-size if those fail; an op that
    fails on both (a singular matrix, say) is taken to alias every input."""
    values = tuple(k for k, x in enumerate(n.inputs) if isinstance(x, Value))
    shapes = [tuple(d if isinstance(d, int) else 2 for d in x.shape) for x in _values(n)]
    size = sum(prod(s) for s in shapes)
    tries = [shapes] if size <= PROBE_ELEMENTS else [[_small(s) for s in shapes]]
    if size > PROBE_ELEMENTS and size <= REAL_PROBE_ELEMENTS:
        tries.append(shapes)
    for sh in tries:
        found = _run(n, out, sh)
        if found is not None:
            return found
    return values


def _values(n: Node) -> list[Value]:
    return [x for x in n.inputs if isinstance(x, Value)]


def _small(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The probe shape of a large input: each dim cut to at most 3 (the rank is kept)."""
    return tuple(min(d, 3) for d in shape)


def _run(n: Node, out: Value, shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """Inputs the forward's result overlaps when run on arrays of these shapes; None if the
    forward raises on them."""
    rng = np.random.default_rng(0)
    arrays: list[Any] = []
    probes: list[tuple[int, Any]] = []
    it = iter(shapes)
    for k, x in enumerate(n.inputs):
        if not isinstance(x, Value):
            arrays.append(x)
            continue
        shape = next(it)
        if x.dtype.kind == "f" or x.dtype.kind == "c":
            a = rng.uniform(0.5, 1.5, shape).astype(x.dtype)
        else:
            a = np.zeros(shape, x.dtype)
        arrays.append(a)
        probes.append((k, a))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            r = n.op.forward(np, *arrays, **n.params)
    except Exception:  # any failure means "probe at another size"
        return None
    if not isinstance(r, np.ndarray) or r.dtype != out.dtype:
        return ()  # the plan's kernel converts it: new memory
    return tuple(k for k, a in probes if np.may_share_memory(r, a))


def alias_roots(g: Graph, can_out: Callable[[Node], bool]) -> dict[int, tuple[int, ...]]:
    """uid of each node output that may share memory with other values -> the uids of the
    values owning that memory (values that are not aliases themselves), in input order."""
    roots: dict[int, tuple[int, ...]] = {}
    for n in g.nodes:
        ks = aliased_inputs(g, n, can_out)
        if not ks:
            continue
        rs: list[int] = []
        for k in ks:
            x = n.inputs[k]
            for r in roots.get(x.uid, (x.uid,)):
                if r not in rs:
                    rs.append(r)
        roots[g.out[n].uid] = tuple(rs)
    return roots
