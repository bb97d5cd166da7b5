"""Runs onnx's own per-op node test cases through vf.onnx.load and compares outputs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import OnnxFormatError
from .node_op import OP_NAME

STATUSES = ("native", "fallback", "mismatch", "random", "error", "unloadable")
"""native: passed with vizflow ops only; fallback: passed with some onnx_node; mismatch:
outputs differ; random: outputs differ from a random op's recorded draw (not comparable);
error: loading or running raised; unloadable: types or shapes vizflow cannot hold."""
RANDOM_OPS = frozenset(
    {
        "Bernoulli",
        "Multinomial",
        "RandomNormal",
        "RandomNormalLike",
        "RandomUniform",
        "RandomUniformLike",
    }
)


@dataclass(frozen=True)
class CaseResult:
    """One case: its name, the op type it tests, the outcome and a short reason."""

    name: str
    op_type: str
    status: str
    detail: str = ""


def node_cases() -> list[Any]:
    """onnx's node test cases (about 1,900), built from the installed wheel."""
    from onnx.backend.test.case.node import collect_testcases

    return [c for c in collect_testcases(None) if c.kind == "node" and c.model is not None]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@lru_cache(maxsize=1)
def _op_names() -> list[tuple[str, str]]:
    """(snake_case name, op type) of every default-domain op, longest name first."""
    import onnx

    ops = {s.name for s in onnx.defs.get_all_schemas() if s.domain == ""}
    return sorted(((_snake(o), o) for o in ops), key=lambda p: -len(p[0]))


def op_type_of(case: Any) -> str:
    """The op type a case tests: its single node's, or the one its test name starts with."""
    nodes = case.model.graph.node
    if len(nodes) == 1:
        return str(nodes[0].op_type)
    rest = case.name.removeprefix("test_")
    for snake, op in _op_names():
        if rest == snake or rest.startswith(snake + "_"):
            return op
    return str(nodes[0].op_type)


def _tensor_inputs(model: Any) -> bool:
    inits = {t.name for t in model.graph.initializer}
    return all(i.type.HasField("tensor_type") for i in model.graph.input if i.name not in inits)


def run_case(case: Any) -> CaseResult:
    """Load the case's model with its data's shapes, run it, compare with the expected."""
    from .loading import load

    op = op_type_of(case)
    if not case.data_sets or not _tensor_inputs(case.model):
        return CaseResult(case.name, op, "unloadable", "non-tensor inputs or no data")
    try:
        inputs, expected = ([_array(a) for a in part] for part in case.data_sets[0])
    except ValueError:
        return CaseResult(case.name, op, "unloadable", "sequence or optional data")
    names = [i.name for i in case.model.graph.input][: len(inputs)]
    try:
        shapes = {n: a.shape for n, a in zip(names, inputs, strict=True)}
        g = load(case.model.SerializeToString(), input_shapes=shapes)
        got = g(*inputs)
    except OnnxFormatError as exc:
        return CaseResult(case.name, op, "unloadable", str(exc).splitlines()[0][:160])
    except Exception as exc:  # any failure is a measured outcome here
        return CaseResult(case.name, op, "error", f"{type(exc).__name__}: {exc}"[:160])
    reason = _compare(got, expected, case.rtol, case.atol)
    if reason:
        return CaseResult(case.name, op, "random" if op in RANDOM_OPS else "mismatch", reason)
    native = all(n.op.name != OP_NAME for n in g.nodes)
    return CaseResult(case.name, op, "native" if native else "fallback")


def _array(a: Any) -> np.ndarray[Any, Any]:
    """A case's input or output as an array (some cases hold TensorProtos)."""
    from onnx import TensorProto, numpy_helper

    return numpy_helper.to_array(a) if isinstance(a, TensorProto) else np.asarray(a)


def _compare(got: list[Any], expected: Iterable[Any], rtol: float, atol: float) -> str:
    """Empty when outputs match in dtype, shape and values (NaN equal to NaN)."""
    exp = list(expected)
    if len(got) != len(exp):
        return f"{len(got)} outputs, expected {len(exp)}"
    for i, (a, b) in enumerate(zip(got, exp, strict=True)):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return f"output {i}: {a.dtype}{a.shape}, expected {b.dtype}{b.shape}"
        if a.dtype.kind in "fc":
            if not np.allclose(a, b, rtol=max(rtol, 1e-4), atol=max(atol, 1e-6), equal_nan=True):
                return f"output {i}: values differ (max abs diff {np.nanmax(np.abs(a - b)):.3g})"
        elif not np.array_equal(a, b):
            return f"output {i}: values differ"
    return ""


def run_all(cases: list[Any]) -> tuple[list[CaseResult], float]:
    """Every case's result and the seconds taken."""
    t0 = time.perf_counter()
    res = [run_case(c) for c in cases]
    return res, time.perf_counter() - t0
