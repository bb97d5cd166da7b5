"""vf.distributed: a traced training step run data-parallel on a Dask cluster.

`vf.distributed.DataParallel(step, client=client, strategy="parameter_server" | "allreduce")`
ships the step's graph (JSON + .npz, never pickled code) to every worker once and splits each
batch across them. Needs Dask's distributed scheduler: `pip install vizflow[distributed]`.
"""

from __future__ import annotations

from .split import SplitError
from .trainer import STRATEGIES, DataParallel, ship
from .worker import WorkerGraphError

__all__ = ["STRATEGIES", "DataParallel", "SplitError", "WorkerGraphError", "ship"]

from .._api import public_dir

__dir__ = public_dir(__all__)
