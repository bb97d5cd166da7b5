"""A worker killed mid-training loses nothing (its tasks run again on the other worker and the
run equals the single-process one); a bad graph file sent to the workers is refused clearly."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import Any

import numpy as np
import pytest

import vizflow as vf
from vizflow_engine.distributed import worker
from vizflow_engine.distributed.wire import GraphBytes, encode_graph

from .training import assert_same_training, batches, mlp_adam, reference


def _kill_soon(client: Any, delay: float) -> tuple[threading.Timer, list[str]]:
    """A timer that SIGKILLs the second worker's process `delay` s after it starts (its
    nanny starts a fresh worker, which has no compiled graph and no data)."""
    pids = client.run(os.getpid)
    victim = sorted(pids)[1]
    timer = threading.Timer(delay, os.kill, (pids[victim], signal.SIGKILL))
    return timer, [victim]


def _graph() -> vf.Graph:
    _, _, step = mlp_adam()
    x, y = batches(1, rows=8)[0]
    return step.graph(vf.tensor(x), vf.tensor(y))


def test_bad_graph_file_is_refused_by_the_workers(client: Any) -> None:
    good = encode_graph(_graph())
    doc = json.loads(good.json)
    doc["nodes"][0]["op"] = "os.system"
    bad = json.dumps(doc).encode()
    with pytest.raises(vf.GraphFormatError, match=r"worker tcp://.* refused the shipped graph"):
        vf.distributed.ship(client, (bad, good.npz))
    with pytest.raises(vf.distributed.WorkerGraphError, match=r"\$\.nodes\[0\]\.op"):
        vf.distributed.ship(client, (bad, good.npz))
    with pytest.raises(vf.GraphFormatError, match="refused"):
        vf.distributed.ship(client, (good.json, b"not an npz"))
    b, _ = vf.distributed.ship(client, (good.json, good.npz))  # the workers still load graphs
    assert b.digest == good.digest


def test_graph_bytes_that_do_not_match_their_digest_are_refused() -> None:
    good = encode_graph(_graph())
    with pytest.raises(vf.GraphFormatError, match="do not match their digest"):
        worker.compiled(GraphBytes("0" * 64, good.json, good.npz))


@pytest.mark.parametrize("strategy", ["parameter_server", "allreduce"])
def test_killed_worker_mid_training(client: Any, strategy: str) -> None:
    client.wait_for_workers(2, timeout=120)  # the nanny restarts a worker the last test killed
    data = batches(10, rows=2048)
    ref_losses, ref_model, ref_opt = reference(mlp_adam, data)
    model, opt, step = mlp_adam()
    trainer = vf.distributed.DataParallel(
        step, client=client, strategy=strategy, sync_every=4, verbose=False
    )
    losses = [float(trainer(x, y)) for x, y in data[:5]]
    timer, (victim,) = _kill_soon(client, 0.02)
    timer.start()
    for x, y in data[5:]:
        losses.append(float(trainer(x, y)))
    timer.join()
    deadline = time.monotonic() + 20
    while victim in client.scheduler_info(n_workers=-1)["workers"]:
        assert time.monotonic() < deadline, "the killed worker never left the cluster"
        time.sleep(0.05)
    trainer.sync()
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-9)
    assert_same_training(ref_model, ref_opt, model, opt)
