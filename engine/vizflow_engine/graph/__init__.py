"""Graph mode: trace Python into a dataflow Graph, transform it, compile and step it."""

from __future__ import annotations

from .autodiff import backward_values, grad_graph
from .errors import GraphError, GraphFormatError, TraceError
from .executor import Event, Plan, Run, compile_plan
from .ir import Graph, Value
from .memory import MemoryPlan, plan_memory
from .passes import PASSES, Report, optimize
from .passes.infer_shapes import specialize
from .serialize import schema
from .trace import Function, Spec, function, spec, trace
from .verify import verify

__all__ = [
    "PASSES",
    "Event",
    "Function",
    "Graph",
    "GraphError",
    "GraphFormatError",
    "MemoryPlan",
    "Plan",
    "Report",
    "Run",
    "Spec",
    "TraceError",
    "Value",
    "backward_values",
    "compile_plan",
    "function",
    "grad_graph",
    "optimize",
    "plan_memory",
    "schema",
    "spec",
    "specialize",
    "trace",
    "verify",
]


from .._api import public_dir

__dir__ = public_dir(__all__)
