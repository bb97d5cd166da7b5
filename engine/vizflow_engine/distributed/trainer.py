"""vf.distributed.DataParallel: a traced training step run data-parallel on a Dask cluster.

The step is traced on a shard and cut into a gradient graph and an update (split.py); the
gradient graph travels to every worker once as graph-mode JSON + .npz (wire.py) and each
worker compiles it once (worker.py). Each call splits the batch into one contiguous shard per
worker, runs the gradient graph on every shard, adds the weighted results in a tree of
combine tasks and applies the optimiser's update:

- "parameter_server": the driver holds the variables (the user's model and optimiser), sends
  the parameters to the workers each step (as a task result, which Dask copies to every
  worker that reads it and can compute again, unlike `scatter`ed data) and runs the
  update once, in place, after fetching the combined gradients.
- "allreduce": every worker keeps a replica of parameters and optimiser state (Dask futures
  held here, never worker-global state); the combined gradient goes to every replica, which
  runs the update itself. Every `sync_every` steps (and on `sync()`) one replica's state is
  copied back into the user's model and re-sent to all workers, which also bounds the
  lineage Dask keeps to recompute a replica lost with its worker.

A worker that dies mid-step loses nothing: its tasks are pure functions of data Dask can
compute again (the graph bytes and replica states are task results, the shards task
arguments), so Dask runs them again elsewhere and the step returns the same result; a
parameter-server step whose broadcast parameters were lost with it runs again from the
driver's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backend import device_of_array
from ..graph.executor import Plan, compile_plan
from ..graph.ir import Graph
from ..graph.trace import Function, _modes, _name_of, trace_graph, unflatten
from ..tensor import Tensor, _make
from . import worker
from .split import Split, nbytes, split_step, written_variables
from .wire import GraphBytes, encode_graph, from_parts

STRATEGIES = ("parameter_server", "allreduce")
INSTALL = "pip install vizflow[distributed]"


def dask_distributed() -> Any:
    """The `distributed` package, or an ImportError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ImportError(
            f"vf.distributed runs on Dask's distributed scheduler, which is not installed: "
            f"{INSTALL}"
        ) from None
    return distributed


def ship(client: Any, graph: Graph | tuple[bytes, bytes]) -> tuple[GraphBytes, Any]:
    """Send a graph (a vf.Graph, or the JSON and .npz bytes of a graph file) to every worker
    of `client`'s cluster, which loads and compiles it; returns its bytes and their future.

    A graph a worker refuses raises vf.GraphFormatError (a WorkerGraphError naming the
    worker, the JSON path and the reason)."""
    b = encode_graph(graph) if isinstance(graph, Graph) else from_parts(*graph)
    fut = client.submit(worker.hold, b, pure=False)  # recomputable, unlike scattered data
    addrs = list(client.scheduler_info(n_workers=-1)["workers"])
    installs = [
        # a worker may leave meanwhile: its install then runs elsewhere rather than wait
        client.submit(worker.install, fut, workers=[a], allow_other_workers=True, pure=False)
        for a in addrs
    ]
    client.gather(installs)
    return b, fut


@dataclass
class _Shipped:
    """One traced shard shape: its split, shipped graphs and what a call needs around them."""

    split: Split
    tree: Any
    modules: tuple[Any, ...]
    modes: list[bool]
    grads: tuple[GraphBytes, Any]  # the gradient graph's bytes and their future
    update: tuple[GraphBytes, Any] | None  # allreduce: the update graph shipped too
    plan: Plan | None  # parameter_server: the update compiled here, on the live tensors


class DataParallel:
    """A training step run data-parallel on a Dask cluster: `loss = trainer(xb, yb)`.

    `step` is a function (or @vf.function) taking the batch arrays, which closes over its
    model and optimiser, calls loss.backward() and opt.step(), and returns a scalar loss (or
    a tuple of scalars). Its loss must be a mean over the batch (`reduction="mean"`, the
    default: shard results are weighted by their share of rows) or a sum (`"sum"`).
    After each call the parameters are in the model (parameter_server) or, for allreduce,
    after every `sync_every`-th call and `sync()`.
    """

    def __init__(
        self,
        step: Any,
        *,
        client: Any,
        strategy: str = "parameter_server",
        reduction: str = "mean",
        sync_every: int = 10,
        verbose: bool = True,
    ) -> None:
        dist = dask_distributed()
        if not isinstance(client, dist.Client):
            raise TypeError(
                f"client must be a dask.distributed.Client, got {type(client).__name__}: "
                "Client(LocalCluster(n_workers=2)) or Client('tcp://scheduler:8786')"
            )
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        if sync_every < 1:
            raise ValueError(f"sync_every must be at least 1, got {sync_every}")
        self.fn = step.fn if isinstance(step, Function) else step
        self.name = _name_of(self.fn)
        self.client = client
        self.strategy = strategy
        self.reduction = reduction
        self.sync_every = sync_every
        self.workers: tuple[str, ...] = tuple(
            sorted(client.scheduler_info(n_workers=-1)["workers"])
        )
        if not self.workers:
            raise RuntimeError(
                "the Dask cluster has no workers yet: start some, or call "
                "client.wait_for_workers(n) before DataParallel(...)"
            )
        self.steps = 0
        self.traffic: dict[str, int] = {}  # bytes the last step moved, by transfer
        self._shipped: dict[Any, _Shipped] = {}
        self._replicas: list[Any] | None = None  # allreduce: each worker's state future
        self._last: _Shipped | None = None
        if verbose:
            print(
                f"vizflow DataParallel ({strategy}, {len(self.workers)} workers); "
                f"Dask dashboard: {client.dashboard_link}"
            )

    @property
    def dashboard_link(self) -> str:
        """The Dask dashboard's address (task stream, worker memory, transfers)."""
        return str(self.client.dashboard_link)

    def __repr__(self) -> str:
        return (
            f"<DataParallel {self.name!r}: {self.strategy}, {len(self.workers)} workers, "
            f"{self.steps} steps; dashboard {self.dashboard_link}>"
        )

    # ---- one step ----------------------------------------------------------------------------
    def __call__(self, *args: Any) -> Any:
        """Run one training step, its array arguments (the batch) split by rows across the
        workers; other arguments (the model, the optimiser) reach the step as they are.
        Returns the loss."""
        where = [i for i, a in enumerate(args) if _is_array(a)]
        arrays = [_array_of(args[i]) for i in where]
        others = tuple(None if i in where else a for i, a in enumerate(args))
        if not arrays:
            raise TypeError(f"{self.name}: DataParallel needs the batch arrays, got none")
        n = len(arrays[0])
        for a in arrays[1:]:
            if len(a) != n:
                raise ValueError(
                    f"{self.name}: the batch arrays have {n} and {len(a)} rows; DataParallel "
                    "splits them by rows, so they need the same first dimension"
                )
        w = len(self.workers)
        if n < w:
            raise ValueError(f"{self.name}: a batch of {n} rows cannot be split across {w} workers")
        bounds = np.cumsum([0] + [n // w + (1 if k < n % w else 0) for k in range(w)])
        shards = [[a[bounds[k] : bounds[k + 1]] for a in arrays] for k in range(w)]
        shipped = [self._ship(s, where, others) for s in shards]
        first = shipped[0]
        weights = [
            (int(bounds[k + 1] - bounds[k]) / n) if self.reduction == "mean" else 1.0
            for k in range(w)
        ]
        if self.strategy == "parameter_server":
            outs = self._server_step(shipped, shards, weights)
        else:
            total = self._partials(shipped, shards, weights, self._states(first))
            self._update_replicas(first, total)
            outs = self.client.submit(worker.outputs_of, total, pure=False).result()
        self._count(first, shards)
        self._last = first
        self.steps += 1
        if self.strategy == "allreduce" and self.steps % self.sync_every == 0:
            self.sync()
        res = [_make(o, device_of_array(o), None, False) for o in outs]
        return unflatten(first.tree, res)

    def _partials(
        self, shipped: list[_Shipped], shards: list[list[Any]], weights: list[float], states: Any
    ) -> Any:
        """Each shard's weighted loss and gradients on its worker, summed by a tree of
        combine tasks; returns the future of the sum."""
        n_out = len(shipped[0].split.worker.outputs) - len(shipped[0].split.grad_names)
        partials = [
            self.client.submit(
                worker.gradients,
                shipped[k].grads[1],
                states[k],
                shards[k],
                weights[k],
                n_out,
                workers=[self.workers[k]],
                allow_other_workers=True,
                pure=False,
            )
            for k in range(len(shards))
        ]
        return _tree_sum(self.client, partials)

    def _server_step(
        self, shipped: list[_Shipped], shards: list[list[Any]], weights: list[float]
    ) -> list[Any]:
        """parameter_server: send the parameters, combine the gradients, update here."""
        total = self._partials(shipped, shards, weights, self._states(shipped[0]))
        outs, grads = total.result()
        self._update_here(shipped[0], grads)
        return list(outs)

    def sync(self) -> None:
        """allreduce: copy one replica's parameters and optimiser state into the model and
        optimiser, and restart every replica from them (parameter_server: nothing to do)."""
        if self._replicas is None or self._last is None:
            return
        state = self._replicas[0].result()
        variables = self._last.split.variables
        for name, arr in state.items():
            t = variables[name].tensor
            if t is not None:
                t.device.xp.copyto(t.array, arr)
        base = self.client.submit(worker.hold, state, pure=False)
        self._replicas = [base] * len(self.workers)

    # ---- helpers -----------------------------------------------------------------------------
    def _ship(self, shard: list[Any], where: list[int], others: tuple[Any, ...]) -> _Shipped:
        """The shipped split for this shard's shapes and these other arguments (traced,
        split and sent on first use)."""
        key = (
            tuple((a.shape, str(a.dtype), device_of_array(a).name) for a in shard),
            tuple(where),
            tuple(id(o) for o in others),
        )
        hit = self._shipped.get(key)
        if hit is not None and (not hit.modules or _modes(hit.modules) == hit.modes):
            return hit
        call = list(others)
        for i, a in zip(where, shard, strict=True):
            call[i] = _make(a, device_of_array(a), None, False)
        t = trace_graph(self.fn, tuple(call), {})
        split = split_step(t)
        grads = ship(self.client, split.worker)
        if self.strategy == "allreduce":
            update, plan = ship(self.client, split.update), None
        else:
            update, plan = None, compile_plan(split.update)
        hit = _Shipped(split, t.tree, t.modules, t.modes, grads, update, plan)
        self._shipped[key] = hit
        return hit

    def _states(self, s: _Shipped) -> list[Any]:
        """What each worker reads its parameters from: this step's broadcast parameters
        (parameter_server) or its replica's state future (allreduce)."""
        variables = s.split.variables
        if self.strategy == "parameter_server":
            params = {n: _value_array(variables[n]) for n in s.split.param_names}
            # not scatter(broadcast=True): a scatter to a worker dying meanwhile can hang, and
            # Dask's memory manager keeps one copy of scattered data, lost with its worker
            fut = self.client.submit(worker.hold, params, pure=False)
            return [fut] * len(self.workers)
        if self._replicas is None:
            state = {n: _value_array(variables[n]) for n in _replica_names(s.split)}
            base = self.client.submit(worker.hold, state, pure=False)
            self._replicas = [base] * len(self.workers)
        return self._replicas

    def _update_here(self, s: _Shipped, grads: list[Any]) -> None:
        """parameter_server: the optimiser's update, once, on the live tensors; p.grad then
        holds the combined gradient as after an eager step."""
        assert s.plan is not None
        s.plan.run(*(grads[i] for i in s.split.update_feeds))
        for p, store in s.split.stores:
            p.grad = store
        for t in s.split.clears:
            t.grad = None

    def _update_replicas(self, s: _Shipped, total: Any) -> None:
        """allreduce: every replica applies the combined gradient to its own state."""
        assert s.update is not None and self._replicas is not None
        u = s.split.update
        for cb in u.refresh:  # the optimiser's learning rate, as a compiled step reads it
            cb()
        hyper = {n: _value_array(s.split.variables[n]) for n in _hyper_names(s.split)}
        self._replicas = [
            self.client.submit(
                worker.apply_update,
                s.update[1],
                state,
                total,
                s.split.update_feeds,
                hyper,
                workers=[self.workers[k]],
                allow_other_workers=True,
                pure=False,
            )
            for k, state in enumerate(self._replicas)
        ]

    def _count(self, s: _Shipped, shards: list[list[Any]]) -> None:
        """The bytes this step's transfers move (what vf.show draws on the transfer edges)."""
        w = len(self.workers)
        sp = s.split
        grad_bytes = sum(nbytes(v.shape, v.dtype) for v in sp.worker.outputs)
        param_bytes = sum(nbytes(v.shape, v.dtype) for v in sp.worker.inputs[sp.n_batch :])
        t = {"batch → workers": sum(int(a.nbytes) for sh in shards for a in sh)}
        if self.strategy == "parameter_server":
            t["parameters → workers"] = param_bytes * w
            t["gradients → combine"] = grad_bytes * (w - 1)
            t["combined → driver"] = grad_bytes
        else:
            t["gradients → combine"] = grad_bytes * (w - 1)
            t["combined → replicas"] = grad_bytes * (w - 1)
        self.traffic = t

    @property
    def parameter_bytes(self) -> int:
        """Bytes of the parameters the gradient graph reads (0 before the first call)."""
        if self._last is None:
            return 0
        sp = self._last.split
        return sum(nbytes(v.shape, v.dtype) for v in sp.worker.inputs[sp.n_batch :])

    def __vf_graph__(self) -> Graph:
        """The distributed step as a graph for vf.show: a lane per worker, the transfers
        (named with their bytes), the combine and the update."""
        if self._last is None:
            raise ValueError(
                f"vf.show({self.name} trainer) draws the distributed step once it has run: "
                "call trainer(xb, yb) first"
            )
        from .drawing import step_graph

        return step_graph(self, self._last.split)


def _is_array(a: Any) -> bool:
    """Whether a step argument is batch data (a Tensor, a numpy or cupy array)."""
    return isinstance(a, Tensor) or (hasattr(a, "shape") and hasattr(a, "dtype"))


def _array_of(a: Any) -> Any:
    """The backend array of a batch argument."""
    return a.array if isinstance(a, Tensor) else a


def _value_array(v: Any) -> Any:
    """A traced variable's current array (its live tensor's, or the graph-owned value)."""
    return v.tensor.array if v.tensor is not None else v.value


def _tree_sum(client: Any, parts: list[Any]) -> Any:
    """Pairwise combine tasks until one future holds the sum (log2(workers) levels)."""
    while len(parts) > 1:
        nxt = [
            client.submit(worker.combine, parts[i], parts[i + 1], pure=False)
            for i in range(0, len(parts) - 1, 2)
        ]
        if len(parts) % 2:
            nxt.append(parts[-1])
        parts = nxt
    return parts[0]


def _store_names(sp: Split) -> set[str]:
    """Names of the variables that stand for p.grad (not replica state)."""
    stores = {id(store) for _, store in sp.stores}
    return {n for n, v in sp.variables.items() if v.tensor is not None and id(v.tensor) in stores}


def _replica_names(sp: Split) -> list[str]:
    """The state a replica keeps: the parameters the gradients read and what the update
    writes, less the .grad stores."""
    stores = _store_names(sp)
    names = dict.fromkeys([*sp.param_names, *written_variables(sp.update)])
    return [n for n in names if n not in stores]


def _hyper_names(sp: Split) -> list[str]:
    """Variables the update only reads (learning rates): sent by the driver every step."""
    keep = set(_replica_names(sp)) | _store_names(sp)
    return [v.name for v in sp.update.variables if v.name not in keep]


__all__ = ["STRATEGIES", "DataParallel", "dask_distributed", "ship"]
