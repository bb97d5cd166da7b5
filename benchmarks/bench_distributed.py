"""vf.distributed.DataParallel on a LocalCluster: step time for 1 and 2 worker processes on the
MLP 784-256-256-10 at batch 512 (float32, SGD), the scaling efficiency, and the bytes moved per
step against the parameter bytes, for both strategies; the single-process @vf.function step
is the baseline, timed in the same process.

Bytes: what workers send (to peers and to the driver) is Dask's own count
(Worker.transfer_outgoing_bytes_total); what the driver sends (the batch shards in the task
arguments, the broadcast parameters) is counted by the trainer (trainer.traffic).
Run: .venv/bin/python benchmarks/bench_distributed.py   (STEPS=… to change the timed steps)
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import numpy as np

import vizflow_engine as vf
import vizflow_engine.nn.functional as F
from vizflow_engine import nn, optim
from vizflow_engine.distributed import DataParallel

BATCH = 512
STEPS = int(os.environ.get("STEPS", "20"))
WARMUP = 3


def make_step() -> tuple[Any, Any]:
    """The MLP 784-256-256-10 (float32), SGD, and its traced training step."""
    vf.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    opt = optim.SGD(model.parameters(), lr=0.05)

    @vf.function
    def step(xb: Any, yb: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    return model, step


def data() -> list[tuple[Any, Any]]:
    rng = np.random.default_rng(0)
    return [
        (rng.normal(size=(BATCH, 784)).astype(np.float32), rng.integers(0, 10, size=BATCH))
        for _ in range(WARMUP + STEPS)
    ]


def timed(fn: Any, batches: list[tuple[Any, Any]]) -> list[float]:
    """Seconds of each call (the caller has warmed fn up)."""
    out = []
    for x, y in batches:
        t0 = time.perf_counter()
        float(fn(x, y))  # the loss reaches the driver: the step is done
        out.append(time.perf_counter() - t0)
    return out


def sent_by_workers(client: Any) -> int:
    """Bytes all workers have sent so far (to peers and to this client)."""
    counts = client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total)
    return int(sum(counts.values()))


def distributed_run(workers: int, strategy: str, batches: list[tuple[Any, Any]]) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        _, step = make_step()
        trainer = DataParallel(step, client=client, strategy=strategy, verbose=False)
        for x, y in batches[:WARMUP]:
            trainer(x, y)
        before = sent_by_workers(client)
        seconds = timed(trainer, batches[WARMUP:])
        after = sent_by_workers(client)
        driver = trainer.traffic.get("batch → workers", 0) + trainer.traffic.get(
            "parameters → workers", 0
        )
        return {
            "seconds": statistics.median(seconds),
            "worker_bytes": (after - before) / STEPS,
            "driver_bytes": driver,
            "planned": dict(trainer.traffic),
            "param_bytes": trainer.parameter_bytes,
        }


def main() -> None:
    batches = data()
    _, step = make_step()
    xs = [(vf.tensor(x), vf.tensor(y)) for x, y in batches]
    for x, y in xs[:WARMUP]:
        step(x, y)
    base = statistics.median(timed(step, xs[WARMUP:]))
    print(f"MLP 784-256-256-10, batch {BATCH}, float32, SGD; median of {STEPS} steps")
    print(f"single process (@vf.function): {base * 1e3:8.2f} ms/step")
    for strategy in ("parameter_server", "allreduce"):
        runs = {w: distributed_run(w, strategy, batches) for w in (1, 2)}
        t1, t2 = runs[1]["seconds"], runs[2]["seconds"]
        print(f"\n{strategy}")
        for w, r in runs.items():
            moved = r["worker_bytes"] + r["driver_bytes"]
            print(
                f"  {w} worker{'s' if w > 1 else ' '}: {r['seconds'] * 1e3:8.2f} ms/step "
                f"({r['seconds'] / base:5.2f}x the single process); moved per step "
                f"{moved / 1e6:6.2f} MB = {moved / r['param_bytes']:4.2f}x the parameters "
                f"({r['param_bytes'] / 1e6:.2f} MB): workers sent {r['worker_bytes'] / 1e6:.2f} "
                f"MB, the driver {r['driver_bytes'] / 1e6:.2f} MB"
            )
            print(f"             planned transfers: {r['planned']}")
        print(f"  scaling efficiency 1 -> 2 workers: t1 / (2 t2) = {t1 / (2 * t2):.2f}")


if __name__ == "__main__":
    main()
