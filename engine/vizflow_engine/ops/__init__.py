"""Op declarations, one module per category; importing this registers them all."""

from __future__ import annotations

import importlib
import importlib.util

from .. import functional  # noqa: F401  (first: its star imports then see whole modules)
from . import (
    activations,
    bitwise,
    comparison,
    composites,
    creation,
    elementwise,
    indexing,
    linalg,
    math,
    predicates,
    reduction,
    scans,
    scatter,
    shape,
    shape_more,
    sorting,
    stats,
)

if importlib.util.find_spec(f"{__name__}.neural") is not None:  # owned by the nn work
    importlib.import_module(f"{__name__}.neural")
    importlib.import_module(f"{__name__}.updates")

__all__ = [
    "activations",
    "bitwise",
    "comparison",
    "composites",
    "creation",
    "elementwise",
    "indexing",
    "linalg",
    "math",
    "predicates",
    "reduction",
    "scans",
    "scatter",
    "shape",
    "shape_more",
    "sorting",
    "stats",
]
