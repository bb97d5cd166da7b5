"""What runs on a Dask worker: load a shipped graph through the validating loader, compile it
once (a per-process cache keyed by the graph's digest), and run it on the arrays a task gets.

Every task is a module-level function of data (graph bytes, dicts of arrays, numbers), so Dask
pickles a reference to it, never a closure. Tasks are pure: they copy before writing, so a task
Dask runs again after a worker died gives the same result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeviceError
from ..graph.errors import GraphFormatError
from ..graph.executor import Plan, compile_plan
from .split import WEIGHT
from .wire import GraphBytes, decode_graph, from_parts

CACHE_SIZE = 32  # compiled graphs a worker keeps (one per shard shape and update)

# (outputs, gradients): each already multiplied by its shard's weight, so partials add up
Partial = tuple[list[Any], list[Any]]


class WorkerGraphError(GraphFormatError):
    """A worker refused a shipped graph; names the worker, the JSON path and the reason."""

    def __init__(self, path: str, reason: str, worker: str) -> None:
        self.worker = worker
        self.refused = reason
        super().__init__(path, f"worker {worker} refused the shipped graph: {reason}")


@dataclass
class Compiled:
    """A loaded graph's plan, its inputs (kind, name, dtype) and variable names in cell order."""

    plan: Plan
    inputs: tuple[tuple[str, str, str], ...]
    variables: tuple[str, ...]
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHE: OrderedDict[str, Compiled] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def worker_name() -> str:
    """This worker's address (or 'the driver' when run outside Dask)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "the driver"


def compiled(b: GraphBytes) -> Compiled:
    """b's plan, compiled on first use in this process and kept under its digest."""
    with _CACHE_LOCK:
        hit = _CACHE.get(b.digest)
        if hit is not None:
            _CACHE.move_to_end(b.digest)
            return hit
        if from_parts(b.json, b.npz, b.device).digest != b.digest:
            raise WorkerGraphError("$", "its bytes do not match their digest", worker_name())
        try:
            g = decode_graph(b)
        except GraphFormatError as exc:
            raise WorkerGraphError(exc.path, exc.reason, worker_name()) from None
        except (DeviceError, ValueError) as exc:  # a device this worker does not have
            raise WorkerGraphError("device", str(exc), worker_name()) from None
        kinds = [
            ("weight" if v.name.startswith(WEIGHT) else "state", v.name, str(v.dtype))
            for v in g.inputs
        ]
        c = Compiled(compile_plan(g), tuple(kinds), tuple(v.name for v in g.variables))
        _CACHE[b.digest] = c
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return c


def hold(x: Any) -> Any:
    """x itself, as a task's result: data Dask can compute again if the worker holding it
    dies (scattered data has no recipe, and Dask keeps one copy of it)."""
    return x


def install(b: GraphBytes) -> str:
    """Load and compile b here (so a bad graph is refused before training); returns the
    worker's address."""
    compiled(b)
    return worker_name()


def gradients(
    b: GraphBytes, state: Mapping[str, Any], batch: Sequence[Any], weight: float, n_out: int
) -> Partial:
    """The shard's outputs and parameter gradients, each times `weight` (n_k/N for a mean)."""
    c = compiled(b)
    xp = c.plan.xp
    feeds: list[Any] = []
    for i, (kind, name, dtype) in enumerate(c.inputs):
        if i < len(batch):
            feeds.append(xp.asarray(batch[i]))
        elif kind == "weight":
            feeds.append(xp.asarray(weight, dtype=dtype))
        else:
            feeds.append(state[name])
    out = c.plan.run(*feeds)
    return out[:n_out], out[n_out:]


def combine(a: Partial, b: Partial) -> Partial:
    """The sum of two partial results (one level of the tree reduction)."""
    return [x + y for x, y in zip(a[0], b[0], strict=True)], [
        x + y for x, y in zip(a[1], b[1], strict=True)
    ]


def outputs_of(total: Partial) -> list[Any]:
    """The combined outputs (the loss) without the gradients, for the driver to fetch."""
    return total[0]


def apply_update(
    b: GraphBytes,
    state: Mapping[str, Any],
    total: Partial,
    feeds: Sequence[int],
    hyper: Mapping[str, Any],
) -> dict[str, Any]:
    """One replica's optimiser step: the update graph run on copies of its state, with the
    combined gradients (total's gradients picked by `feeds`) and the driver's hyperparameters
    (learning rates); returns the replica's new state."""
    c = compiled(b)
    with c.lock:
        cells = c.plan.cells
        for name, cell in zip(c.variables, cells, strict=True):
            src = state.get(name)
            if src is None:
                src = hyper.get(name)
            if src is not None:
                cell.array = src.copy()
        c.plan.run(*(total[1][i] for i in feeds))
        return {
            name: cell.array for name, cell in zip(c.variables, cells, strict=True) if name in state
        }
