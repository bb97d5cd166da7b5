"""vizflow: build, run, see and debug computation graphs in JupyterLab.

`import vizflow as vf` gives the engine's tensors and ops (PyTorch-like) and
`vf.show(...)` to draw a computation.
"""

import sys as _sys
from typing import Any as _Any

import vizflow_engine as _engine
from vizflow_engine import *  # noqa: F403  (the public API is the engine's, re-exported)
from vizflow_engine import __all__ as _engine_all
from vizflow_engine import bool as bool  # vf.bool, vf.float: PyTorch's dtype names
from vizflow_engine import distributed  # vf.distributed: data-parallel training on Dask
from vizflow_engine import float as float
from vizflow_engine import onnx as onnx  # vf.onnx: ONNX import/export (needs vizflow[onnx])
from vizflow_kernelext import GraphViewer, show
from vizflow_kernelext.debugger import register_display as _register_debugger_display
from vizflow_kernelext.editor import Editor

# In IPython, a debug session as a cell's last expression (`dbg`, `rec.debug()`) shows its debugger.
_register_debugger_display()

# `import vizflow.nn.functional as F` works as `import torch.nn.functional as F` does.
for _name in (
    "nn",
    "nn.functional",
    "nn.init",
    "nn.utils",
    "optim",
    "optim.lr_scheduler",
    "data",
    "graph",
    "accelerator",
    "distributed",
    "onnx",
):
    _sys.modules[f"{__name__}.{_name}"] = _sys.modules[f"{_engine.__name__}.{_name}"]

__version__ = "0.1.0"
__all__ = [*_engine_all, "Editor", "GraphViewer", "distributed", "onnx", "show"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension shipped in this package."""
    return [{"src": "labextension", "dest": "@vizflow/jupyterlab"}]


def load_ipython_extension(ipython: _Any) -> None:
    """`%load_ext vizflow`: rich display of tensors and graphs in the notebook."""
    from vizflow_kernelext.ipython import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: _Any) -> None:
    """`%unload_ext vizflow`: back to plain reprs."""
    from vizflow_kernelext.ipython import unload_ipython_extension as _unload

    _unload(ipython)


def __dir__() -> list[str]:
    """The API only (PEP 562): what `dir(vf)` and tab completion list, with the dtype names
    vf.bool / vf.float that `from vizflow import *` leaves out (they would shadow builtins)."""
    return sorted({*__all__, "bool", "float"})
